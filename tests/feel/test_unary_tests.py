"""DMN unary tests (decision table input entries), as Camunda's FEEL reference describes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import feel

# (tests, input value, variables, passes)
UNARY_TESTS: list[tuple[str, Any, dict[str, Any], bool]] = [
    ('"valid"', "valid", {}, True),
    ('"valid"', "invalid", {}, False),
    ("5", 5, {}, True),
    ("5", 5.0, {}, True),
    ("5", "5", {}, False),
    ("true", True, {}, True),
    ("true", False, {}, False),
    ("true", None, {}, False),
    ("null", None, {}, True),
    ("null", 5, {}, False),
    ("< 10", 5, {}, True),
    ("< 10", 10, {}, False),
    ("<= 10", 10, {}, True),
    ("> 10", 11, {}, True),
    (">= 10", 9, {}, False),
    ("< 10", None, {}, False),
    ("< 10", "a", {}, False),
    ('<= date("2020-04-06")', dt.date(2020, 4, 6), {}, True),
    ('> time("08:00:00")', dt.time(9), {}, True),
    ('>= duration("P5D")', dt.timedelta(days=6), {}, True),
    ("(2..5)", 2, {}, False),
    ("(2..5)", 3, {}, True),
    ("]2..5[", 5, {}, False),
    ("]2..5[", 4, {}, True),
    ("[2..5]", 2, {}, True),
    ("[2..5]", 5, {}, True),
    ("(2..5]", 5, {}, True),
    ("[2..5)", 5, {}, False),
    ('[date("2020-01-01")..date("2020-12-31")]', dt.date(2020, 6, 1), {}, True),
    ("2, 3, 4", 3, {}, True),
    ("2, 3, 4", 5, {}, False),
    ("< 10, > 50", 60, {}, True),
    ("< 10, > 50", 30, {}, False),
    ('"a", "b"', "b", {}, True),
    ('not("valid")', "invalid", {}, True),
    ('not("valid")', "valid", {}, False),
    ("not(2, 3)", 4, {}, True),
    ("not(2, 3)", 3, {}, False),
    ("not(< 3)", 5, {}, True),
    ("not([1..3])", 2, {}, False),
    ("not(< 3)", None, {}, False),
    ("-", 5, {}, True),
    ("-", None, {}, True),
    ("", "anything", {}, True),
    ('contains(?, "good")', "very good", {}, True),
    ('ends with(?, "@camunda.com")', "me@camunda.com", {}, True),
    ("? > 3", 4, {}, True),
    ("? > 3", 2, {}, False),
    ("odd(?)", 5, {}, True),
    ("abs(?) < 10", -5, {}, True),
    ("?", 5, {}, False),
    ("? = null", None, {}, True),
    ("? < 10", None, {}, False),
    ("? > x", 5, {"x": 3}, True),
    ("> x", 5, {"x": 3}, True),
    ("x", 5, {"x": 5}, True),
    ("x", 5, {"x": [4, 5, 6]}, True),
    ("x", 5, {"x": [1, 2, 3]}, False),
    ("x", 3, {"x": True}, True),
    ("x", 3, {"x": False}, False),
    ("[4, 5, 6]", 5, {}, True),
    ("[1, 2, 3]", 5, {}, False),
    ("4 < 10", 3, {}, True),
    ("even(4)", 3, {}, True),
    ("list contains([1, 2], 3)", 3, {}, False),
    ("not_existing", None, {}, True),
    ("not_existing", 5, {}, False),
    ("{}", {}, {}, True),
    ("{x: 1}", {"x": 1}, {}, True),
    ("[]", [], {}, True),
    ("[1, 2]", [1, 2], {}, True),
    ('@"2024-08-19"', 5, {}, False),
    ("[1..x]", 3, {"x": 5}, True),
    ('"Hồ sơ", "Dossier"', "Hồ sơ", {}, True),
]


@pytest.mark.parametrize(("tests", "value", "variables", "passes"), UNARY_TESTS)
def test_unary_tests(tests: str, value: Any, variables: dict[str, Any], passes: bool) -> None:
    assert feel.unary_test(tests, value, variables) is passes


def test_compiled_unary_tests_are_cached() -> None:
    assert feel.compile_unary_tests("< 10") is feel.compile_unary_tests("< 10")
    assert feel.compile_unary_tests("< 10").matches(3)


@pytest.mark.parametrize("tests", ["< ", "[1..", "not(", "1,", ">> 3"])
def test_invalid_unary_tests_raise_syntax_errors(tests: str) -> None:
    with pytest.raises(feel.FeelSyntaxError):
        feel.unary_test(tests, 1, {})
