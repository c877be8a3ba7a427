"""The engine's clock work: timers, job time-outs and back-offs, message expiry."""
from __future__ import annotations

import heapq
import logging

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.mixins import BoundaryEventMixin
from SpiffWorkflow.util.task import TaskState

from engine.dialect.timers import firing_timers

from .record_values import camel_case_keys, job_value

log = logging.getLogger(__name__)


class Scheduling:
    """Wake-ups on the engine's clock (mixed into `Engine`)."""

    # ==== the clock: timers, job time-outs, back-offs, message expiry =========================
    def _wake_at(self, due_ms: int, kind: str, key: int) -> None:
        # The scheduler sleeps until the earliest wake-up: only an earlier one needs to wake it.
        if not self._wakeups or due_ms < self._wakeups[0][0]:
            self._wakeups_changed = True
        heapq.heappush(self._wakeups, (due_ms, key, kind, key))

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
            except RuntimeError:
                if not self._running:
                    return  # the engine stopped while a timer was due; it fires after the next start
                log.exception("firing due timers failed")
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
                    self._record("JOB", "TIMED_OUT", key, job_value(job), job["root_key"])
                    self._make_activatable(key)
            elif kind == "job-backoff":
                job = self._jobs.get(key)
                if job is not None and job["state"] == "BACKOFF" and job["backoff_until"] <= now:
                    self._changes.put("jobs", key, job)
                    self._record("JOB", "RECURRED_AFTER_BACKOFF", key, job_value(job), job["root_key"])
                    self._make_activatable(key)
            elif kind == "message-ttl":
                message = self._messages.get(key)
                if message is not None and message["expires"] <= now:
                    del self._messages[key]
                    self._messages_by_name[(message["name"], message["correlation_key"])].pop(key, None)
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
                self._record("TIMER", "CREATED", next_key, camel_case_keys(row))
                self._wake_at(row["due"], "timer", next_key)
            return
        live = self._live.get(timer["root_key"])
        if live is None:
            self._drop_timer(key)
            return
        self._record("TIMER", "TRIGGERED", key, camel_case_keys(timer), live.key)
        self._timers.pop(key)
        self._changes.drop("timers", key)
        live.timers.pop(timer["task_id"], None)
        self._current = live
        task = next((t for t in live.all_tasks() if str(t.id) == timer["task_id"]), None)
        branches = len(task.children) if task is not None else 0
        with firing_timers():
            live.workflow.refresh_timers()
        if task is not None and isinstance(task.task_spec, BoundaryEventMixin) \
                and task.state == TaskState.WAITING and len(task.children) > branches:
            self._boundary_occurrence(live, task)  # a cycle fired: the boundary event waits for the next
            root = task.workflow.task_tree
            for branch in task.children[branches:]:
                if not isinstance(branch.task_spec, BoundaryEventJoin):
                    # Zeebe's branch runs on once the activity ends; Spiff would cancel it with
                    # the boundary task it hangs below, so it becomes a branch of its scope.
                    task._children.remove(branch.id)
                    branch._parent = root.id
                    root._children.append(branch.id)
        self._settle(live)
