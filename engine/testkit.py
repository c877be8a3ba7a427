"""Unit tests for BPMN diagrams, in-process: the role zeebe-process-test plays in Java.

A `ProcessTestEngine` runs the embedded engine on a SQLite file with a clock that only moves
when the test says so. Typical test::

    from engine.testkit import ProcessTestEngine

    def test_dossier_is_received(tmp_path):
        with ProcessTestEngine(tmp_path) as engine:
            engine.deploy("bpmn/construction-permit.bpmn", "forms/receive-dossier.form")
            dossier = engine.start("construction-permit", dossierCode="D-1")

            engine.complete_job("dossier.validate-checklist", checklistComplete=True)
            engine.complete_user_task("receive-dossier", accepted=True)   # job-worker user task
            engine.publish_message("fee-paid", correlation_key="D-1", amount=500_000)
            engine.advance(days=3)                                        # timers fire
            engine.restart()                                              # same database file

            assert dossier.passed("validate-checklist")
            assert dossier.is_waiting_at("issue-result")
            assert dossier.variables["checklistComplete"] is True
            assert not dossier.incidents()

Verbs: `deploy(*paths)` (.bpmn, .dmn, .form), `start(process_id, **variables)`,
`evaluate_decision(decision_id, **variables)` (a DMN decision's output), `complete_job(job_type, **variables)`,
`fail_job(job_type, retries=0, message=...)`, `throw_error(job_type, code, **variables)`,
`complete_user_task(element_id, **variables)`, `publish_message(name, correlation_key, **variables)`,
`broadcast_signal(name)`, `advance(**timedelta_args)`, `restart()`, `jobs(job_type)`,
`resolve_incidents(instance)`. The `engine` attribute is the full `engine.runtime.Engine` facade.

Each `Instance` answers `passed(element_id)`, `is_waiting_at(element_id)`, `variables` (root
scope), `local_variables(element_id)` (an active element instance's own scope),
`incidents()`, `decision_outputs()` (what its business rule tasks decided), `is_completed()`, `is_terminated()`, `active_elements()`, `passed_elements()`.
Job verbs raise `AssertionError` when no job of that type is waiting, so a wrong path fails loudly.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.runtime import ActivatedJob, Engine
from engine.runtime.clock import ControlledClock

USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"
START_OF_TEST_TIME = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday morning, Asia/Ho_Chi_Minh 15:00


class Instance:
    """A process instance seen from a test."""

    def __init__(self, kit: ProcessTestEngine, key: int) -> None:
        self.kit = kit
        self.key = key

    def __repr__(self) -> str:
        return f"Instance({self.key}, active={self.active_elements()})"

    def _elements(self) -> list[dict[str, Any]]:
        return self.kit.engine.element_instances(self.key)

    def passed_elements(self) -> list[str]:
        """Element ids that completed, in the order they completed."""
        done = [e for e in self._elements() if e["state"] == "COMPLETED"]
        return [e["element_id"] for e in sorted(done, key=lambda e: e["ended_position"])]

    def active_elements(self) -> list[str]:
        return [e["element_id"] for e in self._elements() if e["state"] == "ACTIVE"]

    def passed(self, element_id: str) -> bool:
        return element_id in self.passed_elements()

    def is_waiting_at(self, element_id: str) -> bool:
        return element_id in self.active_elements()

    def armed_timers(self) -> list[str]:
        """Element ids of the instance's timers waiting to fire. A boundary event's timer is armed
        while its activity runs, yet (as in Zeebe) the event is no active element until it fires."""
        armed: dict[int, str] = {}
        for record in self.kit.engine.records(limit=1_000_000, value_type="TIMER", process_instance_key=self.key):
            if record.intent == "CREATED":
                armed[record.key] = record.value["elementId"]
            else:
                armed.pop(record.key, None)
        return list(armed.values())

    def terminated_elements(self) -> list[str]:
        return [e["element_id"] for e in self._elements() if e["state"] == "TERMINATED"]

    @property
    def state(self) -> str:
        row = self.kit.engine.process_instance(self.key)
        return row["state"] if row else "UNKNOWN"

    def is_completed(self) -> bool:
        return self.state == "COMPLETED"

    def is_terminated(self) -> bool:
        return self.state == "TERMINATED"

    @property
    def variables(self) -> dict[str, Any]:
        """The variables of the instance's root scope."""
        return self.kit.engine.variables(self.key)

    def local_variables(self, element_id: str) -> dict[str, Any]:
        """The variables held by the (first) active element instance of `element_id`: its own
        scope (input mappings, local SetVariables, a multi-instance body's output collection)."""
        active = [e for e in self._elements() if e["element_id"] == element_id and e["state"] == "ACTIVE"]
        if not active:
            raise AssertionError(f"no element instance of '{element_id}' is active; active: {self.active_elements()}")
        return self.kit.engine.variables(self.key, active[0]["key"])

    def incidents(self) -> list[dict[str, Any]]:
        return self.kit.engine.incidents(process_instance_key=self.key)

    def decision_outputs(self) -> dict[str, Any]:
        """Outputs of the DMN decisions its business rule tasks evaluated, by decision id (the
        latest evaluation wins); a failed evaluation is an incident instead."""
        records = self.kit.engine.records(value_type="DECISION_EVALUATION", process_instance_key=self.key)
        return {r.value["decisionId"]: json.loads(r.value["decisionOutput"])
                for r in records if r.intent == "EVALUATED"}

    def cancel(self) -> None:
        self.kit.engine.cancel_process_instance(self.key)


