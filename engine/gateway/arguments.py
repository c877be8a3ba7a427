"""Checks and conversions of request fields, before anything reaches the engine."""

from __future__ import annotations

import json
from typing import Any

from engine.gateway.errors import invalid_argument

_JSON_TYPE_NAMES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}
MAX_NESTING = 100  # deeper documents would exhaust Python's recursion further down the engine


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _nesting(value: Any) -> int:
    """How deeply arrays and objects nest (iteratively: the value may be very deep)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children:
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def variables(document: str, *, rpc: str, field: str = "variables") -> dict[str, Any]:
    """A request's variables document as a dict; empty means none. Zeebe only accepts a JSON
    object at the root, so anything else is the caller's mistake, named precisely."""
    if not document.strip():
        return {}
    too_deep = False
    try:
        value = json.loads(document, parse_constant=_refuse_constant)  # no NaN, no Infinity
    except ValueError as error:
        raise invalid_argument(
            f"Expected to handle {rpc} with '{field}' as a JSON document, but it is not valid JSON: "
            f"{error}"
        ) from None
    except RecursionError:
        too_deep = True
    else:  # counting brackets first keeps the depth walk off ordinary documents
        brackets = document.count("{") + document.count("[")
        too_deep = brackets > MAX_NESTING and _nesting(value) > MAX_NESTING
    if too_deep:
        raise invalid_argument(
            f"Expected to handle {rpc} with '{field}' nested at most {MAX_NESTING} levels deep, "
            "but it is nested deeper"
        )
    if not isinstance(value, dict):
        kind = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
        raise invalid_argument(
            f"Expected to handle {rpc} with '{field}' as a JSON object at the root, but it is {kind}: "
            f"{document.strip()[:80]}"
        )
    return value


def not_blank(value: str, *, rpc: str, field: str) -> str:
    if not value.strip():
        raise invalid_argument(
            f"Expected to handle {rpc} with a non-blank '{field}', but it was blank"
        )
    return value


def at_least(value: int, minimum: int, *, rpc: str, field: str) -> int:
    if value < minimum:
        raise invalid_argument(
            f"Expected to handle {rpc} with '{field}' of at least {minimum}, but it was {value}"
        )
    return value


def positive_key(value: int, *, rpc: str, field: str) -> int:
    if value <= 0:
        raise invalid_argument(
            f"Expected to handle {rpc} with a positive '{field}', but it was {value}"
        )
    return value


def fetch_variables(names: Any) -> list[str] | None:
    """Zeebe's "fetch these variables"; an empty list means all of them."""
    selected = [name for name in names if name]
    return selected or None
