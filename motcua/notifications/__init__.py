"""SMS to citizens: texts without diacritics, providers behind a registry, one SMS per key.

Public API
----------
- `SmsEvent` — `received`, `supplement-requested`, `refused`, `result-ready`, `returned`,
  `late-apology` (the `event` input of `notify.sms`).
- `compose(event, facts) -> str` with `MessageFacts(dossier_code, tracking_link, sender, …)`:
  Vietnamese without diacritics, at most 160 GSM-7 characters.
- `plain_text(text)`, `gsm7_length(text)`, `normalise_phone(text) -> str | None`.
- Providers: `register(name)` (class decorator), `provider_named(name, settings)`, `PROVIDERS`;
  `outbox` (stored only, the default) and `http` (a JSON brandname gateway, eSMS style).
  A provider's `send(phone, text, request_id) -> SendReceipt` raises `TemporaryFailure` or
  `PermanentFailure`.
- `send_once(sessions, *, key, dossier_id, event, phone, text, provider) -> SmsMessage`: stores the
  message under the unique idempotency `key` and sends it at most once; a temporary provider error
  raises `TemporaryFailure` (retry later), a permanent one is recorded as `failed`.
"""

from motcua.notifications.delivery import SmsInFlight, send_once
from motcua.notifications.providers import (
    PROVIDERS,
    PermanentFailure,
    SendReceipt,
    SmsProvider,
    TemporaryFailure,
    provider_named,
    register,
)
from motcua.notifications.templates import MessageFacts, SmsEvent, compose
from motcua.notifications.text import GSM7_SINGLE_SMS, gsm7_length, normalise_phone, plain_text

__all__ = [
    "GSM7_SINGLE_SMS", "PROVIDERS", "MessageFacts", "PermanentFailure", "SendReceipt", "SmsEvent",
    "SmsInFlight", "SmsProvider", "TemporaryFailure", "compose", "gsm7_length", "normalise_phone",
    "plain_text", "provider_named", "register", "send_once",
]
