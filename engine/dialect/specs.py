"""Task specs for the Zeebe dialect: elements that open jobs, FEEL scripts, Zeebe multi-instance.

Each spec keeps SpiffWorkflow's behaviour and adds what Zeebe does differently. The runtime is
reached through `task.workflow.script_engine.hooks` (see `engine.runtime.instance`).
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    CallActivity,
    EndEvent,
    EventBasedGateway,
    EventSubprocess,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    NoneTask,
    ParallelGateway,
    ParallelMultiInstanceTask,
    ReceiveTask,
    SendTask,
    SequentialMultiInstanceTask,
    ServiceTask,
    StartEvent,
    SubWorkflowTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.util.task import TaskState

from .expressions import ExpressionFailure, feel, value_of
from .mappings import expression_of, received, set_path
from .scopes import child_key, element_key, local_variables, propagate, set_local, visible

USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"


def hooks_of(task):
    return task.workflow.script_engine.hooks


class JobWorker:
    """The element opens a Zeebe job and waits (STARTED) until a worker completes it."""

    def opens_job(self) -> bool:
        return "job_type" in (self.extensions or {})

    def _run_hook(self, my_task):
        if self.opens_job():
            hooks_of(my_task).open_job(my_task)
            return None
        return super()._run_hook(my_task)


class ZeebeServiceTask(JobWorker, ServiceTask):
    pass


class ZeebeSendTask(JobWorker, SendTask):
    pass


class ZeebeIntermediateThrowEvent(JobWorker, IntermediateThrowEvent):
    pass


class ZeebeEndEvent(JobWorker, EndEvent):
    def _run_hook(self, my_task):
        definition = getattr(self, "event_definition", None)
        if isinstance(definition, ErrorEventDefinition) and not self.opens_job():
            # Zeebe's catch rules (nearest scope first, event subprocesses before the enclosing
            # subprocess's boundaries), not Spiff's: the runtime routes it.
            hooks_of(my_task).throw_bpmn_error(my_task, definition.code)
            return True
        return super()._run_hook(my_task)


class PassThroughTask(NoneTask):
    """bpmn:task and bpmn:manualTask: Zeebe passes straight through them (Spiff waits)."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class ZeebeUserTask(JobWorker, PassThroughTask):
    """Job-worker user task (job type io.camunda.zeebe:userTask) or, with <zeebe:userTask/>,
    a Camunda user task that waits without a job."""

    def opens_job(self) -> bool:
        return True

    def _run_hook(self, my_task):
        if (self.extensions or {}).get("zeebe_user_task"):
            hooks_of(my_task).open_user_task(my_task)
            return None
        return super()._run_hook(my_task)


class ZeebeScriptTask(JobWorker, PassThroughTask):
    """zeebe:script: evaluate a FEEL expression into `resultVariable`; or a job."""

    def _run_hook(self, my_task):
        script = (self.extensions or {}).get("script")
        if script and not self.opens_job():
            value = feel(expression_of(script["expression"]), visible(my_task))
            if script.get("resultVariable"):
                result: dict = {}
                set_path(result, script["resultVariable"], value)
                received(my_task, result)
            return True
        return super()._run_hook(my_task)


class ZeebeBusinessRuleTask(JobWorker, PassThroughTask):
    """zeebe:calledDecision: the latest version of a DMN decision into `resultVariable`; or a job."""

    def _run_hook(self, my_task):
        called = (self.extensions or {}).get("called_decision")
        if called and not self.opens_job():
            value = hooks_of(my_task).evaluate_called_decision(my_task, called)
            result: dict = {}
            set_path(result, called["resultVariable"], value)
            received(my_task, result)
            return True
        return super()._run_hook(my_task)


class ZeebeCallActivity(CallActivity):
    """zeebe:calledElement with propagateAllParentVariables / propagateAllChildVariables."""

    is_call_activity = True  # the called process is a new root scope (see scopes.chain)

    def _called(self) -> dict:
        return (self.extensions or {}).get("called_element", {})

    def copy_data(self, my_task, subworkflow):
        # The child is a new root scope: all variables visible at the call activity, or only
        # its local ones (input mappings) without propagateAllParentVariables.
        if self._called().get("propagateAllParentVariables", True):
            copied = visible(my_task)
        else:
            copied = local_variables(my_task.workflow, element_key(my_task))
        child = child_key(my_task)
        propagate_to_root(my_task, child, self.spec, deepcopy(copied))

    def update_data(self, my_task, subworkflow):
        my_task.data = {}
        child = local_variables(my_task.workflow, child_key(my_task))
        if (self.extensions or {}).get("outputs") or self._called().get("propagateAllChildVariables", True):
            received(my_task, deepcopy(child))


def propagate_to_root(task, root_key: int, process_id: str, variables: dict) -> None:
    from .scopes import set_variable

    for name, value in variables.items():
        set_variable(task.workflow, [root_key], process_id, root_key, name, value)


