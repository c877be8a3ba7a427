"""Whatever the text, FEEL either compiles it or raises FeelSyntaxError; evaluation of what
compiles either gives a value or raises FeelEvaluationError, never another exception."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import feel

PIECES = [
    "1", "-2.5", '"a"', "x", "y.z", "[", "]", "(", ")", "{", "}", ":", ",", "..", "+", "-", "*",
    "/", "**", "=", "!=", "<", ">=", "and", "or", "not(", "if", "then", "else", "for", "in",
    "return", "some", "every", "satisfies", "between", "instance of", "number", "function",
    "null", "true", '@"2026-11-24"', 'date("2026-11-24")', "item", "?", "count(", "sum(",
    "string length(", "@", "`n`", "// c\n", "/* c */",
]

expressions = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map(" ".join)
variables = {"x": 5, "y": {"z": [1, 2, 3]}, "n": "text"}


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_any_text_compiles_or_fails_with_a_syntax_error(text: str) -> None:
    try:
        expression = feel.compile(text)
    except feel.FeelSyntaxError:
        return
    with contextlib.suppress(feel.FeelEvaluationError):
        expression.evaluate(variables)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_characters_never_crash_the_parser(text: str) -> None:
    with contextlib.suppress(feel.FeelSyntaxError):
        feel.compile(text)
