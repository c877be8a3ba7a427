"""Instance snapshots without their diagrams.

Specs are parsed once per deployed definition and kept in memory; a snapshot holds only the
task tree and data. Flat workflows (no subprocess, JSON-only internal data: the common case) use a
compact task list; anything else goes through SpiffWorkflow's own serializer, minus the specs.
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

COMPACT = "compact-1"
_encode = json.JSONEncoder(separators=(",", ":")).encode  # one encoder, reused
SPIFF = "spiff"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = []
        return dct

    def restore(self, dct, spec, subprocess_specs, script_engine):
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        return workflow


class Snapshots:
    """Turns a live workflow into JSON text and back, given the specs it runs."""

    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure()
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
        return self._converter.restore(dct, spec, subprocess_specs, script_engine)


def _compact(workflow: BpmnWorkflow) -> dict[str, Any]:
    return {
        "format": COMPACT,
        "data": workflow.data,
        "correlations": workflow.correlations,
        "success": workflow.success,
        "completed": workflow.completed,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "root": str(workflow.task_tree.id),
        "tasks": [
            [str(t.id), str(t._parent) if t._parent is not None else None, [str(c) for c in t._children],
             t.state, t.task_spec.name, t.triggered, t.last_state_change, t.internal_data, t.data]
            for t in workflow.tasks.values()
        ],
    }


def _restore_compact(dct: dict[str, Any], spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    tasks: dict[UUID, Task] = {}
    for task_id, parent, children, state, spec_name, triggered, changed, internal, data in dct["tasks"]:
        task_spec = workflow.spec.task_specs[spec_name]
        task = Task(workflow, task_spec, state=state, id=UUID(task_id))
        task._parent = UUID(parent) if parent is not None else None
        task._children = [UUID(child) for child in children]
        task.triggered = triggered
        task.last_state_change = changed
        task.internal_data = internal
        task.data = data
        tasks[task.id] = task
        if isinstance(task_spec, CatchingEvent) and state == TaskState.WAITING:
            workflow.event_manager.add_task(task)
    workflow.tasks = tasks
    workflow.task_tree = tasks[UUID(dct["root"])]
    workflow.data = dct["data"]
    workflow.correlations = dct["correlations"]
    workflow.success = dct["success"]
    workflow.completed = dct["completed"]
    workflow.last_task = tasks.get(UUID(dct["last_task"])) if dct["last_task"] else None
    return workflow
