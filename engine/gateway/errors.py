"""How engine outcomes become gRPC statuses, in the shape Zeebe's gateway gives them."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

# Zeebe's gateway maps broker rejection types to these codes; INVALID_STATE is the one whose name
# differs (a command that is valid but not now is a failed precondition in gRPC terms).
REJECTION_STATUS: dict[str, grpc.StatusCode] = {
    "NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "INVALID_STATE": grpc.StatusCode.FAILED_PRECONDITION,
    "ALREADY_EXISTS": grpc.StatusCode.ALREADY_EXISTS,
    "RESOURCE_EXHAUSTED": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "PROCESSING_ERROR": grpc.StatusCode.INTERNAL,
}


@dataclass(frozen=True)
class GatewayError(Exception):
    """A request the gateway answers with a non-OK status; `details` is what the client reads."""

    code: grpc.StatusCode
    details: str

    def __str__(self) -> str:
        return f"{self.code.name}: {self.details}"


def invalid_argument(details: str) -> GatewayError:
    return GatewayError(grpc.StatusCode.INVALID_ARGUMENT, details)


def unimplemented(rpc: str, why: str) -> GatewayError:
    return GatewayError(
        grpc.StatusCode.UNIMPLEMENTED, f"{rpc} is not supported by the embedded engine: {why}"
    )


def from_rejection(rejection: Exception) -> GatewayError:
    """A runtime `Rejection` as the status a Zeebe client expects; str() already reads
    "Command 'X' rejected with code 'Y': reason", exactly Zeebe's message shape."""
    code = REJECTION_STATUS.get(getattr(rejection, "code", ""), grpc.StatusCode.UNKNOWN)
    return GatewayError(code, str(rejection))
