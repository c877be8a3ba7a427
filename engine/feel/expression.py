"""Compiled expressions and unary tests: parse once, evaluate many times from any thread."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engine.feel.compiler import compile_tree
from engine.feel.errors import EvaluationFailure, FeelError, FeelEvaluationError, FeelSyntaxError
from engine.feel.names import needs_quoting, quote_names
from engine.feel.parser import parse
from engine.feel.scope import Scope

_NOT = re.compile(r"\s*not\s*\((.*)\)\s*", re.S)


class Expression:
    """A compiled FEEL expression; immutable, so one instance serves every thread."""

    __slots__ = ("text", "_node")

    def __init__(self, text: str) -> None:
        self.text = text
        if not text.strip():
            raise FeelSyntaxError("syntax error: the expression is empty")
        try:
            self._node = compile_tree(parse(text))
        except FeelError:
            raise
        except Exception as error:  # lark wraps errors raised in the compiler
            cause = getattr(error, "orig_exc", error)
            if isinstance(cause, FeelError):
                raise type(cause)(f"{cause} in '{text}'") from None
            raise FeelSyntaxError(f"cannot compile '{text}': {cause}") from None

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> Any:
        """The value of the expression for these variables (missing names are null)."""
        variables = variables or {}
        for name in variables:
            if needs_quoting(name) and name in self.text:
                # e.g. a variable `Date-Time2`: compile the text with that name quoted
                quoted = quote_names(self.text, (n for n in variables if needs_quoting(n)))
                if quoted != self.text:
                    return compile(quoted).evaluate(variables)
                break
        try:
            return self._node(Scope.root(variables))
        except EvaluationFailure as failure:
            raise FeelEvaluationError(f"failed to evaluate '{self.text}': {failure}") from None
        except RecursionError:
            raise FeelEvaluationError(f"failed to evaluate '{self.text}': too deep") from None
        except Exception as error:  # a value FEEL cannot handle; the engine raises an incident
            raise FeelEvaluationError(
                f"failed to evaluate '{self.text}': {type(error).__name__}: {error}"
            ) from error

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


class UnaryTests:
    """Compiled DMN unary tests (`< 10`, `[1..5]`, `"a","b"`, `not("x")`, `-`, `? > 3`)."""

    __slots__ = ("text", "_test", "_negated")

    def __init__(self, text: str) -> None:
        self.text = text
        body, self._negated = text, False
        negation = _NOT.fullmatch(text)
        if negation:
            body, self._negated = negation.group(1), True
        if body.strip() in ("-", ""):
            self._test = None
            return
        try:
            self._test = compile_tree(parse(body, start="unary_tests"))
        except FeelSyntaxError as error:
            if not negation:
                raise
            # `not(x)` may also be an ordinary expression test.
            try:
                self._test = compile_tree(parse(text, start="unary_tests"))
                self._negated = False
            except FeelSyntaxError:
                raise error from None

    def matches(self, value: Any, variables: Mapping[str, Any] | None = None) -> bool:
        if self._test is None:
            return not self._negated
        variables = variables or {}
        for name in variables:
            if needs_quoting(name) and name in self.text:
                quoted = quote_names(self.text, (n for n in variables if needs_quoting(n)))
                if quoted != self.text:
                    return compile_unary_tests(quoted).matches(value, variables)
                break
        root = Scope.root(variables)
        try:
            converted = Scope.root({"?": value}).lookup("?")
            outcome = self._test(converted, Scope({"?": converted}, root))
        except EvaluationFailure as failure:
            raise FeelEvaluationError(f"failed to evaluate '{self.text}': {failure}") from None
        except Exception as error:
            raise FeelEvaluationError(
                f"failed to evaluate '{self.text}': {type(error).__name__}: {error}"
            ) from error
        if self._negated:
            return outcome is False
        return outcome is True


@lru_cache(maxsize=4096)
def compile(text: str) -> Expression:  # noqa: A001
    """The compiled expression for a text (cached)."""
    return Expression(text)


@lru_cache(maxsize=4096)
def compile_unary_tests(text: str) -> UnaryTests:
    return UnaryTests(text)
