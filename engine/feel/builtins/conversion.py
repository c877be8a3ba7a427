"""Conversion functions: string(), number(), context(), date(), time(), duration(), ..."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from engine.feel import temporal
from engine.feel.builtins.registry import builtin
from engine.feel.text import to_text
from engine.feel.values import YearsMonthsDuration, to_feel
from engine.feel.variables import to_variable

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@builtin("string(from: any)")
def string(value: Any) -> str | None:
    return None if value is None else to_text(value)


@builtin("number(from: string)")
def number(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text)


@builtin(
    "number(from: string, grouping separator: string?)",
    "number(from: string, grouping separator: string?, decimal separator: string?)",
)
def number_with_separators(text: str, grouping: str | None, decimal: str | None = None) -> Any:
    if grouping not in (None, " ", ",", ".") or decimal not in (None, ",", "."):
        return None
    if grouping is not None and grouping == decimal:
        return None
    if grouping:
        text = text.replace(grouping, "")
    if decimal:
        text = text.replace(decimal, ".")
    return number(text)


@builtin("context(entries: list)")
def context(entries: list[Any]) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for entry in entries:
        if type(entry) is not dict or type(entry.get("key")) is not str or "value" not in entry:
            return None
        result[entry["key"]] = entry["value"]
    return result


@builtin("date(from: string)")
def date_from_text(text: str) -> dt.date | None:
    return temporal.parse_date(text)


@builtin("date(from: date|date and time)")
def date_from_value(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@builtin("date(year: number, month: number, day: number)")
def date_from_parts(year: Decimal, month: Decimal, day: Decimal) -> dt.date:
    return dt.date(int(year), int(month), int(day))  # fractions are truncated, as feel-scala


@builtin("time(from: string)")
def time_from_text(text: str) -> dt.time | None:
    value = temporal.parse_time(text[1:] if text.startswith("T") else text)
    if value is None:
        moment = temporal.parse_datetime(text)
        return moment.timetz() if moment is not None else None
    return value


@builtin("time(from: time|date and time)")
def time_from_value(value: Any) -> dt.time:
    return value.timetz() if isinstance(value, dt.datetime) else value


@builtin("time(from: date)")
def time_from_date(value: dt.date) -> dt.time:
    return dt.time(0, 0, 0, tzinfo=dt.UTC)


@builtin(
    "time(hour: number, minute: number, second: number, offset?: days and time duration?)"
)
def time_from_parts(
    hour: Decimal, minute: Decimal, second: Decimal, offset: dt.timedelta | None = None
) -> dt.time | None:
    whole = int(second)
    micro = int((second - whole) * 1_000_000)
    tz = dt.timezone(offset) if offset is not None else None
    if offset is not None and not offset:
        tz = dt.UTC
    return dt.time(int(hour), int(minute), whole, micro, tz)


@builtin("date and time(from: string)")
def datetime_from_text(text: str) -> dt.datetime | None:
    value = temporal.parse_datetime(text)
    if value is None:
        day = temporal.parse_date(text)
        return dt.datetime(day.year, day.month, day.day) if day is not None else None
    return value


@builtin("date and time(from: date and time)")
def datetime_from_value(value: dt.datetime) -> dt.datetime:
    return value


@builtin("date and time(date: date|date and time, time: time)")
def datetime_from_parts(day: dt.date, moment: dt.time) -> dt.datetime:
    if isinstance(day, dt.datetime):
        day = day.date()
    return dt.datetime.combine(day, moment)


@builtin("date and time(date: date and time, timezone: string)")
def datetime_in_zone(value: dt.datetime, zone_id: str) -> dt.datetime | None:
    tz = temporal.zone(zone_id)
    if tz is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


@builtin("duration(from: string)")
def duration(text: str) -> Any:
    return temporal.parse_duration(text)


@builtin("years and months duration(from: date|date and time, to: date|date and time)")
def years_and_months_duration(start: dt.date, end: dt.date) -> YearsMonthsDuration | None:
    start = start.date() if isinstance(start, dt.datetime) else start
    end = end.date() if isinstance(end, dt.datetime) else end
    return YearsMonthsDuration(temporal.months_between(start, end))


@builtin("to json(value: any)")
def to_json(value: Any) -> str:
    return json.dumps(to_variable(value, functions_as_text=True), ensure_ascii=False, separators=(",", ":"))


@builtin("from json(json: string)")
def from_json(text: str) -> Any:
    return to_feel(json.loads(text, parse_float=Decimal))
