"""Fixtures for the embedded engine's tests: a test-kit engine on a SQLite file per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.testkit import ProcessTestEngine

DIAGRAMS = Path(__file__).parent / "bpmn"


@pytest.fixture
def kit(tmp_path):
    with ProcessTestEngine(tmp_path) as engine:
        yield engine


def process(process_id: str, body: str, *, extra: str = "") -> str:
    """A Camunda 8 BPMN document with one process (no diagram layout: tests only)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  {extra}
  <bpmn:process id="{process_id}" isExecutable="true">
{body}
  </bpmn:process>
</bpmn:definitions>"""


def service(element_id: str, job_type: str, extra: str = "", retries: int | None = None) -> str:
    retry = f' retries="{retries}"' if retries is not None else ""
    return (f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{job_type}"{retry}/>{extra}</bpmn:extensionElements></bpmn:serviceTask>')


def flow(source: str, target: str, condition: str | None = None, flow_id: str | None = None) -> str:
    flow_id = flow_id or f"{source}-{target}"
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>')


def chain(*elements: str) -> str:
    return "\n".join(flow(a, b) for a, b in zip(elements, elements[1:], strict=False))
