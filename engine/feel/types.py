"""`instance of` type checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.feel.values import type_name

Check = Callable[[Any], bool]

_ALIASES = {
    "any": "Any",
    "null": "Null",
    "days and time duration": "days and time duration",
    "years and months duration": "years and months duration",
    "duration": "duration",
    "interval": "range",
    "date time": "date and time",
    "year-month-duration": "years and months duration",
    "day-time-duration": "days and time duration",
}


def named(name: str) -> Check:
    """A check for a simple type name such as `number` or `date and time`."""
    wanted = _ALIASES.get(name.lower(), name) if name.lower() in _ALIASES else name
    if wanted == "Any":
        return lambda value: value is not None
    if wanted == "Null":
        return lambda value: value is None
    if wanted == "duration":
        return lambda value: type_name(value).endswith("duration")
    return lambda value: value is not None and type_name(value) == wanted


def generic(name: str, inner: Check) -> Check:
    """`list<T>` and `range<T>`."""
    if name == "list":
        return lambda value: type(value) is list and all(inner(v) for v in value)
    if name == "range":
        return lambda value: (
            type_name(value) == "range"
            and all(inner(v) for v in (value.start, value.end) if v is not None)
        )
    if name == "context":
        return lambda value: type(value) is dict
    return lambda value: False


def context_of(name: str, entries: dict[str, Check]) -> Check:
    """`context<a: number, b: string>`: the context has at least those entries."""
    if name != "context":
        return lambda value: False
    return lambda value: type(value) is dict and all(
        key in value and check(value[key]) for key, check in entries.items()
    )
