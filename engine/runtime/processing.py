"""Running instances: start, cancel, Spiff steps, incidents from failures, element lifecycle,
message subscriptions and timers of waiting elements, and the hooks task specs call."""
from __future__ import annotations

import logging
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import (
    BoundaryEventMixin,
    CallActivityMixin,
    EventBasedGatewayMixin,
    StartEventMixin,
    SubWorkflowTaskMixin,
)
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

from engine.dialect import scopes, specs
from engine.dialect.expressions import ExpressionFailure, value_of
from engine.dialect.mappings import apply_outputs, has_outputs, received, visible_variables
from engine.dialect.steps import do_engine_steps
from engine.dialect.timers import due_of
from engine.dialect.workflow import new_workflow

from . import definitions as defs
from .clock import epoch_ms
from .instance import ACTIVE_STATES, LiveInstance, attached_activity, element_type, is_element
from .record_values import (
    ResultWaiter,
    camel_case_keys,
    first_due,
    incident_of,
    job_value,
    json_text,
    release,
    text_of,
)
from .values import (
    InstanceCreated,
    Rejection,
)

log = logging.getLogger(__name__)


class InstanceProcessing:
    """How the engine drives SpiffWorkflow for each instance (mixed into `Engine`)."""

    # ==== instances ============================================================================
    def _subprocess_specs(self, definition: defs.Definition, called: dict[str, int]) -> dict[str, Any]:
        specs_: dict[str, Any] = dict(definition.embedded)
        for process_id, key in called.items():
            target = self._definitions.get(key)
            if target is not None:
                specs_[process_id] = target.spec
                specs_.update(target.embedded)
        return specs_

    def _bind_called(self, definition: defs.Definition, called: dict[str, int] | None = None) -> dict[str, int]:
        """Latest versions of the processes reachable by call activities (transitively)."""
        called = dict(called or {})
        pending = list(definition.called_ids)
        while pending:
            process_id = pending.pop()
            if process_id in called:
                continue
            target = self._latest(process_id)
            if target is None:
                continue
            called[process_id] = target.key
            pending.extend(target.called_ids)
        return called

    def _create(self, bpmn_process_id: str | None, version: int, definition_key: int | None,
                variables: dict[str, Any], start_instructions: list[str]) -> InstanceCreated:
        definition = self._find_definition(bpmn_process_id, version, definition_key)
        start = definition.none_start
        if start is None:
            raise Rejection("CREATE", "INVALID_STATE",
                            f"Expected to create instance of process with none start event, but there is no "
                            f"such event (process '{definition.bpmn_process_id}')")
        targets = []
        for element_id in start_instructions:
            target = next((t for t in definition.spec.task_specs.values()
                           if getattr(t, "bpmn_id", None) == element_id and not t.name.endswith("[child]")), None)
            if target is None:
                raise Rejection("CREATE", "INVALID_ARGUMENT",
                                f"Expected to create instance of process with start instructions but the element "
                                f"with id '{element_id}' was not found at the top level of process "
                                f"'{definition.bpmn_process_id}'")
            targets.append(target)
        live = self._start_instance(definition, start.element_id, variables, start_before=targets)
        return InstanceCreated(definition.key, definition.bpmn_process_id, definition.version, live.key)

    def _find_definition(self, bpmn_process_id: str | None, version: int,
                         definition_key: int | None) -> defs.Definition:
        if definition_key:
            definition = self._definitions.get(definition_key)
            if definition is None or definition.deleted:
                raise Rejection("CREATE", "NOT_FOUND",
                                f"Expected to find process definition with key '{definition_key}', but none found")
            return definition
        if not bpmn_process_id:
            raise Rejection("CREATE", "INVALID_ARGUMENT", "Expected a bpmnProcessId or a processDefinitionKey")
        if version is None or version < 0:
            definition = self._latest(bpmn_process_id)
        else:
            definition = next((d for d in self._definitions.values() if d.bpmn_process_id == bpmn_process_id
                               and d.version == version and not d.deleted), None)
        if definition is None:
            which = "" if version is None or version < 0 else f" and version '{version}'"
            raise Rejection("CREATE", "NOT_FOUND",
                            f"Expected to find process definition with process ID '{bpmn_process_id}'{which}, "
                            "but none found")
        return definition

    def _start_instance(self, definition: defs.Definition, start_element: str, variables: dict[str, Any],
                        event: BpmnEvent | None = None, start_before: list | None = None) -> LiveInstance:
        key = self._keys.next()
        called = self._bind_called(definition)
        workflow = new_workflow(definition.spec, self._subprocess_specs(definition, called), self._script_engine)
        live = LiveInstance(key, definition, workflow, called, self._now(), mint=self._keys.next)
        workflow.data[scopes.ROOT_KEY] = key
        self._attach(live)
        self._live[key] = live
        self._instances[key] = {"key": key, "definition_key": definition.key,
                                "bpmn_process_id": definition.bpmn_process_id, "version": definition.version,
                                "state": "ACTIVE", "started_at": live.started_at, "ended_at": None,
                                "parent_key": -1}
        value = self._process_value(live)
        self._record("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", key, value, key)
        self._record("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", key, value, key)
        # Only the chosen start event may run: the others of this process are cancelled.
        start_task = workflow.task_tree
        self._current = live
        root = {**variables, **(event.payload if event is not None and isinstance(event.payload, dict) else {})}
        for name, value in deepcopy(root).items():
            scopes.set_variable(workflow, [key], definition.bpmn_process_id, key, name, value)
        if event is not None:
            event.payload = {}  # the variables are in the root scope already
        start_task.run()
        chosen = None
        candidates = [t for child in start_task.children for t in (child, *child.children)]
        for task in candidates:
            if isinstance(task.task_spec, StartEventMixin) and not task.has_state(TaskState.FINISHED_MASK):
                if task.task_spec.bpmn_id == start_element and not start_before:
                    chosen = task
                else:
                    task.cancel()
        for target in start_before or ():
            # Start instructions: the element starts as if a token had just reached it.
            branch = start_task._add_child(target, TaskState.FUTURE)
            branch.triggered = True
            branch.task_spec._predict(branch, mask=TaskState.NOT_FINISHED_MASK)
            branch.task_spec._update(branch)
        self._open_event_subprocess_subscriptions(live, live.root_variables())
        if chosen is not None and chosen.state == TaskState.WAITING:
            if event is not None:
                chosen.task_spec.catch(chosen, event)
            else:
                chosen._set_internal_data(event_fired=True)
            chosen.task_spec._update(chosen)
        self._settle(live)
        return live

    def _open_event_subprocess_subscriptions(self, live: LiveInstance, variables: dict[str, Any]) -> None:
        for start in live.definition.event_subprocesses:
            if start.kind == "message" and start.scope_id is None:
                self._open_event_subprocess_subscription(live, start, variables, live.key, live.key,
                                                         live.definition.bpmn_process_id, f"evsub:{start.element_id}")

    def _open_event_subprocess_subscription(self, live: LiveInstance, start: defs.EventSubprocessStart,
                                            variables: dict[str, Any], scope_key: int, process_instance_key: int,
                                            bpmn_process_id: str, task_id: str) -> None:
        """A message event subprocess listens while its scope (process or subprocess) is active."""
        try:
            correlation = value_of(start.correlation_key, variables) if start.correlation_key else ""
        except ExpressionFailure:
            correlation = None
        key = self._keys.next()
        row = {"key": key, "message_name": start.name,
               "correlation_key": "" if correlation is None else text_of(correlation),
               "root_key": live.key, "process_instance_key": process_instance_key,
               "bpmn_process_id": bpmn_process_id, "element_id": start.element_id,
               "element_instance_key": scope_key, "task_id": task_id}
        self._subscriptions[key] = row
        self._subscriptions_by_message[(row["message_name"], row["correlation_key"])][key] = None
        live.subscriptions.setdefault(row["task_id"], []).append(key)
        self._changes.put("subscriptions", key, row)
        self._subscription_record(("CREATING", "CREATED"), key, row, live.key)

    def _interrupt_scope(self, live: LiveInstance, start_task) -> None:
        """An interrupting event subprocess started: everything else in its scope ends."""
        subprocess_task = live.workflow.get_task_from_id(start_task.workflow.parent_task_id)
        scope = subprocess_task.workflow
        for task in list(scope.tasks.values()):
            if task is not subprocess_task and is_element(task) and task.state & (
                    TaskState.READY | TaskState.STARTED | TaskState.WAITING):
                task.cancel()
        self._close_event_subprocesses(live, self._scope_key(live, scope))

    def _scope_key(self, live: LiveInstance, workflow) -> int:
        """The key of the flow scope whose elements run in `workflow` (a process or subprocess)."""
        if workflow.parent_task_id is None:
            return live.key
        owner = live.workflow.get_task_from_id(workflow.parent_task_id)
        if isinstance(owner.task_spec, CallActivityMixin):
            return scopes.child_key(owner)
        return scopes.element_key(owner)

    def _close_event_subprocesses(self, live: LiveInstance, scope_key: int) -> None:
        for task_id in [t for t in live.subscriptions if t.startswith("evsub:")]:
            keys = live.subscriptions[task_id]
            if any(self._subscriptions.get(k, {}).get("element_instance_key") == scope_key for k in keys):
                for sub_key in live.subscriptions.pop(task_id):
                    self._drop_subscription(sub_key)

    def _owning_definition(self, live: LiveInstance, workflow) -> tuple[defs.Definition | None, str | None]:
        """The deployed process whose diagram `workflow` runs, and the id of the embedded
        subprocess it is (None when it is the process itself)."""
        scope_id = None
        while workflow.parent_task_id is not None:
            owner = live.workflow.get_task_from_id(workflow.parent_task_id)
            if isinstance(owner.task_spec, CallActivityMixin):
                return self._definitions.get(live.called.get(workflow.spec.name, -1)), scope_id
            if scope_id is None and workflow.parent_task_id is not None:
                scope_id = owner.task_spec.bpmn_id
            workflow = owner.workflow
        return live.definition, scope_id

    def _end_idle_scopes(self, live: LiveInstance) -> bool:
        """A process or subprocess whose tokens are all gone ends, as in Zeebe: event subprocesses
        that were never triggered do not hold it open (Spiff waits for its timer ones), and one
        that an interrupting event subprocess emptied completes (Spiff waits for an end task the
        interruption removed). True when something changed."""
        if not (live.definition.event_subprocesses or self._has_nested_event_subprocesses(live)):
            return False
        changed = False
        for workflow in [live.workflow, *live.workflow.subprocesses.values()]:
            if workflow.completed:
                continue
            definition, scope_id = self._owning_definition(live, workflow)
            starts = [s for s in (definition.event_subprocesses if definition else ()) if s.scope_id == scope_id]
            if not starts:
                continue
            waiting_timers = []
            busy = False
            for task in workflow.tasks.values():
                if not task.state & ACTIVE_STATES or not is_element(task):
                    continue  # Spiff's own joins wait for every branch, event subprocesses too
                start = next((s for s in starts if s.subprocess_id == getattr(task.task_spec, "bpmn_id", None)), None)
                inner = live.workflow.subprocesses.get(task.id) if start is not None else None
                if inner is not None and any(t.state == TaskState.WAITING and t.task_spec.bpmn_id == start.element_id
                                             for t in inner.tasks.values() if is_element(t)):
                    waiting_timers.append(task)  # an event subprocess whose timer has not fired
                else:
                    busy = True
                    break
            if busy:
                continue
            for task in waiting_timers:
                task.cancel()
                changed = True
            if waiting_timers:  # Spiff's end join was waiting for them too
                for task in list(workflow.tasks.values()):
                    if task.state == TaskState.WAITING and not is_element(task):
                        task.task_spec._update(task)
            if workflow.parent_task_id is not None and workflow.tasks:
                owner = live.workflow.get_task_from_id(workflow.parent_task_id)
                if owner.state == TaskState.STARTED:
                    workflow.completed = True
                    workflow.completed_event(workflow)
                    if owner.state == TaskState.STARTED:
                        owner.task_spec._update(owner)
                    changed = True
        if changed:
            self._full_scan = True
        return changed

    def _has_nested_event_subprocesses(self, live: LiveInstance) -> bool:
        """Event subprocesses below the process root: in embedded subprocesses or called processes."""
        if live.definition.nested_event_subprocesses:
            return True
        return any(d.event_subprocesses for d in (self._definitions.get(k) for k in live.called.values()) if d)

    def _enter_subprocess(self, live: LiveInstance, task) -> None:
        """An embedded subprocess was entered: its message event subprocesses start listening."""
        definition, _ = self._owning_definition(live, task.workflow)
        starts = [s for s in (definition.event_subprocesses if definition else ())
                  if s.kind == "message" and s.scope_id == task.task_spec.bpmn_id]
        if not starts:
            return
        zk = task.internal_data["zk"]
        scope = live.scope_of(task, self._definitions)
        variables = visible_variables(task)
        for start in starts:
            self._open_event_subprocess_subscription(live, start, variables, zk, scope.process_instance_key,
                                                     scope.bpmn_process_id, f"evsub:{zk}:{start.element_id}")

    def _event_subprocesses_of(self, live: LiveInstance, workflow, kind: str) -> list[defs.EventSubprocessStart]:
        definition, scope_id = self._owning_definition(live, workflow)
        if definition is None:
            return []
        return [s for s in definition.event_subprocesses if s.kind == kind and s.scope_id == scope_id]

    def _trigger_event_subprocess(self, live: LiveInstance, workflow, start: defs.EventSubprocessStart):
        """Start event subprocess `start` in the scope running in `workflow`; its start task."""
        child_id = workflow.spec.start.trigger_wf(workflow.task_tree, start.subprocess_id)
        sub = live.workflow.subprocesses.get(child_id)
        if sub is None:
            return None
        return next((t for t in sub.tasks.values() if getattr(t.task_spec, "bpmn_id", None) == start.element_id
                     and t.state == TaskState.WAITING), None)

    def _process_value(self, live: LiveInstance) -> dict[str, Any]:
        return {"bpmnProcessId": live.definition.bpmn_process_id, "version": live.definition.version,
                "processDefinitionKey": live.definition.key, "processInstanceKey": live.key,
                "elementId": live.definition.bpmn_process_id, "bpmnElementType": "PROCESS",
                "flowScopeKey": -1, "parentProcessInstanceKey": -1}

    def _cancel(self, key: int) -> None:
        live = self._live.get(key)
        if live is None:
            raise Rejection("CANCEL", "NOT_FOUND",
                            f"Expected to cancel a process instance with key '{key}', but no such process was found")
        self._current = live
        # Zeebe: the process is TERMINATING, then its elements terminate, then it is TERMINATED.
        self._record("PROCESS_INSTANCE", "ELEMENT_TERMINATING", live.key, self._process_value(live), live.key)
        live.workflow.cancel()
        self._full_scan = True
        self._observe(live)
        self._finish(live, "TERMINATED")

    def _finish(self, live: LiveInstance, state: str) -> None:
        live.state = state
        live.ended_at = self._now()
        row = self._instances[live.key]
        row.update(state=state, ended_at=live.ended_at, variables=live.root_variables())
        value = self._process_value(live)
        if state == "COMPLETED":
            self._record("PROCESS_INSTANCE", "ELEMENT_COMPLETING", live.key, value, live.key)
        intent = "ELEMENT_COMPLETED" if state == "COMPLETED" else "ELEMENT_TERMINATED"
        self._record("PROCESS_INSTANCE", intent, live.key, value, live.key)
        # The instance's own tasks say which jobs and user tasks are theirs: no scan of all jobs.
        owned = [task.internal_data for task in live.all_tasks()
                 if "zeebe_job" in task.internal_data or "zeebe_user_task" in task.internal_data]
        for internal in owned:
            if internal.get("zeebe_job") in self._jobs:
                self._drop_job(internal["zeebe_job"], "CANCELED")
            self._user_tasks.pop(internal.get("zk"), None)
        for sub_keys in list(live.subscriptions.values()):
            for sub_key in sub_keys:
                self._drop_subscription(sub_key)
        live.subscriptions.clear()
        for timer_key in list(live.timers.values()):
            self._drop_timer(timer_key)
        if live.incident_tasks:
            for incident_key in [k for k, i in self._incidents.items() if i["root_key"] == live.key]:
                self._drop_incident(incident_key, "RESOLVED")
        del self._live[live.key]
        self._finished_snapshots[live.key] = live
        self._dirty.add(live.key)
        variables = row["variables"]
        for waiter in self._waiters.pop(live.key, []):
            selected = {k: v for k, v in variables.items() if not waiter.fetch or k in waiter.fetch}
            self._after_commit.append(lambda w=waiter, s=selected: release(w, s))

    def _add_waiter(self, key: int, waiter: ResultWaiter) -> None:
        row = self._instances.get(key)
        if row is None:
            raise Rejection("CREATE", "NOT_FOUND", f"Expected to find process instance with key '{key}', but none found")
        if row["state"] == "COMPLETED":
            selected = {k: v for k, v in (row.get("variables") or {}).items() if not waiter.fetch or k in waiter.fetch}
            release(waiter, selected)
        else:
            self._waiters[key].append(waiter)

    def _drop_waiter(self, key: int, waiter: ResultWaiter) -> None:
        if waiter in self._waiters.get(key, []):
            self._waiters[key].remove(waiter)

    def _child_variables(self, owner: LiveInstance, child_key: int) -> dict[str, Any]:
        for task in owner.all_tasks():
            if task.internal_data.get("zeebe_child") == child_key:
                return dict(scopes.local_variables(owner.workflow, child_key))
        return {}

    def _owner_of_child(self, child_key: int) -> LiveInstance | None:
        for live in self._live.values():
            for task in live.all_tasks():
                if task.internal_data.get("zeebe_child") == child_key:
                    return live
        return None

    # ==== running workflows: steps, incidents, observation =====================================
    def _settle(self, live: LiveInstance) -> None:
        """Run the workflow until it waits, then record and index what changed."""
        self._current = live
        for _ in range(1000):
            self._run_steps(live)
            if not self._observe(live) and not self._end_idle_scopes(live):
                break
        self._dirty.add(live.key)
        if live.state == "ACTIVE" and (live.workflow.completed or (
                # An interrupting error event subprocess cancels the main flow before its end
                # task exists, so Spiff never sets `completed`: look at the tasks instead.
                live.definition.event_subprocesses and live.workflow.is_completed())):
            self._finish(live, "COMPLETED")

    def _run_steps(self, live: LiveInstance) -> None:
        for _ in range(1000):
            try:
                do_engine_steps(live.workflow)
                return
            except Exception as failure:
                self._raise_incident_for(live, failure)

    def _raise_incident_for(self, live: LiveInstance, failure: Exception) -> None:
        self._full_scan = True
        task = getattr(failure, "task", None)
        if task is None:
            task = next(iter(live.workflow.get_tasks(state=TaskState.ERROR)), None)
        if task is None and self._journal:
            task = self._journal[-1][0]  # the task Spiff was updating when it failed
        error_type, message = incident_of(failure, task)
        retry = "run"
        if task is not None:
            if task.state != TaskState.ERROR or isinstance(task.task_spec, SubWorkflowTaskMixin):
                retry = "update"
            task._set_state(TaskState.ERROR)
        if task is None:
            log.exception("workflow failed without a task", exc_info=failure)
            raise failure
        self._ensure_element(live, task)
        self._open_incident(live, task, error_type, message, retry=retry)

    def _ensure_element(self, live: LiveInstance, task, record: bool = True) -> int:
        key = task.internal_data.get("zk")
        if key is None:
            key = self._keys.next()
            task.internal_data["zk"] = key
        if record and task.internal_data.get("zp") is None and is_element(task):
            task.internal_data["zp"] = "A"
            self._element_record(live, task, "ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED")
        return key

    def _completing(self, live: LiveInstance, task) -> dict[str, Any]:
        """ELEMENT_COMPLETING once per completion, written as it begins (before the variables a
        job or output mappings bring), even if it fails into an incident and is retried."""
        internal = task.internal_data
        if internal.get("zc"):
            return self._completing_values.get(internal["zk"]) or self._element_record(live, task)
        internal["zc"] = True
        value = self._completing_values[internal["zk"]] = self._element_record(live, task, "ELEMENT_COMPLETING")
        return value

    def _completed(self, task) -> None:
        internal = task.internal_data
        if internal.pop("zc", None):
            self._completing_values.pop(internal["zk"], None)

    def _element_record(self, live: LiveInstance, task, *intents: str,
                        value: dict[str, Any] | None = None) -> dict[str, Any]:
        """One record per intent, all with the same value object (the store encodes it once
        when they are adjacent); returns the value for the element's next records."""
        if value is None:
            scope = live.scope_of(task, self._definitions)
            value = {
                "bpmnProcessId": scope.bpmn_process_id, "version": scope.version,
                "processDefinitionKey": scope.definition_key, "processInstanceKey": scope.process_instance_key,
                "elementId": task.task_spec.bpmn_id, "bpmnElementType": element_type(task.task_spec),
                "flowScopeKey": scope.flow_scope_key,
                "parentProcessInstanceKey": scope.parent_process_instance_key,
            }
        key = task.internal_data["zk"]
        for intent in intents:
            self._record("PROCESS_INSTANCE", intent, key, value, value["processInstanceKey"])
        return value

    def journal(self, task, kind: str) -> None:
        """Called by task specs as Spiff moves tasks: update / completed / cancelled."""
        self._journal.append((task, kind))

    def _observe(self, live: LiveInstance) -> bool:
        """Record element lifecycle, sync subscriptions and timers; True if more work appeared."""
        journal, self._journal = self._journal, []
        for task, kind in journal:
            if task.workflow.top_workflow is live.workflow:
                self._track(live, task, kind)
        # Spiff tells of every activation and completion, but not of every cancellation (a
        # subprocess's own cancel does not signal it): then a full pass settles what was missed.
        if self._full_scan or live.workflow.subprocesses or any(kind == "cancelled" for _, kind in journal):
            self._full_scan = False
            for task in list(live.all_tasks()):
                if is_element(task):
                    self._track(live, task, "sync")
        for args_list in self._deferred.values():
            for args in args_list:
                self._record(*args)
        self._deferred.clear()
        return self._sync_catches(live)

    def _track(self, live: LiveInstance, task, kind: str) -> None:
        internal = task.internal_data
        phase = internal.get("zp")
        state = task.state
        if phase is None:
            entered = kind == "update" and not state & (TaskState.PREDICTED_MASK | TaskState.FUTURE)
            entered |= bool(state & (ACTIVE_STATES | TaskState.COMPLETED))
            if isinstance(task.task_spec, Join) and state == TaskState.WAITING:
                entered = False  # a joining gateway is entered once all its tokens arrived
            if not entered or self._untriggered(live, task):
                return
            if isinstance(task.task_spec, BoundaryEventMixin) and task.task_spec.cancel_activity:
                # Zeebe terminates the attached activity before the boundary event is activated.
                activity = attached_activity(task)
                if activity is not None and activity.state == TaskState.CANCELLED:
                    self._track(live, activity, "sync")
            if (task.task_spec.extensions or {}).get("event_subprocess_start"):
                # Its event subprocess is entered first (Spiff started it with its scope).
                self._track(live, live.workflow.get_task_from_id(task.workflow.parent_task_id), "sync")
            self._ensure_element(live, task)
            for args in self._deferred.pop(str(task.id), []):
                self._record(*args)
            phase = "A"
            if isinstance(task.task_spec, SubWorkflowTaskMixin) and self._has_nested_event_subprocesses(live):
                self._enter_subprocess(live, task)
        if phase != "A":
            return
        if isinstance(task.task_spec, CallActivityMixin) and not internal.get("zeebe_child_seen"):
            sub = live.workflow.subprocesses.get(task.id)
            if sub is not None:
                internal.setdefault("zeebe_child", self._keys.next())
                internal["zeebe_child_seen"] = True
                self._child_record(live, task, sub, "ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED")
        if state == TaskState.COMPLETED and kind in ("completed", "sync"):
            if isinstance(task.task_spec, StartEventMixin) and self._interrupts(live, task):
                self._interrupt_scope(live, task)
            if internal.get("zeebe_child_seen"):
                self._child_record(live, task, None, "ELEMENT_COMPLETING", "ELEMENT_COMPLETED")
            internal["zp"] = "C"
            # Zeebe: COMPLETING, then the element's timers and subscriptions close, then COMPLETED.
            value = self._completing(live, task)
            self._completed(task)
            if live.subscriptions or live.timers:
                self._close_catches_of(live, task)
            if live.subscriptions and isinstance(task.task_spec, SubWorkflowTaskMixin):
                self._close_event_subprocesses(live, internal["zk"])
            self._element_record(live, task, "ELEMENT_COMPLETED", value=value)
            scopes.drop_scope(live.workflow, internal.get("zk"))  # its local variables end with it
        elif state == TaskState.CANCELLED and kind in ("cancelled", "sync"):
            internal["zp"] = "T"
            self._completed(task)  # a completion that failed into an incident ends here
            # Zeebe: TERMINATING, then what the element holds ends (called process, timers,
            # subscriptions, job, incidents), then TERMINATED.
            value = self._element_record(live, task, "ELEMENT_TERMINATING")
            if internal.get("zeebe_child_seen"):
                self._child_record(live, task, None, "ELEMENT_TERMINATING", "ELEMENT_TERMINATED")
            if live.subscriptions or live.timers:
                self._close_catches_of(live, task)
            if live.subscriptions and isinstance(task.task_spec, SubWorkflowTaskMixin):
                self._close_event_subprocesses(live, internal["zk"])
            job_key = internal.get("zeebe_job")
            if job_key in self._jobs:
                self._drop_job(job_key, "CANCELED")
            self._user_tasks.pop(internal.get("zk"), None)
            if str(task.id) in live.incident_tasks:
                for incident_key in [k for k, i in self._incidents.items() if i.get("task_id") == str(task.id)]:
                    self._drop_incident(incident_key, "RESOLVED")
            self._element_record(live, task, "ELEMENT_TERMINATED", value=value)
            scopes.drop_scope(live.workflow, internal.get("zk"))

    def _close_catches_of(self, live: LiveInstance, task) -> None:
        """An element that ends closes the subscriptions and timers it held, before its end is
        recorded, as in Zeebe: an event-based gateway's, and an activity's boundary events'."""
        waiting = [task] if isinstance(task.task_spec, EventBasedGatewayMixin) else []
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
            waiting += [t for t in parent.children if isinstance(t.task_spec, BoundaryEventMixin)]
        for catcher in waiting:
            task_id = str(catcher.id)
            for sub_key in live.subscriptions.pop(task_id, ()):
                self._drop_subscription(sub_key)
            timer_key = live.timers.pop(task_id, None)
            if timer_key is not None:
                self._drop_timer(timer_key)

    @staticmethod
    def _untriggered(live: LiveInstance, task) -> bool:
        """An event subprocess (or its start event) that Spiff runs with its scope but whose
        event has not happened: in Zeebe it is no element instance yet."""
        spec = task.task_spec
        if isinstance(spec, BoundaryEventMixin):
            return task.state == TaskState.WAITING  # an element instance once its event happened
        extensions = getattr(spec, "extensions", None)
        if not extensions:
            return False
        if extensions.get("event_subprocess_start"):
            return task.state == TaskState.WAITING
        if extensions.get("event_subprocess"):
            sub = live.workflow.subprocesses.get(task.id)
            return sub is None or any(
                t.state == TaskState.WAITING and (t.task_spec.extensions or {}).get("event_subprocess_start")
                for t in sub.tasks.values() if is_element(t))
        return False

    def _interrupts(self, live: LiveInstance, start_task) -> bool:
        parent_id = getattr(start_task.workflow, "parent_task_id", None)
        if parent_id is None:
            return False
        # Spiff reads triggeredByEvent with a namespace and misses it: event subprocesses are known
        # from the definition instead.
        definition, _ = self._owning_definition(live, start_task.workflow)
        return definition is not None and any(s.element_id == start_task.task_spec.bpmn_id and s.interrupting
                                              for s in definition.event_subprocesses)

    def _child_record(self, live: LiveInstance, task, sub, *intents: str) -> None:
        child_key = task.internal_data["zeebe_child"]
        scope = live.scope_of(task, self._definitions)
        process_id = task.task_spec.spec
        definition = self._definitions.get(live.called.get(process_id, -1))
        value = {
            "bpmnProcessId": process_id, "version": definition.version if definition else 0,
            "processDefinitionKey": definition.key if definition else 0, "processInstanceKey": child_key,
            "elementId": process_id, "bpmnElementType": "PROCESS", "flowScopeKey": -1,
            "parentProcessInstanceKey": scope.process_instance_key,
            "parentElementInstanceKey": task.internal_data["zk"]}
        for intent in intents:
            self._record("PROCESS_INSTANCE", intent, child_key, value, child_key)
        intent = intents[-1]
        if intent == "ELEMENT_ACTIVATED":
            self._instances[child_key] = {
                "key": child_key, "definition_key": definition.key if definition else 0,
                "bpmn_process_id": process_id, "version": definition.version if definition else 0,
                "state": "ACTIVE", "started_at": self._now(), "ended_at": None,
                "parent_key": scope.process_instance_key}
            variables = scopes.local_variables(live.workflow, child_key)
            for start in (definition.event_subprocesses if definition else ()):
                if start.kind == "message" and start.scope_id is None:  # the called process's own
                    self._open_event_subprocess_subscription(live, start, variables, child_key, child_key,
                                                             process_id, f"evsub:{child_key}:{start.element_id}")
        elif child_key in self._instances:
            if live.subscriptions:
                self._close_event_subprocesses(live, child_key)
            self._instances[child_key].update(
                state="COMPLETED" if intent == "ELEMENT_COMPLETED" else "TERMINATED", ended_at=self._now(),
                variables=dict(scopes.local_variables(live.workflow, child_key)))
            scopes.drop_scope(live.workflow, child_key)
        self._dirty.add(child_key)

    # ---- variables: hooks called by engine.dialect.scopes ----------------------------------------
    def new_key(self) -> int:
        return self._keys.next()

    def variable_written(self, scope_key: int, process_instance_key: int, bpmn_process_id: str, name: str,
                         value: Any, created: bool) -> None:
        self._record("VARIABLE", "CREATED" if created else "UPDATED", self._keys.next(), {
            "name": name, "value": value, "processInstanceKey": process_instance_key, "scopeKey": scope_key,
            "bpmnProcessId": bpmn_process_id}, process_instance_key)

    def _attach(self, live: LiveInstance) -> None:
        """Wire a live workflow to the engine (at start and after loading its snapshot)."""
        data = live.workflow.data
        data.setdefault(scopes.ROOT_KEY, live.key)
        legacy = data.pop("variables", None)  # snapshots from before per-scope variables
        if legacy is not None:
            store = scopes.scopes_of(live.workflow)
            store.setdefault(str(live.key), legacy)
            for task in live.all_tasks():  # their locals were kept in the task's data then
                internal = task.internal_data
                names = [*internal.pop("zeebe_locals", {}), *internal.pop("zeebe_mi_locals", [])]
                if names and "zk" in internal and task.state & ACTIVE_STATES:
                    store[str(internal["zk"])] = {n: task.data[n] for n in names if n in task.data}
        live.workflow.task_removed_event.connect(self._task_removed, live)

    def _task_removed(self, workflow, task, live: LiveInstance) -> None:
        """Spiff drops the unfinished children of a cancelled task without cancelling them (the
        inner instances of an interrupted multi-instance body): terminate them as Zeebe does,
        what runs inside them first, with their jobs, subscriptions and variables."""
        if task.has_state(TaskState.FINISHED_MASK):
            return
        top = live.workflow
        sub = top.subprocesses.get(task.id)
        if task.internal_data.get("zp") != "A" and sub is None:
            return
        if sub is not None:
            task.workflow.tasks[task.id] = task  # back for a moment: the tasks inside look it up
            try:
                for inner in top.cancel(sub):
                    if is_element(inner):
                        self._track(live, inner, "sync")
                top.delete_subprocess(task)
            finally:
                task.workflow.tasks.pop(task.id, None)
        task._set_state(TaskState.CANCELLED)
        if is_element(task):
            self._track(live, task, "sync")
        self._full_scan = True

    # ---- waiting catch events: message subscriptions and timers ---------------------------------
    def _sync_catches(self, live: LiveInstance) -> bool:
        waiting = {str(t.id): t for t in live.workflow.event_manager.tasks.values()
                   if t.state == TaskState.WAITING}
        more = False
        for task_id in [t for t in live.subscriptions if t not in waiting and not t.startswith("evsub:")]:
            for sub_key in live.subscriptions.pop(task_id):
                self._drop_subscription(sub_key)
        for task_id in [t for t in live.timers if t not in waiting]:
            self._drop_timer(live.timers.pop(task_id))
        for task_id, task in waiting.items():
            definition = task.task_spec.event_definition
            parts = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
            if task_id not in live.subscriptions:
                messages = [d for d in parts if isinstance(d, MessageEventDefinition)]
                if messages:
                    owner_key = self._catch_owner_key(live, task)
                    live.subscriptions[task_id] = [self._open_subscription(live, task, d, owner_key)
                                                   for d in messages]
                    more |= self._correlate_buffered(live, task_id)
            timer = next((d for d in parts if isinstance(d, TimerEventDefinition)), None)
            if timer is not None:
                due = due_of(task)
                if due is None:
                    continue
                due_ms = epoch_ms(due)
                timer_key = live.timers.get(task_id)
                if timer_key is not None and self._timers[timer_key]["due"] == due_ms:
                    continue
                if timer_key is not None:
                    self._drop_timer(timer_key)
                live.timers[task_id] = self._open_timer(live, task, due_ms, timer)
        return more

    def _catch_owner_key(self, live: LiveInstance, task) -> int:
        """The element instance a waiting catch's subscription or timer belongs to: a boundary
        event's attached activity (in Zeebe the boundary event is no element instance until it
        triggers), else the catching element itself (activated now if it was not yet)."""
        if isinstance(task.task_spec, BoundaryEventMixin):
            activity = attached_activity(task)
            if activity is not None:
                return self._ensure_element(live, activity)
        return self._ensure_element(live, task, record=not self._untriggered(live, task))

    @staticmethod
    def _catch_element_id(task, definition) -> str:
        """The element whose event `definition` is: an event-based gateway waits on behalf of the
        catch events after it (Spiff moves their definitions to it, in the order of its outputs)."""
        spec = task.task_spec
        if definition is not None and isinstance(spec, EventBasedGatewayMixin):
            for index, part in enumerate(spec.event_definition.event_definitions):
                if part is definition and index < len(spec.outputs):
                    return spec.outputs[index].bpmn_id
        return spec.bpmn_id

    def _boundary_occurrence(self, live: LiveInstance, task, variables: dict[str, Any] | None = None) -> None:
        """A non-interrupting boundary event fired yet waits on (a timer cycle; a message
        subscription, which Zeebe keeps open): each firing is an element instance of its own that
        activates, takes the event's variables and completes at once."""
        internal = task.internal_data
        internal["zk"] = key = self._keys.next()
        try:
            self._element_record(live, task, "ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED")
            if variables:
                received(task, variables)
                if has_outputs(task):
                    apply_outputs(task.workflow, task)
            self._element_record(live, task, "ELEMENT_COMPLETING", "ELEMENT_COMPLETED")
        finally:
            internal.pop("zk", None)
            scopes.drop_scope(live.workflow, key)

    def _open_subscription(self, live: LiveInstance, task, definition: MessageEventDefinition,
                           owner_key: int) -> int:
        expression = getattr(definition, "correlation_key", None)
        try:
            correlation = value_of(expression, visible_variables(task)) if expression else ""
        except ExpressionFailure as failure:
            self._open_incident(live, task, "EXTRACT_VALUE_ERROR", failure.message, retry="update")
            correlation = None
        key = self._keys.next()
        scope = live.scope_of(task, self._definitions)
        row = {"key": key, "message_name": definition.name,
               "correlation_key": "" if correlation is None else text_of(correlation),
               "root_key": live.key, "process_instance_key": scope.process_instance_key,
               "bpmn_process_id": scope.bpmn_process_id, "element_id": self._catch_element_id(task, definition),
               "element_instance_key": owner_key, "task_id": str(task.id)}
        self._subscriptions[key] = row
        self._subscriptions_by_message[(row["message_name"], row["correlation_key"])][key] = None
        self._changes.put("subscriptions", key, row)
        self._subscription_record(("CREATING", "CREATED"), key, row, live.key)
        return key

    def _drop_subscription(self, key: int) -> None:
        row = self._subscriptions.pop(key, None)
        if row is not None:
            self._subscriptions_by_message[(row["message_name"], row["correlation_key"])].pop(key, None)
            self._changes.drop("subscriptions", key)
            self._subscription_record(("DELETING", "DELETED"), key, row, row["root_key"])

    def _subscription_record(self, intents: tuple[str, ...], key: int, row: dict[str, Any], root_key: int) -> None:
        """Zeebe writes a subscription's CREATING/DELETING before CREATED/DELETED: one value for both."""
        value = camel_case_keys(row)
        for intent in intents:
            self._record("PROCESS_MESSAGE_SUBSCRIPTION", intent, key, value, root_key)

    def _open_timer(self, live: LiveInstance, task, due_ms: int, definition=None) -> int:
        key = self._keys.next()
        row = {"key": key, "root_key": live.key, "task_id": str(task.id),
               "element_id": self._catch_element_id(task, definition),
               "element_instance_key": self._catch_owner_key(live, task),
               "due": due_ms,
               "process_instance_key": live.scope_of(task, self._definitions).process_instance_key}
        self._timers[key] = row
        self._changes.put("timers", key, row)
        self._record("TIMER", "CREATED", key, camel_case_keys(row), live.key)
        self._wake_at(due_ms, "timer", key)
        return key

    def _drop_timer(self, key: int, intent: str = "CANCELED") -> None:
        row = self._timers.pop(key, None)
        if row is not None:
            self._changes.drop("timers", key)
            self._record("TIMER", intent, key, camel_case_keys(row), row.get("root_key"))

    def _schedule_start_timers(self, definition: defs.Definition, previous: defs.Definition | None) -> None:
        if previous is not None:
            for key, timer in list(self._timers.items()):
                if timer.get("definition_key") == previous.key:
                    self._drop_timer(key)
        for start in definition.start_events:
            if start.kind != "timer":
                continue
            due, repetitions, interval = first_due(start, self.clock.now())
            if due is None:
                continue
            key = self._keys.next()
            row = {"key": key, "definition_key": definition.key, "element_id": start.element_id,
                   "due": due, "repetitions": repetitions, "interval_ms": interval, "root_key": None,
                   "task_id": None}
            self._timers[key] = row
            self._changes.put("timers", key, row)
            self._record("TIMER", "CREATED", key, camel_case_keys(row))
            self._wake_at(due, "timer", key)

    # ---- hooks called by task specs (see engine.dialect.specs) --------------------------------
    def open_job(self, task) -> None:
        live = self._current
        extensions = task.task_spec.extensions or {}
        user_task = isinstance(task.task_spec, specs.ZeebeUserTask) and "job_type" not in extensions
        variables = visible_variables(task)
        job_type = specs.USER_TASK_JOB_TYPE if user_task else value_of(extensions["job_type"], variables)
        retries = 1 if user_task else int(value_of(extensions.get("job_retries", "3"), variables) or 3)
        headers = {k: str(v) for k, v in (extensions.get("headers") or {}).items()}
        headers.update(self._user_task_headers(task, extensions, variables))
        key = self._keys.next()
        element_key = self._ensure_element(live, task, record=False)
        scope = live.scope_of(task, self._definitions)
        job = {"key": key, "type": str(job_type), "state": "ACTIVATABLE", "retries": retries, "worker": "",
               "deadline": 0, "backoff_until": 0, "custom_headers": headers, "error_message": "",
               "element_id": task.task_spec.bpmn_id, "element_instance_key": element_key,
               "process_instance_key": scope.process_instance_key, "bpmn_process_id": scope.bpmn_process_id,
               "process_definition_version": scope.version, "process_definition_key": scope.definition_key,
               "root_key": live.key, "task_id": str(task.id)}
        task.internal_data["zeebe_job"] = key
        self._jobs[key] = job
        self._changes.put("jobs", key, job)
        # Recorded after the element's activation, which `_observe` records once the step is done.
        self._deferred.setdefault(str(task.id), []).append(("JOB", "CREATED", key, job_value(job), live.key))
        self._make_activatable(key)

    def open_user_task(self, task) -> None:
        live = self._current
        extensions = task.task_spec.extensions or {}
        key = self._ensure_element(live, task, record=False)
        scope = live.scope_of(task, self._definitions)
        headers = self._user_task_headers(task, extensions, visible_variables(task))
        row = {"key": key, "element_id": task.task_spec.bpmn_id, "element_instance_key": key,
               "process_instance_key": scope.process_instance_key, "bpmn_process_id": scope.bpmn_process_id,
               "root_key": live.key, "task_id": str(task.id),
               "form_key": headers.get("io.camunda.zeebe:formKey"),
               "assignee": headers.get("io.camunda.zeebe:assignee"),
               "candidate_groups": headers.get("io.camunda.zeebe:candidateGroups"),
               "candidate_users": headers.get("io.camunda.zeebe:candidateUsers"),
               "due_date": headers.get("io.camunda.zeebe:dueDate"),
               "follow_up_date": headers.get("io.camunda.zeebe:followUpDate")}
        task.internal_data["zeebe_user_task"] = row
        self._user_tasks[key] = row
        self._deferred.setdefault(str(task.id), []).append(("USER_TASK", "CREATED", key, camel_case_keys(row), live.key))

    def _user_task_headers(self, task, extensions: dict[str, Any], variables: dict[str, Any]) -> dict[str, str]:
        if not isinstance(task.task_spec, specs.ZeebeUserTask):
            return {}
        headers: dict[str, str] = {}
        form = extensions.get("form") or {}
        if form.get("formKey"):
            headers["io.camunda.zeebe:formKey"] = str(value_of(form["formKey"], variables))
        elif form.get("formId"):
            form_id = value_of(form["formId"], variables)
            linked = max((f for f in self._forms.values() if f.form_id == form_id and not f.deleted),
                         key=lambda f: f.version, default=None)
            if linked is None:
                raise ExpressionFailure(
                    f"Expected to find a form with id '{form_id}', but no form with this id is found, "
                    "at least a form with this id should be available.", "FORM_NOT_FOUND", task)
            headers["io.camunda.zeebe:formKey"] = str(linked.key)
        assignment = extensions.get("assignment") or {}
        if assignment.get("assignee"):
            headers["io.camunda.zeebe:assignee"] = text_of(value_of(assignment["assignee"], variables))
        for name in ("candidateGroups", "candidateUsers"):
            if assignment.get(name):
                value = value_of(assignment[name], variables)
                if isinstance(value, str):
                    value = [part.strip() for part in value.split(",") if part.strip()]
                headers[f"io.camunda.zeebe:{name}"] = json_text(value)
        schedule = extensions.get("schedule") or {}
        for name in ("dueDate", "followUpDate"):
            if schedule.get(name):
                headers[f"io.camunda.zeebe:{name}"] = text_of(value_of(schedule[name], variables))
        return headers
