"""Read bpmn/ and forms/ the way the checks need them (ElementTree, no engine)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = ROOT / "forms"
CONTRACT = ROOT / "docs" / "processes.md"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "inclusiveGateway",
    "serviceTask",
    "userTask",
    "callActivity",
    "receiveTask",
    "sendTask",
    "scriptTask",
    "businessRuleTask",
    "subProcess",
    "task",
    "manualTask",
}


def q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class Model:
    path: Path
    tree: ET.ElementTree
    process: ET.Element
    process_id: str
    nodes: dict[str, ET.Element] = field(default_factory=dict)
    flows: dict[str, ET.Element] = field(default_factory=dict)

    def of_type(self, kind: str) -> list[ET.Element]:
        return [n for n in self.nodes.values() if local(n.tag) == kind]

    def job_type(self, element: ET.Element) -> str | None:
        td = element.find("bpmn:extensionElements/zeebe:taskDefinition", NS)
        return None if td is None else td.get("type")

    def inputs(self, element: ET.Element) -> dict[str, str]:
        return {
            i.get("target"): i.get("source")
            for i in element.findall("bpmn:extensionElements/zeebe:ioMapping/zeebe:input", NS)
        }

    def successors(self, element_id: str) -> list[ET.Element]:
        return [
            self.nodes[f.get("targetRef")]
            for f in self.flows.values()
            if f.get("sourceRef") == element_id
        ]


@cache
def models() -> tuple[Model, ...]:
    out = []
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        tree = ET.parse(path)
        process = tree.getroot().find("bpmn:process", NS)
        m = Model(path, tree, process, process.get("id"))
        for el in process.iter():
            name = local(el.tag)
            if name in FLOW_NODES:
                m.nodes[el.get("id")] = el
            elif name == "sequenceFlow":
                m.flows[el.get("id")] = el
        out.append(m)
    return tuple(out)


@cache
def forms() -> dict[str, dict]:
    out = {}
    for path in sorted(FORMS_DIR.glob("*.form")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[data["id"]] = data
    return out


def message_names(m: Model) -> dict[str, str]:
    """message id -> name."""
    return {msg.get("id"): msg.get("name") for msg in m.tree.getroot().findall("bpmn:message", NS)}


def feel_expressions(m: Model) -> list[tuple[str, str]]:
    """(where, expression without '=') for every FEEL expression in the model."""
    out = []
    for el in m.process.iter():
        for attr in (
            "source",
            "dueDate",
            "followUpDate",
            "correlationKey",
            "candidateGroups",
            "processId",
        ):
            v = el.get(attr)
            if v and v.startswith("="):
                out.append((f"{el.get('id') or local(el.tag)}@{attr}", v[1:]))
        is_text = local(el.tag) in ("conditionExpression", "timeDate", "timeDuration", "timeCycle")
        if is_text and el.text and el.text.strip().startswith("="):
            out.append((f"{local(el.tag)}", el.text.strip()[1:]))
    for msg in m.tree.getroot().findall("bpmn:message", NS):
        sub = msg.find("bpmn:extensionElements/zeebe:subscription", NS)
        if sub is not None and sub.get("correlationKey", "").startswith("="):
            out.append((msg.get("id"), sub.get("correlationKey")[1:]))
    return out
