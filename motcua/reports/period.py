"""The period report (Biểu 06): what the department received, resolved and still has in hand.

Counting rules for a period [from_day, to_day] (Vietnam dates, both days included), after
Biểu số 06/VPCP/KSTT and the practice of provincial systems (reference, domain-vn.md §2.3, §3):

* a dossier counts once it was received with a promised return date (`due_on` set); dossiers
  still being submitted (1), refused at the desk (3) or waiting for an intake supplement never
  had one and are not counted;
* **received** (nhận giải quyết) = every dossier the period had in hand:
  - *new online* / *new direct or by post*: received within the period, by channel;
  - *carried over* (từ kỳ trước): received before the period and neither resolved, withdrawn
    nor stopped before it started;
* each received dossier lands in exactly one outcome, so received = resolved + withdrawn +
  stopped + in progress:
  - **resolved** (đã giải quyết): processing finished within the period; *early*, *on time* or
    *late* by comparing the **date** processing finished with the promised date (never times:
    16:00 on the due day is on time);
  - **withdrawn** (rút): the applicant withdrew it (status 7) within the period, at the time of
    the timeline line that recorded it;
  - **stopped** (dừng xử lý): processing ended without a result (status 8, e.g. the supplement
    never came: the process ends there) within the period, likewise by its timeline line;
  - **in progress** (đang giải quyết) at the end of the period: *within time* when the promised
    date is on or after the last day of the period, else *overdue*; of which **paused**: waiting
    for the applicant (supplement, fees, stopped) at the end of the period — a paused dossier is
    within time when the wait began on or before the date promised at that moment.

Every count comes from one SQL statement over one covering index, walked one procedure at a
time in index order; Python only adds up its few dozen rows and attaches the catalog's fields.
Early / on time / late is not worked out per row: the dossier stores it (`Dossier.resolution`,
kept by the model whenever processing_finished_at or due_on is set), and it stores when it was
withdrawn or stopped (`Dossier.closed_at`), so dossiers gone before the period are never read.
The promised date used is the dossier's current one (a paused dossier: the one promised when
the wait began); figures: docs/PERFORMANCE.md, "Reports".

Public API
----------
- `Period(from_day, to_day)` — `.start`, `.end` (aware datetimes, end exclusive), `.days`,
  `Period.month(year, month)`, `Period.parse(from_text, to_text)`.
- `Counts` — the Biểu 06 numbers of one row (`+` adds rows; `.on_time_rate`).
- `ReportRow(procedure_code, procedure_name, sector_code, sector_name, counts)`.
- `SectorBlock(sector_code, sector_name, rows, counts)`.
- `PeriodReport(period, sectors, totals)` — `.rows()`, `.as_dict()`.
- `period_report(session, period, catalog, *, sector=None, procedure=None) -> PeriodReport`.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.catalog import Catalog, Text
from motcua.db.base import LOCAL_ZONE, Moment
from motcua.db.dossiers import Resolution
from motcua.reports.indexes import REPORT_INDEX
from motcua.statuses import Channel, DossierStatus

OTHER_SECTOR = "khac"
MIN_YEAR, MAX_YEAR = 1900, 9998
_OTHER_SECTOR_NAME = Text("Lĩnh vực khác", "Other fields")


@dataclass(frozen=True)
class Period:
    """A reporting period: Vietnam calendar days `from_day` … `to_day`, both included."""

    from_day: date
    to_day: date

    def __post_init__(self) -> None:
        if self.to_day < self.from_day:
            raise ValueError(f"the period ends ({self.to_day}) before it starts ({self.from_day})")
        # the arithmetic around a period (the day after, the month before) must stay in range
        if self.from_day.year < MIN_YEAR or self.to_day.year > MAX_YEAR:
            raise ValueError(f"a period must lie between the years {MIN_YEAR} and {MAX_YEAR}")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.from_day, time(0), LOCAL_ZONE)

    @property
    def end(self) -> datetime:
        """The first moment after the period (midnight after `to_day`)."""
        return datetime.combine(self.to_day + timedelta(days=1), time(0), LOCAL_ZONE)

    @property
    def days(self) -> int:
        return (self.to_day - self.from_day).days + 1

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = month_calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))

    @classmethod
    def parse(cls, from_text: str, to_text: str) -> Period:
        """From ISO dates (`2026-10-01`); raises ValueError with a readable message."""
        try:
            return cls(date.fromisoformat(from_text.strip()), date.fromisoformat(to_text.strip()))
        except (TypeError, AttributeError) as error:
            raise ValueError("a period needs two dates like 2026-10-01") from error

    def previous_month(self) -> Period:
        first = self.from_day.replace(day=1) - timedelta(days=1)
        return Period.month(first.year, first.month)

    def __str__(self) -> str:
        return f"{self.from_day.isoformat()}/{self.to_day.isoformat()}"


@dataclass(frozen=True)
class Counts:
    """The numbers of one Biểu 06 row."""

    new_online: int = 0
    new_direct: int = 0  # trực tiếp and dịch vụ bưu chính
    carried_over: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_within: int = 0
    in_progress_overdue: int = 0
    paused: int = 0  # of the in-progress ones
    withdrawn: int = 0
    stopped: int = 0

    @property
    def received(self) -> int:
        return self.new_online + self.new_direct + self.carried_over

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_within + self.in_progress_overdue

    @property
    def on_time_rate(self) -> float | None:
        """Share of resolved dossiers finished early or on time (None when nothing was resolved)."""
        if not self.resolved:
            return None
        return (self.resolved_early + self.resolved_on_time) / self.resolved

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = asdict(self)
        data.update(received=self.received, resolved=self.resolved, in_progress=self.in_progress,
                    on_time_rate=None if self.on_time_rate is None else round(self.on_time_rate, 4))
        return data


@dataclass(frozen=True)
class ReportRow:
    procedure_code: str
    procedure_name: Text
    sector_code: str
    sector_name: Text
    counts: Counts


@dataclass(frozen=True)
class SectorBlock:
    sector_code: str
    sector_name: Text
    rows: tuple[ReportRow, ...]
    counts: Counts


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    sectors: tuple[SectorBlock, ...]
    totals: Counts

    def rows(self) -> tuple[ReportRow, ...]:
        return tuple(row for block in self.sectors for row in block.rows)

    def row(self, procedure_code: str) -> ReportRow:
        for row in self.rows():
            if row.procedure_code == procedure_code:
                return row
        raise KeyError(procedure_code)

    def as_dict(self) -> dict[str, Any]:
        """Aggregates only (no dossier, no person): for the JSON API and the portal."""
        return {
            "from": self.period.from_day.isoformat(),
            "to": self.period.to_day.isoformat(),
            "totals": self.totals.as_dict(),
            "sectors": [
                {"code": block.sector_code, "name": {"vi": block.sector_name.vi, "en": block.sector_name.en},
                 "counts": block.counts.as_dict(),
                 "procedures": [
                     {"code": row.procedure_code,
                      "name": {"vi": row.procedure_name.vi, "en": row.procedure_name.en},
                      "counts": row.counts.as_dict()}
                     for row in block.rows]}
                for block in self.sectors
            ],
        }


# ------------------------------------------------------------------------------------------ SQL

def _local_day(dialect: str, column: str) -> str:
    """SQL for the Vietnam date of a stored UTC moment (Vietnam keeps UTC+7 all year)."""
    hours = int(LOCAL_ZONE.utcoffset(datetime(2000, 1, 1)).total_seconds() // 3600)
    if dialect == "postgresql":
        return f"CAST(({column} + INTERVAL '{hours} hours') AS DATE)"
    return f"date({column}, '{hours:+d} hours')"


# outcomes, one per dossier: resolved early / on time / late (the same small integers as the
# stored `Dossier.resolution`), in progress within time / overdue (paused or not), withdrawn,
# stopped
EARLY, ON_TIME, LATE = (int(r) for r in (Resolution.EARLY, Resolution.ON_TIME, Resolution.LATE))
WITHIN, OVERDUE, PAUSED_WITHIN, PAUSED_OVERDUE, WITHDRAWN, STOPPED = range(LATE + 1, LATE + 7)
NEW_ONLINE, NEW_DIRECT, CARRIED_OVER = range(3)

_UNSETTLED_COLUMNS = ("id, procedure_code, channel, received_at, processing_finished_at AS finished_at, "
                      "closed_at, due_on, status")

_OPEN_OUTCOME = """COALESCE(
             (SELECT CASE MIN(CASE WHEN {pause_day} <= COALESCE(p.due_before, unsettled.due_on)
                                   THEN 1 ELSE 0 END)
                     WHEN 1 THEN {paused_within} WHEN 0 THEN {paused_overdue} END
                FROM dossier_pauses p
               WHERE p.dossier_id = unsettled.id AND p.requested_at < :end
                 AND (p.resumed_at IS NULL OR p.resumed_at >= :end)),
             CASE WHEN due_on >= :last_day THEN {within} ELSE {overdue} END)"""

# Two disjoint parts, both walking the covering index `ix_dossiers_report` (procedure code,
# resolution, channel, processing_finished_at, received_at, due date, status;
# motcua/reports/indexes.py) one procedure at a time — `procedure_code IN codes`, the distinct
# codes found by seeking the next one, a handful of index probes — so SQLite groups in index
# order without sorting:
# * resolved: processing finished within the period — one count per (procedure, stored
#   resolution, channel) over a processing_finished_at range, plus how many of them were
#   received before the period (carried over); no date arithmetic, no table row read;
# * unsettled: received by the end of the period, not finished by then and not withdrawn or
#   stopped before it started (stored `closed_at`): a small share of the dossiers, classified
#   one by one (the open ones look up a pause open at the end of the period).
_REPORT_SQL = """
WITH RECURSIVE codes(code) AS (
    SELECT MIN(procedure_code) FROM dossiers
    UNION ALL
    SELECT (SELECT MIN(procedure_code) FROM dossiers WHERE procedure_code > codes.code)
      FROM codes WHERE codes.code IS NOT NULL
),
resolved AS (
    SELECT procedure_code, resolution, channel, COUNT(*) AS n,
           SUM(CASE WHEN received_at < :start THEN 1 ELSE 0 END) AS carried
      FROM dossiers{report_index}
     WHERE procedure_code IN (SELECT code FROM codes) AND resolution IN ({resolutions})
       AND channel IN ({channels})
       AND processing_finished_at >= :start AND processing_finished_at < :end
     GROUP BY procedure_code, resolution, channel
),
unsettled AS (
    SELECT {columns} FROM dossiers{report_index}  -- open, never withdrawn or stopped
     WHERE procedure_code IN (SELECT code FROM codes) AND resolution IS NULL
       AND channel IN ({channels}) AND processing_finished_at IS NULL AND closed_at IS NULL
       AND received_at < :end AND due_on IS NOT NULL
    UNION ALL
    SELECT {columns} FROM dossiers{report_index}  -- withdrawn or stopped since the period started
     WHERE procedure_code IN (SELECT code FROM codes) AND resolution IS NULL
       AND channel IN ({channels}) AND processing_finished_at IS NULL AND closed_at >= :start
       AND received_at < :end AND due_on IS NOT NULL
    UNION ALL
    SELECT {columns} FROM dossiers{report_index}  -- finished after the period
     WHERE procedure_code IN (SELECT code FROM codes) AND resolution IN ({resolutions})
       AND channel IN ({channels}) AND processing_finished_at >= :end AND received_at < :end
),
classified AS (
    SELECT procedure_code,
           CASE WHEN received_at < :start THEN {carried_over}
                WHEN channel = 'online' THEN {new_online} ELSE {new_direct} END AS intake,
           CASE WHEN closed_at < :end AND finished_at IS NULL
                     AND status IN ({withdrawn_status}, {stopped_status}) THEN
                  CASE status WHEN {withdrawn_status} THEN {withdrawn} ELSE {stopped} END
                ELSE {open_outcome}
           END AS outcome
      FROM unsettled
)
SELECT procedure_code,
       CASE channel WHEN 'online' THEN {new_online} ELSE {new_direct} END, resolution, n - carried
  FROM resolved
