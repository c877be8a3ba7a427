"""FEEL temporal values: parsing ISO 8601 text, formatting, properties and arithmetic."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.feel.values import YearsMonthsDuration

_DATE = re.compile(r"(-?(?:[1-9]\d{0,4})?\d{4})-(\d\d)-(\d\d)")
_TIME = re.compile(
    r"(\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?"
    r"(?:([Zz])|([+-])(\d\d):?(\d\d)(?::?(\d\d))?)?(?:@([A-Za-z][\w/+\-]*))?"
)
# Components may carry their own sign, as Java's Duration and Period accept (`PT-5M`).
_YM_DURATION = re.compile(r"([-+])?P(?:([-+]?\d+)Y)?(?:([-+]?\d+)M)?")
_DT_DURATION = re.compile(
    r"([-+])?P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+(?:\.\d*)?)S)?)?"
)


def zone(zone_id: str) -> dt.tzinfo | None:
    """A time zone from an IANA id, `Z`/`UTC`, or an offset like `+01:00`."""
    if zone_id in ("Z", "UTC", "utc"):
        return dt.UTC
    offset = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d\d):?(\d\d)", zone_id)
    if offset:
        try:
            return _offset(offset.group(1), offset.group(2), offset.group(3), None)
        except ValueError:
            return None
    try:
        return ZoneInfo(zone_id)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset(sign: str, hours: str, minutes: str, seconds: str | None) -> dt.tzinfo:
    delta = dt.timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    if delta > dt.timedelta(hours=18):
        raise ValueError("offsets range from -18:00 to +18:00")
    if not delta:
        return dt.UTC
    return dt.timezone(-delta if sign == "-" else delta)


def parse_date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_time(text: str) -> dt.time | None:
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hour, minute, second, fraction, utc, sign, oh, om, os_, zone_id = match.groups()
    tz: dt.tzinfo | None = None
    if utc:
        tz = dt.UTC
    elif sign:
        try:
            tz = _offset(sign, oh, om, os_)
        except ValueError:
            return None
    if zone_id:
        if tz is not None:
            return None
        tz = zone(zone_id)
        if tz is None:
            return None
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        if int(hour) == 24 and int(minute) == 0 and int(second or 0) == 0 and not micro:
            return dt.time(0, 0, 0, 0, tz)
        return dt.time(int(hour), int(minute), int(second or 0), micro, tz)
    except ValueError:
        return None


_JAVA_ZONE = re.compile(r"(.*?)(?:Z|[+-]\d\d:\d\d)\[([\w/+\-]+)\]")


def parse_datetime(text: str) -> dt.datetime | None:
    if "T" not in text:
        return None
    java = _JAVA_ZONE.fullmatch(text)
    if java:  # Java's ZonedDateTime text: 2023-06-14T14:55:00+02:00[Europe/Berlin]
        text = f"{java.group(1)}@{java.group(2)}"
    date_part, time_part = text.split("T", 1)
    day, moment = parse_date(date_part), parse_time(time_part)
    if day is None or moment is None:
        return None
    if time_part.startswith("24:"):  # 24:00:00 is midnight at the end of the day
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, moment)


def parse_duration(text: str) -> dt.timedelta | YearsMonthsDuration | None:
    if text in ("P", "-P", "PT", "-PT") or text.endswith("T"):
        return None
    match = _YM_DURATION.fullmatch(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return YearsMonthsDuration(sign * (int(match.group(2) or 0) * 12 + int(match.group(3) or 0)))
    match = _DT_DURATION.fullmatch(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        seconds = Decimal(match.group(5) or 0)
        delta = dt.timedelta(
            days=int(match.group(2) or 0),
            hours=int(match.group(3) or 0),
            minutes=int(match.group(4) or 0),
            seconds=int(seconds),
            microseconds=int((seconds % 1) * 1_000_000),
        )
        return -delta if sign < 0 else delta
    return None


def parse_temporal(text: str) -> Any:
    """An `@"..."` literal: date and time, date, time or duration."""
    for parse in (parse_datetime, parse_date, parse_time, parse_duration):
        value = parse(text)
        if value is not None:
            return value
    return None


# ---- formatting -------------------------------------------------------------------------


def format_date(value: dt.date) -> str:
    if value.year > 9999:
        return f"+{value.year}-{value.month:02}-{value.day:02}"
    return f"{value.year:04}-{value.month:02}-{value.day:02}"


def _format_local_time(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02}:{value.minute:02}:{value.second:02}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06}".rstrip("0")
    return text


def _format_offset(offset: dt.timedelta) -> str:
    if not offset:
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = int(abs(offset.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02}:{minutes:02}"
    return text + (f":{secs:02}" if secs else "")


def zone_id(tz: dt.tzinfo | None) -> str | None:
    """The IANA id of a named zone, None for fixed offsets."""
    if isinstance(tz, ZoneInfo):
        return tz.key
    return None


def format_time(value: dt.time) -> str:
    text = _format_local_time(value)
    if value.tzinfo is None:
        return text
    named = zone_id(value.tzinfo)
    if named:
        return f"{text}@{named}"
    return text + _format_offset(value.utcoffset() or dt.timedelta(0))


def format_datetime(value: dt.datetime) -> str:
    text = f"{format_date(value.date())}T{_format_local_time(value)}"
    if value.tzinfo is None:
        return text
    named = zone_id(value.tzinfo)
    if named:
        return f"{text}@{named}"
    return text + _format_offset(value.utcoffset() or dt.timedelta(0))


def format_days_time(value: dt.timedelta) -> str:
    """Days, hours, minutes and whole seconds, as feel-scala writes them (fractions dropped)."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if not (value.days or hours or minutes or seconds):
        return "P0D"
    text = f"{sign}P" + (f"{value.days}D" if value.days else "")
    if hours or minutes or seconds:
        text += "T" + "".join(
            f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
            if amount
        )
    return text


# ---- arithmetic --------------------------------------------------------------------------


def add_months(value: dt.date, months: int) -> dt.date:
    """Shift a date or date and time by months, clamping to the month's last day."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _last_day(year, month)
    return value.replace(year=year, month=month, day=min(value.day, last))


def _last_day(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def last_day_of_month(value: dt.date) -> dt.date:
    return value.replace(day=_last_day(value.year, value.month))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months between the dates (as Java's Period.between; times are ignored), signed."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def subtract_datetimes(left: dt.datetime, right: dt.datetime) -> dt.timedelta | None:
    if (left.tzinfo is None) != (right.tzinfo is None):
        return None
    if left.tzinfo is not None:
        return left.astimezone(dt.UTC) - right.astimezone(dt.UTC)
    return left - right


def add_to_time(value: dt.time, delta: dt.timedelta) -> dt.time:
    base = dt.datetime.combine(dt.date(2000, 1, 1), value.replace(tzinfo=None))
    moved = (base + delta).time()
    return moved.replace(tzinfo=value.tzinfo)
