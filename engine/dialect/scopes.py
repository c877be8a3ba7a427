"""Zeebe's variable scopes, kept beside SpiffWorkflow's task data.

Every element instance is a variable scope keyed by its element instance key; a process instance
(the root, or the child a call activity starts) is the scope at the top of its chain. The chain of
an element runs through its flow scopes: a multi-instance inner instance sits in its body, the
elements of an embedded or event subprocess in the subprocess's element instance, and the elements
of a called process stop at that process's root. Lookup walks the chain inner to outer (inner
shadows outer); propagation sets each variable in the first scope of the chain that has it, else in
the root; a local write sets it in one scope. Scopes of finished elements are dropped.

All scopes of an instance live in its top workflow's data (`SCOPES`, keyed by the scope key as
text), so they are part of the instance snapshot; Spiff's task data is not used for variables, so
nothing is copied from task to task. Writes go through `set_variable`, which tells the runtime
(`hooks.variable_written`) so it records VARIABLE CREATED / UPDATED with the real scope.
"""
from __future__ import annotations

from typing import Any

SCOPES = "zeebe_scopes"
ROOT_KEY = "zeebe_key"  # the (root) process instance key, in the top workflow's data


def _hooks(task):
    return task.workflow.script_engine.hooks


def element_key(task) -> int:
    """The element instance key of `task`, minted the first time it is needed."""
    key = task.internal_data.get("zk")
    if key is None:
        key = task.internal_data["zk"] = _hooks(task).new_key()
    return key


def child_key(call_task) -> int:
    """The process instance key of the child a call activity task started."""
    key = call_task.internal_data.get("zeebe_child")
    if key is None:
        key = call_task.internal_data["zeebe_child"] = _hooks(call_task).new_key()
    return key


def is_inner_instance(task) -> bool:
    parent = task.parent
    return parent is not None and getattr(parent.task_spec, "is_multi_instance", False) \
        and parent.task_spec.task_spec == task.task_spec.name


def flow_scope_task(task):
    """The task whose element instance is `task`'s flow scope; None at a process root."""
    if is_inner_instance(task):
        return task.parent
    parent_id = task.workflow.parent_task_id
    if parent_id is None:
        return None
    owner = task.workflow.top_workflow.get_task_from_id(parent_id)
    return None if getattr(owner.task_spec, "is_call_activity", False) else owner


def chain(task, include_self: bool = True) -> tuple[list[int], str]:
    """Scope keys from `task` (or its flow scope) out to its process instance's root, and the
    BPMN process id of that process instance (the last key is its process instance key)."""
    keys = [element_key(task)] if include_self else []
    node = task
    top = task.workflow.top_workflow
    while True:
        if is_inner_instance(node):
            node = node.parent
            keys.append(element_key(node))
            continue
        parent_id = node.workflow.parent_task_id
        if parent_id is None:
            keys.append(top.data[ROOT_KEY])
            return keys, top.spec.name
        owner = top.get_task_from_id(parent_id)
        if getattr(owner.task_spec, "is_call_activity", False):
            keys.append(child_key(owner))
            return keys, owner.task_spec.spec
        node = owner
        keys.append(element_key(node))


def scopes_of(workflow) -> dict[str, dict[str, Any]]:
    return workflow.top_workflow.data.setdefault(SCOPES, {})


def local_variables(workflow, scope_key: int) -> dict[str, Any]:
    return scopes_of(workflow).get(str(scope_key), {})


def visible(task, include_self: bool = True) -> dict[str, Any]:
    """The variables `task` sees. Read only: with one non-empty scope it is that scope's dict."""
    keys, _ = chain(task, include_self and "zk" in task.internal_data)
    store = scopes_of(task.workflow)
    found = [variables for variables in (store.get(str(k)) for k in keys) if variables]
    if not found:
        return {}
    if len(found) == 1:
        return found[0]
    merged: dict[str, Any] = {}
    for variables in reversed(found):
        merged.update(variables)
    return merged


def set_variable(workflow, keys: list[int], process_id: str, scope_key: int, name: str, value: Any) -> None:
    """Set `name` in scope `scope_key` (one of `keys`, the last being the process instance key)."""
    store = scopes_of(workflow)
    variables = store.get(str(scope_key))
    if variables is None:
        variables = store[str(scope_key)] = {}
    created = name not in variables
    if not created and variables[name] == value:
        return  # Zeebe writes no record for an unchanged value
    variables[name] = value
    hooks = workflow.script_engine.hooks
    if hooks is not None:
        hooks.variable_written(scope_key, keys[-1], process_id, name, value, created)


def set_local(task, variables: dict[str, Any], include_self: bool = True) -> None:
    """Set variables strictly in `task`'s own scope (or, without self, in its flow scope)."""
    keys, process_id = chain(task, include_self)
    for name, value in variables.items():
        set_variable(task.workflow, keys, process_id, keys[0], name, value)


def propagate_keys(workflow, keys: list[int], process_id: str, variables: dict[str, Any]) -> None:
    store = scopes_of(workflow)
    for name, value in variables.items():
        target = keys[-1]
        for key in keys:
            scope = store.get(str(key))
            if scope is not None and name in scope:
                target = key
                break
        set_variable(workflow, keys, process_id, target, name, value)


def propagate(task, variables: dict[str, Any], include_self: bool = True) -> None:
    """Zeebe's propagation: each variable goes to the first scope outward that has it, else root."""
    if variables:
        keys, process_id = chain(task, include_self)
        propagate_keys(task.workflow, keys, process_id, variables)


def drop_scope(workflow, scope_key: int | None) -> None:
    if scope_key is not None:
        scopes_of(workflow).pop(str(scope_key), None)