UNION ALL
SELECT procedure_code, {carried_over}, resolution, carried FROM resolved
UNION ALL
SELECT procedure_code, intake, outcome, COUNT(*) FROM classified
 GROUP BY procedure_code, intake, outcome
"""

_CODES = {
    "early": EARLY, "on_time": ON_TIME, "late": LATE, "within": WITHIN,
    "overdue": OVERDUE, "paused_within": PAUSED_WITHIN, "paused_overdue": PAUSED_OVERDUE,
    "withdrawn": WITHDRAWN, "new_online": NEW_ONLINE, "new_direct": NEW_DIRECT,
    "carried_over": CARRIED_OVER, "withdrawn_status": int(DossierStatus.WITHDRAWN),
    "stopped": STOPPED, "stopped_status": int(DossierStatus.STOPPED),
}

# the Counts fields each intake and outcome code adds one to
_INTAKE_FIELDS = {NEW_ONLINE: ("new_online",), NEW_DIRECT: ("new_direct",),
                  CARRIED_OVER: ("carried_over",)}
_OUTCOME_FIELDS = {
    EARLY: ("resolved_early",), ON_TIME: ("resolved_on_time",), LATE: ("resolved_late",),
    WITHIN: ("in_progress_within",), OVERDUE: ("in_progress_overdue",),
    PAUSED_WITHIN: ("in_progress_within", "paused"), PAUSED_OVERDUE: ("in_progress_overdue", "paused"),
    WITHDRAWN: ("withdrawn",), STOPPED: ("stopped",),
}


def report_statement(dialect: str) -> sa.TextClause:
    """The Biểu 06 counts for `dialect` (`sqlite` or `postgresql`): rows of (procedure code,
    intake code, outcome code, number of dossiers), several per pair; binds `start`, `end`
    (moments) and `last_day` (date)."""
    open_outcome = _OPEN_OUTCOME.format(pause_day=_local_day(dialect, "p.requested_at"), **_CODES)
    # SQLite with sqlite_stat1 (after an ANALYZE) may prefer the plain received_at index for
    # "received before the end", which is most of the table: name the covering one
    report_index = f" INDEXED BY {REPORT_INDEX.name}" if dialect == "sqlite" else ""
    sql = _REPORT_SQL.format(
        columns=_UNSETTLED_COLUMNS, open_outcome=open_outcome, report_index=report_index,
        resolutions=", ".join(str(int(r)) for r in Resolution),
        channels=", ".join(f"'{c.value}'" for c in Channel), **_CODES)
    return sa.text(sql).bindparams(sa.bindparam("start", type_=Moment()),
                                   sa.bindparam("end", type_=Moment()),
                                   sa.bindparam("last_day", type_=sa.Date()))


def count_by_procedure(session: Session, period: Period) -> dict[str, Counts]:
    """The Biểu 06 numbers per procedure code (every catalog version together), from SQL."""
    dialect = session.get_bind().dialect.name
    result = session.execute(report_statement(dialect),
                             {"start": period.start, "end": period.end, "last_day": period.to_day})
    numbers: dict[str, dict[str, int]] = {}
    for code, intake, outcome, n in result:
        row = numbers.setdefault(code, dict.fromkeys((f.name for f in fields(Counts)), 0))
        for name in (*_INTAKE_FIELDS[intake], *_OUTCOME_FIELDS[outcome]):
            row[name] += int(n)
    return {code: Counts(**row) for code, row in numbers.items()}


def period_report(session: Session, period: Period, catalog: Catalog, *,
                  sector: str | None = None, procedure: str | None = None) -> PeriodReport:
    """Biểu 06 for `period`, grouped by field (lĩnh vực) then procedure, with totals.

    `sector` / `procedure` keep only that field or procedure code. Procedures of the catalog
    with nothing to count appear with zeros, so the form always lists the same rows.
    """
    counted = count_by_procedure(session, period)
    by_code = {known.code: Counts() for known in catalog.procedures}  # even with nothing to count
    by_code.update(counted)
    # the newest version names the row; a code the catalog does not know goes to "other fields"
    blocks: dict[str, list[ReportRow]] = {}
    names: dict[str, Text] = {}
    for code, counts in sorted(by_code.items()):
        latest = catalog.versions(code)[-1] if catalog.versions(code) else None
        sector_code = latest.sector.code if latest else OTHER_SECTOR
        names.setdefault(sector_code, latest.sector.name if latest else _OTHER_SECTOR_NAME)
        if sector and sector_code != sector or procedure and code != procedure:
            continue
        blocks.setdefault(sector_code, []).append(ReportRow(
            code, latest.name if latest else Text(code, code), sector_code, names[sector_code], counts))
    sectors = []
    for sector_code in sorted(blocks, key=lambda c: (c == OTHER_SECTOR, names[c].vi)):
        rows = tuple(sorted(blocks[sector_code], key=lambda r: r.procedure_name.vi))
        total = sum((r.counts for r in rows), Counts())
        sectors.append(SectorBlock(sector_code, names[sector_code], rows, total))
    totals = sum((b.counts for b in sectors), Counts())
    return PeriodReport(period, tuple(sectors), totals)
