"""The Zeebe BPMN dialect: reads `zeebe:` extension elements into SpiffWorkflow specs.

`ZeebeParser` is SpiffWorkflow's `BpmnParser` with a parser class per BPMN tag that knows the
zeebe namespace (http://camunda.org/schema/zeebe/1.0), Zeebe's spec classes (`specs.py`), and a
preprocessing step for what Spiff reads elsewhere (`zeebe:calledElement` -> `calledElement`).
"""
from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    BoundaryEventParser,
    EndEventParser,
    EventBasedGatewayParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    ReceiveTaskParser,
    SendTaskParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import (
    CallActivityParser,
    ConditionalGatewayParser,
    GatewayParser,
    SubWorkflowParser,
)
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import DEFAULT_NSMAP
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from . import specs
from .mappings import apply_inputs, apply_outputs

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
NSMAP = {**DEFAULT_NSMAP, "zeebe": ZEEBE_NS}


def _truthy(text: str | None, default: bool) -> bool:
    return default if text is None else text.strip().lower() == "true"


class ZeebeExtensions:
    """Mixin for Spiff's node parsers: zeebe extension elements become `spec.extensions`."""

    JOB_REQUIRED = False

    def _zeebe(self, path: str, node=None):
        return (node if node is not None else self.node).xpath(
            f"./bpmn:extensionElements/zeebe:{path}", namespaces=NSMAP
        )

    def parse_extensions(self, node=None):
        found: dict = {}
        definition = self._zeebe("taskDefinition")
        if definition:
            found["job_type"] = definition[0].get("type")
            found["job_retries"] = definition[0].get("retries", "3")
        headers = self._zeebe("taskHeaders/zeebe:header")
        if headers:
            found["headers"] = {h.get("key"): h.get("value", "") for h in headers}
        inputs = self._zeebe("ioMapping/zeebe:input")
        outputs = self._zeebe("ioMapping/zeebe:output")
        if inputs:
            found["inputs"] = [(i.get("source", "=null"), i.get("target")) for i in inputs]
        if outputs:
            found["outputs"] = [(o.get("source", "=null"), o.get("target")) for o in outputs]
        called = self._zeebe("calledElement")
        if called:
            element = called[0]
            found["called_element"] = {
                "processId": element.get("processId"),
                "propagateAllChildVariables": _truthy(element.get("propagateAllChildVariables"), True),
                "propagateAllParentVariables": _truthy(element.get("propagateAllParentVariables"), True),
            }
        form = self._zeebe("formDefinition")
        if form:
            found["form"] = {k: v for k, v in form[0].attrib.items()}
        assignment = self._zeebe("assignmentDefinition")
        if assignment:
            found["assignment"] = dict(assignment[0].attrib)
        schedule = self._zeebe("taskSchedule")
        if schedule:
            found["schedule"] = dict(schedule[0].attrib)
        if self.node.tag == f"{{{DEFAULT_NSMAP['bpmn']}}}startEvent":
            found["interrupting"] = self.node.get("isInterrupting", "true").lower() == "true"
            if self.node.getparent().get("triggeredByEvent") == "true":
                found["event_subprocess_start"] = True  # an element instance only once triggered
        elif self.node.get("triggeredByEvent") == "true":
            found["event_subprocess"] = True
        if self._zeebe("userTask"):
            found["zeebe_user_task"] = True
        script = self._zeebe("script")
        if script:
            found["script"] = dict(script[0].attrib)
        decision = self._zeebe("calledDecision")
        if decision:
            found["called_decision"] = dict(decision[0].attrib)
        self._validate(found)
        return found

    def _validate(self, found: dict) -> None:
        if self.JOB_REQUIRED and not found.get("job_type") and not found.get("script") and not found.get(
            "called_decision"
        ):
            self.raise_validation_exception("Must have exactly one 'zeebe:taskDefinition' extension element")
        if "job_type" in found and not (found["job_type"] or "").strip():
            self.raise_validation_exception("Attribute 'type' of 'zeebe:taskDefinition' must be present and not empty")
        for attribute in ("decisionId", "resultVariable"):
            if "called_decision" in found and not (found["called_decision"].get(attribute) or "").strip():
                self.raise_validation_exception(
                    f"Attribute '{attribute}' of 'zeebe:calledDecision' must be present and not empty")
        binding = (found.get("called_decision") or {}).get("bindingType", "latest")
        if binding not in ("latest", "deployment", "versionTag"):
            self.raise_validation_exception(
                f"Attribute 'bindingType' of 'zeebe:calledDecision' must be 'latest', 'deployment' or "
                f"'versionTag', but was '{binding}'")
        if binding == "versionTag" and not (found["called_decision"].get("versionTag") or "").strip():
            self.raise_validation_exception(
                "Attribute 'versionTag' of 'zeebe:calledDecision' must be present with bindingType 'versionTag'")

    def create_task(self):
        task = super().create_task()
        # Mapping hooks run at activation (update) and completion, for every element.
        task.update_event.connect(apply_inputs)
        task.completed_event.connect(apply_outputs)
        listen_to_lifecycle(task)
        return task

    def _add_multiinstance_task(self, loop_characteristics):
        sequential = loop_characteristics.get("isSequential") == "true"
        zeebe_loop = self._zeebe("loopCharacteristics", loop_characteristics)
        if not zeebe_loop:
            self.raise_validation_exception(
                "Must have exactly one 'zeebe:loopCharacteristics' extension element with an inputCollection"
            )
        loop = dict(zeebe_loop[0].attrib)
        if not loop.get("inputCollection"):
            self.raise_validation_exception("Attribute 'inputCollection' of 'zeebe:loopCharacteristics' must be present")
        condition = loop_characteristics.xpath("./bpmn:completionCondition", namespaces=NSMAP)
        original = self.spec.task_specs.pop(self.task.name)
        cls = specs.ZeebeSequentialMultiInstance if sequential else specs.ZeebeParallelMultiInstance
        self.task = cls(self.spec, original.name, task_spec="", description="Multi-instance")
        self.task.extensions = {
            "loop": loop,
            "completion_condition": condition[0].text if condition else None,
        }
        self.task.completed_event.connect(apply_outputs)  # the output collection leaves the body
        listen_to_lifecycle(self.task)
        self._copy_task_attrs(original, loop_characteristics)
        # Wired here, not when instances are spawned, so it survives a restart (specs are re-parsed).
        original.completed_event.connect(self.task.merge_child)

    def parse_message_event(self, message_event):
        definition = super().parse_message_event(message_event)
        ref = message_event.get("messageRef") or self.node.get("messageRef")
        definition.correlation_key = self.process_parser.parser.message_keys.get(ref)
        return definition


