"""FEEL, the expression language of Zeebe and DMN, in Camunda's dialect.

    >>> from engine import feel
    >>> feel.evaluate('amount > 1000 and status = "approved"', {"amount": 1500, "status": "approved"})
    True

Values come back as Python values: numbers as `decimal.Decimal`, null as None, lists, dicts,
`datetime.date` / `time` / `datetime`, `timedelta` (days and time duration),
`YearsMonthsDuration`, `Range`, `FeelFunction`. `to_variable()` turns a result into the JSON value
Zeebe would store as a process variable. Semantics follow Camunda's engine (feel-scala) as Zeebe
>= 8.3 uses it: a missing variable, a missing entry or a type mismatch gives null, not an error.

How it works: `lexer` cuts the text into tokens (names may contain spaces), `feel.lark` is the
LALR grammar, `parser` runs lark, `compiler` turns the tree into closures that call `runtime`,
`operators`, `builtins/` and `temporal`; `expression` caches compiled texts; `values`, `scope`,
`text` and `variables` hold the value model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.feel.builtins.temporal import set_clock
from engine.feel.errors import FeelError, FeelEvaluationError, FeelSyntaxError
from engine.feel.expression import Expression, UnaryTests, compile, compile_unary_tests
from engine.feel.names import needs_quoting, quote_names
from engine.feel.text import to_text
from engine.feel.values import FeelFunction, Range, YearsMonthsDuration
from engine.feel.variables import to_variable

__all__ = [
    "Expression",
    "FeelError",
    "FeelEvaluationError",
    "FeelFunction",
    "FeelSyntaxError",
    "Range",
    "UnaryTests",
    "YearsMonthsDuration",
    "compile",
    "compile_unary_tests",
    "evaluate",
    "set_clock",
    "to_text",
    "to_variable",
    "unary_test",
]


def evaluate(expression: str, variables: Mapping[str, Any] | None = None) -> Any:
    """Evaluate a FEEL expression (without Zeebe's leading `=`) against variables."""
    variables = variables or {}
    return compile(_quoted(expression, variables)).evaluate(variables)


def unary_test(tests: str, value: Any, variables: Mapping[str, Any] | None = None) -> bool:
    """Whether a value passes DMN unary tests such as `< 10`, `[1..5]`, `"a","b"`, `-`."""
    variables = variables or {}
    return compile_unary_tests(_quoted(tests, variables)).matches(value, variables)


def _quoted(text: str, variables: Mapping[str, Any]) -> str:
    """The text with variable names that need it in backticks (`Date-Time2`, `a list`)."""
    special = [name for name in variables if needs_quoting(name) and name in text]
    return quote_names(text, special) if special else text
