"""Zeebe variables and mappings on top of SpiffWorkflow's task data.

SpiffWorkflow copies variables along each token; Zeebe keeps one set of process variables that
every token sees. Each (Zeebe) process instance therefore has a variable store, kept in its
workflow's data (so it is part of the snapshot): an element reads the store when it is activated
and writes to it what leaves it on completion. The rules a process author notices are Zeebe's:
input mappings make local variables that disappear when the element completes; with output
mappings only the mapped targets leave it, otherwise everything it received (job, message or
script results) does.
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


STORE = "variables"


def variable_store(task) -> dict[str, Any]:
    """The variables of the Zeebe process instance `task` runs in (a called process has its own)."""
    workflow = task.workflow
    while workflow.parent_task_id is not None:
        parent = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if getattr(parent.task_spec, "is_call_activity", False):
            break
        workflow = parent.workflow
    return workflow.data.setdefault(STORE, {})


def not_local(task) -> set[str]:
    """Names that are local to `task` (input mappings, multi-instance element and counter)."""
    return set(task.internal_data.get("zeebe_locals", {})) | set(task.internal_data.get("zeebe_mi_locals", []))


def visible_variables(task) -> dict[str, Any]:
    """What a job worker sees: the task's data with the current process variables on top."""
    data = dict(task.data)
    local = not_local(task)
    data.update({k: v for k, v in variable_store(task).items() if k not in local})
    data.pop("data_objects", None)
    return data


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
    # Other tokens may have changed process variables since this token copied them.
    local = set(internal.get("zeebe_mi_locals", []))
    task.data.update({k: v for k, v in variable_store(task).items() if k not in local})
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
    results = internal.pop("zeebe_result", None)
    outputs: list[Mapping] = (task.task_spec.extensions or {}).get("outputs") or []
    if internal.pop("zeebe_outputs_done", False):
        # A call activity already applied its outputs to the data it had before its inputs.
        leaving = set(results or ())
    elif outputs:
        result = before if before is not None else {}
        for source, target in outputs:
            set_path(result, target, feel(expression_of(source), task.data, "IO_MAPPING_ERROR"))
        task.data = result
        leaving = {target.split(".")[0] for _source, target in outputs}
    else:
        for name, (present, value) in shadowed.items():
            if present:
                task.data[name] = value
            else:
                task.data.pop(name, None)
        leaving = set(results or ()) - set(shadowed) - set(internal.get("zeebe_mi_locals", []))
    if leaving:
        variable_store(task).update({name: task.data[name] for name in leaving if name in task.data})


def received(task, variables) -> None:
    """Note what the element received (job, message, script result): it leaves on completion."""
    names = task.internal_data.setdefault("zeebe_result", [])
    names.extend(name for name in variables if name not in names)


def local_names(task) -> set[str]:
    return set(task.internal_data.get("zeebe_locals", {}))
