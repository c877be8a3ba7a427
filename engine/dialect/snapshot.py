"""Instance snapshots without their diagrams: SpiffWorkflow's serializer, minus the specs.

Specs are parsed once per deployed definition and kept in memory; a snapshot holds only the
task tree and data, so writing an instance after each command stays small and fast.
"""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter


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
        self._serializer = BpmnWorkflowSerializer(registry)

    def dump(self, workflow: BpmnWorkflow) -> str:
        return json.dumps(self._converter.to_dict(workflow), separators=(",", ":"))

    def load(self, text: str, spec, subprocess_specs: dict[str, Any], script_engine) -> BpmnWorkflow:
        dct = json.loads(text)
        return self._converter.restore(dct, spec, subprocess_specs, script_engine)


__all__ = ["Snapshots"]
