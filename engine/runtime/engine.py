"""The embedded engine's facade: Zeebe commands applied in order by one writer thread.

Every public command is queued, applied to in-memory state by the writer, written in one
transaction (several queued commands may share it) and only then answered. Queries run on the
writer too, so they always see acknowledged state.
"""
from __future__ import annotations

import contextlib
import heapq
import json
import logging
import queue
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import (
    ErrorEventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import CallActivityMixin, StartEventMixin, SubWorkflowTaskMixin
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

from engine.dialect import specs
from engine.dialect.expressions import ExpressionFailure, ZeebeScriptEngine, value_of
from engine.dialect.mappings import STORE, received, variable_store
from engine.dialect.snapshot import Snapshots
from engine.dialect.timers import due_of, firing_timers, use_clock
from engine.store import Changes, Store

from . import definitions as defs
from .clock import Clock, WallClock, epoch_ms
from .instance import ACTIVE_STATES, LiveInstance, element_type, is_element
from .keys import KeyGenerator
from .values import (
    ActivatedJob,
    Deployment,
    FormMetadata,
    InstanceCreated,
    ProcessMetadata,
    Record,
    Rejection,
)

log = logging.getLogger(__name__)

GROUP_LIMIT = 128  # commands that may share one transaction


@dataclass
class _Command:
    run: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None
    future: Future | None = None
    intent: str | None = None


@dataclass
class _Waiter:
    fetch: list[str] | None
    done: threading.Event = field(default_factory=threading.Event)
    variables: dict[str, Any] | None = None


class Engine:
    """A durable, single-node, Zeebe-compatible process engine (see module docstring)."""

    def __init__(self, database_url: str = "sqlite://", *, clock: Clock | None = None,
                 max_queue: int = 1000) -> None:
        self.database_url = database_url
        self.clock: Clock = clock or WallClock()
        self.max_queue = max_queue
        self._queue: queue.Queue[_Command | None] = queue.Queue()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []
        self._snapshots = Snapshots()
        self._script_engine = ZeebeScriptEngine(self)
        self._writer: threading.Thread | None = None
        self._scheduler: threading.Thread | None = None
        self._wake = threading.Condition()
        self._running = False
        self._current: LiveInstance | None = None
        self._deferred_call = threading.local()
        if hasattr(self.clock, "on_change"):
            self.clock.on_change(self._poke_scheduler)

    # ==== lifecycle =============================================================================
    def start(self) -> None:
        self.store = Store(self.database_url)
        self._recover(self.store.load())
        self._running = True
        self._writer = threading.Thread(target=self._write_loop, name="engine-writer", daemon=True)
        self._scheduler = threading.Thread(target=self._schedule_loop, name="engine-timers", daemon=True)
        self._writer.start()
        self._scheduler.start()

    def close(self) -> None:
        if not self._running:
            return
        self._running = False
        self._queue.put(None)
        if self._writer:
            self._writer.join()
        self._poke_scheduler()
        if self._scheduler:
            self._scheduler.join()
        self.store.close()

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add_job_listener(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    # ==== commands ==============================================================================
    def deploy(self, resources: list[tuple[str, bytes]]) -> Deployment:
        return self._submit(lambda: self._deploy(resources), "DEPLOY")

    def create_process_instance(self, *, bpmn_process_id: str | None = None, version: int = -1,
                                process_definition_key: int | None = None,
                                variables: dict | None = None,
                                start_instructions: list[str] = ()) -> InstanceCreated:
        variables = _checked("CREATE", variables)
        return self._submit(lambda: self._create(bpmn_process_id, version, process_definition_key,
                                                 variables, list(start_instructions)), "CREATE")

    def await_result(self, process_instance_key: int, timeout_s: float,
                     fetch_variables: list[str] | None = None) -> dict:
        waiter = _Waiter(fetch_variables)
        self._submit(lambda: self._add_waiter(process_instance_key, waiter), None)
        if not waiter.done.wait(timeout_s):
            self._submit(lambda: self._drop_waiter(process_instance_key, waiter), None)
            raise TimeoutError(f"process instance {process_instance_key} did not complete within {timeout_s} s")
        return waiter.variables or {}

    def cancel_process_instance(self, key: int) -> None:
        return self._submit(lambda: self._cancel(key), "CANCEL")

    def activate_jobs(self, *, job_type: str, worker: str, timeout_ms: int, max_jobs: int,
                      fetch_variables: list[str] | None = None) -> list[ActivatedJob]:
        return self._submit(lambda: self._activate(job_type, worker, timeout_ms, max_jobs, fetch_variables),
                            "ACTIVATE")

    def complete_job(self, key: int, variables: dict | None = None) -> None:
        variables = _checked("COMPLETE", variables)
        return self._submit(lambda: self._complete_job(key, variables), "COMPLETE")

    def fail_job(self, key: int, retries: int, error_message: str = "", retry_backoff_ms: int = 0,
                 variables: dict | None = None) -> None:
        variables = _checked("FAIL", variables)
        return self._submit(lambda: self._fail_job(key, retries, error_message, retry_backoff_ms, variables),
                     "FAIL")

    def throw_error(self, key: int, error_code: str, error_message: str = "",
                    variables: dict | None = None) -> None:
        variables = _checked("THROW_ERROR", variables)
        return self._submit(lambda: self._throw_error(key, error_code, error_message, variables), "THROW_ERROR")

    def update_job_retries(self, key: int, retries: int) -> None:
        return self._submit(lambda: self._update_retries(key, retries), "UPDATE_RETRIES")

    def update_job_timeout(self, key: int, timeout_ms: int) -> None:
        return self._submit(lambda: self._update_timeout(key, timeout_ms), "UPDATE_TIMEOUT")

    def publish_message(self, name: str, correlation_key: str = "", time_to_live_ms: int = 0,
                        message_id: str = "", variables: dict | None = None) -> int:
        variables = _checked("PUBLISH", variables)
        return self._submit(lambda: self._publish(name, correlation_key, time_to_live_ms, message_id,
                                                  variables), "PUBLISH")

    def set_variables(self, element_instance_key: int, variables: dict, local: bool = False) -> int:
        variables = _checked("UPDATE", variables)
        return self._submit(lambda: self._set_variables(element_instance_key, variables, local), "UPDATE")

    def resolve_incident(self, key: int) -> None:
        return self._submit(lambda: self._resolve(key), "RESOLVE")

    def delete_resource(self, key: int) -> None:
        return self._submit(lambda: self._delete_resource(key), "DELETE")

    def broadcast_signal(self, name: str, variables: dict | None = None) -> int:
        variables = _checked("BROADCAST", variables)
        return self._submit(lambda: self._broadcast(name, variables), "BROADCAST")

    def complete_user_task(self, element_instance_key: int, variables: dict | None = None) -> None:
        """Complete a Camunda user task (<zeebe:userTask/>, no job) by its element instance key."""
        variables = _checked("COMPLETE", variables)
        return self._submit(lambda: self._complete_user_task(element_instance_key, variables), "COMPLETE")

    def submit(self, command: str, /, *args: Any, **kwargs: Any) -> Future:
        """Queue a facade command without waiting: `submit("complete_job", key, {"ok": True})`.

        The future resolves once the command is committed, with the command's result or its
        `Rejection`. Its callbacks run on the engine's writer thread and must be quick. For
        callers that hold many commands in flight (the gRPC gateway, benchmarks).
        """
        if command not in _DEFERRABLE:
            raise ValueError(f"'{command}' cannot be submitted without waiting")
        self._deferred_call.active = True
        try:
            return getattr(self, command)(*args, **kwargs)
        finally:
            self._deferred_call.active = False

    def tick(self) -> None:
        """Fire everything due on the clock now (timers, job time-outs, back-offs), then return."""
        self._submit(self._fire_due, None)

    # ==== queries (read-only, consistent with acknowledged commands) ===========================
    def process_definitions(self) -> list[dict[str, Any]]:
        return self._submit(lambda: [self._definition_view(d) for d in self._definitions.values()], None)

    def process_instances(self, *, bpmn_process_id: str | None = None, state: str | None = None,
                          has_incident: bool | None = None) -> list[dict[str, Any]]:
        def query():
            with_incident = {i["process_instance_key"] for i in self._incidents.values()} | {
                i["root_key"] for i in self._incidents.values()}
            rows = []
            for row in self._instances.values():
                if bpmn_process_id and row["bpmn_process_id"] != bpmn_process_id:
                    continue
                if state and row["state"] != state:
                    continue
                flagged = row["key"] in with_incident
                if has_incident is not None and flagged != has_incident:
                    continue
                rows.append(dict(row, has_incident=flagged))
            return rows
        return self._submit(query, None)

    def process_instance(self, key: int) -> dict[str, Any] | None:
        return next(iter(self.process_instances_by_keys([key])), None)

    def process_instances_by_keys(self, keys: list[int]) -> list[dict[str, Any]]:
        return self._submit(lambda: [dict(self._instances[k]) for k in keys if k in self._instances], None)

    def element_instances(self, process_instance_key: int) -> list[dict[str, Any]]:
        """Element instances of an instance with their state: ACTIVE, COMPLETED, TERMINATED,
        and `incident` true where an incident is open."""
        def query():
            rows: OrderedDict[int, dict[str, Any]] = OrderedDict()
            for record in self._records_of("PROCESS_INSTANCE", process_instance_key):
                value = record.value
                if value.get("bpmnElementType") == "PROCESS":
                    continue
                if record.intent == "ELEMENT_ACTIVATED":
                    rows[record.key] = {"key": record.key, "element_id": value["elementId"],
                                        "element_type": value["bpmnElementType"], "state": "ACTIVE",
                                        "flow_scope_key": value.get("flowScopeKey")}
                elif record.key in rows and record.intent == "ELEMENT_COMPLETED":
                    rows[record.key].update(state="COMPLETED", ended_position=record.position)
                elif record.key in rows and record.intent == "ELEMENT_TERMINATED":
                    rows[record.key].update(state="TERMINATED", ended_position=record.position)
            open_at = {i["element_instance_key"] for i in self._incidents.values()}
            for row in rows.values():
                row["incident"] = row["key"] in open_at
            return list(rows.values())
        return self._submit(query, None)

    def variables(self, process_instance_key: int, scope_key: int | None = None) -> dict[str, Any]:
        """Variables of an instance's root scope, or those visible at element `scope_key`."""
        def query():
            live = self._live.get(process_instance_key)
            if live is None and scope_key is None:
                owner = self._owner_of_child(process_instance_key)
                if owner is not None:
                    return self._child_variables(owner, process_instance_key)
            if live is None:
                row = self._instances.get(process_instance_key)
                return dict(row.get("variables") or {}) if row else {}
            if scope_key is not None:
                task = live.task_by_element_key(scope_key)
                return live.visible_variables(task) if task else {}
            return live.root_variables()
        return self._submit(query, None)

    def incidents(self, *, process_instance_key: int | None = None) -> list[dict[str, Any]]:
        return self._submit(lambda: [self._incident_view(i) for i in self._incidents.values()
                                     if process_instance_key in (None, i["process_instance_key"], i["root_key"])],
                            None)

    def jobs(self, *, job_type: str | None = None, process_instance_key: int | None = None) -> list[dict[str, Any]]:
        return self._submit(lambda: [dict(j) for j in self._jobs.values()
                                     if job_type in (None, j["type"])
                                     and process_instance_key in (None, j["process_instance_key"], j["root_key"])],
                            None)

    def user_tasks(self) -> list[dict[str, Any]]:
        """Waiting Camunda user tasks (<zeebe:userTask/>), which have no job."""
        return self._submit(lambda: list(self._user_tasks.values()), None)

    def form(self, key: int) -> dict[str, Any] | None:
        def query():
            form = self._forms.get(key)
            if form is None:
                return None
            return {"key": form.key, "form_id": form.form_id, "version": form.version,
                    "resource_name": form.resource_name, "schema": form.resource.decode("utf-8")}
        return self._submit(query, None)

    def records(self, after_position: int = 0, limit: int = 1000, value_type: str | None = None,
                process_instance_key: int | None = None) -> list[Record]:
        return self._submit(lambda: self._records_query(after_position, limit, value_type, process_instance_key),
                            None)

    # ==== command queue and the writer ===========================================================
    def _submit(self, run: Callable[[], Any], intent: str | None) -> Any:
        if not self._running:
            raise RuntimeError("the engine is not running (call start())")
        with self._pending_lock:
            if intent is not None and self._pending >= self.max_queue:
                raise Rejection(intent, "RESOURCE_EXHAUSTED",
                                f"the engine's command queue is full ({self.max_queue} commands); retry later")
            self._pending += 1
        command = _Command(run, intent=intent)
        if getattr(self._deferred_call, "active", False):
            command.future = Future()
            self._queue.put(command)
            return command.future
        self._queue.put(command)
        command.done.wait()
        if command.error is not None:
            raise command.error
        return command.result

    def _write_loop(self) -> None:
        use_clock(self.clock)
        stopping = False
        while not stopping:
            first = self._queue.get()
            batch = [first] if first is not None else []
            stopping = first is None
            while len(batch) < GROUP_LIMIT and not stopping:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            failure: Exception | None = None
            for command in batch:
                try:
                    command.result = command.run()
                except Rejection as rejection:
                    command.error = rejection
                except Exception as error:  # a bug must neither take the writer down nor stay in memory
                    log.exception("engine command failed")
                    command.error = failure = error
            if failure is None:
                try:
                    self._flush()
                except Exception as error:
                    log.exception("engine commit failed")
                    failure = error
            if failure is not None:
                self._roll_back(batch, failure)
            callbacks, self._after_commit = self._after_commit, []
            with self._pending_lock:
                self._pending -= len(batch)
            for command in batch:
                if command.future is None:
                    command.done.set()
                elif command.error is not None:
                    command.future.set_exception(command.error)
                else:
                    command.future.set_result(command.result)
            for callback in callbacks:
                try:
                    callback()
                except Exception:
                    log.exception("engine notification failed")
            if self._wakeups_changed:
                self._wakeups_changed = False
                self._poke_scheduler()

    def _roll_back(self, batch: list[_Command], failure: Exception) -> None:
        """Nothing of a failed group is kept: memory goes back to what the database holds."""
        for command in batch:
            if command.error is None:
                command.error = Rejection(command.intent or "UNKNOWN", "RESOURCE_EXHAUSTED",
                                          "the command was rolled back because another command of its "
                                          f"transaction failed ({failure}); retry it")
        waiters = self._waiters
        self._recover(self.store.load())
        self._waiters = waiters
        self._poke_scheduler()

    def _flush(self) -> None:
        for key in self._dirty:
            live = self._live.get(key) or self._finished_snapshots.get(key)
            live = live if live is not None and live.key == key else None
            row = self._instances.get(key)
            if row is None:
                continue
            snapshot = self._snapshots.dump(live.workflow) if live is not None else None
            self._changes.instances[key] = {
                "definition_key": row["definition_key"], "bpmn_process_id": row["bpmn_process_id"],
                "version": row["version"], "state": row["state"], "started_at": row["started_at"],
                "ended_at": row["ended_at"], "called": live.called if live else {}, "snapshot": snapshot,
                "parent_key": row.get("parent_key", -1), "variables": row.get("variables"),
            }
        self._dirty.clear()
        self._finished_snapshots.clear()
        self.store.commit(self._changes)
        self._changes = Changes()

    # ==== recovery ==============================================================================
    def _recover(self, loaded: dict[str, Any]) -> None:
        self._changes = Changes()
        self._deferred: dict[str, list[tuple]] = {}
        self._journal: list[tuple[Any, str]] = []
        self._full_scan = False
        self._after_commit: list[Callable[[], None]] = []
        self._dirty: set[int] = set()
        self._finished_snapshots: dict[int, LiveInstance] = {}
        self._keys = KeyGenerator(loaded["last_key"])
        self._position = loaded["last_position"]
        self._definitions: dict[int, defs.Definition] = {}
        self._forms: dict[int, defs.Form] = {}
        parsed_by_checksum: dict[str, dict[str, defs.ParsedProcess]] = {}
        for row in loaded["definitions"]:
            if row["checksum"] not in parsed_by_checksum:
                parsed_by_checksum[row["checksum"]] = {
                    p.bpmn_process_id: p for p in defs.parse_bpmn(row["resource"], row["resource_name"])}
            parsed = parsed_by_checksum[row["checksum"]][row["bpmn_process_id"]]
            self._definitions[row["key"]] = self._definition(row, parsed)
        for row in loaded["forms"]:
            self._forms[row["key"]] = defs.Form(**row)
        self._instances: dict[int, dict[str, Any]] = {}
        self._live: dict[int, LiveInstance] = {}
        self._jobs: dict[int, dict[str, Any]] = loaded["jobs"]
        self._incidents: dict[int, dict[str, Any]] = loaded["incidents"]
        self._subscriptions: dict[int, dict[str, Any]] = loaded["subscriptions"]
        self._messages: dict[int, dict[str, Any]] = loaded["messages"]
        self._timers: dict[int, dict[str, Any]] = loaded["timers"]
        self._user_tasks: dict[int, dict[str, Any]] = {}
        self._waiters: dict[int, list[_Waiter]] = defaultdict(list)
        self._activatable: dict[str, OrderedDict[int, None]] = defaultdict(OrderedDict)
        self._wakeups: list[tuple[int, int, str, int]] = []
        self._wakeups_changed = False
        for row in loaded["instances"]:
            summary = {k: row[k] for k in ("key", "definition_key", "bpmn_process_id", "version", "state",
                                           "started_at", "ended_at", "parent_key", "variables")}
            self._instances[row["key"]] = summary
            if row["state"] == "ACTIVE" and row["snapshot"]:
                definition = self._definitions[row["definition_key"]]
                called = {k: int(v) for k, v in (row["called"] or {}).items()}
                workflow = self._snapshots.load(row["snapshot"], definition.spec,
                                                self._subprocess_specs(definition, called), self._script_engine)
                live = LiveInstance(row["key"], definition, workflow, called, row["started_at"],
                                    mint=self._keys.next)
                self._live[row["key"]] = live
                live.variables_seen = live.root_variables()
                for task in live.all_tasks():
                    if task.task_spec.__class__ is specs.ZeebeUserTask and "zeebe_user_task" in task.internal_data:
                        self._user_tasks[task.internal_data["zk"]] = task.internal_data["zeebe_user_task"]
        for key, job in self._jobs.items():
            if job["state"] == "ACTIVATABLE":
                self._activatable[job["type"]][key] = None
            elif job["state"] == "ACTIVATED":
                self._wake_at(job["deadline"], "job-timeout", key)
            elif job["state"] == "BACKOFF":
                self._wake_at(job["backoff_until"], "job-backoff", key)
        for key, sub in self._subscriptions.items():
            live = self._live.get(sub["root_key"])
            if live is not None:
                live.subscriptions.setdefault(sub["task_id"], []).append(key)
        for key, timer in self._timers.items():
            live = self._live.get(timer.get("root_key"))
            if live is not None:
                live.timers[timer["task_id"]] = key
            self._wake_at(timer["due"], "timer", key)
        for key, message in self._messages.items():
            self._wake_at(message["expires"], "message-ttl", key)
        for incident in self._incidents.values():
            live = self._live.get(incident["root_key"])
            if live is not None and incident.get("task_id"):
                live.incident_tasks.add(incident["task_id"])

    def _definition(self, row: dict[str, Any], parsed: defs.ParsedProcess) -> defs.Definition:
        return defs.Definition(
            key=row["key"], bpmn_process_id=row["bpmn_process_id"], version=row["version"],
            resource_name=row["resource_name"], resource=row["resource"], checksum=row["checksum"],
            deployment_key=row["deployment_key"], deployed_at=row["deployed_at"], spec=parsed.spec,
            embedded=parsed.embedded, called_ids=parsed.called_ids, start_events=parsed.start_events,
            deleted=row.get("deleted", False), event_subprocesses=parsed.event_subprocesses)

    # ==== records ==============================================================================
    def _now(self) -> int:
        return epoch_ms(self.clock.now())

    def _record(self, value_type: str, intent: str, key: int, value: dict[str, Any],
                process_instance_key: int | None = None) -> None:
        self._position += 1
        self._changes.records.append({
            "position": self._position, "key": key, "timestamp": self._now(), "value_type": value_type,
            "intent": intent, "process_instance_key": process_instance_key, "value": value})

    def _records_query(self, after: int, limit: int, value_type: str | None, pik: int | None) -> list[Record]:
        return [Record(r["position"], r["key"], r["timestamp"], r["value_type"], r["intent"],
                       r["process_instance_key"], r["value"])
                for r in self.store.records(after, limit, value_type, pik)]

    def _records_of(self, value_type: str, pik: int) -> list[Record]:
        return self._records_query(0, 1_000_000, value_type, pik)

    # ==== deployment ===========================================================================
    def _deploy(self, resources: list[tuple[str, bytes]]) -> Deployment:
        if not resources:
            raise Rejection("CREATE", "INVALID_ARGUMENT", "Expected to deploy at least one resource, but none given")
        processes: list[tuple[str, bytes, defs.ParsedProcess]] = []
        forms: list[tuple[str, bytes, str]] = []
        for name, content in resources:
            lower = name.lower()
            try:
                if lower.endswith((".bpmn", ".xml")):
                    processes.extend((name, content, p) for p in defs.parse_bpmn(content, name))
                elif lower.endswith(".form"):
                    forms.append((name, content, defs.parse_form(content, name)))
                elif lower.endswith(".dmn"):
                    raise defs.InvalidResource(f"'{name}': DMN decisions are not supported by the embedded engine")
                else:
                    raise defs.InvalidResource(
                        f"'{name}': expected a resource of type BPMN (.bpmn/.xml), DMN (.dmn) or form (.form)")
            except defs.InvalidResource as invalid:
                raise Rejection("CREATE", "INVALID_ARGUMENT",
                                f"Expected to deploy new resources, but encountered the following errors:\n{invalid}") from None
        seen: set[str] = set()
        for _name, _content, parsed in processes:
            if parsed.bpmn_process_id in seen:
                raise Rejection("CREATE", "INVALID_ARGUMENT",
                                f"Expected to deploy new resources, but encountered the following errors:\n"
                                f"Duplicated process id in resources '{parsed.bpmn_process_id}'")
            seen.add(parsed.bpmn_process_id)
        deployment_key = self._keys.next()
        now = self._now()
        result = Deployment(deployment_key)
        for name, content, parsed in processes:
            checksum = defs.checksum(content)
            latest = self._latest(parsed.bpmn_process_id)
            if latest is not None and latest.checksum == checksum and latest.resource_name == name:
                result.processes.append(ProcessMetadata(latest.bpmn_process_id, latest.version, latest.key, name))
                continue
            version = max((d.version for d in self._definitions.values()
                           if d.bpmn_process_id == parsed.bpmn_process_id), default=0) + 1
            row = {"key": self._keys.next(), "bpmn_process_id": parsed.bpmn_process_id, "version": version,
                   "resource_name": name, "resource": content, "checksum": checksum,
                   "deployment_key": deployment_key, "deployed_at": now, "deleted": False}
            definition = self._definition(row, parsed)
            self._definitions[definition.key] = definition
            self._changes.definitions.append(row)
            self._record("PROCESS", "CREATED", definition.key, {
                "bpmnProcessId": definition.bpmn_process_id, "version": version,
                "processDefinitionKey": definition.key, "resourceName": name})
            result.processes.append(ProcessMetadata(definition.bpmn_process_id, version, definition.key, name))
            self._schedule_start_timers(definition, latest)
        for name, content, form_id in forms:
            checksum = defs.checksum(content)
            latest_form = max((f for f in self._forms.values() if f.form_id == form_id and not f.deleted),
                              key=lambda f: f.version, default=None)
            if latest_form is not None and latest_form.checksum == checksum:
                result.forms.append(FormMetadata(form_id, latest_form.version, latest_form.key, name))
                continue
            version = max((f.version for f in self._forms.values() if f.form_id == form_id), default=0) + 1
            form = defs.Form(self._keys.next(), form_id, version, name, content, checksum, deployment_key)
            self._forms[form.key] = form
            self._changes.forms.append({"key": form.key, "form_id": form_id, "version": version,
                                        "resource_name": name, "resource": content, "checksum": checksum,
                                        "deployment_key": deployment_key, "deleted": False})
            self._record("FORM", "CREATED", form.key, {"formId": form_id, "version": version,
                                                        "formKey": form.key, "resourceName": name})
            result.forms.append(FormMetadata(form_id, version, form.key, name))
        self._record("DEPLOYMENT", "CREATED", deployment_key, {
            "resources": [name for name, _ in resources],
            "processesMetadata": [{"bpmnProcessId": p.bpmn_process_id, "version": p.version,
                                   "processDefinitionKey": p.process_definition_key} for p in result.processes],
            "formMetadata": [{"formId": f.form_id, "version": f.version, "formKey": f.form_key}
                             for f in result.forms]})
        return result

    def _latest(self, bpmn_process_id: str) -> defs.Definition | None:
        return max((d for d in self._definitions.values()
                    if d.bpmn_process_id == bpmn_process_id and not d.deleted),
                   key=lambda d: d.version, default=None)

    def _delete_resource(self, key: int) -> None:
        if key in self._definitions and not self._definitions[key].deleted:
            definition = self._definitions[key]
            if any(live.definition.key == key for live in self._live.values()):
                raise Rejection("DELETE", "INVALID_STATE",
                                f"Expected to delete resource with key '{key}', but there are still running "
                                "instances of this process definition")
            definition.deleted = True
            self._changes.definition_updates[key] = {"deleted": True}
            for timer_key, timer in list(self._timers.items()):
                if timer.get("definition_key") == key:
                    self._drop_timer(timer_key)
            self._record("PROCESS", "DELETED", key, {"bpmnProcessId": definition.bpmn_process_id,
                                                     "version": definition.version})
            return
        if key in self._forms and not self._forms[key].deleted:
            self._forms[key].deleted = True
            self._record("FORM", "DELETED", key, {"formId": self._forms[key].form_id})
            return
        raise Rejection("DELETE", "NOT_FOUND", f"Expected to delete resource but no resource found with key `{key}`")

    def _definition_view(self, d: defs.Definition) -> dict[str, Any]:
        return {"key": d.key, "bpmn_process_id": d.bpmn_process_id, "version": d.version,
                "resource_name": d.resource_name, "deployment_key": d.deployment_key, "deleted": d.deleted,
                "bpmn_xml": d.resource.decode("utf-8")}

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
        if start_instructions:
            raise Rejection("CREATE", "INVALID_ARGUMENT",
                            "Start instructions are not supported by the embedded engine")
        start = definition.none_start
        if start is None:
            raise Rejection("CREATE", "INVALID_STATE",
                            f"Expected to create instance of process with none start event, but there is no "
                            f"such event (process '{definition.bpmn_process_id}')")
        live = self._start_instance(definition, start.element_id, variables)
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
                        event: BpmnEvent | None = None) -> LiveInstance:
        key = self._keys.next()
        called = self._bind_called(definition)
        workflow = BpmnWorkflow(definition.spec, self._subprocess_specs(definition, called),
                                script_engine=self._script_engine)
        live = LiveInstance(key, definition, workflow, called, self._now(), mint=self._keys.next)
        self._live[key] = live
        self._instances[key] = {"key": key, "definition_key": definition.key,
                                "bpmn_process_id": definition.bpmn_process_id, "version": definition.version,
                                "state": "ACTIVE", "started_at": live.started_at, "ended_at": None,
                                "parent_key": -1}
        self._record("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", key, self._process_value(live), key)
        # Only the chosen start event may run: the others of this process are cancelled.
        start_task = workflow.task_tree
        start_task.set_data(**deepcopy(variables))
        live.store().update(deepcopy(variables))
        if event is not None and isinstance(event.payload, dict):
            live.store().update(deepcopy(event.payload))
        self._current = live
        start_task.run()
        chosen = None
        candidates = [t for child in start_task.children for t in (child, *child.children)]
        for task in candidates:
            if isinstance(task.task_spec, StartEventMixin) and not task.has_state(TaskState.FINISHED_MASK):
                if task.task_spec.bpmn_id == start_element:
                    chosen = task
                else:
                    task.cancel()
        self._open_event_subprocess_subscriptions(live, variables)
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
            if start.kind != "message":
                continue
            try:
                correlation = value_of(start.correlation_key, variables) if start.correlation_key else ""
            except ExpressionFailure:
                correlation = None
            key = self._keys.next()
            row = {"key": key, "message_name": start.name,
                   "correlation_key": "" if correlation is None else _text(correlation),
                   "root_key": live.key, "process_instance_key": live.key,
                   "bpmn_process_id": live.definition.bpmn_process_id, "element_id": start.element_id,
                   "element_instance_key": live.key, "task_id": f"evsub:{start.element_id}"}
            self._subscriptions[key] = row
            live.subscriptions.setdefault(row["task_id"], []).append(key)
            self._changes.put("subscriptions", key, row)
            self._record("PROCESS_MESSAGE_SUBSCRIPTION", "CREATED", key, _camel(row), live.key)

    def _interrupt_scope(self, live: LiveInstance, start_task) -> None:
        """An interrupting event subprocess started: everything else in its scope ends."""
        subprocess_task = live.workflow.get_task_from_id(start_task.workflow.parent_task_id)
        scope = subprocess_task.workflow
        for task in list(scope.tasks.values()):
            if task is not subprocess_task and is_element(task) and task.state & (
                    TaskState.READY | TaskState.STARTED | TaskState.WAITING):
                task.cancel()
        for task_id in [t for t in live.subscriptions if t.startswith("evsub:")]:
            for sub_key in live.subscriptions.pop(task_id):
                self._drop_subscription(sub_key)

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
        live.workflow.cancel()
        self._full_scan = True
        self._observe(live)
        self._finish(live, "TERMINATED")

    def _finish(self, live: LiveInstance, state: str) -> None:
        live.state = state
        live.ended_at = self._now()
        row = self._instances[live.key]
        row.update(state=state, ended_at=live.ended_at, variables=live.root_variables())
        intent = "ELEMENT_COMPLETED" if state == "COMPLETED" else "ELEMENT_TERMINATED"
        self._record("PROCESS_INSTANCE", intent, live.key, self._process_value(live), live.key)
        for job_key in [k for k, j in self._jobs.items() if j["root_key"] == live.key]:
            self._drop_job(job_key, "CANCELED")
        for sub_keys in list(live.subscriptions.values()):
            for sub_key in sub_keys:
                self._drop_subscription(sub_key)
        live.subscriptions.clear()
        for timer_key in list(live.timers.values()):
            self._drop_timer(timer_key)
        for incident_key in [k for k, i in self._incidents.items() if i["root_key"] == live.key]:
            self._drop_incident(incident_key, "RESOLVED")
        for user_key in [k for k, u in self._user_tasks.items() if u["root_key"] == live.key]:
            self._user_tasks.pop(user_key)
        del self._live[live.key]
        self._finished_snapshots[live.key] = live
        self._dirty.add(live.key)
        variables = row["variables"]
        for waiter in self._waiters.pop(live.key, []):
            selected = {k: v for k, v in variables.items() if not waiter.fetch or k in waiter.fetch}
            self._after_commit.append(lambda w=waiter, s=selected: _release(w, s))

    def _add_waiter(self, key: int, waiter: _Waiter) -> None:
        row = self._instances.get(key)
        if row is None:
            raise Rejection("CREATE", "NOT_FOUND", f"Expected to find process instance with key '{key}', but none found")
        if row["state"] == "COMPLETED":
            selected = {k: v for k, v in (row.get("variables") or {}).items() if not waiter.fetch or k in waiter.fetch}
            _release(waiter, selected)
        else:
            self._waiters[key].append(waiter)

    def _drop_waiter(self, key: int, waiter: _Waiter) -> None:
        if waiter in self._waiters.get(key, []):
            self._waiters[key].remove(waiter)

    def _child_variables(self, owner: LiveInstance, child_key: int) -> dict[str, Any]:
        for task in owner.all_tasks():
            if task.internal_data.get("zeebe_child") == child_key:
                sub = owner.workflow.subprocesses.get(task.id)
                return dict(sub.data.get(STORE, {})) if sub is not None else {}
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
            if not self._observe(live):
                break
        self._dirty.add(live.key)
        if live.workflow.completed and live.state == "ACTIVE":
            self._finish(live, "COMPLETED")

    def _run_steps(self, live: LiveInstance) -> None:
        for _ in range(1000):
            try:
                live.workflow.do_engine_steps()
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
        error_type, message = _incident_of(failure, task)
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
            self._element_record(live, task, "ELEMENT_ACTIVATED")
        return key

    def _element_record(self, live: LiveInstance, task, intent: str) -> None:
        scope = live.scope_of(task, self._definitions)
        self._record("PROCESS_INSTANCE", intent, task.internal_data["zk"], {
            "bpmnProcessId": scope.bpmn_process_id, "version": scope.version,
            "processDefinitionKey": scope.definition_key, "processInstanceKey": scope.process_instance_key,
            "elementId": task.task_spec.bpmn_id, "bpmnElementType": element_type(task.task_spec),
            "flowScopeKey": scope.flow_scope_key, "parentProcessInstanceKey": scope.parent_process_instance_key,
        }, scope.process_instance_key)

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
        more = self._sync_catches(live)
        self._sync_variables(live)
        return more

    def _track(self, live: LiveInstance, task, kind: str) -> None:
        internal = task.internal_data
        phase = internal.get("zp")
        state = task.state
        if phase is None:
            entered = kind == "update" and not state & (TaskState.PREDICTED_MASK | TaskState.FUTURE)
            entered |= bool(state & (ACTIVE_STATES | TaskState.COMPLETED))
            if isinstance(task.task_spec, Join) and state == TaskState.WAITING:
                entered = False  # a joining gateway is entered once all its tokens arrived
            if not entered:
                return
            self._ensure_element(live, task)
            for args in self._deferred.pop(str(task.id), []):
                self._record(*args)
            phase = "A"
        if phase != "A":
            return
        if isinstance(task.task_spec, CallActivityMixin) and not internal.get("zeebe_child_seen"):
            sub = live.workflow.subprocesses.get(task.id)
            if sub is not None:
                internal.setdefault("zeebe_child", self._keys.next())
                internal["zeebe_child_seen"] = True
                self._child_record(live, task, sub, "ELEMENT_ACTIVATED")
        if state == TaskState.COMPLETED and kind in ("completed", "sync"):
            if isinstance(task.task_spec, StartEventMixin) and self._interrupts(live, task):
                self._interrupt_scope(live, task)
            if internal.get("zeebe_child_seen"):
                self._child_record(live, task, None, "ELEMENT_COMPLETED")
            internal["zp"] = "C"
            self._element_record(live, task, "ELEMENT_COMPLETED")
        elif state == TaskState.CANCELLED and kind in ("cancelled", "sync"):
            if internal.get("zeebe_child_seen"):
                self._child_record(live, task, None, "ELEMENT_TERMINATED")
            internal["zp"] = "T"
            self._element_record(live, task, "ELEMENT_TERMINATED")
            job_key = internal.get("zeebe_job")
            if job_key in self._jobs:
                self._drop_job(job_key, "CANCELED")
            self._user_tasks.pop(internal.get("zk"), None)
            for incident_key in [k for k, i in self._incidents.items() if i.get("task_id") == str(task.id)]:
                self._drop_incident(incident_key, "RESOLVED")

    def _interrupts(self, live: LiveInstance, start_task) -> bool:
        parent_id = getattr(start_task.workflow, "parent_task_id", None)
        if parent_id is None:
            return False
        # Spiff reads triggeredByEvent with a namespace and misses it: event subprocesses are known
        # from the definition instead.
        return any(s.element_id == start_task.task_spec.bpmn_id and s.interrupting
                   for s in live.definition.event_subprocesses)

    def _child_record(self, live: LiveInstance, task, sub, intent: str) -> None:
        child_key = task.internal_data["zeebe_child"]
        scope = live.scope_of(task, self._definitions)
        process_id = task.task_spec.spec
        definition = self._definitions.get(live.called.get(process_id, -1))
        self._record("PROCESS_INSTANCE", intent, child_key, {
            "bpmnProcessId": process_id, "version": definition.version if definition else 0,
            "processDefinitionKey": definition.key if definition else 0, "processInstanceKey": child_key,
            "elementId": process_id, "bpmnElementType": "PROCESS", "flowScopeKey": -1,
            "parentProcessInstanceKey": scope.process_instance_key,
            "parentElementInstanceKey": task.internal_data["zk"]}, child_key)
        if intent == "ELEMENT_ACTIVATED":
            self._instances[child_key] = {
                "key": child_key, "definition_key": definition.key if definition else 0,
                "bpmn_process_id": process_id, "version": definition.version if definition else 0,
                "state": "ACTIVE", "started_at": self._now(), "ended_at": None,
                "parent_key": scope.process_instance_key}
        elif child_key in self._instances:
            self._instances[child_key].update(
                state="COMPLETED" if intent == "ELEMENT_COMPLETED" else "TERMINATED", ended_at=self._now())
        self._dirty.add(child_key)

    def _sync_variables(self, live: LiveInstance) -> None:
        seen = live.variables_seen
        for name, value in live.store().items():
            if name in seen and seen[name] == value:
                continue
            self._record("VARIABLE", "CREATED" if name not in seen else "UPDATED", self._keys.next(), {
                "name": name, "value": value, "processInstanceKey": live.key, "scopeKey": live.key,
                "bpmnProcessId": live.definition.bpmn_process_id}, live.key)
            seen[name] = deepcopy(value)

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
                    self._ensure_element(live, task)
                    live.subscriptions[task_id] = [self._open_subscription(live, task, d) for d in messages]
                    more |= self._correlate_buffered(live, task_id)
            if any(isinstance(d, TimerEventDefinition) for d in parts):
                due = due_of(task)
                if due is None:
                    continue
                due_ms = epoch_ms(due)
                timer_key = live.timers.get(task_id)
                if timer_key is not None and self._timers[timer_key]["due"] == due_ms:
                    continue
                if timer_key is not None:
                    self._drop_timer(timer_key)
                live.timers[task_id] = self._open_timer(live, task, due_ms)
        return more

    def _open_subscription(self, live: LiveInstance, task, definition: MessageEventDefinition) -> int:
        expression = getattr(definition, "correlation_key", None)
        try:
            correlation = value_of(expression, task.data) if expression else ""
        except ExpressionFailure as failure:
            self._open_incident(live, task, "EXTRACT_VALUE_ERROR", failure.message, retry="update")
            correlation = None
        key = self._keys.next()
        scope = live.scope_of(task, self._definitions)
        row = {"key": key, "message_name": definition.name,
               "correlation_key": "" if correlation is None else _text(correlation),
               "root_key": live.key, "process_instance_key": scope.process_instance_key,
               "bpmn_process_id": scope.bpmn_process_id, "element_id": task.task_spec.bpmn_id,
               "element_instance_key": task.internal_data["zk"], "task_id": str(task.id)}
        self._subscriptions[key] = row
        self._changes.put("subscriptions", key, row)
        self._record("PROCESS_MESSAGE_SUBSCRIPTION", "CREATED", key, _camel(row), live.key)
        return key

    def _drop_subscription(self, key: int) -> None:
        row = self._subscriptions.pop(key, None)
        if row is not None:
            self._changes.drop("subscriptions", key)
            self._record("PROCESS_MESSAGE_SUBSCRIPTION", "DELETED", key, _camel(row), row["root_key"])

    def _open_timer(self, live: LiveInstance, task, due_ms: int) -> int:
        key = self._keys.next()
        row = {"key": key, "root_key": live.key, "task_id": str(task.id), "element_id": task.task_spec.bpmn_id,
               "element_instance_key": self._ensure_element(live, task), "due": due_ms,
               "process_instance_key": live.scope_of(task, self._definitions).process_instance_key}
        self._timers[key] = row
        self._changes.put("timers", key, row)
        self._record("TIMER", "CREATED", key, _camel(row), live.key)
        self._wake_at(due_ms, "timer", key)
        return key

    def _drop_timer(self, key: int, intent: str = "CANCELED") -> None:
        row = self._timers.pop(key, None)
        if row is not None:
            self._changes.drop("timers", key)
            self._record("TIMER", intent, key, _camel(row), row.get("root_key"))

    def _schedule_start_timers(self, definition: defs.Definition, previous: defs.Definition | None) -> None:
        if previous is not None:
            for key, timer in list(self._timers.items()):
                if timer.get("definition_key") == previous.key:
                    self._drop_timer(key)
        for start in definition.start_events:
            if start.kind != "timer":
                continue
            due, repetitions, interval = _first_due(start, self.clock.now())
            if due is None:
                continue
            key = self._keys.next()
            row = {"key": key, "definition_key": definition.key, "element_id": start.element_id,
                   "due": due, "repetitions": repetitions, "interval_ms": interval, "root_key": None,
                   "task_id": None}
            self._timers[key] = row
            self._changes.put("timers", key, row)
            self._record("TIMER", "CREATED", key, _camel(row))
            self._wake_at(due, "timer", key)

    # ---- hooks called by task specs (see engine.dialect.specs) --------------------------------
    def open_job(self, task) -> None:
        live = self._current
        extensions = task.task_spec.extensions or {}
        user_task = isinstance(task.task_spec, specs.ZeebeUserTask) and "job_type" not in extensions
        job_type = specs.USER_TASK_JOB_TYPE if user_task else value_of(extensions["job_type"], task.data)
        retries = 1 if user_task else int(value_of(extensions.get("job_retries", "3"), task.data) or 3)
        headers = {k: str(v) for k, v in (extensions.get("headers") or {}).items()}
        headers.update(self._user_task_headers(task, extensions))
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
        self._deferred.setdefault(str(task.id), []).append(("JOB", "CREATED", key, _job_value(job), live.key))
        self._make_activatable(key)

    def open_user_task(self, task) -> None:
        live = self._current
        extensions = task.task_spec.extensions or {}
        key = self._ensure_element(live, task, record=False)
        scope = live.scope_of(task, self._definitions)
        headers = self._user_task_headers(task, extensions)
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
        self._deferred.setdefault(str(task.id), []).append(("USER_TASK", "CREATED", key, _camel(row), live.key))

    def _user_task_headers(self, task, extensions: dict[str, Any]) -> dict[str, str]:
        if not isinstance(task.task_spec, specs.ZeebeUserTask):
            return {}
        headers: dict[str, str] = {}
        form = extensions.get("form") or {}
        if form.get("formKey"):
            headers["io.camunda.zeebe:formKey"] = str(value_of(form["formKey"], task.data))
        elif form.get("formId"):
            form_id = value_of(form["formId"], task.data)
            linked = max((f for f in self._forms.values() if f.form_id == form_id and not f.deleted),
                         key=lambda f: f.version, default=None)
            if linked is None:
                raise ExpressionFailure(
                    f"Expected to find a form with id '{form_id}', but no form with this id is found, "
                    "at least a form with this id should be available.", "FORM_NOT_FOUND", task)
            headers["io.camunda.zeebe:formKey"] = str(linked.key)
        assignment = extensions.get("assignment") or {}
        if assignment.get("assignee"):
            headers["io.camunda.zeebe:assignee"] = _text(value_of(assignment["assignee"], task.data))
        for name in ("candidateGroups", "candidateUsers"):
            if assignment.get(name):
                value = value_of(assignment[name], task.data)
                if isinstance(value, str):
                    value = [part.strip() for part in value.split(",") if part.strip()]
                headers[f"io.camunda.zeebe:{name}"] = _json(value)
        schedule = extensions.get("schedule") or {}
        for name in ("dueDate", "followUpDate"):
            if schedule.get(name):
                headers[f"io.camunda.zeebe:{name}"] = _text(value_of(schedule[name], task.data))
        return headers

    # ==== jobs ================================================================================
    def _make_activatable(self, key: int) -> None:
        job = self._jobs[key]
        job["state"] = "ACTIVATABLE"
        self._activatable[job["type"]][key] = None
        job_type = job["type"]
        self._after_commit.append(lambda: self._notify(job_type))

    def _notify(self, job_type: str) -> None:
        for listener in list(self._listeners):
            listener(job_type)

    def _activate(self, job_type: str, worker: str, timeout_ms: int, max_jobs: int,
                  fetch: list[str] | None) -> list[ActivatedJob]:
        queue_ = self._activatable.get(job_type)
        activated: list[ActivatedJob] = []
        if not queue_:
            return activated
        deadline = self._now() + timeout_ms
        while queue_ and len(activated) < max_jobs:
            key, _ = queue_.popitem(last=False)
            job = self._jobs.get(key)
            if job is None or job["state"] != "ACTIVATABLE":
                continue
            live = self._live.get(job["root_key"])
            task = live.task(job["task_id"]) if live else None
            variables = live.visible_variables(task) if task is not None else {}
            if fetch:
                variables = {k: v for k, v in variables.items() if k in fetch}
            job.update(state="ACTIVATED", worker=worker, deadline=deadline)
            self._changes.put("jobs", key, job)
            self._record("JOB", "ACTIVATED", key, _job_value(job), job["root_key"])
            self._wake_at(deadline, "job-timeout", key)
            activated.append(ActivatedJob(
                key=key, type=job["type"], process_instance_key=job["process_instance_key"],
                bpmn_process_id=job["bpmn_process_id"], process_definition_version=job["process_definition_version"],
                process_definition_key=job["process_definition_key"], element_id=job["element_id"],
                element_instance_key=job["element_instance_key"], custom_headers=dict(job["custom_headers"]),
                worker=worker, retries=job["retries"], deadline=deadline, variables=deepcopy(variables)))
        return activated

    def _job_for(self, key: int, intent: str, action: str, states: tuple[str, ...]) -> dict[str, Any]:
        job = self._jobs.get(key)
        if job is None:
            raise Rejection(intent, "NOT_FOUND", f"Expected to {action} job with key '{key}', but no such job was found")
        if job["state"] not in states:
            shown = "FAILED" if job["state"] in ("FAILED", "ERROR_THROWN") else job["state"]
            raise Rejection(intent, "INVALID_STATE",
                            f"Expected to {action} job with key '{key}', but it is in state '{shown}'")
        return job

    def _complete_job(self, key: int, variables: dict[str, Any]) -> None:
        job = self._job_for(key, "COMPLETE", "complete", ("ACTIVATABLE", "ACTIVATED"))
        live = self._live[job["root_key"]]
        self._drop_job(key, "COMPLETED", variables)
        task = live.task(job["task_id"])
        self._finish_task(live, task, variables)

    def _finish_task(self, live: LiveInstance, task, variables: dict[str, Any]) -> None:
        self._current = live
        task.data.update(deepcopy(variables))
        received(task, variables)
        try:
            task.complete()
        except Exception as failure:
            task._set_state(TaskState.STARTED)
            error_type, message = _incident_of(failure, task)
            self._open_incident(live, task, error_type, message, retry="complete")
        self._settle(live)

    def _drop_job(self, key: int, intent: str, variables: dict[str, Any] | None = None) -> None:
        job = self._jobs.pop(key, None)
        if job is None:
            return
        self._activatable.get(job["type"], {}).pop(key, None)
        self._changes.drop("jobs", key)
        value = _job_value(job)
        if variables is not None:
            value["variables"] = variables
        self._record("JOB", intent, key, value, job["root_key"])

    def _fail_job(self, key: int, retries: int, message: str, backoff_ms: int, variables: dict[str, Any]) -> None:
        job = self._job_for(key, "FAIL", "fail", ("ACTIVATABLE", "ACTIVATED"))
        live = self._live[job["root_key"]]
        if variables:
            live.task(job["task_id"]).data.update(deepcopy(variables))
            self._dirty.add(live.key)
        job.update(retries=retries, error_message=message, worker="", deadline=0)
        self._activatable.get(job["type"], {}).pop(key, None)
        self._record("JOB", "FAILED", key, _job_value(job), live.key)
        if retries > 0 and backoff_ms > 0:
            job.update(state="BACKOFF", backoff_until=self._now() + backoff_ms)
            self._wake_at(job["backoff_until"], "job-backoff", key)
        elif retries > 0:
            self._make_activatable(key)
        else:
            job["state"] = "FAILED"
            task = live.task(job["task_id"])
            self._open_incident(live, task, "JOB_NO_RETRIES", message or "No more retries left.", job_key=key)
        self._changes.put("jobs", key, job)

    def _throw_error(self, key: int, code: str, message: str, variables: dict[str, Any]) -> None:
        job = self._job_for(key, "THROW_ERROR", "throw an error for", ("ACTIVATABLE", "ACTIVATED"))
        live = self._live[job["root_key"]]
        task = live.task(job["task_id"])
        self._current = live
        event = BpmnEvent(ErrorEventDefinition(code, code=code), payload=deepcopy(variables), target=task.workflow)
        uncaught = not self._catches_error(live, task, code)
        if not uncaught:
            live.workflow.catch(event)
            live.workflow.bpmn_events = []
        if uncaught:
            job.update(state="ERROR_THROWN", error_message=message)
            self._activatable.get(job["type"], {}).pop(key, None)
            self._changes.put("jobs", key, job)
            self._record("JOB", "ERROR_THROWN", key, dict(_job_value(job), errorCode=code), live.key)
            self._open_incident(
                live, task, "UNHANDLED_ERROR_EVENT",
                f"Expected to throw an error event with the code '{code}' with message '{message}', but it "
                "was not caught. No error events are available in the scope.", job_key=key)
            self._dirty.add(live.key)
            return
        self._drop_job(key, "ERROR_THROWN", variables)
        self._settle(live)

    def _catches_error(self, live: LiveInstance, task, code: str) -> bool:
        """Is there an error boundary event or error event subprocess in scope for `code`?"""
        scopes = []
        workflow = task.workflow
        while workflow is not None:
            scopes.append(workflow)
            workflow = workflow.parent_workflow
        for waiting in live.workflow.event_manager.tasks.values():
            definition = waiting.task_spec.event_definition
            if waiting.workflow in scopes and isinstance(definition, ErrorEventDefinition) \
                    and definition.code in (None, code) and waiting.state == TaskState.WAITING:
                return True
        return any(s.kind == "error" and s.error_code in (None, code) for s in live.definition.event_subprocesses)

    def _update_retries(self, key: int, retries: int) -> None:
        job = self._jobs.get(key)
        if job is None:
            raise Rejection("UPDATE_RETRIES", "NOT_FOUND",
                            f"Expected to update retries for job with key '{key}', but no such job was found")
        if retries < 1:
            raise Rejection("UPDATE_RETRIES", "INVALID_ARGUMENT",
                            f"Expected to update retries for job with key '{key}' with a positive amount of "
                            f"retries, but the amount given was '{retries}'")
        job["retries"] = retries
        self._changes.put("jobs", key, job)
        self._record("JOB", "RETRIES_UPDATED", key, _job_value(job), job["root_key"])

    def _update_timeout(self, key: int, timeout_ms: int) -> None:
        job = self._jobs.get(key)
        if job is None:
            raise Rejection("UPDATE_TIMEOUT", "NOT_FOUND",
                            f"Expected to update the timeout of job with key '{key}', but no such job was found")
        if job["state"] != "ACTIVATED":
            raise Rejection("UPDATE_TIMEOUT", "INVALID_STATE",
                            f"Expected to update the timeout of job with key '{key}', but it is not active")
        job["deadline"] = self._now() + timeout_ms
        self._wake_at(job["deadline"], "job-timeout", key)
        self._changes.put("jobs", key, job)
        self._record("JOB", "TIMEOUT_UPDATED", key, _job_value(job), job["root_key"])

    def _complete_user_task(self, element_instance_key: int, variables: dict[str, Any]) -> None:
        row = self._user_tasks.get(element_instance_key)
        if row is None:
            raise Rejection("COMPLETE", "NOT_FOUND",
                            f"Expected to complete user task with key '{element_instance_key}', but no such "
                            "user task was found")
        del self._user_tasks[element_instance_key]
        live = self._live[row["root_key"]]
        self._record("USER_TASK", "COMPLETED", element_instance_key, dict(_camel(row), variables=variables), live.key)
        task = live.task(row["task_id"])
        task.internal_data.pop("zeebe_user_task", None)
        self._finish_task(live, task, variables)

    # ==== incidents ===========================================================================
    def _open_incident(self, live: LiveInstance, task, error_type: str, message: str,
                       job_key: int | None = None, retry: str = "job") -> int:
        key = self._keys.next()
        element_key = self._ensure_element(live, task)
        scope = live.scope_of(task, self._definitions)
        row = {"key": key, "error_type": error_type, "error_message": message, "state": "ACTIVE",
               "element_id": task.task_spec.bpmn_id, "element_instance_key": element_key,
               "process_instance_key": scope.process_instance_key, "bpmn_process_id": scope.bpmn_process_id,
               "root_key": live.key, "job_key": job_key, "task_id": str(task.id), "retry": retry,
               "created_at": self._now()}
        self._incidents[key] = row
        live.incident_tasks.add(str(task.id))
        self._changes.put("incidents", key, row)
        self._record("INCIDENT", "CREATED", key, _camel(row), live.key)
        return key

    def _drop_incident(self, key: int, intent: str) -> dict[str, Any]:
        row = self._incidents.pop(key)
        self._changes.drop("incidents", key)
        self._record("INCIDENT", intent, key, _camel(row), row["root_key"])
        return row

    def _incident_view(self, row: dict[str, Any]) -> dict[str, Any]:
        return {"key": row["key"], "type": row["error_type"], "message": row["error_message"],
                "element_id": row["element_id"], "element_instance_key": row["element_instance_key"],
                "process_instance_key": row["process_instance_key"], "job_key": row["job_key"],
                "state": row["state"], "created_at": row["created_at"], "bpmn_process_id": row["bpmn_process_id"]}

    def _resolve(self, key: int) -> None:
        row = self._incidents.get(key)
        if row is None:
            raise Rejection("RESOLVE", "NOT_FOUND",
                            f"Expected to resolve incident with key '{key}', but no such incident was found")
        job = self._jobs.get(row["job_key"]) if row["job_key"] else None
        if job is not None and job["retries"] <= 0:
            raise Rejection("RESOLVE", "INVALID_STATE",
                            f"Expected to resolve incident with key '{key}', but job with key '{job['key']}' has "
                            "no retries left; update its retries first")
        self._drop_incident(key, "RESOLVED")
        live = self._live.get(row["root_key"])
        if live is None:
            return
        live.incident_tasks.discard(row["task_id"])
        if job is not None:
            self._make_activatable(job["key"])
            self._changes.put("jobs", job["key"], job)
            return
        task = live.task(row["task_id"])
        self._current = live
        if row["error_type"] == "CALLED_ELEMENT_ERROR":
            live.called = self._bind_called(live.definition, live.called)
            live.workflow.subprocess_specs = self._subprocess_specs(live.definition, live.called)
        try:
            if row["retry"] == "complete":
                task.complete()
            elif row["retry"] == "update":
                task._set_state(TaskState.FUTURE)
                task.task_spec._update(task)
            else:
                task._set_state(TaskState.READY)
        except Exception as failure:
            self._raise_incident_for(live, _with_task(failure, task))
        if row["retry"] == "update" and live.subscriptions.get(row["task_id"]) is not None:
            for sub_key in live.subscriptions.pop(row["task_id"]):
                self._drop_subscription(sub_key)
        self._settle(live)

    # ==== variables ===========================================================================
    def _set_variables(self, element_instance_key: int, variables: dict[str, Any], local: bool) -> int:
        live = self._live.get(element_instance_key) or self._owner_of_child(element_instance_key)
        targets = []
        if live is not None and element_instance_key in (live.key,):
            targets = [t for t in live.all_tasks() if t.state & ACTIVE_STATES]
        else:
            for candidate in self._live.values():
                task = candidate.task_by_element_key(element_instance_key)
                if task is not None and task.state & ACTIVE_STATES:
                    live, targets = candidate, [task]
                    if isinstance(task.task_spec, SubWorkflowTaskMixin):
                        sub = candidate.workflow.subprocesses.get(task.id)
                        if sub is not None:
                            targets += [t for t in sub.tasks.values() if t.state & ACTIVE_STATES]
                    break
            else:
                if live is not None:
                    targets = [t for t in live.all_tasks() if t.state & ACTIVE_STATES]
        if live is None or not targets:
            raise Rejection("UPDATE", "NOT_FOUND",
                            f"Expected to update variables for element with key '{element_instance_key}', but no "
                            "such element was found")
        if not local:
            variable_store(targets[0]).update(deepcopy(variables))
        for task in targets:
            task.data.update(deepcopy(variables))
            if local:
                shadowed = task.internal_data.setdefault("zeebe_locals", {})
                for name in variables:
                    shadowed.setdefault(name, [False, None])
        key = self._keys.next()
        self._record("VARIABLE_DOCUMENT", "UPDATED", key, {"scopeKey": element_instance_key, "variables": variables,
                                                           "updateSemantics": "LOCAL" if local else "PROPAGATE"},
                     live.key)
        self._settle(live)
        return key

    # ==== messages and signals ================================================================
    def _publish(self, name: str, correlation_key: str, ttl_ms: int, message_id: str,
                 variables: dict[str, Any]) -> int:
        now = self._now()
        if message_id:
            for message in self._messages.values():
                if (message["name"], message["correlation_key"], message["message_id"]) == (
                        name, correlation_key, message_id) and message["expires"] > now:
                    raise Rejection("PUBLISH", "ALREADY_EXISTS",
                                    f"Expected to publish a new message with id '{message_id}', but a message with "
                                    "that id was already published")
        key = self._keys.next()
        message = {"key": key, "name": name, "correlation_key": correlation_key, "message_id": message_id,
                   "variables": deepcopy(variables), "expires": now + max(ttl_ms, 0), "correlated": []}
        self._record("MESSAGE", "PUBLISHED", key, {"name": name, "correlationKey": correlation_key,
                                                    "messageId": message_id, "timeToLive": ttl_ms,
                                                    "variables": variables})
        for sub_key in sorted(self._subscriptions):
            sub = self._subscriptions.get(sub_key)
            if sub is None or sub["message_name"] != name or sub["correlation_key"] != correlation_key:
                continue
            if sub["bpmn_process_id"] in message["correlated"]:
                continue
            message["correlated"].append(sub["bpmn_process_id"])
            self._deliver(sub, message)
        for definition in self._latest_definitions():
            for start in definition.start_events:
                if start.kind == "message" and start.name == name \
                        and definition.bpmn_process_id not in message["correlated"]:
                    message["correlated"].append(definition.bpmn_process_id)
                    event = BpmnEvent(MessageEventDefinition(name), payload=deepcopy(variables))
                    self._start_instance(definition, start.element_id, {}, event)
        if ttl_ms > 0:
            self._messages[key] = message
            self._changes.put("messages", key, message)
            self._wake_at(message["expires"], "message-ttl", key)
        return key

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
            live.workflow.catch(BpmnEvent(MessageEventDefinition(sub["message_name"]),
                                          payload=deepcopy(message["variables"])))
            live.workflow.bpmn_events = []
            live.store().update(deepcopy(message["variables"]))
            self._settle(live)
            return
        task = live.task(sub["task_id"])
        for sub_key in live.subscriptions.pop(sub["task_id"], []):
            row = self._subscriptions.pop(sub_key, None)
            if row is not None:
                self._changes.drop("subscriptions", sub_key)
                intent = "CORRELATED" if sub_key == sub["key"] else "DELETED"
                self._record("PROCESS_MESSAGE_SUBSCRIPTION", intent, sub_key, _camel(row), live.key)
        self._record("MESSAGE", "CORRELATED", message["key"], {
            "name": message["name"], "correlationKey": message["correlation_key"],
            "processInstanceKey": sub["process_instance_key"], "elementId": sub["element_id"]}, live.key)
        self._current = live
        event = BpmnEvent(MessageEventDefinition(sub["message_name"]), payload=deepcopy(message["variables"]))
        received(task, message["variables"])
        task.task_spec.catch(task, event)
        task.task_spec._update(task)
        self._settle(live)

    def _correlate_buffered(self, live: LiveInstance, task_id: str) -> bool:
        now = self._now()
        for sub_key in list(live.subscriptions.get(task_id, [])):
            sub = self._subscriptions.get(sub_key)
            if sub is None:
                continue
            for key in sorted(self._messages):
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
            event = BpmnEvent(SignalEventDefinition(name), payload=deepcopy(variables))
            if live.workflow.event_manager.catch(event, internal=False):
                self._settle(live)
        for definition in self._latest_definitions():
            for start in definition.start_events:
                if start.kind == "signal" and start.name == name:
                    event = BpmnEvent(SignalEventDefinition(name), payload=deepcopy(variables))
                    self._start_instance(definition, start.element_id, {}, event)
        return key

    # ==== the clock: timers, job time-outs, back-offs, message expiry =========================
    def _wake_at(self, due_ms: int, kind: str, key: int) -> None:
        heapq.heappush(self._wakeups, (due_ms, key, kind, key))
        self._wakeups_changed = True

    def _poke_scheduler(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def _schedule_loop(self) -> None:
        while self._running:
            with self._wake:
                due = self._wakeups[0][0] if self._wakeups else None
                wait = None if due is None else max(due - self._now(), 0) / 1000
                if wait is None or wait > 0:
                    # With a hand-moved clock, `advance` pokes us; a short cap covers wall time drift.
                    self._wake.wait(timeout=min(wait, 1.0) if wait is not None else 1.0)
                    continue
            try:
                self._submit(self._fire_due, None)
            except Exception:
                log.exception("firing due timers failed")

    def _fire_due(self) -> None:
        now = self._now()
        due = []
        while self._wakeups and self._wakeups[0][0] <= now:
            due.append(heapq.heappop(self._wakeups))
        # Entries added while firing wait for the next round: a step never loops on itself.
        for _due, _, kind, key in due:
            if kind == "timer":
                self._fire_timer(key, now)
            elif kind == "job-timeout":
                job = self._jobs.get(key)
                if job is not None and job["state"] == "ACTIVATED" and job["deadline"] <= now:
                    job.update(worker="", deadline=0)
                    self._changes.put("jobs", key, job)
                    self._record("JOB", "TIMED_OUT", key, _job_value(job), job["root_key"])
                    self._make_activatable(key)
            elif kind == "job-backoff":
                job = self._jobs.get(key)
                if job is not None and job["state"] == "BACKOFF" and job["backoff_until"] <= now:
                    self._changes.put("jobs", key, job)
                    self._record("JOB", "RECURRED_AFTER_BACKOFF", key, _job_value(job), job["root_key"])
                    self._make_activatable(key)
            elif kind == "message-ttl":
                message = self._messages.get(key)
                if message is not None and message["expires"] <= now:
                    del self._messages[key]
                    self._changes.drop("messages", key)
                    self._record("MESSAGE", "EXPIRED", key, {"name": message["name"],
                                                              "correlationKey": message["correlation_key"]})

    def _fire_timer(self, key: int, now: int) -> None:
        timer = self._timers.get(key)
        if timer is None or timer["due"] > now:
            return
        if timer.get("definition_key") is not None:
            definition = self._definitions.get(timer["definition_key"])
            self._drop_timer(key, "TRIGGERED")
            if definition is None or definition.deleted:
                return
            self._start_instance(definition, timer["element_id"], {})
            remaining = timer["repetitions"]
            if remaining != 0 and timer["interval_ms"]:
                next_key = self._keys.next()
                row = dict(timer, key=next_key, due=timer["due"] + timer["interval_ms"],
                           repetitions=remaining - 1 if remaining > 0 else -1)
                self._timers[next_key] = row
                self._changes.put("timers", next_key, row)
                self._record("TIMER", "CREATED", next_key, _camel(row))
                self._wake_at(row["due"], "timer", next_key)
            return
        live = self._live.get(timer["root_key"])
        if live is None:
            self._drop_timer(key)
            return
        self._record("TIMER", "TRIGGERED", key, _camel(timer), live.key)
        self._timers.pop(key)
        self._changes.drop("timers", key)
        live.timers.pop(timer["task_id"], None)
        self._current = live
        with firing_timers():
            live.workflow.refresh_timers()
        self._settle(live)


# ==== small helpers ==============================================================================
_DEFERRABLE = frozenset({
    "deploy", "create_process_instance", "cancel_process_instance", "activate_jobs", "complete_job",
    "fail_job", "throw_error", "update_job_retries", "update_job_timeout", "publish_message",
    "set_variables", "resolve_incident", "delete_resource", "broadcast_signal", "complete_user_task",
})


def _checked(intent: str, variables: dict | None) -> dict[str, Any]:
    """Variables must be a JSON object (checked on the caller's thread, not the writer's)."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise Rejection(intent, "INVALID_ARGUMENT",
                        f"Expected variables to be a JSON object, but got {type(variables).__name__}")
    try:
        json.dumps(variables)
    except (TypeError, ValueError) as invalid:
        raise Rejection(intent, "INVALID_ARGUMENT",
                        f"Expected variables to be a JSON document, but it is not: {invalid}") from None
    if not all(isinstance(name, str) for name in variables):
        raise Rejection(intent, "INVALID_ARGUMENT", "Expected variable names to be strings")
    return variables


def _release(waiter: _Waiter, variables: dict[str, Any]) -> None:
    waiter.variables = variables
    waiter.done.set()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _camel(row: dict[str, Any]) -> dict[str, Any]:
    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)
    return {camel(k): v for k, v in row.items() if k not in ("task_id", "root_key")}


def _job_value(job: dict[str, Any]) -> dict[str, Any]:
    return {"type": job["type"], "retries": job["retries"], "worker": job["worker"], "deadline": job["deadline"],
            "customHeaders": job["custom_headers"], "errorMessage": job["error_message"],
            "elementId": job["element_id"], "elementInstanceKey": job["element_instance_key"],
            "processInstanceKey": job["process_instance_key"], "bpmnProcessId": job["bpmn_process_id"],
            "processDefinitionVersion": job["process_definition_version"],
            "processDefinitionKey": job["process_definition_key"]}


def _with_task(failure: Exception, task) -> Exception:
    if getattr(failure, "task", None) is None:
        with contextlib.suppress(AttributeError):
            failure.task = task
    return failure


def _incident_of(failure: Exception, task) -> tuple[str, str]:
    if isinstance(failure, ExpressionFailure):
        return failure.error_type, failure.message
    text = str(failure)
    if task is not None and isinstance(task.task_spec, CallActivityMixin) and "not found" in text:
        return ("CALLED_ELEMENT_ERROR",
                f"Expected process with BPMN process id '{task.task_spec.spec}' to be deployed, but not found.")
    if "No conditions satisfied" in text:
        return ("CONDITION_ERROR", "Expected at least one condition to evaluate to true, or to have a default "
                                   "flow")
    if isinstance(failure, WorkflowException):
        return "UNKNOWN", text
    definition = getattr(task.task_spec, "event_definition", None) if task is not None else None
    if isinstance(definition, TimerEventDefinition):
        return ("EXTRACT_VALUE_ERROR", f"Expected the timer expression '{definition.expression}' to give an "
                                       f"ISO 8601 date, duration or cycle, but it failed: {text}")
    return "UNKNOWN", f"{type(failure).__name__}: {text}"


def _first_due(start: defs.StartEventInfo, now) -> tuple[int | None, int, int]:
    """(due ms, repetitions left after this one (-1 = forever), interval ms) of a timer start event."""
    expression = value_of(start.timer_expression, {})
    if start.timer_kind == "date":
        return epoch_ms(TimerEventDefinition.get_datetime(str(expression))), 0, 0
    if start.timer_kind == "duration":
        delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(str(expression)), now)
        return epoch_ms(now + delta), 0, 0
    text = str(expression).upper()
    if text.startswith("R"):
        count, _, rest = text.partition("/")
        repetitions = int(count[1:]) if count[1:] else -1
        parts = rest.split("/")
        duration_text = parts[-1]
        delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(duration_text), now)
        start_at = TimerEventDefinition.get_datetime(parts[0]) if len(parts) == 2 else now + delta
        interval = int(delta / timedelta(milliseconds=1))
        return epoch_ms(start_at), (repetitions - 1 if repetitions > 0 else -1), interval
    return None, 0, 0
