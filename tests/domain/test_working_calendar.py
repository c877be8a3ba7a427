"""Deadlines as a person at the one-stop desk would work them out with a wall calendar.

2026: Tết holidays Mon 16 – Fri 20 Feb; Hùng Kings' day Sun 26 Apr, observed Mon 27 Apr;
Thu 30 Apr and Fri 1 May; National Day Tue 1 – Wed 2 Sep, with Mon 31 Aug off in exchange for
working Sat 22 Aug.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from motcua.deadlines import (
    DeadlineUnit,
    Duration,
    OnTimeStatus,
    Pause,
    SupplementClock,
    classify,
)
from motcua.working_calendar import CalendarOverride, OfficeHours, WorkingCalendar

WORKING_DAYS = DeadlineUnit.WORKING_DAYS
DAYS = DeadlineUnit.DAYS


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def due(calendar: WorkingCalendar, received_at: datetime, value: int, unit: DeadlineUnit) -> date:
    return calendar.appointment_date(received_at, Duration(value, unit)).due_on


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 2, 13), True),    # Friday before Tết
    (date(2026, 2, 14), False),   # Saturday
    (date(2026, 2, 16), False),   # 29 Tết
    (date(2026, 2, 20), False),   # mùng 4 Tết
    (date(2026, 2, 23), True),    # back to work
    (date(2026, 4, 27), False),   # Hùng Kings' day, observed (the day fell on Sunday)
    (date(2026, 4, 30), False),
    (date(2026, 5, 1), False),
    (date(2026, 8, 22), True),    # make-up working Saturday
    (date(2026, 8, 31), False),   # swapped day off
    (date(2026, 9, 1), False),
    (date(2026, 9, 2), False),
    (date(2026, 9, 3), True),
])
def test_days_off_of_2026(calendar, day, working):
    assert calendar.is_working_day(day) is working


def test_day_off_reason(calendar):
    assert calendar.day_off_reason(date(2026, 2, 17)) == "Lunar New Year"
    assert calendar.day_off_reason(date(2026, 2, 21)) == "weekend"
    assert calendar.day_off_reason(date(2026, 2, 23)) is None


def test_five_working_days_from_the_friday_before_tet(calendar):
    # counting starts Sat 14 Feb; 14–22 Feb are weekend and Tết; 23, 24, 25, 26, 27 Feb
    assert due(calendar, datetime(2026, 2, 13, 10, 0), 5, WORKING_DAYS) == date(2026, 2, 27)


def test_after_hours_receipt_counts_from_the_next_working_morning(calendar):
    received = datetime(2026, 2, 13, 17, 30)
    assert calendar.reception_time(received) == datetime(2026, 2, 23, 7, 0)
    # received Mon 23 Feb; counting 24, 25, 26, 27 Feb, 2 Mar
    assert due(calendar, received, 5, WORKING_DAYS) == date(2026, 3, 2)


def test_lunch_break_and_early_morning_receipt(calendar):
    assert calendar.reception_time(datetime(2026, 2, 12, 12, 0)) == datetime(2026, 2, 12, 13, 30)
    assert calendar.reception_time(datetime(2026, 2, 12, 6, 30)) == datetime(2026, 2, 12, 7, 0)
    assert calendar.reception_time(datetime(2026, 2, 12, 16, 59)) == datetime(2026, 2, 12, 16, 59)
    # lunch-break receipt stays on Thu 12 Feb: 13 Feb, then 23, 24, 25, 26 Feb
    assert due(calendar, datetime(2026, 2, 12, 12, 0), 5, WORKING_DAYS) == date(2026, 2, 26)


def test_receipt_on_a_holiday(calendar):
    assert calendar.reception_time(datetime(2026, 4, 30, 9, 0)) == datetime(2026, 5, 4, 7, 0)


def test_hung_kings_day_and_30_april(calendar):
    # Fri 24 Apr: 25–26 weekend, 27 observed holiday, 28 (1), 29 (2), 30 Apr–3 May off, 4 May (3)
    assert due(calendar, datetime(2026, 4, 24, 9, 0), 3, WORKING_DAYS) == date(2026, 5, 4)


def test_national_day_and_the_swapped_saturday(calendar):
    # Fri 28 Aug: 29–30 weekend, 31 Aug swapped off, 1–2 Sep holiday, 3 Sep (1), 4 Sep (2)
    assert due(calendar, datetime(2026, 8, 28, 9, 0), 2, WORKING_DAYS) == date(2026, 9, 4)
    # Fri 21 Aug: Sat 22 Aug is a working day
    assert due(calendar, datetime(2026, 8, 21, 9, 0), 1, WORKING_DAYS) == date(2026, 8, 22)


def test_calendar_days_ending_on_a_sunday_move_to_monday(calendar):
    # 20 ngày from Mon 9 Feb 2026: counting 10 Feb … 1 Mar (Sunday) → Mon 2 Mar
    assert due(calendar, datetime(2026, 2, 9, 9, 0), 20, DAYS) == date(2026, 3, 2)


def test_calendar_days_run_through_tet_but_cannot_end_in_it(calendar):
    # 10 ngày from Fri 6 Feb: the 10th day is Mon 16 Feb (Tết) → next working day Mon 23 Feb
    assert due(calendar, datetime(2026, 2, 6, 9, 0), 10, DAYS) == date(2026, 2, 23)
    # 3 ngày from Fri 13 Feb ends Mon 16 Feb → Mon 23 Feb too
    assert due(calendar, datetime(2026, 2, 13, 9, 0), 3, DAYS) == date(2026, 2, 23)


def test_administrator_overrides(calendar):
    # New Year 2026 without a decision: Thu 1 Jan off, Fri 2 Jan works
    assert due(calendar, datetime(2025, 12, 31, 9, 0), 1, WORKING_DAYS) == date(2026, 1, 2)
    bridged = WorkingCalendar(overrides=[
        CalendarOverride(date(2026, 1, 2), working=False, note="Nghỉ bù Tết Dương lịch"),
        CalendarOverride(date(2026, 3, 7), working=True, note="Làm bù thứ Bảy"),
        CalendarOverride(date(2026, 11, 24), working=True, note="Không nghỉ"),
    ])
    assert due(bridged, datetime(2025, 12, 31, 9, 0), 1, WORKING_DAYS) == date(2026, 1, 5)
    assert bridged.day_off_reason(date(2026, 1, 2)) == "Nghỉ bù Tết Dương lịch"
    # the make-up Saturday counts: Fri 6 Mar + 1 working day = Sat 7 Mar
    assert due(bridged, datetime(2026, 3, 6, 9, 0), 1, WORKING_DAYS) == date(2026, 3, 7)
    # an override wins over the holidays package
    assert bridged.is_working_day(date(2026, 11, 24))
    assert not calendar.is_working_day(date(2026, 11, 24))


def test_working_days_helpers(calendar):
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert calendar.working_day_on_or_after(date(2026, 2, 13)) == date(2026, 2, 13)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_working_hours_for_internal_steps(calendar):
    # Thu 12 Feb 10:00 + 4 h: 1.5 h until 11:30, 2.5 h from 13:30 → 16:00
    assert calendar.add_working_hours(datetime(2026, 2, 12, 10, 0), 4) == datetime(2026, 2, 12, 16, 0)
    # Fri 13 Feb 16:00 + 8 h: 1 h on Friday, then Tết; Mon 23 Feb 4.5 h + 2.5 h → 16:00
    assert calendar.add_working_hours(datetime(2026, 2, 13, 16, 0), 8) == datetime(2026, 2, 23, 16, 0)
    # a full working day from the opening ends at the closing
    assert calendar.add_working_hours(datetime(2026, 2, 12, 7, 0), 8) == datetime(2026, 2, 12, 17, 0)
    # received in the lunch break: work starts at 13:30
    assert calendar.add_working_hours(datetime(2026, 2, 12, 12, 0), 1) == datetime(2026, 2, 12, 14, 30)


def test_pause_mode_moves_the_due_date_by_the_paused_working_days(calendar):
    duration = Duration(5, WORKING_DAYS)
    deadline = calendar.appointment_date(datetime(2026, 3, 2, 9, 0), duration)
    assert deadline.due_on == date(2026, 3, 9)  # 3, 4, 5, 6, 9 Mar
    waiting = calendar.request_supplement(deadline, datetime(2026, 3, 4, 10, 0))
    assert waiting.is_paused and waiting.due_on == date(2026, 3, 9)
    resumed = calendar.resume_after_supplement(waiting, datetime(2026, 3, 6, 15, 0))
    # 3 and 4 Mar counted; 5 and 6 Mar paused; then 9, 10, 11 Mar
    assert resumed.due_on == date(2026, 3, 11)
    assert resumed.original_due_on == date(2026, 3, 9) and resumed.was_moved
    assert not resumed.is_paused
    # re-submitted after hours on Friday: received Mon 9 Mar, which is paused too
    late = calendar.resume_after_supplement(waiting, datetime(2026, 3, 6, 18, 0))
    assert late.due_on == date(2026, 3, 12)


def test_pause_mode_with_calendar_days(calendar):
    # 20 ngày from Mon 2 Mar → Sun 22 Mar → Mon 23 Mar
    deadline = calendar.appointment_date(datetime(2026, 3, 2, 9, 0), Duration(20, DAYS))
    assert deadline.due_on == date(2026, 3, 23)
    pauses = [Pause(datetime(2026, 3, 5, 10, 0), datetime(2026, 3, 11, 9, 0))]
    moved = calendar.appointment_date(datetime(2026, 3, 2, 9, 0), Duration(20, DAYS), pauses)
    # 6 paused days (6–11 Mar): 22 Mar + 6 = Sat 28 Mar → Mon 30 Mar
    assert moved.due_on == date(2026, 3, 30)


def test_restart_mode_counts_again_from_the_complete_resubmission(calendar):
    duration = Duration(15, DAYS)
    deadline = calendar.appointment_date(datetime(2026, 3, 2, 9, 0), duration,
                                         clock=SupplementClock.RESTART)
    assert deadline.due_on == date(2026, 3, 17)
    waiting = calendar.request_supplement(deadline, datetime(2026, 3, 10, 9, 0))
    resumed = calendar.resume_after_supplement(waiting, datetime(2026, 3, 16, 10, 0))
    # 15 ngày from Mon 16 Mar = Tue 31 Mar
    assert resumed.due_on == date(2026, 3, 31)
    assert resumed.counted_from == date(2026, 3, 16)
    assert resumed.original_due_on == date(2026, 3, 17)


def test_pause_errors(calendar):
    deadline = calendar.appointment_date(datetime(2026, 3, 2, 9, 0), Duration(5, WORKING_DAYS))
    with pytest.raises(ValueError, match="not waiting"):
        calendar.resume_after_supplement(deadline, datetime(2026, 3, 3, 9, 0))
    waiting = calendar.request_supplement(deadline, datetime(2026, 3, 3, 9, 0))
    with pytest.raises(ValueError, match="already waiting"):
        calendar.request_supplement(waiting, datetime(2026, 3, 4, 9, 0))


def test_due_at_is_closing_time_of_the_due_day(calendar):
    deadline = calendar.appointment_date(datetime(2026, 2, 13, 10, 0), Duration(5, WORKING_DAYS))
    assert deadline.due_at == datetime(2026, 2, 27, 17, 0)
    assert deadline.counted_from == date(2026, 2, 13)


def test_timezone_aware_receipt_is_read_in_vietnam_time(calendar):
    from zoneinfo import ZoneInfo

    utc = ZoneInfo("UTC")
    # 10:31 UTC is 17:31 in Hà Nội: after hours on Friday 13 Feb
    received = datetime(2026, 2, 13, 10, 31, tzinfo=utc)
    assert calendar.reception_time(received).replace(tzinfo=None) == datetime(2026, 2, 23, 7, 0)


def test_custom_office_hours():
    hours = OfficeHours.parse("07:30-11:30,13:00-16:30")
    assert hours.afternoon_end == time(16, 30)
    calendar = WorkingCalendar(office_hours=hours)
    assert calendar.reception_time(datetime(2026, 2, 12, 16, 45)) == datetime(2026, 2, 13, 7, 30)
    with pytest.raises(ValueError, match="07:00-11:30,13:30-17:00"):
        OfficeHours.parse("all day")


@pytest.mark.parametrize(("finished_on", "status"), [
    (date(2026, 2, 26), OnTimeStatus.EARLY),
    (date(2026, 2, 27), OnTimeStatus.ON_TIME),
    (date(2026, 3, 2), OnTimeStatus.LATE),
])
def test_finished_dossiers_are_classified_by_date(calendar, finished_on, status):
    deadline = calendar.appointment_date(datetime(2026, 2, 13, 10, 0), Duration(5, WORKING_DAYS))
    assert deadline.status_when_finished(finished_on) is status


def test_open_dossiers_are_within_or_overdue():
    assert classify(date(2026, 2, 27), on=date(2026, 2, 27)) is OnTimeStatus.WITHIN
    assert classify(date(2026, 2, 27), on=date(2026, 2, 28)) is OnTimeStatus.OVERDUE
    assert OnTimeStatus.OVERDUE.label_vi == "quá hạn"
    assert OnTimeStatus.EARLY.label_vi == "trước hạn"
    with pytest.raises(ValueError):
        classify(date(2026, 2, 27))
