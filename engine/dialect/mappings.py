"""Zeebe variable mappings on top of SpiffWorkflow's task data.

SpiffWorkflow copies variables along the token; Zeebe keeps them in scopes. The rules a process
author notices are kept: input mappings make local variables that disappear when the element
completes; when an element has output mappings only the mapped targets leave it, otherwise
everything it received (job or message variables) flows on.
"""
from __future__ import annotations

from copy import deepcopy
from typing import Any

from .expressions import ExpressionFailure, feel

Mapping = tuple[str, str]  # (source FEEL expression, target variable or path)


def expression_of(source: str) -> str:
    text = source.strip()
    return text[1:] if text.startswith("=") else text


def set_path(variables: dict[str, Any], target: str, value: Any) -> None:
    """Assign `a.b.c` style targets, creating the objects on the way (as Zeebe does)."""
    *parents, leaf = target.split(".")
    node = variables
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            child = {}
            node[name] = child
        else:
            child = dict(child)
            node[name] = child
        node = child
    node[leaf] = value


def apply_inputs(workflow, task) -> None:
    """Connected to a spec's update event: runs once, when the element is activated."""
    try:
        _apply_inputs(task)
    except ExpressionFailure as failure:
        failure.task = failure.task or task
        raise


def apply_outputs(workflow, task) -> None:
    """Connected to a spec's completed event: decides what leaves the element."""
    try:
        _apply_outputs(task)
    except ExpressionFailure as failure:
        failure.task = failure.task or task
        raise


def _apply_inputs(task) -> None:
    internal = task.internal_data
    if internal.get("zeebe_in"):
        return
    extensions = task.task_spec.extensions or {}
    if extensions.get("outputs"):
        internal["zeebe_before"] = deepcopy(task.data)
    inputs: list[Mapping] = extensions.get("inputs") or []
    if not inputs:
        internal["zeebe_in"] = True
        return
    shadowed: dict[str, list] = {}
    context = dict(task.data)
    for source, target in inputs:
        root = target.split(".")[0]
        if root not in shadowed:
            shadowed[root] = [root in task.data, deepcopy(task.data.get(root))]
        set_path(context, target, feel(expression_of(source), context, "IO_MAPPING_ERROR"))
    for root in shadowed:
        task.data[root] = context[root]
    internal["zeebe_locals"] = shadowed
    internal["zeebe_in"] = True  # last: a failed mapping runs again when its incident is resolved


def _apply_outputs(task) -> None:
    internal = task.internal_data
    shadowed = internal.pop("zeebe_locals", {})
    before = internal.pop("zeebe_before", None)
    outputs: list[Mapping] = (task.task_spec.extensions or {}).get("outputs") or []
    if outputs and not internal.pop("zeebe_outputs_done", False):
        result = before if before is not None else {}
        for source, target in outputs:
            set_path(result, target, feel(expression_of(source), task.data, "IO_MAPPING_ERROR"))
        task.data = result
        return
    for name, (present, value) in shadowed.items():
        if present:
            task.data[name] = value
        else:
            task.data.pop(name, None)


def local_names(task) -> set[str]:
    return set(task.internal_data.get("zeebe_locals", {}))
