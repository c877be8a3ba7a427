"""An instance waiting at a service task that has a deadline timer on its edge: the console marks
only the service task active, as Operate does (the boundary event is no element instance until its
timer fires)."""

from __future__ import annotations

import json
import re

import pytest
from pyzeebe.proto import gateway_pb2 as pb

pytestmark = pytest.mark.timeout(60)

DEADLINE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="ops-deadline" name="Hạn thẩm định" isExecutable="true">
    <bpmn:startEvent id="received"/>
    <bpmn:serviceTask id="appraise" name="Thẩm định"><bpmn:extensionElements>
      <zeebe:taskDefinition type="ops.appraise-with-deadline"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="overdue" name="Quá hạn" attachedToRef="appraise">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P10D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="done"/><bpmn:endEvent id="late"/>
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="appraise"/>
    <bpmn:sequenceFlow id="f2" sourceRef="appraise" targetRef="done"/>
    <bpmn:sequenceFlow id="f3" sourceRef="overdue" targetRef="late"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_waiting_timer_boundary_is_no_active_marker(engine_process, sign_in):
    engine_process.stub.DeployResource(pb.DeployResourceRequest(resources=[
        pb.Resource(name="ops-deadline.bpmn", content=DEADLINE.encode())]))
    key = engine_process.stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
        bpmnProcessId="ops-deadline", version=-1, variables=json.dumps({"dossierCode": "SXD-OPS-TIMER"}),
    )).processInstanceKey

    page = sign_in("vanhanh").get(f"/van-hanh/tien-trinh/{key}").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="ops-diagram-data">(.*?)</script>', page, re.S)
    assert found, "the page carries the data the diagram's markers are drawn from"
    active = [e["elementId"] for e in json.loads(found.group(1))["elements"] if e["state"] == "ACTIVE"]
    assert active == ["appraise"]
    assert 'data-element-id="overdue"' not in page

    elements = engine_process.query("/v2/element-instances/search",
                                    {"filter": {"processInstanceKey": key}}).json()["items"]
    assert {(e["elementId"], e["state"]) for e in elements} == {("received", "COMPLETED"), ("appraise", "ACTIVE")}
