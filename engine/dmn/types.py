"""The typeRef check Camunda's DMN engine makes on a decision's result (its variable's typeRef)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from engine.feel import YearsMonthsDuration, to_variable

_NUMBER = (Decimal, int, float)
_KINDS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
    "time": lambda v: isinstance(v, dt.time),
    "dateTime": lambda v: isinstance(v, dt.datetime),
    "dayTimeDuration": lambda v: isinstance(v, dt.timedelta),
    "yearMonthDuration": lambda v: isinstance(v, YearsMonthsDuration),
}


def type_mismatch(type_ref: str | None, value: Any) -> str | None:
    """Why `value` is not of `type_ref` (with or without the `feel:` prefix), or None if it is.

    Null is of every type; a type this check does not know is not checked. Decision tables
    answer JSON values, so their temporal results are text and only their primitive types count.
    """
    if not type_ref or value is None:
        return None
    kind = type_ref.removeprefix("feel:")
    check = _KINDS.get(kind)
    if check is None or check(value):
        return None
    if isinstance(value, str) and kind in ("date", "time", "dateTime", "dayTimeDuration", "yearMonthDuration"):
        return None  # a table's temporal output, already written as ISO text
    return f"expected '{kind}' but found '{json.dumps(to_variable(value), ensure_ascii=False)}'"
