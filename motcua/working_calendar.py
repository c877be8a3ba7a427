"""The working-day calendar of the department: which days count, and when a dossier is due.

Days off are Saturdays and Sundays, Vietnamese public holidays from the `holidays` package (Tết by
the lunar calendar, Hùng Kings' day, compensatory days, the government's published day swaps), and
the yearly overrides an administrator keeps in the database (extra days off, make-up working
Saturdays). An override always wins.

Deadlines are counted as the Civil Code (2015, Art. 147–148) counts periods in days: the day of
receipt is not counted, counting starts the next day, and a period whose last day is a day off
ends on the next working day. A dossier received outside office hours (default 07:00–11:30 and
13:30–17:00) or on a day off is treated as received when the office next opens.

Public API
----------
- `OfficeHours(morning_start, morning_end, afternoon_start, afternoon_end)` — frozen value.
- `CalendarOverride(day, working, note="")` — frozen value; `working=False` is an extra day off,
  `working=True` a make-up working day.
- `WorkingCalendar(overrides=(), office_hours=OfficeHours(), timezone="Asia/Ho_Chi_Minh")`:
  - `is_working_day(day) -> bool`, `day_off_reason(day) -> str | None`
  - `next_working_day(day) -> date` (strictly after), `previous_working_day(day) -> date`
    (strictly before), `working_day_on_or_after(day) -> date`
  - `add_working_days(day, count) -> date`, `working_days_between(start, end) -> int`
  - `reception_time(received_at) -> datetime` — when counting treats the dossier as received
  - `add_working_hours(start, hours) -> datetime` — the time budget of an internal step (8 office
    hours make a working day), e.g. the due time of a user task
  - `appointment_date(received_at, duration, pauses=(), clock=SupplementClock.PAUSE) -> Deadline`
  - `request_supplement(deadline, requested_at) -> Deadline` — the clock stops
  - `resume_after_supplement(deadline, resubmitted_at) -> Deadline` — the clock goes on (pause
    mode: the due date moves by the paused days) or starts again (restart mode)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from motcua.deadlines import Deadline, DeadlineUnit, Duration, Pause, SupplementClock

WEEKEND = (5, 6)  # Saturday, Sunday


@dataclass(frozen=True)
class OfficeHours:
    """When the one-stop desk receives dossiers."""

    morning_start: time = time(7, 0)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 0)

    def __post_init__(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError("office hours must be morning start < morning end <= afternoon start < afternoon end")

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """From `"07:00-11:30,13:30-17:00"`."""
        try:
            morning, afternoon = (part.strip() for part in text.split(","))
            times = [time.fromisoformat(t.strip()) for t in (*morning.split("-"), *afternoon.split("-"))]
        except ValueError as error:
            raise ValueError(f"office hours must look like 07:00-11:30,13:30-17:00, got {text!r}") from error
        return cls(*times)


@dataclass(frozen=True)
class CalendarOverride:
    """An administrator's decision about one day: an extra day off or a make-up working day."""

    day: date
    working: bool
    note: str = ""


