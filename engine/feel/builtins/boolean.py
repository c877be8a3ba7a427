"""Boolean functions, and Camunda's `is defined`, `get or else`, `assert`."""

from __future__ import annotations

from typing import Any

from engine.feel.builtins.registry import builtin
from engine.feel.errors import EvaluationFailure
from engine.feel.values import feel_equal, type_name


@builtin("not(negand: any)")
def negation(value: Any) -> bool | None:
    return (not value) if type(value) is bool else None


@builtin("is defined(value: any)")
def is_defined(value: Any) -> bool:
    return value is not None


@builtin("get or else(value: any, default: any)")
def get_or_else(value: Any, default: Any) -> Any:
    return default if value is None else value


@builtin("assert(value: any, condition: any)", "assert(value: any, condition: any, cause: any)")
def assertion(value: Any, condition: Any, cause: Any = None) -> Any:
    if condition is not True:
        message = cause if isinstance(cause, str) else "Assertion failure on evaluate the expression"
        raise EvaluationFailure(message)
    return value


@builtin("is(value1: any, value2: any)")
def same(left: Any, right: Any) -> bool:
    if type_name(left) != type_name(right):
        return False
    if type_name(left) in ("time", "date and time") and left.tzinfo != right.tzinfo:
        return False
    return feel_equal(left, right) is True
