"""Names from a deployed BPMN diagram: the process's and each element's, for readable answers."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class DiagramNames:
    processes: dict[str, str] = field(default_factory=dict)  # process id -> name
    elements: dict[str, str] = field(default_factory=dict)  # element id -> name


def read_names(xml: str) -> DiagramNames:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return DiagramNames()
    processes, elements = {}, {}
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        element_id, name = node.get("id"), node.get("name")
        if not element_id or not name:
            continue
        if node.tag == f"{{{BPMN_NS}}}process":
            processes[element_id] = name
        else:
            elements[element_id] = " ".join(name.split())
    return DiagramNames(processes, elements)
