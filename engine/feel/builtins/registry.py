"""Registry of built-in functions, declared by their FEEL signature.

    @builtin("substring(string: string, start position: number, length?: number)")
    def substring(text, start, length=None): ...

A function may have several signatures (overloads); a call picks the first whose arity and
argument types fit. Arguments of the wrong type, or null where a type is required, give null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any

from engine.feel.values import FeelFunction, Range, YearsMonthsDuration

_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "any": lambda v: True,
    "number": lambda v: type(v) is Decimal,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "list": lambda v: type(v) is list,
    "context": lambda v: type(v) is dict,
    "date": lambda v: type(v) is dt.date,
    "time": lambda v: type(v) is dt.time,
    "date and time": lambda v: type(v) is dt.datetime,
    "days and time duration": lambda v: type(v) is dt.timedelta,
    "years and months duration": lambda v: type(v) is YearsMonthsDuration,
    "range": lambda v: type(v) is Range,
    "function": lambda v: type(v) is FeelFunction,
    "point": lambda v: type(v) in (Decimal, dt.date, dt.time, dt.datetime, dt.timedelta, YearsMonthsDuration),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    checks: tuple[Callable[[Any], bool], ...]
    optional: bool = False
    variadic: bool = False
    nullable: bool = False

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.nullable
        return any(check(value) for check in self.checks)


@dataclass(frozen=True)
class Signature:
    parameters: tuple[Parameter, ...]
    function: Callable[..., Any]

    def fits(self, count: int) -> bool:
        required = sum(1 for p in self.parameters if not p.optional and not p.variadic)
        if self.parameters and self.parameters[-1].variadic:
            return count >= required + (0 if self.parameters[-1].optional else 1)
        return required <= count <= len(self.parameters)

    def accepts(self, args: list[Any]) -> bool:
        for index, value in enumerate(args):
            parameter = self.parameters[min(index, len(self.parameters) - 1)]
            if not parameter.accepts(value):
                return False
        return True


class Builtin:
    """A named built-in function with one or more signatures."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.signatures: list[Signature] = []

    def invoke(self, args: list[Any]) -> Any:
        fitting = [s for s in self.signatures if s.fits(len(args))]
        for signature in fitting:
            if signature.accepts(args):
                return _safely(signature.function, args)
        return None

    def invoke_named(self, named: dict[str, Any]) -> Any:
        for signature in self.signatures:
            names = [p.name for p in signature.parameters]
            if set(named) - set(names):
                continue
            if any(p.name not in named and not p.optional for p in signature.parameters):
                continue
            args = [named.get(name) for name in names]
            while args and signature.parameters[len(args) - 1].name not in named:
                args.pop()
            if signature.parameters and signature.parameters[-1].variadic and args:
                last = args.pop()
                args.extend(last if type(last) is list else [last])
            if signature.accepts(args):
                return _safely(signature.function, args)
        return None


def _safely(function: Callable[..., Any], args: list[Any]) -> Any:
    try:
        return function(*args)
    except (TypeError, ValueError, ArithmeticError, DecimalException, AttributeError,
            KeyError, IndexError, OverflowError, re.error, RecursionError):
        return None


BUILTINS: dict[str, Builtin] = {}
_SIGNATURE = re.compile(r"\s*(.+?)\((.*)\)\s*")


def _parameter(text: str) -> Parameter:
    name, _, type_text = text.partition(":")
    name, type_text = name.strip(), (type_text.strip() or "any")
    optional = name.endswith("?")  # for `...items?`: the list of items may be empty
    variadic = name.startswith("...")
    name = name.rstrip("?").lstrip(".")
    nullable = type_text.endswith("?") or type_text == "any"
    kinds = [k.strip() for k in type_text.rstrip("?").split("|")]
    return Parameter(name, tuple(_TYPE_CHECKS[k] for k in kinds), optional, variadic, nullable)


def builtin(*signatures: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Python function under one or more FEEL signatures."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        for text in signatures:
            match = _SIGNATURE.fullmatch(text)
            assert match, text
            name, params = match.group(1), match.group(2)
            parameters = tuple(_parameter(p) for p in params.split(",") if p.strip())
            BUILTINS.setdefault(name, Builtin(name)).signatures.append(
                Signature(parameters, function)
            )
        return function

    return register
