"""Numeric functions."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import random
from decimal import Decimal

from engine.feel.builtins.registry import builtin
from engine.feel.values import DECIMAL_CONTEXT as CTX
from engine.feel.values import YearsMonthsDuration


def as_double(value: float) -> Decimal:
    """A result computed in binary floating point, as feel-scala does for log, exp, ..."""
    return Decimal(repr(value))


def _round(value: Decimal, scale: Decimal, mode: str) -> Decimal | None:
    if not -6111 <= scale <= 6176:
        return None
    places = int(scale)  # a fractional scale is truncated, as feel-scala does
    if -value.as_tuple().exponent <= places and places > 64:
        return value  # exact already; padding it with thousands of zeros helps no one
    exponent = Decimal(1).scaleb(-places)
    result = value.quantize(exponent, rounding=mode, context=decimal.Context(prec=100))
    return result


_MODES = {
    "UP": decimal.ROUND_UP,
    "DOWN": decimal.ROUND_DOWN,
    "CEILING": decimal.ROUND_CEILING,
    "FLOOR": decimal.ROUND_FLOOR,
    "HALF_UP": decimal.ROUND_HALF_UP,
    "HALF_DOWN": decimal.ROUND_HALF_DOWN,
    "HALF_EVEN": decimal.ROUND_HALF_EVEN,
}


@builtin("decimal(n: number, scale: number)", "decimal(n: number, scale: number, mode: string)")
def decimal_(value: Decimal, scale: Decimal, mode: str = "HALF_EVEN") -> Decimal | None:
    mode = mode.upper()
    if mode == "UNNECESSARY":
        rounded = _round(value, scale, decimal.ROUND_DOWN)
        return rounded if rounded == value else None
    return _round(value, scale, _MODES[mode])


@builtin("floor(n: number)", "floor(n: number, scale: number)")
def floor(value: Decimal, scale: Decimal = Decimal(0)) -> Decimal | None:
    return _round(value, scale, decimal.ROUND_FLOOR)


@builtin("ceiling(n: number)", "ceiling(n: number, scale: number)")
def ceiling(value: Decimal, scale: Decimal = Decimal(0)) -> Decimal | None:
    return _round(value, scale, decimal.ROUND_CEILING)


@builtin("round up(n: number, scale: number)")
def round_up(value: Decimal, scale: Decimal) -> Decimal | None:
    return _round(value, scale, decimal.ROUND_UP)


@builtin("round down(n: number, scale: number)")
def round_down(value: Decimal, scale: Decimal) -> Decimal | None:
    return _round(value, scale, decimal.ROUND_DOWN)


@builtin("round half up(n: number, scale: number)")
def round_half_up(value: Decimal, scale: Decimal) -> Decimal | None:
    return _round(value, scale, decimal.ROUND_HALF_UP)


@builtin("round half down(n: number, scale: number)")
def round_half_down(value: Decimal, scale: Decimal) -> Decimal | None:
    return _round(value, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs(n: number)", "abs(number: number)")
def absolute(value: Decimal) -> Decimal:
    return abs(value)


@builtin("abs(n: days and time duration)")
def absolute_duration(value: dt.timedelta) -> dt.timedelta:
    return abs(value)


@builtin("abs(n: years and months duration)")
def absolute_ym(value: YearsMonthsDuration) -> YearsMonthsDuration:
    return YearsMonthsDuration(abs(value.months))


@builtin("modulo(dividend: number, divisor: number)")
def modulo(dividend: Decimal, divisor: Decimal) -> Decimal | None:
    if not divisor:
        return None
    # The result takes the divisor's sign (floored division).
    quotient = CTX.divide_int(dividend, divisor)
    if CTX.multiply(quotient, divisor) != dividend and (dividend < 0) != (divisor < 0):
        quotient -= 1
    return CTX.subtract(dividend, CTX.multiply(quotient, divisor))


@builtin("sqrt(number: number)")
def sqrt(value: Decimal) -> Decimal | None:
    if value < 0:
        return None
    return as_double(math.sqrt(float(value)))


@builtin("log(number: number)")
def log(value: Decimal) -> Decimal | None:
    if value <= 0:
        return None
    return as_double(math.log(float(value)))


@builtin("exp(number: number)")
def exp(value: Decimal) -> Decimal:
    return as_double(math.exp(float(value)))


@builtin("odd(number: number)")
def odd(value: Decimal) -> bool | None:
    if value != value.to_integral_value():
        return False
    return int(value) % 2 == 1


@builtin("even(number: number)")
def even(value: Decimal) -> bool | None:
    if value != value.to_integral_value():
        return False
    return int(value) % 2 == 0


@builtin("random number()")
def random_number() -> Decimal:
    return Decimal(repr(random.random()))
