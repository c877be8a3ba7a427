"""The embedded engine's facade: Zeebe commands applied in order by one writer thread.

Every public command is queued, applied to in-memory state by the writer, written in one
transaction (several queued commands may share it) and only then answered. Queries run on the
writer too, so they always see acknowledged state.

The command handlers live beside this module, one concern each, mixed into `Engine`:
`deployments`, `processing` (driving SpiffWorkflow, element lifecycle, subscriptions, timers of
waiting elements), `jobs` (and incidents), `messages` (and variables, signals), `scheduling`.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from engine.dialect import specs
from engine.dialect.expressions import ZeebeScriptEngine
from engine.dialect.snapshot import Snapshots
from engine.dialect.timers import use_clock
from engine.store import Changes, Store

from . import definitions as defs
from .clock import Clock, WallClock, epoch_ms
from .deployments import Deployments
from .instance import LiveInstance
from .jobs import JobCommands
from .keys import KeyGenerator
from .messages import MessageCommands
from .processing import InstanceProcessing
from .record_values import DEFERRABLE, ResultWaiter, checked_variables
from .scheduling import Scheduling
from .values import (
    ActivatedJob,
    Deployment,
    InstanceCreated,
    Record,
    Rejection,
)

log = logging.getLogger(__name__)

GROUP_LIMIT = 128  # commands that may share one transaction


@dataclass
class _Command:
    run: Callable[[], Any]
    done: threading.Event | None = None  # only for a caller that waits (not for a future)
    result: Any = None
    error: BaseException | None = None
    future: Future | None = None
    intent: str | None = None



class Engine(Deployments, InstanceProcessing, JobCommands, MessageCommands, Scheduling):
    """A durable, single-node, Zeebe-compatible process engine (see module docstring)."""

    def __init__(self, database_url: str = "sqlite://", *, clock: Clock | None = None,
                 max_queue: int = 1000) -> None:
        self.database_url = database_url
        self.clock: Clock = clock or WallClock()
        self.max_queue = max_queue
        self._queue: queue.SimpleQueue[_Command | None] = queue.SimpleQueue()  # C: no Condition per put
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
        self._stamp: int | None = None  # the clock read once per command, for its records
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
        with self._pending_lock:
            self._running = False
            self._queue.put(None)  # in-flight commands before it finish; the writer stops here
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
        variables = checked_variables("CREATE", variables)
        return self._submit(lambda: self._create(bpmn_process_id, version, process_definition_key,
                                                 variables, list(start_instructions)), "CREATE")

    def await_result(self, process_instance_key: int, timeout_s: float,
                     fetch_variables: list[str] | None = None) -> dict:
        waiter = ResultWaiter(fetch_variables)
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
        variables = checked_variables("COMPLETE", variables)
        return self._submit(lambda: self._complete_job(key, variables), "COMPLETE")

    def fail_job(self, key: int, retries: int, error_message: str = "", retry_backoff_ms: int = 0,
                 variables: dict | None = None) -> None:
        variables = checked_variables("FAIL", variables)
        return self._submit(lambda: self._fail_job(key, retries, error_message, retry_backoff_ms, variables),
                     "FAIL")

    def throw_error(self, key: int, error_code: str, error_message: str = "",
                    variables: dict | None = None) -> None:
        variables = checked_variables("THROW_ERROR", variables)
        return self._submit(lambda: self._throw_error(key, error_code, error_message, variables), "THROW_ERROR")

    def update_job_retries(self, key: int, retries: int) -> None:
        return self._submit(lambda: self._update_retries(key, retries), "UPDATE_RETRIES")

    def update_job_timeout(self, key: int, timeout_ms: int) -> None:
        return self._submit(lambda: self._update_timeout(key, timeout_ms), "UPDATE_TIMEOUT")

    def publish_message(self, name: str, correlation_key: str = "", time_to_live_ms: int = 0,
                        message_id: str = "", variables: dict | None = None) -> int:
        variables = checked_variables("PUBLISH", variables)
        return self._submit(lambda: self._publish(name, correlation_key, time_to_live_ms, message_id,
                                                  variables), "PUBLISH")

    def set_variables(self, element_instance_key: int, variables: dict, local: bool = False) -> int:
        variables = checked_variables("UPDATE", variables)
        return self._submit(lambda: self._set_variables(element_instance_key, variables, local), "UPDATE")

    def resolve_incident(self, key: int) -> None:
        return self._submit(lambda: self._resolve(key), "RESOLVE")

    def delete_resource(self, key: int) -> None:
        return self._submit(lambda: self._delete_resource(key), "DELETE")

    def broadcast_signal(self, name: str, variables: dict | None = None) -> int:
        variables = checked_variables("BROADCAST", variables)
        return self._submit(lambda: self._broadcast(name, variables), "BROADCAST")

    def complete_user_task(self, element_instance_key: int, variables: dict | None = None) -> None:
        """Complete a Camunda user task (<zeebe:userTask/>, no job) by its element instance key."""
        variables = checked_variables("COMPLETE", variables)
        return self._submit(lambda: self._complete_user_task(element_instance_key, variables), "COMPLETE")

    def submit(self, command: str, /, *args: Any, **kwargs: Any) -> Future:
        """Queue a facade command without waiting: `submit("complete_job", key, {"ok": True})`.

        The future resolves once the command is committed, with the command's result or its
        `Rejection`. Its callbacks run on the engine's writer thread and must be quick. For
        callers that hold many commands in flight (the gRPC gateway, benchmarks).
        """
        if command not in DEFERRABLE:
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
        """Variables of an instance's root scope, or the local variables of element instance
        `scope_key` (Zeebe keeps each variable in one scope); NOT_FOUND for an element instance
        that is unknown or no longer active."""
        if scope_key == process_instance_key:
            scope_key = None  # the instance's own key is its root scope
        return self._submit(lambda: self._scope_variables(process_instance_key, scope_key), None)

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
        command = _Command(run, intent=intent)
        deferred = getattr(self._deferred_call, "active", False)
        if deferred:
            command.future = Future()
        else:
            command.done = threading.Event()
        # Checked and queued under one lock: after close() queues its stop mark, nothing follows it.
        with self._pending_lock:
            if not self._running:
                raise RuntimeError("the engine is not running (call start())")
            if intent is not None and self._pending >= self.max_queue:
                raise Rejection(intent, "RESOURCE_EXHAUSTED",
                                f"the engine's command queue is full ({self.max_queue} commands); retry later")
            self._pending += 1
            self._queue.put(command)
        if deferred:
            return command.future
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
                if command.future is not None and not command.future.set_running_or_notify_cancel():
                    command.future = None  # cancelled by its caller before it ran: skipped, never answered
                    continue
                self._stamp = None  # the records of one command share their timestamp
                try:
                    command.result = command.run()
                except Rejection as rejection:
                    command.error = rejection
                except Exception as error:  # a bug must neither take the writer down nor stay in memory
                    log.exception("engine command failed")
                    command.error = failure = error
            self._stamp = None
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
                    if command.done is not None:
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
            # A finished instance is read from its row and the record log: no snapshot to keep.
            snapshot = self._snapshots.dump(live.workflow) if live is not None and row["state"] == "ACTIVE" else None
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
        self._completing_values: dict[int, dict[str, Any]] = {}  # element key → value of its COMPLETING
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
        self._recover_decisions(loaded)
        self._instances: dict[int, dict[str, Any]] = {}
        self._live: dict[int, LiveInstance] = {}
        self._jobs: dict[int, dict[str, Any]] = loaded["jobs"]
        self._incidents: dict[int, dict[str, Any]] = loaded["incidents"]
        self._subscriptions: dict[int, dict[str, Any]] = loaded["subscriptions"]
        self._messages: dict[int, dict[str, Any]] = loaded["messages"]
        self._timers: dict[int, dict[str, Any]] = loaded["timers"]
        self._user_tasks: dict[int, dict[str, Any]] = {}
        # (message name, correlation key) -> keys, oldest first: correlation without scanning
        self._subscriptions_by_message: dict[tuple[str, str], dict[int, None]] = defaultdict(dict)
        self._messages_by_name: dict[tuple[str, str], dict[int, None]] = defaultdict(dict)
        for key, sub in sorted(self._subscriptions.items()):
            self._subscriptions_by_message[(sub["message_name"], sub["correlation_key"])][key] = None
        for key, message in sorted(self._messages.items()):
            self._messages_by_name[(message["name"], message["correlation_key"])][key] = None
        self._waiters: dict[int, list[ResultWaiter]] = defaultdict(list)
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
                self._attach(live)
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
        stamp = self._stamp
        if stamp is None:
            stamp = self._stamp = self._now()
        self._changes.records.append((self._position, key, stamp, value_type, intent, process_instance_key, value))

    def _records_query(self, after: int, limit: int, value_type: str | None, pik: int | None) -> list[Record]:
        return [Record(r["position"], r["key"], r["timestamp"], r["value_type"], r["intent"],
                       r["process_instance_key"], r["value"])
                for r in self.store.records(after, limit, value_type, pik)]

    def _records_of(self, value_type: str, pik: int) -> list[Record]:
        return self._records_query(0, 1_000_000, value_type, pik)
