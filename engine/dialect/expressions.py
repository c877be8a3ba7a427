"""Zeebe's expression rule: a value that starts with `=` is FEEL, anything else is a literal.

SpiffWorkflow sends every expression (conditions, timers, multi-instance collections, ...)
through its script engine; `ZeebeScriptEngine` answers with FEEL from `engine.feel` and turns
FEEL values into plain JSON-able Python values for task data.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from .scopes import visible


class ExpressionFailure(Exception):
    """An expression could not be evaluated: becomes an incident of `error_type` on `task`."""

    def __init__(self, message: str, error_type: str = "EXTRACT_VALUE_ERROR", task=None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.task = task


def plain(value: Any) -> Any:
    """A FEEL result as a JSON-able value (Decimal -> int/float, temporal -> ISO text)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.timedelta):
        return iso_duration(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    for attribute in ("isoformat", "to_iso"):
        if hasattr(value, attribute):
            return getattr(value, attribute)()
    return str(value)


def iso_duration(delta: dt.timedelta) -> str:
    seconds = delta.total_seconds()
    days, rest = divmod(int(seconds), 86400)
    fraction = seconds - int(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or fraction or not (days or hours or minutes):
        time += f"{secs + fraction:g}S"
    return text + ("T" + time if time else "")


def feel(expression: str, variables: dict[str, Any], error_type: str = "EXTRACT_VALUE_ERROR") -> Any:
    """Evaluate FEEL (without its leading `=`) and return a plain value."""
    from engine import feel as feel_language

    try:
        return plain(feel_language.evaluate(expression, variables))
    except feel_language.FeelError as failure:
        raise ExpressionFailure(
            f"Expected to evaluate expression '{expression}', but failed because: {failure}", error_type
        ) from failure


def value_of(text: str | None, variables: dict[str, Any], error_type: str = "EXTRACT_VALUE_ERROR") -> Any:
    """A Zeebe attribute value: FEEL when it starts with `=`, else the text itself."""
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("="):
        return feel(stripped[1:], variables, error_type)
    return text


class ZeebeScriptEngine(PythonScriptEngine):
    """The script engine SpiffWorkflow calls; `hooks` is the runtime listening for jobs and more."""

    def __init__(self, hooks: Any = None) -> None:
        super().__init__()
        self.hooks = hooks

    def evaluate(self, task, expression, external_context=None):
        # Spiff passes data objects as external_context only for sequence-flow conditions.
        is_condition = external_context is not None
        try:  # the variables the task sees live in Zeebe scopes (see scopes), not in Spiff's task data
            if is_condition:
                text = expression.strip()
                result = feel(text[1:] if text.startswith("=") else text, visible(task), "CONDITION_ERROR")
                if not isinstance(result, bool):
                    raise ExpressionFailure(
                        f"Expected result of the expression '{text}' to be 'BOOLEAN', but was "
                        f"'{type(result).__name__.upper()}'.",
                        "CONDITION_ERROR",
                    )
                return result
            return value_of(expression, visible(task))
        except ExpressionFailure as failure:
            failure.task = failure.task or task
            raise

    def execute(self, task, script, external_context=None):
        raise ExpressionFailure("Python scripts are not part of Camunda 8; use zeebe:script", task=task)
