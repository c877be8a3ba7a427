"""The period report to the provincial portal: on demand and on a schedule, through the portal
outbox (`motcua.portal`: one row per idempotency key, retries with back-off, `Idempotency-Key`
header), so a report pushed twice is delivered once.

The key is `bieu06:<agency>:<from>:<to>`: one report per agency and period. The schedule sends
the previous month once it is over and, each day, the month so far (up to yesterday).

Public API
----------
- `REPORT_OPERATION` — the portal operation (`POST {MOTCUA_PORTAL_URL}/BaoCaoTongHop06`).
- `report_payload(report, agency_code, at) -> dict` — aggregates only, never a person.
- `report_key(agency_code, period) -> str`.
- `push_period_report(sessions, catalog, period, *, agency_code=None, at=None, adapter=None)
  -> PortalOutbox` — queue the report (once per key); with an adapter, deliver what is due now.
- `scheduled_periods(today) -> list[Period]` and `push_scheduled(sessions, catalog, today, *,
  adapter=None) -> list[PortalOutbox]`.
- `main()` — `python -m motcua.reports.portal_push`: the scheduled push once (cron, a systemd
  timer or the workers' loop), delivering at once when MOTCUA_PORTAL_URL is set.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from motcua.catalog import Catalog
from motcua.db import PortalOutbox
from motcua.db.base import LOCAL_ZONE
from motcua.portal import PortalAdapter, adapter_for, deliver_due, enqueue
from motcua.portal.payloads import portal_time
from motcua.reports.period import Counts, Period, PeriodReport, period_report

REPORT_OPERATION = "BaoCaoTongHop06"
logger = logging.getLogger("motcua.reports.portal")


def _counts(counts: Counts) -> dict[str, int]:
    return {
        "TongSoNhan": counts.received, "MoiTiepNhanTrucTuyen": counts.new_online,
        "MoiTiepNhanTrucTiepBCCI": counts.new_direct, "TuKyTruoc": counts.carried_over,
        "DaGiaiQuyet": counts.resolved, "TruocHan": counts.resolved_early,
        "DungHan": counts.resolved_on_time, "QuaHan": counts.resolved_late,
        "DangGiaiQuyet": counts.in_progress, "DangGiaiQuyetTrongHan": counts.in_progress_within,
        "DangGiaiQuyetQuaHan": counts.in_progress_overdue, "TamDungBoSung": counts.paused,
        "RutHoSo": counts.withdrawn, "DungXuLy": counts.stopped,
    }


def report_payload(report: PeriodReport, agency_code: str, at: datetime) -> dict[str, Any]:
    return {
        "MaDonVi": agency_code,
        "MauBaoCao": "06/VPCP/KSTT",
        "TuNgay": report.period.from_day.strftime("%Y%m%d"),
        "DenNgay": report.period.to_day.strftime("%Y%m%d"),
        "ThoiDiemBaoCao": portal_time(at),
        "TongHop": _counts(report.totals),
        "LinhVuc": [
            {"MaLinhVuc": block.sector_code, "TenLinhVuc": block.sector_name.vi,
             "SoLieu": _counts(block.counts),
             "ThuTuc": [{"MaTTHC": row.procedure_code, "TenTTHC": row.procedure_name.vi,
                         "SoLieu": _counts(row.counts)} for row in block.rows]}
            for block in report.sectors
        ],
    }


def report_key(agency_code: str, period: Period) -> str:
    return f"bieu06:{agency_code}:{period.from_day.isoformat()}:{period.to_day.isoformat()}"


def _agency(catalog: Catalog) -> str:
    return catalog.procedures[0].agency.code if catalog.procedures else "unknown"


def push_period_report(sessions: sessionmaker[Session], catalog: Catalog, period: Period, *,
                       agency_code: str | None = None, at: datetime | None = None,
                       adapter: PortalAdapter | None = None) -> PortalOutbox:
    """Queue Biểu 06 for `period` (a second push of the same period is the same row); with an
    `adapter`, also deliver what the outbox has due now (otherwise the workers' courier does)."""
    at = at or datetime.now(UTC)
    agency = agency_code or _agency(catalog)
    with sessions() as session:
        report = period_report(session, period, catalog)
    row = enqueue(sessions, key=report_key(agency, period), dossier_id=None,
                  operation=REPORT_OPERATION, payload=report_payload(report, agency, at))
    if adapter is not None:
        deliver_due(sessions, adapter)
    return row


def scheduled_periods(today: date) -> list[Period]:
    """The previous month, and this month up to yesterday (none on the 1st)."""
    first = today.replace(day=1)
    periods = [Period(first, today - timedelta(days=1))] if today.day > 1 else []
    return [Period(first, today).previous_month(), *periods]


def push_scheduled(sessions: sessionmaker[Session], catalog: Catalog, today: date, *,
                   adapter: PortalAdapter | None = None) -> list[PortalOutbox]:
    rows = [push_period_report(sessions, catalog, period) for period in scheduled_periods(today)]
    if adapter is not None:
        deliver_due(sessions, adapter)
    return rows


@dataclass(frozen=True)
class _PortalSettings:
    portal_url: str = field(default_factory=lambda: os.environ.get("MOTCUA_PORTAL_URL", "").strip())
    portal_token: str = field(
        default_factory=lambda: os.environ.get("MOTCUA_PORTAL_TOKEN", "").strip())


def main() -> None:
    from motcua import settings as settings_module
    from motcua.catalog import load_catalog
    from motcua.db import migrate, session_factory

    logging.basicConfig(level=logging.INFO)
    settings = settings_module.load()
    migrate(settings.database_url)
    sessions = session_factory(settings.database_url)
    adapter = adapter_for(_PortalSettings())
    today = datetime.now(LOCAL_ZONE).date()
    rows = push_scheduled(sessions, load_catalog(settings.catalog_dir), today, adapter=adapter)
    logger.info("portal: %d period reports queued (%s)", len(rows),
                ", ".join(r.idempotency_key for r in rows))


if __name__ == "__main__":
    main()
