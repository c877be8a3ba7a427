"""Properties of temporal values and ranges (`date.year`, `duration.hours`, `range.start`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.feel.temporal import zone_id
from engine.feel.values import Range, YearsMonthsDuration, time_offset


def property_of(value: Any, key: str) -> Any:
    """The named property, or null when the value has none of that name."""
    if isinstance(value, dt.date):
        return _date_property(value, key)
    if isinstance(value, dt.time):
        return _time_property(value, key)
    if isinstance(value, dt.timedelta):
        return _days_time_property(value, key)
    if isinstance(value, YearsMonthsDuration):
        if key == "years":
            return Decimal(int(value.months / 12))
        if key == "months":
            return Decimal(int(abs(value.months) % 12) * (1 if value.months >= 0 else -1))
        return None
    if isinstance(value, Range):
        return {
            "start": value.start,
            "end": value.end,
            "start included": value.start_included,
            "end included": value.end_included,
        }.get(key)
    return None


def _date_property(value: dt.date, key: str) -> Any:
    if key == "year":
        return Decimal(value.year)
    if key == "month":
        return Decimal(value.month)
    if key == "day":
        return Decimal(value.day)
    if key == "weekday":
        return Decimal(value.isoweekday())
    if isinstance(value, dt.datetime):
        return _time_property(value, key)
    return None


def _time_property(value: dt.time | dt.datetime, key: str) -> Any:
    if key == "hour":
        return Decimal(value.hour)
    if key == "minute":
        return Decimal(value.minute)
    if key == "second":
        return Decimal(value.second)
    if key == "time offset":
        if isinstance(value, dt.time):
            return time_offset(value)
        return value.utcoffset()
    if key == "timezone":
        return zone_id(value.tzinfo)
    return None


def _days_time_property(value: dt.timedelta, key: str) -> Any:
    sign = -1 if value < dt.timedelta(0) else 1
    magnitude = abs(value)
    if key == "days":
        return Decimal(sign * magnitude.days)
    if key == "hours":
        return Decimal(sign * (magnitude.seconds // 3600))
    if key == "minutes":
        return Decimal(sign * (magnitude.seconds // 60 % 60))
    if key == "seconds":
        return Decimal(sign * (magnitude.seconds % 60))
    return None