class ZeebeMultiInstance:
    """zeebe:loopCharacteristics: inputCollection (FEEL list), inputElement, outputCollection,
    outputElement, loopCounter; the instances are children of this task."""

    is_multi_instance = True  # its children of spec `task_spec` are inner instances (see scopes)

    def _loop(self) -> dict:
        return (self.extensions or {}).get("loop", {})

    def _collection(self, my_task) -> list:
        if "zeebe_items" not in my_task.internal_data:
            source = self._loop().get("inputCollection")
            items = value_of(source, visible(my_task)) if source else []
            if not isinstance(items, list):
                raise ExpressionFailure(
                    f"Expected result of the expression '{source}' to be 'ARRAY', but was "
                    f"'{type(items).__name__.upper()}'.",
                    task=my_task,
                )
            my_task.internal_data["zeebe_items"] = items
            output = self._loop().get("outputCollection")
            if output:  # local to the body, one slot per item, filled as inner instances complete
                set_local(my_task, {output: [None] * len(items)})
        return my_task.internal_data["zeebe_items"]

    def _spawn(self, my_task, index: int) -> None:
        task_spec = my_task.workflow.spec.task_specs[self.task_spec]
        if not task_spec.completed_event.is_connected(self.merge_child):
            task_spec.completed_event.connect(self.merge_child)
        child = my_task._add_child(task_spec, TaskState.WAITING)
        child.triggered = True
        child.internal_data["key_or_index"] = index
        loop = self._loop()
        items = my_task.internal_data["zeebe_items"]
        child.data = {}
        local = {loop["inputElement"]: deepcopy(items[index])} if loop.get("inputElement") else {}
        local["loopCounter"] = index + 1
        set_local(child, local)
        child.task_spec._update(child)

    def merge_child(self, workflow, child):
        my_task = child.parent
        loop = self._loop()
        output = loop.get("outputCollection")
        if output:
            element = value_of(loop["outputElement"], visible(child)) if loop.get("outputElement") else None
            collection = list(local_variables(my_task.workflow, element_key(my_task)).get(output) or [])
            index = child.internal_data["key_or_index"]
            if index < len(collection):
                collection[index] = element
                set_local(my_task, {output: collection})
        my_task.internal_data["merged"].append(str(child.id))
        self._after_merge(my_task, child)

    def _finish(self, my_task) -> None:
        output = self._loop().get("outputCollection")
        if output:  # the collection leaves the body for the enclosing scopes
            collection = local_variables(my_task.workflow, element_key(my_task)).get(output)
            propagate(my_task, {output: collection}, include_self=False)
        my_task._set_state(TaskState.READY)

    def _condition_met(self, my_task, child=None) -> bool:
        condition = (self.extensions or {}).get("completion_condition")
        if not condition:
            return False
        items = my_task.internal_data.get("zeebe_items", [])
        completed = len(my_task.internal_data.get("merged", []))
        active = sum(1 for c in self._instances(my_task) if not c.has_state(TaskState.FINISHED_MASK))
        context = dict(visible(child if child is not None else my_task))
        context.update(
            numberOfInstances=len(items),
            numberOfActiveInstances=active,
            numberOfCompletedInstances=completed,
            numberOfTerminatedInstances=0,
        )
        return bool(feel(expression_of(condition), context, "CONDITION_ERROR"))


class ZeebeParallelMultiInstance(ZeebeMultiInstance, ParallelMultiInstanceTask):
    def _update_hook(self, my_task):
        if my_task.internal_data.get("merged") is not None:
            return my_task.state == TaskState.READY
        self.update_event.emit(my_task.workflow, my_task)  # the body is activated (a Zeebe element)
        my_task.internal_data["merged"] = []
        items = self._collection(my_task)
        if not items:
            self._finish(my_task)
            return True
        my_task._set_state(TaskState.STARTED)
        for index in range(len(items)):
            self._spawn(my_task, index)

    def _after_merge(self, my_task, child=None) -> None:
        if self._condition_met(my_task, child):
            for child in self._instances(my_task):
                child.cancel()
            self._finish(my_task)
        elif all(c.state == TaskState.COMPLETED for c in self._instances(my_task)):
            self._finish(my_task)


class ZeebeSequentialMultiInstance(ZeebeMultiInstance, SequentialMultiInstanceTask):
    def _update_hook(self, my_task):
        if my_task.internal_data.get("merged") is not None:
            return my_task.state == TaskState.READY
        self.update_event.emit(my_task.workflow, my_task)  # the body is activated (a Zeebe element)
        my_task.internal_data["merged"] = []
        items = self._collection(my_task)
        if not items:
            self._finish(my_task)
            return True
        my_task._set_state(TaskState.STARTED)
        self._spawn(my_task, 0)

    def _after_merge(self, my_task, child=None) -> None:
        done = len(my_task.internal_data["merged"])
        if done >= len(my_task.internal_data["zeebe_items"]) or self._condition_met(my_task, child):
            self._finish(my_task)
        else:
            self._spawn(my_task, done)


__all__ = [
    "BoundaryEvent",
    "EventBasedGateway",
    "EventSubprocess",
    "ExclusiveGateway",
    "InclusiveGateway",
    "IntermediateCatchEvent",
    "NoneTask",
    "PassThroughTask",
    "ParallelGateway",
    "ReceiveTask",
    "StartEvent",
    "SubWorkflowTask",
    "USER_TASK_JOB_TYPE",
    "ZeebeBusinessRuleTask",
    "ZeebeCallActivity",
    "ZeebeEndEvent",
    "ZeebeIntermediateThrowEvent",
    "ZeebeParallelMultiInstance",
    "ZeebeScriptTask",
    "ZeebeSendTask",
    "ZeebeSequentialMultiInstance",
    "ZeebeServiceTask",
    "ZeebeUserTask",
]
