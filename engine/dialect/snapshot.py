"""Instance snapshots without their diagrams.

Specs are parsed once per deployed definition and kept in memory; a snapshot holds only the
task tree and data. Flat workflows (no subprocess, JSON-only internal data: the common case) use a
compact task list (ids as integers, parent and children as positions in the list: no UUID text to
format and parse); anything else goes through SpiffWorkflow's own serializer, minus the specs.
"""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.store.json_text import dumps as _encode

from .workflow import ZeebeTask, ZeebeWorkflow

COMPACT = "compact-2"
COMPACT_1 = "compact-1"  # ids as UUID text: still read
SPIFF = "spiff"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = []
        return dct

    def restore(self, dct, spec, subprocess_specs, script_engine):
        workflow = ZeebeWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        return workflow


class Snapshots:
    """Turns a live workflow into JSON text and back, given the specs it runs."""

    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure()
        registry.typenames[ZeebeTask] = registry.typenames[Task]  # the engine's tasks are Spiff tasks
        self._converter = SpeclessWorkflowConverter(BpmnWorkflow, registry)

    def dump(self, workflow: BpmnWorkflow) -> str:
        if not workflow.subprocesses:
            try:
                return _encode(_compact(workflow))
            except (TypeError, ValueError):
                pass  # internal data Spiff alone knows how to store (e.g. pending events)
        return json.dumps({"format": SPIFF, **self._converter.to_dict(workflow)}, separators=(",", ":"))

    def load(self, text: str, spec, subprocess_specs: dict[str, Any], script_engine) -> BpmnWorkflow:
        dct = json.loads(text)
        if dct.get("format") == COMPACT:
            return _restore_compact(dct, spec, subprocess_specs, script_engine)
        if dct.get("format") == COMPACT_1:
            return _restore_compact_1(dct, spec, subprocess_specs, script_engine)
        return self._converter.restore(dct, spec, subprocess_specs, script_engine)


def _compact(workflow: BpmnWorkflow) -> dict[str, Any]:
    tasks = workflow.tasks
    position = {task_id: i for i, task_id in enumerate(tasks)}
    last = workflow.last_task
    return {
        "format": COMPACT,
        "data": workflow.data,
        "correlations": workflow.correlations,
        "success": workflow.success,
        "completed": workflow.completed,
        "last_task": None if last is None else position.get(last.id),
        "root": position[workflow.task_tree.id],
        "tasks": [
            [task_id.int, position.get(t._parent), [position[c] for c in t._children], t._state, t.task_spec.name,
             t.triggered, t.last_state_change, t.internal_data, t.data]
            for task_id, t in tasks.items()
        ],
    }


def _restore_compact(dct: dict[str, Any], spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    workflow = ZeebeWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    rows = dct["tasks"]
    ids = [UUID(int=row[0]) for row in rows]
    task_specs = workflow.spec.task_specs
    tasks: dict[UUID, Task] = {}
    for task_id, (_, parent, children, state, spec_name, triggered, changed, internal, data) in zip(ids, rows, strict=True):
        task_spec = task_specs[spec_name]
        task = ZeebeTask(workflow, task_spec, state=state, id=task_id)
        task._parent = None if parent is None else ids[parent]
        task._children = [ids[child] for child in children]
        task.triggered = triggered
        task.last_state_change = changed
        task.internal_data = internal
        task.data = data
        tasks[task_id] = task
        if isinstance(task_spec, CatchingEvent) and state == TaskState.WAITING:
            workflow.event_manager.add_task(task)
    workflow.tasks = tasks
    workflow.task_tree = tasks[ids[dct["root"]]]
    workflow.data = dct["data"]
    workflow.correlations = dct["correlations"]
    workflow.success = dct["success"]
    workflow.completed = dct["completed"]
    workflow.last_task = None if dct["last_task"] is None else tasks[ids[dct["last_task"]]]
    return workflow


def _restore_compact_1(dct: dict[str, Any], spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """The first compact format (ids as UUID text), as earlier versions wrote it."""
    rows = dct["tasks"]
    position = {row[0]: i for i, row in enumerate(rows)}
    converted = dict(dct, tasks=[
        [UUID(task_id).int, None if parent is None else position[parent], [position[c] for c in children], *rest]
        for task_id, parent, children, *rest in rows])
    converted["root"] = position[dct["root"]]
    converted["last_task"] = position.get(dct["last_task"]) if dct["last_task"] else None
    return _restore_compact(converted, spec, subprocess_specs, script_engine)
