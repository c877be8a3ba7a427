"""What the inbox needs to know from the diagrams in bpmn/: each user task's name and form id.

A job-worker user task's `io.camunda.zeebe:formKey` header is the deployed form's numeric key
(linked forms), which the gateway protocol cannot look up; the diagram names the form id, and
the webapp reads the form itself from forms/.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"


@dataclass(frozen=True)
class UserTaskSpec:
    process_id: str
    element_id: str
    name: str
    form_id: str | None


@dataclass(frozen=True)
class ProcessModels:
    process_names: dict[str, str]
    user_tasks: dict[tuple[str, str], UserTaskSpec]

    def user_task(self, process_id: str, element_id: str) -> UserTaskSpec | None:
        return self.user_tasks.get((process_id, element_id))


def read_process_models(directory: Path) -> ProcessModels:
    names: dict[str, str] = {}
    tasks: dict[tuple[str, str], UserTaskSpec] = {}
    for path in sorted(directory.glob("*.bpmn")):
        root = ET.parse(path).getroot()
        for process in root.iter(f"{BPMN}process"):
            process_id = process.get("id", "")
            names[process_id] = process.get("name") or process_id
            for task in process.iter(f"{BPMN}userTask"):
                form = task.find(f"{BPMN}extensionElements/{ZEEBE}formDefinition")
                form_id = None
                if form is not None:
                    form_id = form.get("formId") or form.get("formKey")
                element_id = task.get("id", "")
                tasks[(process_id, element_id)] = UserTaskSpec(
                    process_id, element_id, task.get("name") or element_id, form_id)
    return ProcessModels(names, tasks)
