"""Reports to the provincial portal: payloads, adapters in a registry, an outbox with retries.

Processing never waits for the portal: a `portal.report` job only stores the report in the outbox
(`portal_outbox`, unique idempotency key per dossier event); a courier delivers what is due, in
order per dossier, and retries with a growing back-off while the portal is down.

Public API
----------
- `dossier_sync(dossier, procedure_name, at)` (DongBoHoSoMC) and `progress_update(dossier, step,
  at)` (CapNhatTienDoHoSoMC): JSON payloads modelled on the national portal's sync.
- `enqueue(sessions, *, key, dossier_id, operation, payload) -> PortalOutbox` (once per key).
- `deliver_due(sessions, adapter, *, first_retry_s=30, now=None) -> DeliveryRound`.
- Adapters: `register(name)`, `adapter_named(name, settings)`, `adapter_for(settings)` (`http` when
  MOTCUA_PORTAL_URL is set, else None: reports stay queued); `send(operation, payload, key)`
  raises `TemporaryFailure` / `PermanentFailure`.
"""

from motcua.portal.adapters import (
    ADAPTERS,
    PermanentFailure,
    PortalAdapter,
    TemporaryFailure,
    adapter_for,
    adapter_named,
    register,
)
from motcua.portal.outbox import DeliveryRound, deliver_due, enqueue
from motcua.portal.payloads import DOSSIER_SYNC, PROGRESS_UPDATE, dossier_sync, progress_update

__all__ = [
    "ADAPTERS", "DOSSIER_SYNC", "PROGRESS_UPDATE", "DeliveryRound", "PermanentFailure",
    "PortalAdapter", "TemporaryFailure", "adapter_for", "adapter_named", "deliver_due",
    "dossier_sync", "enqueue", "progress_update", "register",
]
