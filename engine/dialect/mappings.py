"""Zeebe's input and output mappings and what an element receives, on the scopes of `scopes`.

Input mappings set local variables of the element when it is activated (evaluated in order, a
later one sees the earlier targets). What an element receives (job, message, script or called
process results, error variables) propagates from the element outward when it has no output
mappings; with output mappings it is set locally, the mappings are evaluated when the element
completes and only their targets propagate, from the element's flow scope.
"""
from __future__ import annotations

from copy import deepcopy
from typing import Any

from .expressions import ExpressionFailure, feel
from .scopes import propagate, set_local, visible

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

def visible_variables(task) -> dict[str, Any]:
    """What a job worker sees at `task`: every scope of its chain, inner shadowing outer."""
    return dict(visible(task))


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
    inputs: list[Mapping] = (task.task_spec.extensions or {}).get("inputs") or []
    if inputs:
        context = dict(visible(task))
        targets: dict[str, Any] = {}
        for source, target in inputs:
            root = target.split(".")[0]
            if "." in target and isinstance(context.get(root), dict):
                context[root] = deepcopy(context[root])
            set_path(context, target, feel(expression_of(source), context, "IO_MAPPING_ERROR"))
            targets[root] = context[root]
        set_local(task, targets)
    internal["zeebe_in"] = True  # last: a failed mapping runs again when its incident is resolved


def _apply_outputs(task) -> None:
    outputs: list[Mapping] = (task.task_spec.extensions or {}).get("outputs") or []
    if not outputs:
        return
    context = visible(task)
    result: dict[str, Any] = {}
    for source, target in outputs:
        root = target.split(".")[0]
        if "." in target and root not in result and isinstance(context.get(root), dict):
            result[root] = deepcopy(context[root])
        set_path(result, target, feel(expression_of(source), context, "IO_MAPPING_ERROR"))
    propagate(task, result, include_self=False)


def has_outputs(task) -> bool:
    return bool((task.task_spec.extensions or {}).get("outputs"))


def received(task, variables: dict[str, Any]) -> None:
    """The element received variables (job, message, script result, error, called process)."""
    if not variables:
        return
    if has_outputs(task):
        set_local(task, variables)
    else:
        propagate(task, variables)
