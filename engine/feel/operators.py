"""FEEL operators on values; a type mismatch gives null (as Zeebe >= 8.3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.feel import temporal
from engine.feel.values import DECIMAL_CONTEXT as CTX
from engine.feel.values import YearsMonthsDuration, compare, feel_equal

_OUT_OF_RANGE = (ArithmeticError, OverflowError, ValueError)


def add(left: Any, right: Any) -> Any:
    """`+`; null for a type mismatch or a result beyond the range of its type."""
    try:
        return _add(left, right)
    except _OUT_OF_RANGE:
        return None


def subtract(left: Any, right: Any) -> Any:
    try:
        return _subtract(left, right)
    except _OUT_OF_RANGE:
        return None


def multiply(left: Any, right: Any) -> Any:
    try:
        return _multiply(left, right)
    except _OUT_OF_RANGE:
        return None


def divide(left: Any, right: Any) -> Any:
    try:
        return _divide(left, right)
    except _OUT_OF_RANGE:
        return None


def negate(value: Any) -> Any:
    try:
        return _negate(value)
    except _OUT_OF_RANGE:
        return None


_DATE = dt.date
_DATETIME = dt.datetime
_TIME = dt.time
_DELTA = dt.timedelta
_YM = YearsMonthsDuration


def _add(left: Any, right: Any) -> Any:
    lt, rt = type(left), type(right)
    if lt is Decimal and rt is Decimal:
        return CTX.add(left, right)
    if lt is str and rt is str:
        return left + right
    if lt is _DELTA and rt is _DELTA:
        return left + right
    if lt is _YM and rt is _YM:
        return _YM(left.months + right.months)
    if lt in (_DELTA, _YM) and rt in (_DATE, _DATETIME, _TIME):
        return _add(right, left)
    if lt is _DATETIME:
        if rt is _DELTA:
            return _add_instant(left, right)
        if rt is _YM:
            return temporal.add_months(left, right.months)
    if lt is _DATE:
        if rt is _DELTA:
            return (_DATETIME(left.year, left.month, left.day) + right).date()
        if rt is _YM:
            return temporal.add_months(left, right.months)
    if lt is _TIME and rt is _DELTA:
        return temporal.add_to_time(left, right)
    return None


def _add_instant(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    if value.tzinfo is None or isinstance(value.tzinfo, dt.timezone):
        return value + delta
    # Named zones move on the time line, as Java's ZonedDateTime.plus(Duration).
    return (value.astimezone(dt.UTC) + delta).astimezone(value.tzinfo)


def _negate(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return CTX.minus(value)
    if kind is _DELTA:
        return -value
    if kind is _YM:
        return _YM(-value.months)
    return None


def _subtract(left: Any, right: Any) -> Any:
    lt, rt = type(left), type(right)
    if lt is Decimal and rt is Decimal:
        return CTX.subtract(left, right)
    if rt in (_DELTA, _YM) and lt in (_DATE, _DATETIME, _TIME, _DELTA, _YM):
        if lt is _DELTA and rt is _YM or lt is _YM and rt is _DELTA:
            return None
        return _add(left, _negate(right))
    if lt is _DATE and rt is _DATE:
        return _DELTA(days=(left - right).days)
    if lt is _DATETIME and rt is _DATETIME:
        return temporal.subtract_datetimes(left, right)
    if lt is _TIME and rt is _TIME:
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        base = _DATE(2000, 1, 1)
        first = _DATETIME.combine(base, left)
        second = _DATETIME.combine(base, right)
        if left.tzinfo is not None:
            return first.astimezone(dt.UTC) - second.astimezone(dt.UTC)
        return first - second
    return None


def _multiply(left: Any, right: Any) -> Any:
    lt, rt = type(left), type(right)
    if lt is Decimal and rt is Decimal:
        return CTX.multiply(left, right)
    if lt is Decimal and rt in (_DELTA, _YM):
        left, right, lt, rt = right, left, rt, lt
    if rt is Decimal:
        # feel-scala multiplies durations by the whole part of the number only.
        factor = int(right)
        if lt is _DELTA:
            return left * factor
        if lt is _YM:
            return _YM(left.months * factor)
    return None


def _divide(left: Any, right: Any) -> Any:
    lt, rt = type(left), type(right)
    try:
        if lt is Decimal and rt is Decimal:
            return CTX.divide(left, right)
        # Durations divide as feel-scala does: whole milliseconds and months, truncated.
        if lt is _DELTA and rt is Decimal:
            millis = CTX.divide(Decimal(_millis(left)), right)
            return _DELTA(milliseconds=int(millis))
        if lt is _DELTA and rt is _DELTA:
            return Decimal(_truncated_division(_millis(left), _millis(right)))
        if lt is _YM and rt is Decimal:
            return _YM(int(CTX.divide(Decimal(left.months), right)))
        if lt is _YM and rt is _YM:
            return Decimal(_truncated_division(left.months, right.months))
    except ZeroDivisionError:
        return None
    return None


def _millis(delta: dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _truncated_division(dividend: int, divisor: int) -> int:
    quotient = abs(dividend) // abs(divisor)
    return quotient if (dividend < 0) == (divisor < 0) else -quotient


def power(left: Any, right: Any) -> Any:
    if type(left) is not Decimal or type(right) is not Decimal:
        return None
    try:
        if right == right.to_integral_value():
            result = CTX.power(left, int(right))
            return result if result.is_finite() else None
        # Fractional exponents are computed in binary floating point, as feel-scala does.
        result = float(left) ** float(right)
        return None if isinstance(result, complex) else Decimal(repr(result))
    except _OUT_OF_RANGE:
        return None


def equal(left: Any, right: Any) -> bool | None:
    lt = type(left)
    if lt is type(right) and (lt is str or lt is Decimal):
        return left == right
    return feel_equal(left, right)


def not_equal(left: Any, right: Any) -> bool | None:
    same = equal(left, right)
    return None if same is None else not same


def less(left: Any, right: Any) -> bool | None:
    lt = type(left)
    if lt is type(right) and (lt is Decimal or lt is str):
        return left < right
    order = compare(left, right)
    return None if order is None else order < 0


def less_equal(left: Any, right: Any) -> bool | None:
    lt = type(left)
    if lt is type(right) and (lt is Decimal or lt is str):
        return left <= right
    order = compare(left, right)
    return None if order is None else order <= 0


def greater(left: Any, right: Any) -> bool | None:
    lt = type(left)
    if lt is type(right) and (lt is Decimal or lt is str):
        return left > right
    order = compare(left, right)
    return None if order is None else order > 0


def greater_equal(left: Any, right: Any) -> bool | None:
    lt = type(left)
    if lt is type(right) and (lt is Decimal or lt is str):
        return left >= right
    order = compare(left, right)
    return None if order is None else order >= 0


COMPARATORS = {
    "=": equal,
    "!=": not_equal,
    "<": less,
    "<=": less_equal,
    ">": greater,
    ">=": greater_equal,
}
