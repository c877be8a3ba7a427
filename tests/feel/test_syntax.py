"""Syntax errors name where the text went wrong and what FEEL expected there."""

from __future__ import annotations

import pytest

from engine import feel

SYNTAX_ERRORS = [
    # (text, words the message must contain)
    ("1 +", ["end of input", "expected"]),
    ("a = = 1", ["line 1, column 5", "'='", "expected"]),
    ("if x then 1", ["end of input", "'else'"]),
    ("{a: 1,\n b 2}", ["line 2", "':'"]),
    ("[1, 2", ["end of input", "']'"]),
    ('"unterminated', ["unterminated string", "line 1, column 1"]),
    ("1 # 2", ["unexpected character '#'", "column 3"]),
    ("for x in [1] x", ["'return'"]),
    ("some x in [1] x > 1", ["'satisfies'"]),
    ("x instance of", ["end of input"]),
    ("f(a: 1, 2)", ["positional and named arguments"]),
    ("/* open comment", ["unterminated comment"]),
    ("(1 + 2", ["')'"]),
    ("1 2", ["unexpected '2'"]),
]


@pytest.mark.parametrize(("text", "words"), SYNTAX_ERRORS)
def test_syntax_error_message(text: str, words: list[str]) -> None:
    with pytest.raises(feel.FeelSyntaxError) as error:
        feel.compile(text)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("text", ["", "   ", "// only a comment"])
def test_empty_expression_is_a_syntax_error(text: str) -> None:
    with pytest.raises(feel.FeelSyntaxError):
        feel.compile(text)


def test_assertion_failure_names_expression_and_cause() -> None:
    with pytest.raises(feel.FeelEvaluationError) as error:
        feel.evaluate("assert(x, x != null)", {})
    assert "assert(x, x != null)" in str(error.value)


def test_the_unary_test_input_outside_unary_tests_fails() -> None:
    with pytest.raises(feel.FeelEvaluationError) as error:
        feel.evaluate("? < 10")
    assert "'?'" in str(error.value)


def test_evaluation_never_fails_on_type_mismatch() -> None:
    assert feel.evaluate('{a: 1}.a + "x" * date("2020-01-01") - [1] / true') is None


@pytest.mark.parametrize(
    "expression",
    [
        "10 ** 10000",
        "0 ** -1",
        '(-8) ** 0.5',
        'duration("P1D") * 1000000000',
        'date("2020-01-01") + duration("P999999999D")',
        "x * x",
    ],
)
def test_results_beyond_the_range_of_their_type_are_null(expression: str) -> None:
    from decimal import Decimal

    assert feel.evaluate(expression, {"x": Decimal("1E+4000")}) is None