class WorkingCalendar:
    """Working days and deadlines for one office."""

    def __init__(self, overrides: Iterable[CalendarOverride] = (),
                 office_hours: OfficeHours | None = None,
                 timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.overrides: dict[date, CalendarOverride] = {o.day: o for o in overrides}
        self.office_hours = office_hours or OfficeHours()
        self.timezone = ZoneInfo(timezone)
        this_year = date.today().year
        # load the usual years up front: later years load on first use
        self._public_holidays = holidays.country_holidays("VN", years=range(this_year - 6, this_year + 3))

    # -- days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override.working
        if day in self._public_holidays:  # also loads the year, including its day swaps
            return False
        if day in self._public_holidays.weekend_workdays:
            return True
        return day.weekday() not in WEEKEND

    def day_off_reason(self, day: date) -> str | None:
        """Why `day` is not a working day (holiday name, override note, "weekend"), or None."""
        if self.is_working_day(day):
            return None
        override = self.overrides.get(day)
        if override is not None:
            return override.note or "day off"
        return self._public_holidays.get(day) or "weekend"

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day` (e.g. when to warn before a deadline)."""
        candidate = day - timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate -= timedelta(days=1)
        return candidate

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (`day` itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        result = day
        for _ in range(count):
            result = self.next_working_day(result)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    # -- receipt ----------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone) if moment.tzinfo else moment

    def reception_time(self, received_at: datetime) -> datetime:
        """When counting treats a dossier received at `received_at` as received.

        During office hours: that moment. Before the morning opens: the opening. In the lunch
        break: the afternoon opening. After closing or on a day off: the next working morning.
        """
        moment = self._local(received_at)
        hours = self.office_hours
        day, clock = moment.date(), moment.time().replace(tzinfo=None)

        def at(d: date, t: time) -> datetime:
            return datetime.combine(d, t, tzinfo=moment.tzinfo)

        if not self.is_working_day(day) or clock >= hours.afternoon_end:
            return at(self.next_working_day(day), hours.morning_start)
        if clock < hours.morning_start:
            return at(day, hours.morning_start)
        if hours.morning_end <= clock < hours.afternoon_start:
            return at(day, hours.afternoon_start)
        return moment

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` office hours after `start` (work begins at `reception_time(start)`)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        moment = self.reception_time(start)
        remaining = timedelta(hours=hours)
        office = self.office_hours
        periods = ((office.morning_start, office.morning_end),
                   (office.afternoon_start, office.afternoon_end))
        while True:
            for opens, closes in periods:
                begin = max(moment, datetime.combine(moment.date(), opens, tzinfo=moment.tzinfo))
                end = datetime.combine(moment.date(), closes, tzinfo=moment.tzinfo)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
            moment = datetime.combine(self.next_working_day(moment.date()), office.morning_start,
                                      tzinfo=moment.tzinfo)

    # -- deadlines --------------------------------------------------------------------------

    def appointment_date(self, received_at: datetime, duration: Duration,
                         pauses: Iterable[Pause] = (),
                         clock: SupplementClock = SupplementClock.PAUSE) -> Deadline:
        """The promised return date for a dossier received at `received_at`.

        `pauses` are the supplement waits so far. In pause mode the days from each request
        (exclusive) to the complete re-submission (inclusive) are not counted; in restart mode
        counting starts again the day after the last complete re-submission. A pause still open
        does not move the date yet (`Deadline.is_paused` tells it is waiting).
        """
        pauses = tuple(pauses)
        anchor = self.reception_time(received_at).date()
        original = self._count(anchor, duration, frozenset())
        closed = [p for p in pauses if p.resumed_at is not None]
        if clock is SupplementClock.RESTART and closed:
            anchor = max(self.reception_time(p.resumed_at).date() for p in closed)
            due = self._count(anchor, duration, frozenset())
        else:
            due = self._count(anchor, duration, self._paused_days(closed))
        return Deadline(
            received_at=received_at,
            counted_from=anchor,
            duration=duration,
            due_on=due,
            due_at=datetime.combine(due, self.office_hours.afternoon_end,
                                    tzinfo=self._local(received_at).tzinfo),
            pauses=pauses,
            original_due_on=original,
            clock=clock,
        )

    def request_supplement(self, deadline: Deadline, requested_at: datetime) -> Deadline:
        """The dossier now waits for the applicant; the due date stays until they re-submit."""
        if deadline.is_paused:
            raise ValueError("the dossier is already waiting for a supplement")
        return replace(deadline, pauses=(*deadline.pauses, Pause(requested_at)))

    def resume_after_supplement(self, deadline: Deadline, resubmitted_at: datetime) -> Deadline:
        """The applicant re-submitted a complete dossier: recompute the due date."""
        if not deadline.is_paused:
            raise ValueError("the dossier is not waiting for a supplement")
        *earlier, waiting = deadline.pauses
        pauses = (*earlier, Pause(waiting.requested_at, resubmitted_at))
        return self.appointment_date(deadline.received_at, deadline.duration, pauses, deadline.clock)

    def _paused_days(self, pauses: Iterable[Pause]) -> frozenset[date]:
        days: set[date] = set()
        for pause in pauses:
            start = self._local(pause.requested_at).date()
            end = self.reception_time(pause.resumed_at).date()
            day = start
            while day < end:
                day += timedelta(days=1)
                days.add(day)
        return frozenset(days)

    def _count(self, anchor: date, duration: Duration, paused: frozenset[date]) -> date:
        day, counted = anchor, 0
        while counted < duration.value:
            day += timedelta(days=1)
            if day in paused:
                continue
            if duration.unit is DeadlineUnit.WORKING_DAYS and not self.is_working_day(day):
                continue
            counted += 1
        return self.working_day_on_or_after(day)
