"""Jobs and incidents: activation, completion, failure, errors, retries, time-outs, resolving."""
from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.dialect.expressions import ExpressionFailure
from engine.dialect.mappings import received
from engine.dialect.scopes import set_local

from .instance import LiveInstance
from .record_values import camel_case_keys, incident_of, job_value, with_task
from .values import (
    ActivatedJob,
    Rejection,
)


class JobCommands:
    """Engine commands on jobs and incidents (mixed into `Engine`)."""

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
            self._record("JOB", "ACTIVATED", key, job_value(job), job["root_key"])
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
        self._completing(live, task)  # Zeebe: the job's variables arrive while the task completes
        received(task, deepcopy(variables))
        try:
            task.complete()
        except Exception as failure:
            task._set_state(TaskState.STARTED)
            error_type, message = incident_of(failure, task)
            self._open_incident(live, task, error_type, message, retry="complete")
        self._settle(live)

    def _drop_job(self, key: int, intent: str, variables: dict[str, Any] | None = None) -> None:
        job = self._jobs.pop(key, None)
        if job is None:
            return
        self._activatable.get(job["type"], {}).pop(key, None)
        self._changes.drop("jobs", key)
        value = job_value(job)
        if variables is not None:
            value["variables"] = variables
        self._record("JOB", intent, key, value, job["root_key"])

    def _fail_job(self, key: int, retries: int, message: str, backoff_ms: int, variables: dict[str, Any]) -> None:
        job = self._job_for(key, "FAIL", "fail", ("ACTIVATABLE", "ACTIVATED"))
        live = self._live[job["root_key"]]
        if variables:
            # Zeebe sets FailJob variables locally on the task's scope: they shadow process
            # variables of the same name and disappear when the task completes.
            self._current = live
            set_local(live.task(job["task_id"]), deepcopy(variables))
            self._dirty.add(live.key)
        job.update(retries=retries, error_message=message, worker="", deadline=0)
        self._activatable.get(job["type"], {}).pop(key, None)
        self._record("JOB", "FAILED", key, job_value(job), live.key)
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
        event = BpmnEvent(ErrorEventDefinition(code, code=code), payload={}, target=task.workflow)
        found = self._error_catcher(live, task, code)
        uncaught = found is None
        if found is not None and found[0] == "boundary":
            for catcher in found[1]:
                catcher.task_spec.catch(catcher, event)
                # The variables belong to the catching event and leave it like an event's output.
                received(catcher, deepcopy(variables))
                catcher.task_spec._update(catcher)
            live.workflow.bpmn_events = []
        elif found is not None:
            workflow, start = found[1]
            catcher = self._trigger_event_subprocess(live, workflow, start)
            if catcher is None:
                uncaught = True
            else:
                catcher.task_spec.catch(catcher, event)
                received(catcher, deepcopy(variables))
                catcher.task_spec._update(catcher)
        if uncaught:
            job.update(state="ERROR_THROWN", error_message=message)
            self._activatable.get(job["type"], {}).pop(key, None)
            self._changes.put("jobs", key, job)
            self._record("JOB", "ERROR_THROWN", key, dict(job_value(job), errorCode=code), live.key)
            self._open_incident(
                live, task, "UNHANDLED_ERROR_EVENT",
                f"Expected to throw an error event with the code '{code}' with message '{message}', but it "
                "was not caught. No error events are available in the scope.", job_key=key)
            self._dirty.add(live.key)
            return
        self._drop_job(key, "ERROR_THROWN", variables)
        self._settle(live)

    @staticmethod
    def _waiting_error_catchers(live: LiveInstance, code: str) -> list:
        found = []
        for waiting in live.workflow.event_manager.tasks.values():
            definition = waiting.task_spec.event_definition
            if isinstance(definition, ErrorEventDefinition) and definition.code in (None, code) \
                    and waiting.state == TaskState.WAITING:
                found.append(waiting)
        return found

    def throw_bpmn_error(self, task, code: str) -> None:
        """Hook for an error end event: the error goes to its catcher, or is an incident."""
        live = self._current
        found = self._error_catcher(live, task, code)
        event = BpmnEvent(ErrorEventDefinition(code, code=code), payload={}, target=task.workflow)
        if found is None:
            raise ExpressionFailure(
                f"Expected to throw an error event with the code '{code}', but it was not caught. No error "
                "events are available in the scope.", "UNHANDLED_ERROR_EVENT", task)
        if found[0] == "boundary":
            catchers = found[1]
        else:
            workflow, start = found[1]
            catchers = [c for c in [self._trigger_event_subprocess(live, workflow, start)] if c is not None]
        for catcher in catchers:
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)

    def _error_catcher(self, live: LiveInstance, task, code: str):
        """Who catches error `code` thrown at `task`, as Zeebe looks (8.6): from the task outward,
        at each element its own error boundary events, and at each flow scope (subprocess,
        process) its error event subprocesses before the boundary events of the subprocess; never
        a boundary on a sibling in another branch. ("boundary", [tasks]), ("evsub", (workflow of
        the scope, start)) or None."""
        catchers = self._waiting_error_catchers(live, code)
        node = task
        while node is not None:
            parent = node.parent
            if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
                attached = [c for c in catchers if c.parent is parent and c is not node]
                if attached:
                    return "boundary", attached
            if parent is None:
                workflow = node.workflow
                starts = [s for s in self._event_subprocesses_of(live, workflow, "error")
                          if s.error_code in (None, code)]
                if starts:
                    start = next((s for s in starts if s.error_code == code), starts[0])
                    return "evsub", (workflow, start)
                parent_id = workflow.parent_task_id
                parent = None if parent_id is None else live.workflow.get_task_from_id(parent_id)
            node = parent
        return None

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
        self._record("JOB", "RETRIES_UPDATED", key, job_value(job), job["root_key"])

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
        self._record("JOB", "TIMEOUT_UPDATED", key, job_value(job), job["root_key"])

    def _complete_user_task(self, element_instance_key: int, variables: dict[str, Any]) -> None:
        row = self._user_tasks.get(element_instance_key)
        if row is None:
            raise Rejection("COMPLETE", "NOT_FOUND",
                            f"Expected to complete user task with key '{element_instance_key}', but no such "
                            "user task was found")
        del self._user_tasks[element_instance_key]
        live = self._live[row["root_key"]]
        self._record("USER_TASK", "COMPLETED", element_instance_key, dict(camel_case_keys(row), variables=variables), live.key)
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
        self._record("INCIDENT", "CREATED", key, camel_case_keys(row), live.key)
        return key

    def _drop_incident(self, key: int, intent: str) -> dict[str, Any]:
        row = self._incidents.pop(key)
        self._changes.drop("incidents", key)
        self._record("INCIDENT", intent, key, camel_case_keys(row), row["root_key"])
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
            self._raise_incident_for(live, with_task(failure, task))
        if row["retry"] == "update" and live.subscriptions.get(row["task_id"]) is not None:
            for sub_key in live.subscriptions.pop(row["task_id"]):
                self._drop_subscription(sub_key)
        self._settle(live)
