"""The task collector: job-worker user tasks (`io.camunda.zeebe:userTask` jobs) into the inbox.

A background thread in the webapp process long-polls ActivateJobs for user-task jobs with a long
job timeout (the lease, default 24 h) and stores each job in `inbox_tasks`, keyed by the job key,
in its own committed transaction as soon as the activation answers:

* never shown twice — a job activated again (its lease ran out while the webapp was down, or the
  database was restored) is the same row;
* never lost — a task stays activated for us while its row exists: a sweep renews the lease of
  every open task (UpdateJobTimeout) long before it ends; a job the gateway no longer knows
  (NOT_FOUND: completed elsewhere, its process moved on or was canceled) leaves the inbox. Jobs
  that cannot be stored are given back at once (FailJob keeping their retries); should the
  webapp die between activation and commit, the job comes back when its lease ends;
* after a restart the rows are still there, and the first sweep checks each of them at once.

Completion is CompleteJob with the form's values (webapp/inbox/service.py).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from motcua.db.inbox_tasks import InboxTask, TaskState
from webapp.zeebe import EngineUnavailable, TaskGone, UserTaskJob

log = logging.getLogger(__name__)
WORKER_NAME = "motcua-inbox"


def _list_header(text: Any) -> list[str]:
    if not text:
        return []
    if isinstance(text, list):
        return [str(v) for v in text]
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = [part.strip() for part in str(text).split(",")]
    return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v)]


def _moment(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TaskCollector:
    def __init__(self, office: Any, timeout_ms: int = 24 * 3_600_000, poll_ms: int = 10_000,
                 sweep_s: float = 300.0) -> None:
        self.office = office
        self.timeout_ms = timeout_ms
        self.poll_ms = poll_ms
        self.sweep_s = sweep_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._collect_lock = threading.Lock()

    # --------------------------------------------------------------------- one round
    def collect_once(self, request_timeout_ms: int | None = None) -> int:
        """Activate what is waiting (long poll up to `request_timeout_ms`) and store it."""
        with self._collect_lock:
            jobs = self.office.gateway.activate_user_tasks(
                WORKER_NAME, self.timeout_ms, request_timeout_ms=self.poll_ms if request_timeout_ms is None
                else request_timeout_ms)
            if jobs:
                try:
                    self.store(jobs)
                except Exception:
                    self._give_back(jobs)  # not stored: let them come again rather than wait a lease
                    raise
            return len(jobs)

    def _give_back(self, jobs: list[UserTaskJob]) -> None:
        for job in jobs:
            try:
                self.office.gateway.give_back(job.key, job.retries, "the inbox could not store the task")
            except Exception:  # the lease will bring it back
                log.warning("inbox collector: could not give back job %s", job.key)

    def store(self, jobs: list[UserTaskJob]) -> None:
        now = datetime.now(UTC)
        with self.office.transaction() as db:
            for job in jobs:
                lease_until = datetime.fromtimestamp(job.deadline_ms / 1000, UTC) if job.deadline_ms \
                    else now + timedelta(milliseconds=self.timeout_ms)
                row = db.get(InboxTask, job.key)
                if row is None:
                    db.add(self._new_row(job, lease_until))
                elif row.state is TaskState.OPEN:
                    row.variables = job.variables
                    row.headers = job.headers
                    row.lease_until = lease_until

    def _new_row(self, job: UserTaskJob, lease_until: datetime) -> InboxTask:
        headers, variables = job.headers, job.variables
        spec = self.office.process_models.user_task(job.bpmn_process_id, job.element_id)
        form_key = str(headers.get("io.camunda.zeebe:formKey") or "")
        form_id = spec.form_id if spec and spec.form_id else None
        if form_id is None and form_key and not form_key.isdigit():
            form_id = form_key.removeprefix("camunda-forms:bpmn:")
        applicant = variables.get("applicant") if isinstance(variables.get("applicant"), dict) else {}
        return InboxTask(
            job_key=job.key, process_instance_key=job.process_instance_key,
            bpmn_process_id=job.bpmn_process_id, element_id=job.element_id,
            name=spec.name if spec else job.element_id, form_id=form_id,
            candidate_groups=_list_header(headers.get("io.camunda.zeebe:candidateGroups")),
            candidate_users=_list_header(headers.get("io.camunda.zeebe:candidateUsers")),
            assignee=headers.get("io.camunda.zeebe:assignee") or None,
            due_at=_moment(headers.get("io.camunda.zeebe:dueDate")),
            dossier_code=str(variables["dossierCode"]) if variables.get("dossierCode") else None,
            procedure_code=str(variables["procedureCode"]) if variables.get("procedureCode") else None,
            applicant_name=str(applicant.get("fullName")) if applicant.get("fullName") else None,
            display_name=str(variables.get("taskContextDisplayName") or "") or None,
            variables=variables, headers=headers, state=TaskState.OPEN, lease_until=lease_until)

    def sweep(self) -> int:
        """Renew the lease of every open task; drop those the engine no longer has. Returns how
        many left the inbox."""
        with self.office.sessions() as db:
            keys = db.scalars(sa.select(InboxTask.job_key).where(InboxTask.state == TaskState.OPEN)).all()
        gone = 0
        for key in keys:
            try:
                self.office.gateway.update_job_timeout(key, self.timeout_ms)
            except TaskGone:
                mark_gone(self.office, key)
                gone += 1
                continue
            with self.office.transaction() as db:
                row = db.get(InboxTask, key)
                if row is not None:
                    row.lease_until = datetime.now(UTC) + timedelta(milliseconds=self.timeout_ms)
        return gone

    # ------------------------------------------------------------------ background
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="inbox-collector", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        next_sweep = 0.0
        backoff = 1.0
        while not self._stop.is_set():
            try:
                if datetime.now(UTC).timestamp() >= next_sweep:
                    self.sweep()
                    next_sweep = datetime.now(UTC).timestamp() + self.sweep_s
                self.collect_once()
                backoff = 1.0
            except EngineUnavailable:
                log.info("inbox collector: the engine is not reachable, retrying in %.0f s", backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)
            except Exception:  # keep collecting whatever one bad round did
                log.exception("inbox collector round failed")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)


def mark_gone(office: Any, job_key: int) -> None:
    with office.transaction() as db:
        row = db.get(InboxTask, job_key)
        if row is not None and row.state is TaskState.OPEN:
            row.state = TaskState.GONE
            row.completed_at = datetime.now(UTC)
