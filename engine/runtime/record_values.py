"""How values look in records and rejections; small conversions shared by the engine's parts."""
from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import CallActivityMixin
from SpiffWorkflow.exceptions import WorkflowException

from engine.dialect.expressions import ExpressionFailure, value_of
from engine.store.json_text import dumps

from . import definitions as defs
from .clock import epoch_ms
from .values import Rejection


@dataclass
class ResultWaiter:
    """Someone waiting for an instance to complete (CreateProcessInstanceWithResult)."""

    fetch: list[str] | None
    done: threading.Event = field(default_factory=threading.Event)
    variables: dict[str, Any] | None = None


DEFERRABLE = frozenset({
    "deploy", "create_process_instance", "cancel_process_instance", "activate_jobs", "complete_job",
    "fail_job", "throw_error", "update_job_retries", "update_job_timeout", "publish_message",
    "set_variables", "resolve_incident", "delete_resource", "broadcast_signal", "complete_user_task",
    "evaluate_decision",
})


def checked_variables(intent: str, variables: dict | None) -> dict[str, Any]:
    """Variables must be a JSON object (checked on the caller's thread, not the writer's)."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise Rejection(intent, "INVALID_ARGUMENT",
                        f"Expected variables to be a JSON object, but got {type(variables).__name__}")
    try:
        dumps(variables)
    except (TypeError, ValueError) as invalid:
        raise Rejection(intent, "INVALID_ARGUMENT",
                        f"Expected variables to be a JSON document, but it is not: {invalid}") from None
    if not all(isinstance(name, str) for name in variables):
        raise Rejection(intent, "INVALID_ARGUMENT", "Expected variable names to be strings")
    return variables


def release(waiter: ResultWaiter, variables: dict[str, Any]) -> None:
    waiter.variables = variables
    waiter.done.set()


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def camel_case_keys(row: dict[str, Any]) -> dict[str, Any]:
    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)
    return {camel(k): v for k, v in row.items() if k not in ("task_id", "root_key")}


def job_value(job: dict[str, Any]) -> dict[str, Any]:
    return {"type": job["type"], "retries": job["retries"], "worker": job["worker"], "deadline": job["deadline"],
            "customHeaders": job["custom_headers"], "errorMessage": job["error_message"],
            "elementId": job["element_id"], "elementInstanceKey": job["element_instance_key"],
            "processInstanceKey": job["process_instance_key"], "bpmnProcessId": job["bpmn_process_id"],
            "processDefinitionVersion": job["process_definition_version"],
            "processDefinitionKey": job["process_definition_key"]}


def with_task(failure: Exception, task) -> Exception:
    if getattr(failure, "task", None) is None:
        with contextlib.suppress(AttributeError):
            failure.task = task
    return failure


def incident_of(failure: Exception, task) -> tuple[str, str]:
    if isinstance(failure, ExpressionFailure):
        return failure.error_type, failure.message
    text = str(failure)
    if task is not None and isinstance(task.task_spec, CallActivityMixin) and "not found" in text:
        return ("CALLED_ELEMENT_ERROR",
                f"Expected process with BPMN process id '{task.task_spec.spec}' to be deployed, but not found.")
    if "No conditions satisfied" in text:
        return ("CONDITION_ERROR", "Expected at least one condition to evaluate to true, or to have a default "
                                   "flow")
    if isinstance(failure, WorkflowException):
        return "UNKNOWN", text
    definition = getattr(task.task_spec, "event_definition", None) if task is not None else None
    if isinstance(definition, TimerEventDefinition):
        return ("EXTRACT_VALUE_ERROR", f"Expected the timer expression '{definition.expression}' to give an "
                                       f"ISO 8601 date, duration or cycle, but it failed: {text}")
    return "UNKNOWN", f"{type(failure).__name__}: {text}"


def first_due(start: defs.StartEventInfo, now) -> tuple[int | None, int, int]:
    """(due ms, repetitions left after this one (-1 = forever), interval ms) of a timer start event."""
    expression = value_of(start.timer_expression, {})
    if start.timer_kind == "date":
        return epoch_ms(TimerEventDefinition.get_datetime(str(expression))), 0, 0
    if start.timer_kind == "duration":
        delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(str(expression)), now)
        return epoch_ms(now + delta), 0, 0
    text = str(expression).upper()
    if text.startswith("R"):
        count, _, rest = text.partition("/")
        repetitions = int(count[1:]) if count[1:] else -1
        parts = rest.split("/")
        duration_text = parts[-1]
        delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(duration_text), now)
        start_at = TimerEventDefinition.get_datetime(parts[0]) if len(parts) == 2 else now + delta
        interval = int(delta / timedelta(milliseconds=1))
        return epoch_ms(start_at), (repetitions - 1 if repetitions > 0 else -1), interval
    return None, 0, 0
