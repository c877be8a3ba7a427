"""The public door of engine.feel: evaluate, compile, unary_test, FeelError."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from engine import feel


def test_gateway_condition_on_process_variables() -> None:
    variables = {"amount": 1500, "status": "approved"}
    assert feel.evaluate('amount > 1000 and status = "approved"', variables) is True


def test_compiled_expression_is_cached_and_reusable() -> None:
    first = feel.compile("fee * 2")
    assert feel.compile("fee * 2") is first
    assert first.evaluate({"fee": 1.5}) == Decimal("3.0")
    assert first.evaluate({"fee": 10}) == Decimal("20")


def test_compiled_expression_across_threads() -> None:
    expression = feel.compile("sum(for i in 1..n return i)")
    results: dict[int, object] = {}

    def run(n: int) -> None:
        for _ in range(50):
            results[n] = expression.evaluate({"n": n})

    threads = [threading.Thread(target=run, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: Decimal(n * (n + 1) // 2) for n in range(1, 9)}


def test_missing_variable_and_path_are_null() -> None:
    assert feel.evaluate("applicant.address.city", {}) is None
    assert feel.evaluate("applicant.address.city", {"applicant": {}}) is None


def test_numbers_come_back_as_decimal() -> None:
    result = feel.evaluate("a + b", {"a": 0.1, "b": 0.2})
    assert result == Decimal("0.3")
    assert isinstance(result, Decimal)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("1 +", "end of input"),
        ("a = = 1", "line 1, column 5"),
        ("if x then 1", "end of input"),
        ('{a: 1,\n b 2}', "line 2"),
    ],
)
def test_syntax_error_names_position_and_expectation(text: str, position: str) -> None:
    with pytest.raises(feel.FeelSyntaxError) as error:
        feel.compile(text)
    assert position in str(error.value)
    assert "expected" in str(error.value)


def test_evaluation_error_names_the_expression() -> None:
    with pytest.raises(feel.FeelEvaluationError) as error:
        feel.evaluate('assert(x, x > 0, "x must be positive")', {"x": -1})
    assert "assert(x, x > 0" in str(error.value)
    assert "x must be positive" in str(error.value)


def test_feel_errors_share_a_base_class() -> None:
    assert issubclass(feel.FeelSyntaxError, feel.FeelError)
    assert issubclass(feel.FeelEvaluationError, feel.FeelError)


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("[1..5]", 5, True),
        ("(1..5)", 5, False),
        ('"a","b"', "b", True),
        ('"a","b"', "c", False),
        ('not("x")', "x", False),
        ('not("x")', "y", True),
        ("not(< 5, > 10)", 7, True),
        ("-", "anything", True),
        ("", None, True),
        ("? > 3", 4, True),
        ("? > 3", 2, False),
        ("> limit", 7, True),
        ("null", None, True),
        ("[1, 2, 3]", 2, True),
        ('starts with(?, "QĐ")', "QĐ-123", True),
        (">= date(\"2026-01-01\")", "x", False),
    ],
)
def test_unary_tests(tests: str, value: object, expected: bool) -> None:
    assert feel.unary_test(tests, value, {"limit": 5}) is expected


def test_results_become_json_ready_process_variables() -> None:
    result = feel.evaluate(
        '{fee: 1500, rate: 0.1, due: date("2026-12-01"), wait: duration("P15D"),'
        ' at: @"2026-11-24T10:00:00@Asia/Ho_Chi_Minh", check: function() true}'
    )
    assert feel.to_variable(result) == {
        "fee": 1500,
        "rate": 0.1,
        "due": "2026-12-01",
        "wait": "P15D",
        "at": "2026-11-24T10:00:00+07:00[Asia/Ho_Chi_Minh]",
        "check": None,
    }


def test_values_of_python_types_are_accepted() -> None:
    import datetime as dt

    variables = {"received": dt.date(2026, 11, 24), "count": 3, "ratio": 0.5, "tags": ("a", "b")}
    assert feel.evaluate("received + duration(\"P1D\")", variables) == dt.date(2026, 11, 25)
    assert feel.evaluate("count * ratio", variables) == Decimal("1.5")
    assert feel.evaluate("count(tags)", variables) == Decimal(2)


@pytest.mark.parametrize(
    ("expression", "variables", "expected"),
    [
        ("Date-Time2.hour", {"Date-Time2": __import__("datetime").datetime(2020, 1, 1, 5)}, 5),
        ("Extra days case 1 + 1", {"Extra days case 1": 3}, 4),
        ("every i in values in a list satisfies even(i)", {"values in a list": [2, 4]}, True),
        ('"Date-Time2" + x', {"Date-Time2": 1, "x": "a"}, "Date-Time2a"),
    ],
)
def test_variables_named_with_spaces_keywords_and_symbols(
    expression: str, variables: dict[str, object], expected: object
) -> None:
    assert feel.evaluate(expression, variables) == expected


def test_compiled_expression_resolves_a_symbol_name_it_was_not_compiled_for() -> None:
    import datetime as dt

    expression = feel.compile("Date-Time2.hour")  # parses as Date - Time2.hour
    assert expression.evaluate({"Date-Time2": dt.datetime(2020, 1, 1, 5)}) == 5


@pytest.mark.parametrize(
    ("condition", "variables", "taken"),
    [
        ('intakeDecision = "accept"', {"intakeDecision": "accept"}, True),
        ('intakeDecision = "accept"', {}, False),  # not decided yet: null is not true
        (
            'appraisalOutcome = "propose" and leaderDecision = "approve"',
            {"appraisalOutcome": "propose", "leaderDecision": "approve"},
            True,
        ),
        ("consultationReply != null", {"consultationReply": {"agency": "Sở TN&MT"}}, True),
        ("rescheduled = true", {"rescheduled": False}, False),
        ("count(missingItems) > 0", {"missingItems": ["Bản vẽ thiết kế"]}, True),
        ('date and time(dueAt) < date and time("2026-12-01T00:00:00+07:00")',
         {"dueAt": "2026-11-30T17:00:00+07:00"}, True),
    ],
)
def test_sequence_flow_conditions_of_the_procedures(
    condition: str, variables: dict[str, object], taken: bool
) -> None:
    assert (feel.evaluate(condition, variables) is True) is taken


def test_step_deadline_is_read_from_a_context_variable() -> None:
    variables = {"stepDueAt": {"appraisal": "2026-12-05T17:00:00+07:00"}}
    assert feel.evaluate("stepDueAt.appraisal", variables) == "2026-12-05T17:00:00+07:00"
    assert feel.evaluate("stepDueAt.leaderSign", variables) is None
