"""FEEL values back to JSON-ready process variables, as Zeebe stores expression results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.feel import temporal
from engine.feel.text import to_text


def to_variable(value: Any, functions_as_text: bool = False) -> Any:
    """A JSON-compatible value: numbers as int or float, temporal values as ISO 8601 text.

    A zoned date and time keeps Java's form (`2026-11-24T10:00:00+07:00[Asia/Ho_Chi_Minh]`),
    as Zeebe writes it; functions become null (or their signature text, for `to json()`).
    """
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is Decimal:
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        return float(value)
    if kind is list:
        return [to_variable(v, functions_as_text) for v in value]
    if kind is dict:
        return {k: to_variable(v, functions_as_text) for k, v in value.items()}
    if kind is dt.datetime and temporal.zone_id(value.tzinfo):
        fixed = value.replace(tzinfo=dt.timezone(value.utcoffset() or dt.timedelta(0)))
        return f"{temporal.format_datetime(fixed)}[{temporal.zone_id(value.tzinfo)}]"
    if kind.__name__ == "FeelFunction" and not functions_as_text:
        return None
    return to_text(value)
