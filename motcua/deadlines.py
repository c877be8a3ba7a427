"""Deadline values: how long a procedure takes, when a dossier is due, and whether it was on time.

These are plain values; the arithmetic over working days lives in `motcua.working_calendar`.

Public API
----------
- `DeadlineUnit` — `DAYS` ("ngày", calendar days) or `WORKING_DAYS` ("ngày làm việc").
- `Duration(value, unit)` — a legal processing time, e.g. `Duration(20, DeadlineUnit.DAYS)`.
- `SupplementClock` — what a supplement request does to the clock: `PAUSE` (the due date moves by
  the paused time) or `RESTART` (counting starts again from the complete re-submission).
- `Pause(requested_at, resumed_at)` — one interval during which the dossier waited for the
  applicant (`resumed_at` is `None` while still waiting).
- `Deadline` — the appointment (ngày hẹn trả) of one dossier: `received_at`, `counted_from`,
  `duration`, `due_on`, `due_at`, `pauses`, `original_due_on`; `status_on(day)` and
  `status_when_finished(finished_on)`.
- `OnTimeStatus` — `EARLY` (trước hạn), `ON_TIME` (đúng hạn), `LATE` (quá hạn) for finished
  dossiers; `WITHIN` (trong hạn), `OVERDUE` (quá hạn) for open ones.
- `classify(due_on, finished_on=None, on=None)` — the status at date precision.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class DeadlineUnit(enum.StrEnum):
    """The unit a procedure's processing time is stated in."""

    DAYS = "days"
    WORKING_DAYS = "working_days"

    @property
    def label_vi(self) -> str:
        return {"days": "ngày", "working_days": "ngày làm việc"}[self.value]

    @property
    def label_en(self) -> str:
        return {"days": "days", "working_days": "working days"}[self.value]


@dataclass(frozen=True)
class Duration:
    """A processing time as the law states it: 20 ngày, 5 ngày làm việc."""

    value: int
    unit: DeadlineUnit

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError(f"a duration cannot be negative: {self.value}")

    def __str__(self) -> str:
        return f"{self.value} {self.unit.label_vi}"


class SupplementClock(enum.StrEnum):
    """What happens to the processing time while the applicant completes the dossier."""

    PAUSE = "pause"
    RESTART = "restart"


class OnTimeStatus(enum.StrEnum):
    """Classification for reports (Biểu 06, QĐ 766), at date precision."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    WITHIN = "within"
    OVERDUE = "overdue"

    @property
    def label_vi(self) -> str:
        return {
            "early": "trước hạn",
            "on_time": "đúng hạn",
            "late": "quá hạn",
            "within": "trong hạn",
            "overdue": "quá hạn",
        }[self.value]

    @property
    def label_en(self) -> str:
        return {
            "early": "early",
            "on_time": "on time",
            "late": "late",
            "within": "within the deadline",
            "overdue": "overdue",
        }[self.value]


def classify(due_on: date, finished_on: date | None = None, on: date | None = None) -> OnTimeStatus:
    """On-time status of a dossier due on `due_on`.

    Finished dossiers (`finished_on` given) are early, on time or late by comparing dates, never
    times: a result ready at 16:00 on the due day is on time. Open dossiers are classified at the
    date `on` (the end of a reporting period): within the deadline while `due_on >= on`.
    """
    if finished_on is not None:
        if finished_on < due_on:
            return OnTimeStatus.EARLY
        if finished_on == due_on:
            return OnTimeStatus.ON_TIME
        return OnTimeStatus.LATE
    if on is None:
        raise ValueError("classify() needs finished_on for a finished dossier or on for an open one")
    return OnTimeStatus.WITHIN if due_on >= on else OnTimeStatus.OVERDUE


@dataclass(frozen=True)
class Pause:
    """The dossier waited for the applicant from `requested_at` until `resumed_at`."""

    requested_at: datetime
    resumed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.resumed_at is None


@dataclass(frozen=True)
class Deadline:
    """The promised return date of one dossier (ngày hẹn trả kết quả).

    `received_at` is when the desk received the complete dossier; `counted_from` is the day
    counting is anchored on (the reception day, or the next working day for after-hours
    receipt; for a restarted clock, the day of the complete re-submission); the first counted
    day is the day after it. `due_at` is the end of office hours on `due_on`. `original_due_on`
    keeps the date first promised, before any supplement moved it.
    """

    received_at: datetime
    counted_from: date
    duration: Duration
    due_on: date
    due_at: datetime
    pauses: tuple[Pause, ...] = field(default_factory=tuple)
    original_due_on: date | None = None
    clock: SupplementClock = SupplementClock.PAUSE

    @property
    def is_paused(self) -> bool:
        return any(p.is_open for p in self.pauses)

    @property
    def was_moved(self) -> bool:
        return self.original_due_on is not None and self.original_due_on != self.due_on

    def status_on(self, day: date) -> OnTimeStatus:
        """Trong hạn / quá hạn for a dossier still open on `day`."""
        return classify(self.due_on, on=day)

    def status_when_finished(self, finished_on: date) -> OnTimeStatus:
        """Trước hạn / đúng hạn / quá hạn for a dossier whose result was ready on `finished_on`."""
        return classify(self.due_on, finished_on=finished_on)
