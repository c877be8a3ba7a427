"""Helpers for FEEL test tables: expected values are written as plain Python values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine import feel
from engine.feel.values import Range, YearsMonthsDuration, to_feel


def same(actual: Any, expected: Any) -> bool:
    """Equal in value and in FEEL type (1 and 1.0 are equal numbers; true is not 1)."""
    expected = to_feel(expected)
    if expected is None or actual is None:
        return actual is None and expected is None
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            same(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(same(actual[k], expected[k]) for k in actual)
    if isinstance(expected, dt.datetime | dt.time):
        return actual == expected and actual.tzinfo == expected.tzinfo
    return actual == expected


def check(expression: str, expected: Any, variables: Mapping[str, Any] | None = None) -> None:
    actual = feel.evaluate(expression, variables or {})
    assert same(actual, expected), f"{expression!r} gave {actual!r}, expected {expected!r}"


__all__ = ["Decimal", "Range", "YearsMonthsDuration", "check", "same"]
