"""How FEEL values read as text (the `string()` function, messages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.feel import temporal
from engine.feel.values import FeelFunction, Range, YearsMonthsDuration


def format_number(value: Decimal) -> str:
    """As Java's BigDecimal.toString, which feel-scala uses: 1.5, 100, 1E-7, 1.0E+42."""
    return str(value)


def to_text(value: Any) -> str:
    """The text of a value, as feel-scala's `string()` writes it."""
    if value is None:
        return "null"
    if type(value) is str:
        return value
    return literal(value, top=True)


def literal(value: Any, top: bool = False) -> str:
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is Decimal:
        return format_number(value)
    if kind is str:
        return value if top else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind is dt.date:
        return temporal.format_date(value)
    if kind is dt.datetime:
        return temporal.format_datetime(value)
    if kind is dt.time:
        return temporal.format_time(value)
    if kind is dt.timedelta:
        return temporal.format_days_time(value)
    if kind is YearsMonthsDuration:
        return str(value)
    if kind is list:
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if kind is dict:
        return "{" + ", ".join(f"{k}:{literal(v)}" for k, v in value.items()) + "}"
    if kind is Range:
        opening = "[" if value.start_included else "("
        closing = "]" if value.end_included else ")"
        start = "" if value.start is None else literal(value.start)
        end = "" if value.end is None else literal(value.end)
        return f"{opening}{start}..{end}{closing}"
    if kind is FeelFunction:
        return f"function({', '.join(value.parameters)})"
    if isinstance(value, int | float):
        return literal(Decimal(repr(value)))
    return str(value)
