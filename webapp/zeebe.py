"""The webapp's door to the engine: the Zeebe gateway protocol over gRPC (pyzeebe's stubs).

Works the same against the embedded engine and a real Zeebe cluster. Errors that a page must
explain become `TaskGone` (the job was completed or canceled elsewhere: NOT_FOUND) and
`EngineUnavailable` (the gateway cannot be reached).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"
CALL_TIMEOUT_S = 10


class TaskGone(LookupError):
    """The job no longer exists: completed elsewhere, or its process moved on or was canceled."""


class EngineUnavailable(ConnectionError):
    pass


@dataclass(frozen=True)
class UserTaskJob:
    key: int
    process_instance_key: int
    bpmn_process_id: str
    element_id: str
    headers: dict[str, Any]
    variables: dict[str, Any]
    deadline_ms: int
    retries: int = 1


class ZeebeGateway:
    def __init__(self, address: str) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._stub: GatewayStub | None = None

    @property
    def stub(self) -> GatewayStub:
        with self._lock:
            if self._stub is None:
                self._channel = grpc.insecure_channel(self.address)
                self._stub = GatewayStub(self._channel)
            return self._stub

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = self._stub = None

    def _call(self, method: str, request: Any, timeout: float = CALL_TIMEOUT_S) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=timeout)
        except grpc.RpcError as error:
            code = error.code() if hasattr(error, "code") else None
            if code == grpc.StatusCode.NOT_FOUND:
                raise TaskGone(error.details() if hasattr(error, "details") else str(error)) from error
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise EngineUnavailable(str(code)) from error
            raise

    def create_instance(self, bpmn_process_id: str, variables: dict[str, Any]) -> int:
        response = self._call("CreateProcessInstance", pb.CreateProcessInstanceRequest(
            bpmnProcessId=bpmn_process_id, version=-1, variables=json.dumps(variables)))
        return int(response.processInstanceKey)

    def activate_user_tasks(self, worker: str, timeout_ms: int, max_jobs: int = 50,
                            request_timeout_ms: int = 10_000) -> list[UserTaskJob]:
        request = pb.ActivateJobsRequest(type=USER_TASK_JOB_TYPE, worker=worker, timeout=timeout_ms,
                                         maxJobsToActivate=max_jobs, requestTimeout=request_timeout_ms)
        jobs: list[UserTaskJob] = []
        try:
            stream = self.stub.ActivateJobs(request, timeout=request_timeout_ms / 1000 + CALL_TIMEOUT_S)
            for response in stream:
                for job in response.jobs:
                    jobs.append(UserTaskJob(
                        key=int(job.key), process_instance_key=int(job.processInstanceKey),
                        bpmn_process_id=job.bpmnProcessId, element_id=job.elementId,
                        headers=json.loads(job.customHeaders or "{}"),
                        variables=json.loads(job.variables or "{}"), deadline_ms=int(job.deadline),
                        retries=int(job.retries)))
        except grpc.RpcError as error:
            if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise EngineUnavailable(str(error.code())) from error
            raise
        return jobs

    def complete_job(self, job_key: int, variables: dict[str, Any]) -> None:
        self._call("CompleteJob", pb.CompleteJobRequest(jobKey=job_key, variables=json.dumps(variables)))

    def give_back(self, job_key: int, retries: int, reason: str) -> None:
        """Make an activated job activatable again at once (FailJob keeping its retries)."""
        self._call("FailJob", pb.FailJobRequest(jobKey=job_key, retries=max(retries, 1), errorMessage=reason))

    def update_job_timeout(self, job_key: int, timeout_ms: int) -> None:
        self._call("UpdateJobTimeout", pb.UpdateJobTimeoutRequest(jobKey=job_key, timeout=timeout_ms))

    def publish_message(self, name: str, correlation_key: str, variables: dict[str, Any],
                        message_id: str = "", ttl_ms: int = 3_600_000) -> None:
        self._call("PublishMessage", pb.PublishMessageRequest(
            name=name, correlationKey=correlation_key, timeToLive=ttl_ms, messageId=message_id,
            variables=json.dumps(variables)))
