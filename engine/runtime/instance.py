"""A live process instance: a SpiffWorkflow workflow plus what Zeebe knows about it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins import (
    BoundaryEventMixin,
    CallActivityMixin,
    EndEventMixin,
    EventBasedGatewayMixin,
    ExclusiveGatewayMixin,
    InclusiveGatewayMixin,
    IntermediateCatchEventMixin,
    IntermediateThrowEventMixin,
    ManualTaskMixin,
    ParallelGatewayMixin,
    ReceiveTaskMixin,
    SendTaskMixin,
    StartEventMixin,
    SubWorkflowTaskMixin,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import EventSubprocess
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.dialect import specs
from engine.dialect.mappings import visible_variables
from engine.dialect.scopes import element_key, is_inner_instance, local_variables

from .definitions import Definition

# BPMN element types as Zeebe names them in records, most specific class first.
_ELEMENT_TYPES = [
    (specs.ZeebeParallelMultiInstance, "MULTI_INSTANCE_BODY"),
    (specs.ZeebeSequentialMultiInstance, "MULTI_INSTANCE_BODY"),
    (specs.ZeebeServiceTask, "SERVICE_TASK"),
    (specs.ZeebeUserTask, "USER_TASK"),
    (specs.ZeebeScriptTask, "SCRIPT_TASK"),
    (specs.ZeebeBusinessRuleTask, "BUSINESS_RULE_TASK"),
    (SendTaskMixin, "SEND_TASK"),
    (ReceiveTaskMixin, "RECEIVE_TASK"),
    (CallActivityMixin, "CALL_ACTIVITY"),
    (EventSubprocess, "EVENT_SUB_PROCESS"),
    (SubWorkflowTaskMixin, "SUB_PROCESS"),
    (StartEventMixin, "START_EVENT"),
    (EndEventMixin, "END_EVENT"),
    (BoundaryEventMixin, "BOUNDARY_EVENT"),
    (IntermediateCatchEventMixin, "INTERMEDIATE_CATCH_EVENT"),
    (IntermediateThrowEventMixin, "INTERMEDIATE_THROW_EVENT"),
    (EventBasedGatewayMixin, "EVENT_BASED_GATEWAY"),
    (ExclusiveGatewayMixin, "EXCLUSIVE_GATEWAY"),
    (InclusiveGatewayMixin, "INCLUSIVE_GATEWAY"),
    (ParallelGatewayMixin, "PARALLEL_GATEWAY"),
    (ManualTaskMixin, "MANUAL_TASK"),
]


_TYPE_OF_CLASS: dict[type, str] = {}


def element_type(task_spec) -> str:
    cls = type(task_spec)
    known = _TYPE_OF_CLASS.get(cls)
    if known is None:
        known = next((name for base, name in _ELEMENT_TYPES if issubclass(cls, base)), "TASK")
        _TYPE_OF_CLASS[cls] = known
    if known == "SUB_PROCESS" and (task_spec.extensions or {}).get("event_subprocess"):
        return "EVENT_SUB_PROCESS"  # Spiff parses triggeredByEvent subprocesses as plain ones
    return known


def is_element(task) -> bool:
    """Tasks that are BPMN elements (Spiff adds internal ones: Start, joins, splits, End)."""
    return getattr(task.task_spec, "bpmn_id", None) is not None


def attached_activity(boundary_task):
    """The activity a boundary event task is attached to: Spiff makes both children of one
    boundary split task."""
    parent = boundary_task.parent
    if parent is None:
        return None
    return next((c for c in parent.children
                 if c is not boundary_task and not isinstance(c.task_spec, BoundaryEventMixin)), None)


ACTIVE_STATES = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR


@dataclass
class ProcessScope:
    """The Zeebe process instance a task belongs to (a call activity starts a child one)."""

    process_instance_key: int
    bpmn_process_id: str
    version: int
    definition_key: int
    flow_scope_key: int
    parent_process_instance_key: int = -1


@dataclass
class LiveInstance:
    key: int
    definition: Definition
    workflow: Any
    called: dict[str, int]  # called process id -> definition key bound at creation
    started_at: int
    state: str = "ACTIVE"
    ended_at: int | None = None
    subscriptions: dict[str, list[int]] = field(default_factory=dict)  # task id -> keys
    timers: dict[str, int] = field(default_factory=dict)  # task id -> timer key
    incident_tasks: set[str] = field(default_factory=set)
    mint: Any = None  # the engine's key generator, for child process instance keys
    _root_scope: ProcessScope | None = None

    # ---- tasks ------------------------------------------------------------------------------
    def all_tasks(self):
        yield from self.workflow.tasks.values()
        for sub in list(self.workflow.subprocesses.values()):
            yield from sub.tasks.values()

    def task(self, task_id: str):
        return self.workflow.get_task_from_id(UUID(task_id))

    def task_by_element_key(self, element_instance_key: int):
        for task in self.all_tasks():
            if task.internal_data.get("zk") == element_instance_key:
                return task
        return None

    def scope_of(self, task, definitions: dict[int, Definition]) -> ProcessScope:
        """Which (possibly called) process instance `task` runs in, and its flow scope key."""
        if is_inner_instance(task):  # the flow scope of an inner instance is its body
            outer = self.scope_of(task.parent, definitions)
            return ProcessScope(outer.process_instance_key, outer.bpmn_process_id, outer.version,
                                outer.definition_key, element_key(task.parent), outer.parent_process_instance_key)
        if task.workflow is self.workflow:
            if self._root_scope is None:
                self._root_scope = ProcessScope(self.key, self.definition.bpmn_process_id,
                                                self.definition.version, self.definition.key, self.key)
            return self._root_scope
        flow_scope = None
        workflow = task.workflow
        while isinstance(workflow, BpmnSubWorkflow):
            parent = self.workflow.get_task_from_id(workflow.parent_task_id)
            if flow_scope is None:
                flow_scope = parent.internal_data.get("zk")
            if isinstance(parent.task_spec, CallActivityMixin):
                child_key = parent.internal_data.get("zeebe_child")
                if child_key is None:
                    child_key = parent.internal_data["zeebe_child"] = self.mint()
                definition = definitions.get(self.called.get(workflow.spec.name, -1))
                parent_scope = self.scope_of(parent, definitions)
                return ProcessScope(
                    child_key,
                    workflow.spec.name,
                    definition.version if definition else 0,
                    definition.key if definition else 0,
                    flow_scope or child_key,
                    parent_scope.process_instance_key,
                )
            workflow = parent.workflow
        return ProcessScope(self.key, self.definition.bpmn_process_id, self.definition.version,
                            self.definition.key, flow_scope or self.key)

    # ---- variables --------------------------------------------------------------------------
    def root_variables(self) -> dict[str, Any]:
        """The variables of the process instance's root scope."""
        return dict(local_variables(self.workflow, self.key))

    def visible_variables(self, task) -> dict[str, Any]:
        return visible_variables(task)