def listen_to_lifecycle(task_spec) -> None:
    """The runtime records element lifecycle in the order Spiff moves tasks (see hooks.journal)."""
    task_spec.update_event.connect(_journal, "update")
    task_spec.completed_event.connect(_journal, "completed")
    task_spec.cancelled_event.connect(_journal, "cancelled")


def _journal(workflow, task, kind: str) -> None:
    hooks = workflow.script_engine.hooks
    if hooks is not None:
        hooks.journal(task, kind)


class ErrorStartEventParser(StartEventParser):
    """Spiff ignores error definitions on start events: error event subprocesses then start at once."""

    def create_task(self):
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH,
                                                CONDITIONAL_EVENT_XPATH, ERROR_EVENT_XPATH])
        task = self._create_task(definition)
        self.spec.start.connect(task)
        return task


def _parser(base, job_required: bool = False):
    return type(f"Zeebe{base.__name__}", (ZeebeExtensions, base), {"JOB_REQUIRED": job_required})


class ZeebeParser(BpmnParser):
    """Parses Camunda 8 BPMN (with zeebe: extensions) into SpiffWorkflow specs."""

    OVERRIDE_PARSER_CLASSES = {
        full_tag("startEvent"): (_parser(ErrorStartEventParser), specs.StartEvent),
        full_tag("endEvent"): (_parser(EndEventParser), specs.ZeebeEndEvent),
        full_tag("userTask"): (_parser(TaskParser), specs.ZeebeUserTask),
        full_tag("task"): (_parser(TaskParser), specs.PassThroughTask),
        full_tag("manualTask"): (_parser(TaskParser), specs.PassThroughTask),
        full_tag("subProcess"): (_parser(SubWorkflowParser), specs.SubWorkflowTask),
        full_tag("exclusiveGateway"): (_parser(ConditionalGatewayParser), specs.ExclusiveGateway),
        full_tag("parallelGateway"): (_parser(GatewayParser), specs.ParallelGateway),
        full_tag("inclusiveGateway"): (_parser(ConditionalGatewayParser), specs.InclusiveGateway),
        full_tag("callActivity"): (_parser(CallActivityParser), specs.ZeebeCallActivity),
        full_tag("scriptTask"): (_parser(TaskParser, True), specs.ZeebeScriptTask),
        full_tag("businessRuleTask"): (_parser(TaskParser, True), specs.ZeebeBusinessRuleTask),
        full_tag("serviceTask"): (_parser(TaskParser, True), specs.ZeebeServiceTask),
        full_tag("sendTask"): (_parser(SendTaskParser, True), specs.ZeebeSendTask),
        full_tag("receiveTask"): (_parser(ReceiveTaskParser), specs.ReceiveTask),
        full_tag("intermediateCatchEvent"): (_parser(IntermediateCatchEventParser), specs.IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (_parser(IntermediateThrowEventParser), specs.ZeebeIntermediateThrowEvent),
        full_tag("boundaryEvent"): (_parser(BoundaryEventParser), specs.BoundaryEvent),
        full_tag("eventBasedGateway"): (_parser(EventBasedGatewayParser), specs.EventBasedGateway),
    }

    def __init__(self) -> None:
        super().__init__(namespaces=NSMAP)
        self.message_keys: dict[str, str | None] = {}

    def add_bpmn_xml(self, bpmn, filename=None):
        self._normalise(bpmn, filename)
        super().add_bpmn_xml(bpmn, filename)

    def _normalise(self, bpmn, filename: str | None) -> None:
        """Copy Zeebe's spelling of things into the attributes SpiffWorkflow reads."""
        for activity in bpmn.xpath(".//bpmn:callActivity", namespaces=NSMAP):
            called = activity.xpath("./bpmn:extensionElements/zeebe:calledElement", namespaces=NSMAP)
            if called and called[0].get("processId"):
                activity.set("calledElement", called[0].get("processId"))
            elif not activity.get("calledElement"):
                raise ValidationException(
                    "Must have exactly one 'zeebe:calledElement' extension element with a processId",
                    node=activity,
                    file_name=filename,
                )

    def _add_messages(self, bpmn):
        super()._add_messages(bpmn)
        for message in bpmn.xpath(".//bpmn:message", namespaces=NSMAP):
            subscription = message.xpath("./bpmn:extensionElements/zeebe:subscription", namespaces=NSMAP)
            self.message_keys[message.get("id")] = subscription[0].get("correlationKey") if subscription else None


def parse_document(content: bytes, resource_name: str) -> ZeebeParser:
    """Parse one BPMN resource; raises ValidationException naming file, element and problem."""
    parser = ZeebeParser()
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError as broken:
        raise ValidationException(f"the XML is not well formed: {broken}", file_name=resource_name) from broken
    parser.add_bpmn_xml(root, resource_name)
    return parser
