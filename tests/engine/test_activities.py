"""Call activities, multi-instance, user tasks and forms."""
from __future__ import annotations

import json

import pytest

from .conftest import chain, process, service

CHILD = process("fee-calculation", """
    <bpmn:startEvent id="cs"/>""" + service("calc", "fee.calculate") + """<bpmn:endEvent id="ce"/>""" + chain("cs", "calc", "ce"))


def parent(propagate_child: bool = True, outputs: str = "") -> str:
    return process("permit", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:callActivity id="fee"><bpmn:extensionElements>
      <zeebe:calledElement processId="fee-calculation" propagateAllChildVariables="{str(propagate_child).lower()}"/>
      {outputs}</bpmn:extensionElements></bpmn:callActivity>""" + service("notify", "notify.sms") + chain("s", "fee", "notify", "e"))


@pytest.mark.parametrize("restart", [False, True])
def test_call_activity_runs_the_called_process_with_parent_variables(kit, restart):
    kit.deploy_text("child.bpmn", CHILD)
    kit.deploy_text("parent.bpmn", parent())
    instance = kit.start("permit", area=100)
    assert instance.is_waiting_at("fee")
    if restart:
        kit.restart()
    [job] = kit.activate("fee.calculate")
    assert job.bpmn_process_id == "fee-calculation" and job.variables["area"] == 100
    assert job.process_instance_key != instance.key
    child = kit.engine.process_instance(job.process_instance_key)
    assert child["parent_key"] == instance.key and child["state"] == "ACTIVE"
    assert kit.engine.variables(job.process_instance_key)["area"] == 100
    kit.engine.complete_job(job.key, {"fee": 100_000})
    assert instance.is_waiting_at("notify") and instance.variables["fee"] == 100_000
    assert kit.engine.process_instance(job.process_instance_key)["state"] == "COMPLETED"


@pytest.mark.parametrize("restart", [False, True])
def test_call_activity_output_mappings_when_child_variables_are_not_propagated(kit, restart):
    kit.deploy_text("child.bpmn", CHILD)
    kit.deploy_text("parent.bpmn", parent(False, """<zeebe:ioMapping>
      <zeebe:output source="=fee" target="permitFee"/></zeebe:ioMapping>"""))
    instance = kit.start("permit", area=100)
    if restart:
        kit.restart()
    kit.complete_job("fee.calculate", fee=5, scratch="x")
    assert instance.variables == {"area": 100, "permitFee": 5}


def test_missing_called_process_is_an_incident_until_it_is_deployed(kit):
    kit.deploy_text("parent.bpmn", parent())
    instance = kit.start("permit")
    [incident] = instance.incidents()
    assert incident["type"] == "CALLED_ELEMENT_ERROR" and "fee-calculation" in incident["message"]
    kit.deploy_text("child.bpmn", CHILD)
    kit.restart()
    kit.engine.resolve_incident(incident["key"])
    assert instance.incidents() == []
    kit.complete_job("fee.calculate")
    assert instance.is_waiting_at("notify")


def multi_instance(sequential: bool) -> str:
    return process("reviews", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:serviceTask id="review"><bpmn:extensionElements><zeebe:taskDefinition type="review.agency"/>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}"><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=agencies" inputElement="agency"
          outputCollection="opinions" outputElement="=opinion"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>""" + chain("s", "review", "e"))


@pytest.mark.parametrize("restart", [False, True])
def test_parallel_multi_instance_collects_outputs_in_input_order(kit, restart):
    kit.deploy_text("reviews.bpmn", multi_instance(False))
    instance = kit.start("reviews", agencies=["fire", "planning", "environment"])
    jobs = kit.activate("review.agency", max_jobs=10)
    assert sorted(j.variables["agency"] for j in jobs) == ["environment", "fire", "planning"]
    assert sorted(j.variables["loopCounter"] for j in jobs) == [1, 2, 3]
    by_agency = {j.variables["agency"]: j for j in jobs}
    kit.engine.complete_job(by_agency["planning"].key, {"opinion": "ok-planning"})
    if restart:
        kit.restart()
    kit.engine.complete_job(by_agency["environment"].key, {"opinion": "ok-env"})
    kit.engine.complete_job(by_agency["fire"].key, {"opinion": "ok-fire"})
    assert instance.is_completed()
    assert instance.variables["opinions"] == ["ok-fire", "ok-planning", "ok-env"]
    assert "agency" not in instance.variables


def test_sequential_multi_instance_runs_one_after_another(kit):
    kit.deploy_text("reviews.bpmn", multi_instance(True))
    instance = kit.start("reviews", agencies=["fire", "planning"])
    [first] = kit.activate("review.agency", max_jobs=10)
    assert first.variables["agency"] == "fire"
    kit.engine.complete_job(first.key, {"opinion": "a"})
    kit.restart()
    [second] = kit.activate("review.agency", max_jobs=10)
    assert second.variables["agency"] == "planning"
    kit.engine.complete_job(second.key, {"opinion": "b"})
    assert instance.variables["opinions"] == ["a", "b"]


