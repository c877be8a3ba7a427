"""Variables, messages and signals: set variables, publish and correlate, buffer, broadcast."""
from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.event_definitions import (
    MessageEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins import BoundaryEventMixin
from SpiffWorkflow.util.task import TaskState

from engine.dialect import scopes
from engine.dialect.mappings import received

from . import definitions as defs
from .instance import ACTIVE_STATES, LiveInstance
from .record_values import camel_case_keys
from .values import Rejection


class MessageCommands:
    """Engine commands that bring data and events into instances (mixed into `Engine`)."""

    # ==== variables ===========================================================================
    def _variable_scope(self, scope_key: int) -> tuple[LiveInstance, list[int], str] | None:
        """The live instance holding active scope `scope_key`, the scope chain from it out to its
        process instance, and that process's id; None when no active element instance has it."""
        live = self._live.get(scope_key)
        if live is not None:
            return live, [scope_key], live.definition.bpmn_process_id
        for candidate in self._live.values():
            for task in candidate.all_tasks():
                internal = task.internal_data
                if not task.state & ACTIVE_STATES:
                    continue
                if internal.get("zeebe_child") == scope_key and candidate.workflow.subprocesses.get(task.id):
                    return candidate, [scope_key], task.task_spec.spec
                if internal.get("zk") == scope_key and internal.get("zp") == "A":
                    keys, process_id = scopes.chain(task)
                    return candidate, keys, process_id
        return None

    def _scope_variables(self, process_instance_key: int, scope_key: int | None) -> dict[str, Any]:
        if scope_key is not None:
            found = self._variable_scope(scope_key)
            if found is None:
                raise Rejection("QUERY", "NOT_FOUND",
                                f"Expected to find variables of element instance with key '{scope_key}', but "
                                "no such active element instance was found")
            return dict(scopes.local_variables(found[0].workflow, scope_key))
        live = self._live.get(process_instance_key)
        if live is not None:
            return live.root_variables()
        row = self._instances.get(process_instance_key)
        if row is not None and row["state"] != "ACTIVE":
            return dict(row.get("variables") or {})
        owner = self._owner_of_child(process_instance_key)
        if owner is not None:
            return self._child_variables(owner, process_instance_key)
        row = self._instances.get(process_instance_key)
        return dict(row.get("variables") or {}) if row else {}

    def _set_variables(self, element_instance_key: int, variables: dict[str, Any], local: bool) -> int:
        found = self._variable_scope(element_instance_key)
        if found is None:
            raise Rejection("UPDATE", "NOT_FOUND",
                            f"Expected to update variables for element with key '{element_instance_key}', but no "
                            "such element was found")
        live, keys, process_id = found
        self._current = live
        key = self._keys.next()
        self._record("VARIABLE_DOCUMENT", "UPDATED", key, {"scopeKey": element_instance_key, "variables": variables,
                                                           "updateSemantics": "LOCAL" if local else "PROPAGATE"},
                     live.key)
        values = deepcopy(variables)
        if local:
            for name, value in values.items():
                scopes.set_variable(live.workflow, keys, process_id, keys[0], name, value)
        else:
            scopes.propagate_keys(live.workflow, keys, process_id, values)
        self._dirty.add(live.key)
        self._settle(live)
        return key

    # ==== messages and signals ================================================================
    def _publish(self, name: str, correlation_key: str, ttl_ms: int, message_id: str,
                 variables: dict[str, Any]) -> int:
        now = self._now()
        if message_id:
            for buffered in self._messages_by_name.get((name, correlation_key), ()):
                message = self._messages[buffered]
                if message["message_id"] == message_id and message["expires"] > now:
                    raise Rejection("PUBLISH", "ALREADY_EXISTS",
                                    f"Expected to publish a new message with id '{message_id}', but a message with "
                                    "that id was already published")
        key = self._keys.next()
        message = {"key": key, "name": name, "correlation_key": correlation_key, "message_id": message_id,
                   "variables": deepcopy(variables), "expires": now + max(ttl_ms, 0), "correlated": []}
        self._record("MESSAGE", "PUBLISHED", key, {"name": name, "correlationKey": correlation_key,
                                                    "messageId": message_id, "timeToLive": ttl_ms,
                                                    "variables": variables})
        for sub_key in list(self._subscriptions_by_message.get((name, correlation_key), ())):
            sub = self._subscriptions.get(sub_key)
            if sub is None:
                continue
            if sub["bpmn_process_id"] in message["correlated"]:
                continue
            message["correlated"].append(sub["bpmn_process_id"])
            self._deliver(sub, message)
        for definition in self._latest_definitions():
            for start in definition.start_events:
                if start.kind == "message" and start.name == name \
                        and definition.bpmn_process_id not in message["correlated"] \
                        and not self._started_by_key_and_active(definition.bpmn_process_id, correlation_key):
                    message["correlated"].append(definition.bpmn_process_id)
                    event = BpmnEvent(MessageEventDefinition(name), payload=deepcopy(variables))
                    live = self._start_instance(definition, start.element_id, {}, event)
                    if correlation_key:
                        live.workflow.data["started_by_key"] = correlation_key  # kept in the snapshot
        if ttl_ms > 0:
            self._messages[key] = message
            self._messages_by_name[(name, correlation_key)][key] = None
            self._changes.put("messages", key, message)
            self._wake_at(message["expires"], "message-ttl", key)
        return key

    def _started_by_key_and_active(self, bpmn_process_id: str, correlation_key: str) -> bool:
        """Zeebe starts one instance per correlation key at a time from a message start event."""
        if not correlation_key:
            return False
        return any(live.definition.bpmn_process_id == bpmn_process_id
                   and live.workflow.data.get("started_by_key") == correlation_key
                   for live in self._live.values())

    def _latest_definitions(self) -> list[defs.Definition]:
        latest: dict[str, defs.Definition] = {}
        for definition in self._definitions.values():
            if definition.deleted:
                continue
            known = latest.get(definition.bpmn_process_id)
            if known is None or known.version < definition.version:
                latest[definition.bpmn_process_id] = definition
        return list(latest.values())

    def _deliver(self, sub: dict[str, Any], message: dict[str, Any]) -> None:
        live = self._live[sub["root_key"]]
        if sub["task_id"].startswith("evsub:"):
            self._record("MESSAGE", "CORRELATED", message["key"], {
                "name": message["name"], "correlationKey": message["correlation_key"],
                "processInstanceKey": sub["process_instance_key"], "elementId": sub["element_id"]}, live.key)
            self._current = live
            event = BpmnEvent(MessageEventDefinition(sub["message_name"]), payload={})
            if sub["element_instance_key"] == live.key:
                live.workflow.catch(event)
                live.workflow.bpmn_events = []
            else:
                self._start_nested_event_subprocess(live, sub, event)
            found = self._variable_scope(sub["element_instance_key"])
            if found is not None:  # the variables leave the event subprocess's start event
                scopes.propagate_keys(live.workflow, found[1], found[2], deepcopy(message["variables"]))
            self._settle(live)
            return
        task = live.task(sub["task_id"])
        if isinstance(task.task_spec, BoundaryEventMixin) and not task.task_spec.cancel_activity:
            self._trigger_non_interrupting(live, task, sub, message)
            return
        for sub_key in live.subscriptions.pop(sub["task_id"], []):
            row = self._subscriptions.pop(sub_key, None)
            if row is not None:
                self._subscriptions_by_message[(row["message_name"], row["correlation_key"])].pop(sub_key, None)
                self._changes.drop("subscriptions", sub_key)
                intents = ("CORRELATED",) if sub_key == sub["key"] else ("DELETING", "DELETED")
                self._subscription_record(intents, sub_key, row, live.key)
        self._record("MESSAGE", "CORRELATED", message["key"], {
            "name": message["name"], "correlationKey": message["correlation_key"],
            "processInstanceKey": sub["process_instance_key"], "elementId": sub["element_id"]}, live.key)
        self._current = live
        event = BpmnEvent(MessageEventDefinition(sub["message_name"]), payload={})
        received(task, deepcopy(message["variables"]))
        task.task_spec.catch(task, event)
        task.task_spec._update(task)
        self._settle(live)

    def _trigger_non_interrupting(self, live: LiveInstance, task, sub: dict[str, Any],
                                  message: dict[str, Any]) -> None:
        """A non-interrupting message boundary event: Zeebe keeps its subscription open while the
        activity runs, so each message starts one more branch (Spiff would fire it only once)."""
        self._record("PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATED", sub["key"], camel_case_keys(sub), live.key)
        self._record("MESSAGE", "CORRELATED", message["key"], {
            "name": message["name"], "correlationKey": message["correlation_key"],
            "processInstanceKey": sub["process_instance_key"], "elementId": sub["element_id"]}, live.key)
        self._current = live
        self._boundary_occurrence(live, task, deepcopy(message["variables"]))
        for output in task.task_spec.outputs:
            if isinstance(output, BoundaryEventJoin):
                continue  # Spiff's own: joins the activity with its boundary events
            # A branch of its scope, not a child of the boundary task: Spiff cancels that task
            # (and what hangs below it) when the activity ends, while Zeebe's branch runs on.
            branch = task.workflow.task_tree._add_child(output, TaskState.FUTURE)
            branch.triggered = True
            branch.task_spec._predict(branch, mask=TaskState.NOT_FINISHED_MASK)
            branch.task_spec._update(branch)
        self._settle(live)

    def _start_nested_event_subprocess(self, live: LiveInstance, sub: dict[str, Any], event: BpmnEvent) -> None:
        """A message for an event subprocess of an embedded subprocess or of a called process."""
        scope_key = sub["element_instance_key"]
        owner = next((t for t in live.all_tasks() if t.internal_data.get("zk") == scope_key
                      or t.internal_data.get("zeebe_child") == scope_key), None)
        workflow = live.workflow.subprocesses.get(owner.id) if owner is not None else None
        if workflow is None:
            return
        definition, scope_id = self._owning_definition(live, workflow)
        start = next((s for s in definition.event_subprocesses if s.element_id == sub["element_id"]
                      and s.scope_id == scope_id), None) if definition else None
        catcher = self._trigger_event_subprocess(live, workflow, start) if start else None
        if catcher is not None:
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)

    def _correlate_buffered(self, live: LiveInstance, task_id: str) -> bool:
        now = self._now()
        for sub_key in list(live.subscriptions.get(task_id, [])):
            sub = self._subscriptions.get(sub_key)
            if sub is None:
                continue
            for key in list(self._messages_by_name.get((sub["message_name"], sub["correlation_key"]), ())):
                message = self._messages[key]
                if message["expires"] <= now or message["name"] != sub["message_name"] \
                        or message["correlation_key"] != sub["correlation_key"] \
                        or sub["bpmn_process_id"] in message["correlated"]:
                    continue
                message["correlated"].append(sub["bpmn_process_id"])
                self._changes.put("messages", key, message)
                self._deliver(sub, message)
                return True
        return False

    def _broadcast(self, name: str, variables: dict[str, Any]) -> int:
        key = self._keys.next()
        self._record("SIGNAL", "BROADCASTED", key, {"signalName": name, "variables": variables})
        for live in list(self._live.values()):
            self._current = live
            waiting = [t for t in live.workflow.event_manager.tasks.values()
                       if isinstance(getattr(t.task_spec, "event_definition", None), SignalEventDefinition)
                       and t.task_spec.event_definition.name == name and t.state == TaskState.WAITING]
            if not waiting:
                continue
            event = BpmnEvent(SignalEventDefinition(name), payload={})
            live.workflow.event_manager.catch(event, internal=False)
            for task in waiting:
                if task.internal_data.get("event_fired"):
                    received(task, deepcopy(variables))
            self._settle(live)
        for definition in self._latest_definitions():
            for start in definition.start_events:
                if start.kind == "signal" and start.name == name:
                    event = BpmnEvent(SignalEventDefinition(name), payload=deepcopy(variables))
                    self._start_instance(definition, start.element_id, {}, event)
        return key
