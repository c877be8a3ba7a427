"""FEEL values as Python values, and the rules for comparing them.

number → Decimal, string → str, boolean → bool, null → None, list → list, context → dict,
date → date, time → time, date and time → datetime, days and time duration → timedelta,
years and months duration → YearsMonthsDuration, range → Range, function → FeelFunction.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# DMN numbers are IEEE 754 decimal128: 34 significant digits, half-even rounding.
DECIMAL_CONTEXT = decimal.Context(
    prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
)


@dataclass(frozen=True, order=True)
class YearsMonthsDuration:
    """A years and months duration, kept as a signed number of months."""

    months: int

    @property
    def years(self) -> int:
        return int(self.months / 12)

    def __str__(self) -> str:
        sign = "-" if self.months < 0 else ""
        years, months = divmod(abs(self.months), 12)
        if years and months:
            return f"{sign}P{years}Y{months}M"
        if months:
            return f"{sign}P{months}M"
        return f"{sign}P{years}Y"


@dataclass(frozen=True)
class Range:
    """A FEEL range (interval); a missing end point is None (unbounded)."""

    start: Any
    end: Any
    start_included: bool = True
    end_included: bool = True

    def __contains__(self, value: Any) -> bool:
        return range_contains(self, value) is True


@dataclass(frozen=True, eq=False)
class FeelFunction:
    """A function value: a user-defined `function(...)` or a built-in."""

    name: str
    parameters: tuple[str, ...]
    call: Callable[..., Any]

    def __call__(self, *args: Any) -> Any:
        return self.call(*args)


# Values that are already FEEL values and need no conversion.
_FEEL_TYPES = frozenset({
    str, bool, Decimal, type(None), dt.date, dt.datetime, dt.time, dt.timedelta,
    YearsMonthsDuration, Range, FeelFunction,
})


def to_feel(value: Any) -> Any:
    """Convert a Python value (e.g. JSON variables) to its FEEL representation."""
    kind = type(value)
    if kind in _FEEL_TYPES:
        return value
    if kind is int:
        return Decimal(value)
    if kind is dict:
        return {
            (k if type(k) is str else str(k)): (v if type(v) in _FEEL_TYPES else to_feel(v))
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) in _FEEL_TYPES else to_feel(v) for v in value]
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(int(value))
    if isinstance(value, float):
        return to_feel(float(value))
    if isinstance(value, Mapping):
        return {str(k): to_feel(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset) and not isinstance(value, bytes):
        return [to_feel(v) for v in value]
    return value


def type_name(value: Any) -> str:
    """The FEEL type name of a value (as `instance of` and error messages use it)."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal | int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, dt.timedelta):
        return "days and time duration"
    if isinstance(value, YearsMonthsDuration):
        return "years and months duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, FeelFunction):
        return "function"
    return type(value).__name__


def _kind(value: Any) -> str:
    """The comparison class of a value; values of different classes do not compare."""
    name = type_name(value)
    if name == "date and time":
        return "date and time" if value.tzinfo is None else "date and time with zone"
    return name


def feel_equal(left: Any, right: Any) -> bool | None:
    """FEEL `=`: null when the values are of different types (as feel-scala)."""
    if type(left) in _CONTAINERS and type(left) is type(right):
        # Inside lists and contexts, values of different types are simply unequal.
        return _deep_equal(left, right)
    if left is None or right is None:
        return left is None and right is None
    lk, rk = type_name(left), type_name(right)
    if lk != rk:
        return None
    if lk == "list":
        if len(left) != len(right):
            return False
        for a, b in zip(left, right, strict=True):
            same = feel_equal(a, b)
            if same is not True:
                return same
        return True
    if lk == "context":
        if left.keys() != right.keys():
            return False
        for key in left:
            same = feel_equal(left[key], right[key])
            if same is not True:
                return same
        return True
    if lk == "time":
        return _time_key(left) == _time_key(right)
    if lk == "date and time":
        if (left.tzinfo is None) != (right.tzinfo is None):
            return False
        return left == right
    return left == right


_CONTAINERS = (list, dict)


def _deep_equal(left: Any, right: Any) -> bool:
    if type(left) is list and type(right) is list:
        return len(left) == len(right) and all(
            _deep_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if type(left) is dict and type(right) is dict:
        return left.keys() == right.keys() and all(_deep_equal(left[k], right[k]) for k in left)
    return feel_equal(left, right) is True


def time_offset(value: dt.time) -> dt.timedelta | None:
    """The UTC offset of a time; a named zone counts with its standard (January) offset."""
    if value.tzinfo is None:
        return None
    offset = value.utcoffset()
    if offset is None:
        offset = value.tzinfo.utcoffset(dt.datetime.combine(dt.date(1970, 1, 1), value))
    return offset


def _time_key(value: dt.time) -> tuple[Any, ...]:
    offset = time_offset(value)
    if offset is None:
        return (value.hour, value.minute, value.second, value.microsecond, None)
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    seconds -= int(offset.total_seconds())
    return (seconds % 86400, value.microsecond, "utc")


def compare(left: Any, right: Any) -> int | None:
    """-1, 0 or 1; None when the values are not ordered against each other."""
    if left is None or right is None:
        return None
    lk, rk = _kind(left), _kind(right)
    if lk != rk or lk in ("boolean", "list", "context", "function", "range", "Null"):
        return None
    if lk == "time":
        left, right = _time_key(left), _time_key(right)
        if len(left) != len(right):
            return None
    return (left > right) - (left < right)


def range_contains(interval: Range, value: Any) -> bool | None:
    """Whether a point lies in a range; null when it cannot be compared."""
    if interval.start is not None:
        order = compare(value, interval.start)
        if order is None:
            return None
        if order < 0 or (order == 0 and not interval.start_included):
            return False
    if interval.end is not None:
        order = compare(value, interval.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not interval.end_included):
            return False
    return True
