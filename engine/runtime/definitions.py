"""Deployed process definitions and forms: parsing resources, versions, start events."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask

from engine.dialect.parser import NSMAP, parse_document


@dataclass(frozen=True)
class StartEventInfo:
    element_id: str
    kind: str  # none | message | timer | signal
    name: str | None = None  # message or signal name
    timer_kind: str | None = None  # date | duration | cycle
    timer_expression: str | None = None


@dataclass(frozen=True)
class EventSubprocessStart:
    """The start event of an event subprocess (message and error are handled by the engine)."""

    subprocess_id: str
    element_id: str
    kind: str  # message | error | timer
    interrupting: bool
    name: str | None = None  # message name
    correlation_key: str | None = None
    error_code: str | None = None  # None catches every error
    scope_id: str | None = None  # the embedded subprocess it belongs to; None: the process itself


@dataclass
class Definition:
    key: int
    bpmn_process_id: str
    version: int
    resource_name: str
    resource: bytes
    checksum: str
    deployment_key: int
    deployed_at: int
    spec: Any
    embedded: dict[str, Any]
    called_ids: set[str]
    start_events: list[StartEventInfo]
    deleted: bool = False
    event_subprocesses: list[EventSubprocessStart] = field(default_factory=list)

    @property
    def nested_event_subprocesses(self) -> bool:
        """Has event subprocesses inside embedded subprocesses (their scopes open and close)."""
        return any(s.scope_id is not None for s in self.event_subprocesses)

    @property
    def none_start(self) -> StartEventInfo | None:
        return next((s for s in self.start_events if s.kind == "none"), None)


@dataclass
class Form:
    key: int
    form_id: str
    version: int
    resource_name: str
    resource: bytes
    checksum: str
    deployment_key: int
    deleted: bool = False


@dataclass
class ParsedProcess:
    bpmn_process_id: str
    spec: Any
    embedded: dict[str, Any]
    called_ids: set[str]
    start_events: list[StartEventInfo] = field(default_factory=list)
    event_subprocesses: list[EventSubprocessStart] = field(default_factory=list)


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class InvalidResource(Exception):
    pass


def parse_bpmn(content: bytes, resource_name: str) -> list[ParsedProcess]:
    """All executable processes of a BPMN resource; InvalidResource names file, element, problem."""
    try:
        parser = parse_document(content, resource_name)
        root = etree.fromstring(content)
        processes = root.xpath("//bpmn:process", namespaces=NSMAP)
        executable = [p for p in processes if p.get("isExecutable", "true").lower() == "true"]
        if not executable:
            raise InvalidResource(f"'{resource_name}': the resource contains no executable process")
        parsed = []
        for node in executable:
            pid = node.get("id")
            spec = parser.get_spec(pid)
            embedded: dict[str, Any] = {}
            called: set[str] = set()
            _collect(parser, spec, embedded, called)
            parsed.append(ParsedProcess(pid, spec, embedded, called, _start_events(node),
                                        _event_subprocesses(node)))
        return parsed
    except ValidationException as invalid:
        where = f" element '{invalid.id}'" if getattr(invalid, "id", "") else ""
        raise InvalidResource(f"'{resource_name}'{where}: {_message(invalid)}") from invalid
    except etree.XMLSyntaxError as broken:
        raise InvalidResource(f"'{resource_name}': the XML is not well formed: {broken}") from broken


def _message(invalid: ValidationException) -> str:
    text = str(invalid.args[0]) if invalid.args else str(invalid)
    return text.replace("ValidationException(", "").strip()


def _collect(parser, spec, embedded: dict[str, Any], called: set[str]) -> None:
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, CallActivity):
            called.add(task_spec.spec)
        elif isinstance(task_spec, SubWorkflowTask) and task_spec.spec not in embedded:
            sub = parser.get_spec(task_spec.spec)
            embedded[task_spec.spec] = sub
            _collect(parser, sub, embedded, called)


def _start_events(process) -> list[StartEventInfo]:
    found = []
    for start in process.xpath("./bpmn:startEvent", namespaces=NSMAP):
        element_id = start.get("id")
        message = start.xpath("./bpmn:messageEventDefinition", namespaces=NSMAP)
        timer = start.xpath("./bpmn:timerEventDefinition", namespaces=NSMAP)
        signal = start.xpath("./bpmn:signalEventDefinition", namespaces=NSMAP)
        if message:
            ref = message[0].get("messageRef")
            names = process.getroottree().getroot().xpath(f"//bpmn:message[@id='{ref}']", namespaces=NSMAP)
            found.append(StartEventInfo(element_id, "message", names[0].get("name") if names else ref))
        elif timer:
            for kind, tag in (("date", "timeDate"), ("duration", "timeDuration"), ("cycle", "timeCycle")):
                node = timer[0].xpath(f"./bpmn:{tag}", namespaces=NSMAP)
                if node:
                    found.append(StartEventInfo(element_id, "timer", timer_kind=kind,
                                                timer_expression=(node[0].text or "").strip()))
        elif signal:
            ref = signal[0].get("signalRef")
            names = process.getroottree().getroot().xpath(f"//bpmn:signal[@id='{ref}']", namespaces=NSMAP)
            found.append(StartEventInfo(element_id, "signal", names[0].get("name") if names else ref))
        else:
            found.append(StartEventInfo(element_id, "none"))
    return found


def _event_subprocesses(process) -> list[EventSubprocessStart]:
    found = []
    root = process.getroottree().getroot()
    for sub in process.xpath(".//bpmn:subProcess[@triggeredByEvent='true']", namespaces=NSMAP):
        container = sub.getparent()
        scope_id = None if container is process else container.get("id")
        for start in sub.xpath("./bpmn:startEvent", namespaces=NSMAP):
            interrupting = start.get("isInterrupting", "true").lower() == "true"
            message = start.xpath("./bpmn:messageEventDefinition", namespaces=NSMAP)
            error = start.xpath("./bpmn:errorEventDefinition", namespaces=NSMAP)
            if message:
                ref = message[0].get("messageRef")
                node = root.xpath(f"//bpmn:message[@id='{ref}']", namespaces=NSMAP)
                key = node[0].xpath("./bpmn:extensionElements/zeebe:subscription", namespaces=NSMAP) if node else []
                found.append(EventSubprocessStart(
                    sub.get("id"), start.get("id"), "message", interrupting,
                    name=node[0].get("name") if node else ref,
                    correlation_key=key[0].get("correlationKey") if key else None, scope_id=scope_id))
            elif error:
                ref = error[0].get("errorRef")
                node = root.xpath(f"//bpmn:error[@id='{ref}']", namespaces=NSMAP) if ref else []
                found.append(EventSubprocessStart(sub.get("id"), start.get("id"), "error", interrupting,
                                                  error_code=node[0].get("errorCode") if node else None,
                                                  scope_id=scope_id))
            else:
                found.append(EventSubprocessStart(sub.get("id"), start.get("id"), "timer", interrupting,
                                                  scope_id=scope_id))
    return found


def parse_form(content: bytes, resource_name: str) -> str:
    """The form id of a Camunda Form (.form, form-js JSON)."""
    try:
        document = json.loads(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as broken:
        raise InvalidResource(f"'{resource_name}': the form is not valid JSON: {broken}") from broken
    if not isinstance(document, dict) or not document.get("id"):
        raise InvalidResource(f"'{resource_name}': the form has no 'id'")
    return str(document["id"])
