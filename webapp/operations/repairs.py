"""What an operator may change, over the Zeebe gateway protocol only (pyzeebe's stubs), so the
same actions work against the embedded engine and a real Zeebe cluster:

* retry an incident: give its job retries again (UpdateJobRetries), then ResolveIncident, the way
  Operate's retry does; an incident without a job (a failed expression) is only resolved, and the
  engine evaluates the element again;
* cancel a process instance (CancelProcessInstance).
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

RETRIES_ON_RETRY = 1  # as Operate: one more attempt; the worker's failures count down from there
CALL_TIMEOUT_S = 10


class RepairRefused(Exception):
    """The gateway refused the action; `code` is the gRPC status name, `reason` its sentence."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"{code}: {reason}")


@dataclass(frozen=True)
class IncidentToRetry:
    incident_key: int
    job_key: int | None


def _call(stub: GatewayStub, method: str, request: object) -> object:
    try:
        return getattr(stub, method)(request, timeout=CALL_TIMEOUT_S)
    except grpc.RpcError as error:
        code = error.code() if hasattr(error, "code") else None
        details = error.details() if hasattr(error, "details") else str(error)
        raise RepairRefused(code.name if code else "UNKNOWN", details or "") from error


def retry_incident(stub: GatewayStub, incident: IncidentToRetry) -> None:
    if incident.job_key:
        _call(stub, "UpdateJobRetries", pb.UpdateJobRetriesRequest(
            jobKey=incident.job_key, retries=RETRIES_ON_RETRY))
    _call(stub, "ResolveIncident", pb.ResolveIncidentRequest(incidentKey=incident.incident_key))


def cancel_instance(stub: GatewayStub, process_instance_key: int) -> None:
    _call(stub, "CancelProcessInstance", pb.CancelProcessInstanceRequest(
        processInstanceKey=process_instance_key))
