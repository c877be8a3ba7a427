"""The embedded engine's runtime: SpiffWorkflow with the Zeebe dialect, durable and in order.

`Engine` is the facade the gRPC gateway and the test kit use; `Rejection` is how it refuses a
command. See `engine/runtime/engine.py`.
"""
from engine.runtime import clock
from engine.runtime.engine import Engine
from engine.runtime.values import (
    ActivatedJob,
    DecisionMetadata,
    Deployment,
    FormMetadata,
    InstanceCreated,
    ProcessMetadata,
    Record,
    Rejection,
)

__all__ = [
    "ActivatedJob",
    "DecisionMetadata",
    "Deployment",
    "Engine",
    "FormMetadata",
    "InstanceCreated",
    "ProcessMetadata",
    "Record",
    "Rejection",
    "clock",
]
