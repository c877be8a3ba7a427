"""Temporal functions: now(), today(), day of week(), ..."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from engine.feel import temporal
from engine.feel.builtins.registry import builtin

_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # noqa: E731


def set_clock(clock: Callable[[], dt.datetime]) -> None:
    """Let the engine drive `now()` and `today()` from its controllable clock."""
    global _clock
    _clock = clock


@builtin("now()")
def now() -> dt.datetime:
    return _clock()


@builtin("today()")
def today() -> dt.date:
    return _clock().date()


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@builtin("day of week(date: date|date and time)")
def day_of_week(value: dt.date) -> str:
    return _WEEKDAYS[_day(value).weekday()]


@builtin("day of year(date: date|date and time)")
def day_of_year(value: dt.date) -> Decimal:
    return Decimal(_day(value).timetuple().tm_yday)


@builtin("week of year(date: date|date and time)")
def week_of_year(value: dt.date) -> Decimal:
    return Decimal(_day(value).isocalendar()[1])


@builtin("month of year(date: date|date and time)")
def month_of_year(value: dt.date) -> str:
    return _MONTHS[_day(value).month - 1]


@builtin("last day of month(date: date|date and time)")
def last_day_of_month(value: dt.date) -> dt.date:
    return temporal.last_day_of_month(_day(value))