class ProcessTestEngine:
    """An embedded engine for one test: SQLite file under `directory`, controlled clock."""

    def __init__(self, directory: str | Path, *, start_time: datetime = START_OF_TEST_TIME) -> None:
        self.database = Path(directory) / "engine.db"
        self.clock = ControlledClock(start_time)
        self.engine = Engine(f"sqlite:///{self.database}", clock=self.clock)

    def __enter__(self) -> ProcessTestEngine:
        self.engine.start()
        return self

    def __exit__(self, *exc) -> None:
        self.engine.close()

    def restart(self) -> None:
        """Stop the engine and start a new one on the same database, as after a crash or deploy."""
        self.engine.close()
        self.engine = Engine(f"sqlite:///{self.database}", clock=self.clock)
        self.engine.start()

    # ---- setting up --------------------------------------------------------------------------
    def deploy(self, *paths: str | Path):
        resources = [(Path(p).name, Path(p).read_bytes()) for p in paths]
        return self.engine.deploy(resources)

    def deploy_text(self, name: str, content: str):
        return self.engine.deploy([(name, content.encode("utf-8"))])

    def evaluate_decision(self, decision_id: str, **variables: Any) -> Any:
        """The output of the latest version of a deployed DMN decision for these variables, as
        EvaluateDecision answers it; AssertionError with Camunda's message if evaluation fails."""
        evaluation = self.engine.evaluate_decision(decision_id=decision_id, variables=variables)
        if evaluation.result.failed:
            raise AssertionError(evaluation.result.failure_message)
        return evaluation.result.output

    def start(self, process_id: str, **variables: Any) -> Instance:
        created = self.engine.create_process_instance(bpmn_process_id=process_id, variables=variables)
        return Instance(self, created.process_instance_key)

    def instance(self, key: int) -> Instance:
        return Instance(self, key)

    # ---- jobs ----------------------------------------------------------------------------------
    def jobs(self, job_type: str) -> list[dict[str, Any]]:
        return self.engine.jobs(job_type=job_type)

    def activate(self, job_type: str, max_jobs: int = 1) -> list[ActivatedJob]:
        return self.engine.activate_jobs(job_type=job_type, worker="testkit", timeout_ms=300_000,
                                         max_jobs=max_jobs)

    def _one_job(self, job_type: str, element_id: str | None = None) -> dict[str, Any]:
        jobs = [j for j in self.engine.jobs(job_type=job_type)
                if j["state"] in ("ACTIVATABLE", "ACTIVATED") and element_id in (None, j["element_id"])]
        if not jobs:
            waiting = sorted({j["type"] for j in self.engine.jobs()})
            raise AssertionError(f"no job of type '{job_type}' is waiting; waiting job types: {waiting}")
        return min(jobs, key=lambda j: j["key"])

    def complete_job(self, job_type: str, **variables: Any) -> dict[str, Any]:
        job = self._one_job(job_type)
        self.engine.complete_job(job["key"], variables)
        return job

    def fail_job(self, job_type: str, retries: int = 0, message: str = "failed in test",
                 backoff: timedelta | None = None) -> dict[str, Any]:
        job = self._one_job(job_type)
        backoff_ms = int(backoff.total_seconds() * 1000) if backoff else 0
        self.engine.fail_job(job["key"], retries, message, backoff_ms)
        return job

    def throw_error(self, job_type: str, code: str, message: str = "", **variables: Any) -> dict[str, Any]:
        job = self._one_job(job_type)
        self.engine.throw_error(job["key"], code, message, variables)
        return job

    def complete_user_task(self, element_id: str, **variables: Any) -> None:
        """Complete the user task at `element_id`: a job-worker one (job type
        io.camunda.zeebe:userTask) or a Camunda user task (<zeebe:userTask/>)."""
        jobs = [j for j in self.engine.jobs(job_type=USER_TASK_JOB_TYPE) if j["element_id"] == element_id]
        if jobs:
            self.engine.complete_job(min(j["key"] for j in jobs), variables)
            return
        tasks = [t for t in self.engine.user_tasks() if t["element_id"] == element_id]
        if not tasks:
            raise AssertionError(f"no user task is waiting at '{element_id}'")
        self.engine.complete_user_task(min(t["key"] for t in tasks), variables)

    def user_task_headers(self, element_id: str) -> dict[str, str]:
        jobs = [j for j in self.engine.jobs(job_type=USER_TASK_JOB_TYPE) if j["element_id"] == element_id]
        if not jobs:
            raise AssertionError(f"no job-worker user task is waiting at '{element_id}'")
        return jobs[0]["custom_headers"]

    # ---- events and time -----------------------------------------------------------------------
    def publish_message(self, name: str, correlation_key: str = "", ttl: timedelta | None = None,
                        message_id: str = "", **variables: Any) -> int:
        ttl_ms = int(ttl.total_seconds() * 1000) if ttl else 0
        return self.engine.publish_message(name, correlation_key, ttl_ms, message_id, variables)

    def broadcast_signal(self, name: str, **variables: Any) -> int:
        return self.engine.broadcast_signal(name, variables)

    def advance(self, delta: timedelta | None = None, **timedelta_args: float) -> None:
        """Move the clock (e.g. `advance(days=3)`) and let everything now due fire."""
        self.clock.advance(delta or timedelta(**timedelta_args))
        self.engine.tick()

    def resolve_incidents(self, instance: Instance) -> None:
        for incident in instance.incidents():
            if incident["job_key"]:
                self.engine.update_job_retries(incident["job_key"], 1)
            self.engine.resolve_incident(incident["key"])
