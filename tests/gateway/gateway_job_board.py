"""A stand-in for the engine with only jobs, for gateway behaviour that needs no BPMN: long
polling, streaming, request checks, status codes, stop. End-to-end tests use the real engine."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any


class Refused(Exception):
    """Shaped like the runtime's Rejection (intent, code, reason)."""

    def __init__(self, intent: str, code: str, reason: str) -> None:
        super().__init__(f"Command '{intent}' rejected with code '{code}': {reason}")
        self.intent, self.code, self.reason = intent, code, reason


@dataclass(frozen=True)
class Job:
    key: int
    type: str
    process_instance_key: int = 2251799813685300
    bpmn_process_id: str = "board"
    process_definition_version: int = 1
    process_definition_key: int = 2251799813685250
    element_id: str = "task"
    element_instance_key: int = 2251799813685301
    custom_headers: dict[str, str] = field(default_factory=dict)
    worker: str = ""
    retries: int = 3
    deadline: int = -1
    variables: dict[str, Any] = field(default_factory=dict)
    tenant_id: str = "<default>"


class JobBoard:
    def __init__(self) -> None:
        self._keys = itertools.count(2251799813685400)
        self._lock = threading.Lock()
        self.waiting: dict[int, Job] = {}
        self.activated: dict[int, Job] = {}
        self.completed: dict[int, dict[str, Any]] = {}
        self._listeners: list[Callable[[str], None]] = []
        self.closed = False
        self.activation_delay_s = 0.0  # a slow engine, to let a client give up mid-activation
        self.activations = 0  # how often the gateway asked

    def add_job_listener(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def post(self, job_type: str, **variables: Any) -> int:
        with self._lock:
            key = next(self._keys)
            self.waiting[key] = Job(key=key, type=job_type, variables=variables)
        for listener in self._listeners:
            listener(job_type)
        return key

    def activate_jobs(
        self,
        *,
        job_type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        fetch_variables: list[str] | None = None,
    ) -> list[Job]:
        time.sleep(self.activation_delay_s)
        with self._lock:
            self.activations += 1
            chosen = [j for j in self.waiting.values() if j.type == job_type][:max_jobs]
            deadline = int(time.time() * 1000) + timeout_ms
            for job in chosen:
                del self.waiting[job.key]
                self.activated[job.key] = replace(job, worker=worker, deadline=deadline)
            return [self.activated[j.key] for j in chosen]

    def complete_job(self, key: int, variables: dict[str, Any] | None = None) -> None:
        with self._lock:
            if self.activated.pop(key, None) is None and self.waiting.pop(key, None) is None:
                raise Refused(
                    "COMPLETE",
                    "NOT_FOUND",
                    f"Expected to complete job with key '{key}', but no such job was found",
                )
            self.completed[key] = variables or {}

    def update_job_timeout(self, key: int, timeout_ms: int) -> None:
        """Only the part the gateway uses: a zero timeout ends the lock now."""
        with self._lock:
            job = self.activated.pop(key)
            self.waiting[key] = replace(job, worker="", deadline=-1)
        for listener in self._listeners:
            listener(job.type)

    def fail_job(
        self,
        key: int,
        retries: int,
        error_message: str = "",
        retry_backoff_ms: int = 0,
        variables: dict[str, Any] | None = None,
    ) -> None:
        raise Refused(
            "FAIL",
            "INVALID_STATE",
            f"Expected to fail job with key '{key}', but it is in state 'FAILED'",
        )

    def publish_message(
        self,
        name: str,
        correlation_key: str = "",
        time_to_live_ms: int = 0,
        message_id: str = "",
        variables: dict[str, Any] | None = None,
    ) -> int:
        raise Refused("PUBLISH", "RESOURCE_EXHAUSTED", "the command queue is full")

    def close(self) -> None:
        self.closed = True
