"""The values the engine's facade answers with, shaped like the Zeebe gateway's responses."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_TENANT = "<default>"


class Rejection(Exception):
    """A refused command, as Zeebe rejects one: which command, why, and a sentence for a person."""

    def __init__(self, intent: str, code: str, reason: str) -> None:
        self.intent = intent
        self.code = code
        self.reason = reason
        super().__init__(f"Command '{intent}' rejected with code '{code}': {reason}")


@dataclass(frozen=True)
class ProcessMetadata:
    bpmn_process_id: str
    version: int
    process_definition_key: int
    resource_name: str
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class FormMetadata:
    form_id: str
    version: int
    form_key: int
    resource_name: str
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class DecisionMetadata:
    dmn_decision_id: str
    dmn_decision_name: str
    version: int
    decision_key: int
    dmn_decision_requirements_id: str
    decision_requirements_key: int
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class DecisionRequirementsMetadata:
    dmn_decision_requirements_id: str
    dmn_decision_requirements_name: str
    version: int
    decision_requirements_key: int
    resource_name: str
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class Deployment:
    key: int
    processes: list[ProcessMetadata] = field(default_factory=list)
    forms: list[FormMetadata] = field(default_factory=list)
    decisions: list[DecisionMetadata] = field(default_factory=list)
    decision_requirements: list[DecisionRequirementsMetadata] = field(default_factory=list)
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class InstanceCreated:
    process_definition_key: int
    bpmn_process_id: str
    version: int
    process_instance_key: int
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class ActivatedJob:
    key: int
    type: str
    process_instance_key: int
    bpmn_process_id: str
    process_definition_version: int
    process_definition_key: int
    element_id: str
    element_instance_key: int
    custom_headers: dict[str, str]
    worker: str
    retries: int
    deadline: int
    variables: dict[str, Any]
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class Record:
    """One entry of the append-only record log, like a Zeebe exporter record."""

    position: int
    key: int
    timestamp: int
    value_type: str
    intent: str
    process_instance_key: int | None
    value: dict[str, Any]