@pytest.mark.parametrize("restart", [False, True])
def test_empty_input_collection_completes_immediately(kit, restart):
    kit.deploy_text("reviews.bpmn", multi_instance(False))
    instance = kit.start("reviews", agencies=[])
    if restart:
        kit.restart()
    assert instance.is_completed() and instance.variables["opinions"] == []


FORM = json.dumps({"id": "receive-dossier", "type": "default", "components": [
    {"type": "textfield", "key": "applicant", "label": "Applicant"}]})


def user_task_process(extra: str) -> str:
    return process("inbox", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:userTask id="receive"><bpmn:extensionElements>{extra}</bpmn:extensionElements></bpmn:userTask>
    """ + chain("s", "receive", "e"))


@pytest.mark.parametrize("restart", [False, True])
def test_job_worker_user_task_with_linked_form_and_assignment(kit, restart):
    deployment = kit.engine.deploy([("receive.form", FORM.encode()), ("inbox.bpmn", user_task_process("""
      <zeebe:formDefinition formId="receive-dossier"/>
      <zeebe:assignmentDefinition assignee="=officer" candidateGroups="reception, legal"/>
      <zeebe:taskSchedule dueDate="=due"/>
      <zeebe:taskHeaders><zeebe:header key="step" value="1"/></zeebe:taskHeaders>""").encode())])
    [form] = deployment.forms
    instance = kit.start("inbox", officer="lan", due="2026-03-05T10:00:00+07:00")
    if restart:
        kit.restart()
    headers = kit.user_task_headers("receive")
    assert headers == {
        "step": "1", "io.camunda.zeebe:formKey": str(form.form_key), "io.camunda.zeebe:assignee": "lan",
        "io.camunda.zeebe:candidateGroups": '["reception","legal"]',
        "io.camunda.zeebe:dueDate": "2026-03-05T10:00:00+07:00"}
    assert kit.jobs("io.camunda.zeebe:userTask")[0]["retries"] == 1
    assert kit.engine.form(form.form_key)["form_id"] == "receive-dossier"
    kit.complete_user_task("receive", applicant="Nguyễn Văn A")
    assert instance.is_completed() and instance.variables["applicant"] == "Nguyễn Văn A"


@pytest.mark.parametrize("restart", [False, True])
def test_missing_linked_form_is_an_incident(kit, restart):
    kit.deploy_text("inbox.bpmn", user_task_process('<zeebe:formDefinition formId="nowhere"/>'))
    instance = kit.start("inbox")
    if restart:
        kit.restart()
    [incident] = instance.incidents()
    assert incident["type"] == "FORM_NOT_FOUND"


def test_camunda_user_task_waits_without_a_job(kit):
    kit.deploy_text("inbox.bpmn", user_task_process("<zeebe:userTask/>"))
    instance = kit.start("inbox")
    assert instance.is_waiting_at("receive")
    assert kit.jobs("io.camunda.zeebe:userTask") == []
    kit.restart()
    [task] = kit.engine.user_tasks()
    assert task["element_id"] == "receive"
    kit.complete_user_task("receive", accepted=True)
    assert instance.is_completed()


@pytest.mark.parametrize("restart", [False, True])
def test_send_task_and_message_throw_events_are_jobs(kit, restart):
    kit.deploy_text("send.bpmn", process("send", """
    <bpmn:startEvent id="s"/>
    <bpmn:sendTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="notify.sms"/>
    </bpmn:extensionElements></bpmn:sendTask>
    <bpmn:intermediateThrowEvent id="report"><bpmn:extensionElements><zeebe:taskDefinition type="portal.report"/>
    </bpmn:extensionElements><bpmn:messageEventDefinition/></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"><bpmn:extensionElements><zeebe:taskDefinition type="portal.close"/>
    </bpmn:extensionElements><bpmn:messageEventDefinition/></bpmn:endEvent>""" + chain("s", "notify", "report", "e")))
    instance = kit.start("send")
    kit.complete_job("notify.sms")
    if restart:
        kit.restart()
    kit.complete_job("portal.report")
    kit.complete_job("portal.close")
    assert instance.is_completed()


@pytest.mark.parametrize("restart", [False, True])
def test_business_rule_task_with_job(kit, restart):
    kit.deploy_text("rule.bpmn", process("rule", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:businessRuleTask id="classify"><bpmn:extensionElements><zeebe:taskDefinition type="dossier.classify"/>
    </bpmn:extensionElements></bpmn:businessRuleTask>""" + chain("s", "classify", "e")))
    instance = kit.start("rule")
    if restart:
        kit.restart()
    kit.complete_job("dossier.classify", category="B")
    assert instance.is_completed() and instance.variables["category"] == "B"


@pytest.mark.parametrize("restart", [False, True])
def test_call_activity_output_may_update_a_variable_it_also_passed_in(kit, restart):
    kit.deploy_text("child.bpmn", CHILD)
    kit.deploy_text("parent.bpmn", parent(False, """<zeebe:ioMapping>
      <zeebe:input source="=components" target="components"/>
      <zeebe:output source="=components" target="components"/></zeebe:ioMapping>"""))
    instance = kit.start("permit", components=["application"])
    if restart:
        kit.restart()
    kit.complete_job("fee.calculate", components=["application", "drawings"])
    assert instance.variables["components"] == ["application", "drawings"]
