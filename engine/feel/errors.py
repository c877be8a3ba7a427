"""Errors raised by the FEEL library."""

from __future__ import annotations


class FeelError(Exception):
    """Any failure to parse or evaluate a FEEL expression."""


class FeelSyntaxError(FeelError):
    """The text is not valid FEEL; the message names the position and what was expected."""


class FeelEvaluationError(FeelError):
    """Evaluation failed (for example `assert`); the message names the expression."""


class EvaluationFailure(Exception):
    """Raised inside evaluation; the compiled expression wraps it into FeelEvaluationError."""
