"""The engine's top-level workflow: SpiffWorkflow's `BpmnWorkflow` minus work that has no effect.

* A new instance copies its spec's predicted task tree instead of predicting it again: before
  anything runs, prediction depends on the spec alone (checked when the template is made: no
  data, no events, no subprocesses), so the copy is the tree Spiff would build, with new ids.
* `update_waiting_tasks`, which Spiff calls after every completed task, walks the whole tree;
  when no task of the workflow waits there is nothing to update, and a scan of the task dict
  says so at a fraction of the cost.
* Log messages and their extras (which list every task while the logger's level is unset) are
  only built when the record would be emitted: tasks the engine makes are `ZeebeTask`s, whose
  state changes do what Spiff's do, minus the unused log record.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any
from uuid import UUID, SafeUUID
from weakref import WeakKeyDictionary

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

_log = logging.getLogger("spiff.workflow")
_task_log = logging.getLogger("spiff.task")
WAITING = TaskState.WAITING

# spec -> [(task spec, parent index, child indexes, state, triggered, thread id)], or None when
# the spec's prediction is not a pure function of the spec (then instances predict as usual)
_templates: WeakKeyDictionary[Any, list[tuple] | None] = WeakKeyDictionary()


class ZeebeTask(Task):
    def _set_state(self, value: int) -> None:
        if value != self._state:
            now = time.time()
            elapsed = now - self.last_state_change
            self.last_state_change = now
            self._state = value
            if _task_log.isEnabledFor(logging.INFO):
                _task_log.info(f"State changed to {TaskState.get_name(value)}",
                               extra=self.collect_log_extras({"elapsed": elapsed}))
        elif _task_log.isEnabledFor(logging.DEBUG):
            _task_log.debug(f"State set to {TaskState.get_name(value)}", extra=self.collect_log_extras())


class ZeebeWorkflow(BpmnWorkflow):
    def update_waiting_tasks(self) -> None:
        for task in self.tasks.values():
            if task._state == WAITING:
                super().update_waiting_tasks()  # same order and effects as Spiff
                return

    def collect_log_extras(self, dct: dict | None = None) -> dict:
        if not _log.isEnabledFor(logging.INFO):
            return dct or {}
        return super().collect_log_extras(dct)


def new_workflow(spec, subprocess_specs: dict[str, Any], script_engine) -> ZeebeWorkflow:
    """A new workflow of `spec`, ready to run: what `BpmnWorkflow(spec, ...)` builds."""
    if spec not in _templates:
        _templates[spec] = _template_of(spec, subprocess_specs, script_engine)
    template = _templates[spec]
    if template is None:
        return ZeebeWorkflow(spec, subprocess_specs, script_engine=script_engine)
    workflow = ZeebeWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    ids = _random_ids(len(template))
    tasks = workflow.tasks
    now = time.time()
    new_task = ZeebeTask.__new__
    for task_id, (task_spec, parent, children, state, triggered, thread_id) in zip(ids, template, strict=True):
        task = new_task(ZeebeTask)
        task.id = task_id
        task.workflow = workflow
        task._parent = None if parent is None else ids[parent]
        task._children = [ids[child] for child in children]
        task._state = state
        task.triggered = triggered
        task.task_spec = task_spec
        task.thread_id = thread_id
        task.data = {}
        task.internal_data = {}
        task.last_state_change = now
        tasks[task_id] = task
    workflow.task_tree = tasks[ids[0]]
    _log.info("Initialized workflow", extra=workflow.collect_log_extras())
    workflow.task_tree._ready()
    return workflow


_VERSION_4 = ~((0xC000 << 48) | (0xF000 << 64))
_VARIANT_AND_VERSION = (0x8000 << 48) | (4 << 76)


def _random_ids(count: int) -> list[UUID]:
    """`count` version-4 UUIDs, as `uuid4()` makes them, from one read of the OS's randomness."""
    randomness = os.urandom(16 * count)
    ids = []
    for start in range(0, 16 * count, 16):
        value = int.from_bytes(randomness[start:start + 16], "big") & _VERSION_4 | _VARIANT_AND_VERSION
        task_id = object.__new__(UUID)
        object.__setattr__(task_id, "int", value)
        object.__setattr__(task_id, "is_safe", SafeUUID.unknown)
        ids.append(task_id)
    return ids


def _template_of(spec, subprocess_specs: dict[str, Any], script_engine) -> list[tuple] | None:
    """Predict once, as `Workflow.__init__` does, and keep the tree if nothing else changed."""
    workflow = ZeebeWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    data_before = repr(workflow.data)
    root = Task(workflow, spec.start, state=TaskState.FUTURE)
    workflow.task_tree = root
    root.task_spec._predict(root, mask=TaskState.NOT_FINISHED_MASK)
    tasks = list(workflow.tasks.values())
    if tasks[0] is not root or workflow.subprocesses or workflow.event_manager.tasks \
            or repr(workflow.data) != data_before or any(t.data or t.internal_data for t in tasks):
        return None
    index = {task.id: i for i, task in enumerate(tasks)}
    if any(t._parent is not None and t._parent not in index for t in tasks):
        return None
    return [(t.task_spec, None if t._parent is None else index[t._parent], [index[c] for c in t._children],
             t._state, t.triggered, t.thread_id) for t in tasks]
