"""Gateways, subprocesses, scripts, mappings: the paths a token takes, and what it carries."""
from __future__ import annotations

import pytest

from .conftest import chain, flow, process, service


def decision_process() -> str:
    return process("decision", """
    <bpmn:startEvent id="s"/>
    <bpmn:exclusiveGateway id="complete" default="to-supplement"/>
    """ + flow("s", "complete") + flow("complete", "accept", "=checklistComplete = true", "to-accept")
        + flow("complete", "supplement", None, "to-supplement") + """
    """ + service("accept", "dossier.accept") + service("supplement", "dossier.request-supplement") + """
    <bpmn:endEvent id="accepted"/><bpmn:endEvent id="supplemented"/>
    """ + flow("accept", "accepted") + flow("supplement", "supplemented"))


@pytest.mark.parametrize("restart", [False, True])
def test_exclusive_gateway_takes_the_matching_flow_or_the_default(kit, restart):
    kit.deploy_text("decision.bpmn", decision_process())
    complete = kit.start("decision", checklistComplete=True)
    incomplete = kit.start("decision", checklistComplete=False)
    if restart:
        kit.restart()
    assert complete.is_waiting_at("accept")
    assert incomplete.is_waiting_at("supplement")


def test_condition_failure_is_an_incident_resolved_after_fixing_variables(kit):
    kit.deploy_text("strict.bpmn", process("strict", """
    <bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>
    <bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>""" + flow("s", "g")
        + flow("g", "big", "=amount > 100") + flow("g", "small", "=amount &lt;= 100")))
    instance = kit.start("strict", amount="lots")
    [incident] = instance.incidents()
    assert incident["type"] == "CONDITION_ERROR" and incident["element_id"] == "g"
    kit.restart()
    kit.engine.set_variables(instance.key, {"amount": 500})
    kit.engine.resolve_incident(incident["key"])
    assert instance.is_completed() and instance.passed("big")


@pytest.mark.parametrize("restart", [False, True])
def test_no_matching_condition_without_default_is_an_incident(kit, restart):
    kit.deploy_text("strict.bpmn", process("strict", """
    <bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>
    <bpmn:endEvent id="big"/>""" + flow("s", "g") + flow("g", "big", "=amount > 100")))
    instance = kit.start("strict", amount=5)
    if restart:
        kit.restart()
    [incident] = instance.incidents()
    assert incident["type"] == "CONDITION_ERROR"
    assert "at least one condition" in incident["message"]


@pytest.mark.parametrize("restart", [False, True])
def test_parallel_gateway_waits_for_both_branches(kit, restart):
    kit.deploy_text("parallel.bpmn", process("parallel", """
    <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
    <bpmn:endEvent id="e"/>""" + service("sms", "notify.sms") + service("portal", "portal.report")
        + flow("s", "fork") + flow("fork", "sms") + flow("fork", "portal") + flow("sms", "join")
        + flow("portal", "join") + flow("join", "e")))
    instance = kit.start("parallel")
    assert set(instance.active_elements()) == {"sms", "portal"}
    kit.complete_job("notify.sms", smsSent=True)
    if restart:
        kit.restart()
    assert not instance.is_completed() and instance.is_waiting_at("portal")
    kit.complete_job("portal.report", reported=True)
    assert instance.is_completed()
    assert instance.variables["reported"] is True


@pytest.mark.parametrize("restart", [False, True])
def test_inclusive_gateway_activates_every_true_branch(kit, restart):
    kit.deploy_text("inclusive.bpmn", process("inclusive", """
    <bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork"/>
    <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>""" + flow("s", "fork")
        + flow("fork", "fire", "=fire") + flow("fork", "planning", "=planning")
        + flow("fork", "environment", "=environment")
        + service("fire", "review.fire") + service("planning", "review.planning")
        + service("environment", "review.environment")
        + flow("fire", "e1") + flow("planning", "e2") + flow("environment", "e3")))
    instance = kit.start("inclusive", fire=True, planning=False, environment=True)
    if restart:
        kit.restart()
    assert set(instance.active_elements()) == {"fire", "environment"}


@pytest.mark.parametrize("restart", [False, True])
def test_script_task_and_plain_and_manual_tasks(kit, restart):
    kit.deploy_text("script.bpmn", process("script", """
    <bpmn:startEvent id="s"/>
    <bpmn:scriptTask id="fee"><bpmn:extensionElements>
      <zeebe:script expression="=area * 1000" resultVariable="fee"/></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:task id="note"/><bpmn:manualTask id="stamp"/><bpmn:endEvent id="e"/>""" + chain("s", "fee", "note", "stamp", "e")))
    instance = kit.start("script", area=12.5)
    if restart:
        kit.restart()
    assert instance.is_completed()
    assert instance.variables["fee"] == 12500
    assert instance.passed_elements() == ["s", "fee", "note", "stamp", "e"]


def test_input_mappings_are_local_and_output_mappings_choose_what_leaves(kit):
    kit.deploy_text("mapping.bpmn", process("mapping", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>""" + service("t", "portal.report", """
      <zeebe:ioMapping>
        <zeebe:input source="=dossier.code" target="code"/>
        <zeebe:input source="=&quot;VN-&quot; + dossier.code" target="portal.reference"/>
        <zeebe:output source="=status" target="portalStatus"/>
      </zeebe:ioMapping>""") + chain("s", "t", "e")))
    instance = kit.start("mapping", dossier={"code": "D-9"})
    [job] = kit.activate("portal.report")
    assert job.variables["code"] == "D-9" and job.variables["portal"] == {"reference": "VN-D-9"}
    kit.restart()
    kit.engine.complete_job(job.key, {"status": "synced", "debug": "x"})
    assert instance.variables == {"dossier": {"code": "D-9"}, "portalStatus": "synced"}


@pytest.mark.parametrize("restart", [False, True])
def test_without_output_mappings_job_variables_flow_on_and_inputs_vanish(kit, restart):
    kit.deploy_text("mapping.bpmn", process("mapping", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>""" + service("t", "x", """
      <zeebe:ioMapping><zeebe:input source="=1" target="local"/></zeebe:ioMapping>""") + chain("s", "t", "e")))
    instance = kit.start("mapping")
    if restart:
        kit.restart()
    kit.complete_job("x", result=2)
    assert instance.variables == {"result": 2}


@pytest.mark.parametrize("restart", [False, True])
def test_io_mapping_failure_is_an_incident(kit, restart):
    kit.deploy_text("mapping.bpmn", process("mapping", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>""" + service("t", "x", """
      <zeebe:ioMapping><zeebe:input source="=1 + &quot;a&quot; + " target="broken"/></zeebe:ioMapping>""")
        + chain("s", "t", "e")))
    instance = kit.start("mapping")
    if restart:
        kit.restart()
    [incident] = instance.incidents()
    assert incident["type"] == "IO_MAPPING_ERROR" and incident["element_id"] == "t"


@pytest.mark.parametrize("restart", [False, True])
def test_embedded_subprocess_runs_inside_and_continues(kit, restart):
    kit.deploy_text("sub.bpmn", process("sub", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="review">
      <bpmn:startEvent id="rs"/>""" + service("check", "review.check") + """<bpmn:endEvent id="re"/>
      """ + chain("rs", "check", "re") + """
    </bpmn:subProcess>""" + chain("s", "review", "e")))
    instance = kit.start("sub", code="D-1")
    assert instance.is_waiting_at("review") and instance.is_waiting_at("check")
    if restart:
        kit.restart()
    [job] = kit.activate("review.check")
    assert job.variables["code"] == "D-1"
    kit.engine.complete_job(job.key, {"ok": True})
    assert instance.is_completed()
    assert instance.passed_elements() == ["s", "rs", "check", "re", "review", "e"]
    assert instance.variables["ok"] is True


@pytest.mark.parametrize("restart", [False, True])
def test_terminate_end_event_ends_everything(kit, restart):
    kit.deploy_text("term.bpmn", process("term", """
    <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>
    <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>""" + service("long", "slow")
        + '<bpmn:endEvent id="e"/>' + flow("s", "fork") + flow("fork", "long") + flow("fork", "stop")
        + flow("long", "e")))
    instance = kit.start("term")
    if restart:
        kit.restart()
    assert instance.is_completed()
    assert "long" in instance.terminated_elements()
    assert kit.jobs("slow") == []


@pytest.mark.parametrize("restart", [False, True])
def test_a_variable_set_on_one_branch_is_seen_by_a_job_started_later_on_another(kit, restart):
    kit.deploy_text("shared.bpmn", process("shared", """
    <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
    <bpmn:endEvent id="e"/>""" + service("fee", "fee.calculate") + service("wait", "review.wait")
        + service("notify", "notify.sms") + flow("s", "fork") + flow("fork", "fee") + flow("fork", "wait")
        + flow("wait", "notify") + flow("fee", "join") + flow("notify", "join") + flow("join", "e")))
    instance = kit.start("shared", fee=0)
    kit.complete_job("fee.calculate", fee=250_000)
    if restart:
        kit.restart()
    kit.complete_job("review.wait")
    [job] = kit.activate("notify.sms")
    assert job.variables["fee"] == 250_000
    kit.engine.complete_job(job.key)
    assert instance.is_completed() and instance.variables["fee"] == 250_000


@pytest.mark.parametrize("restart", [False, True])
def test_non_boolean_condition_is_a_condition_incident(kit, restart):
    kit.deploy_text("strict.bpmn", process("strict", """
    <bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="other"/>
    <bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>""" + flow("s", "g") + flow("g", "big", "=amount")
        + flow("g", "small", None, "other")))
    instance = kit.start("strict", amount=5)
    if restart:
        kit.restart()
    [incident] = instance.incidents()
    assert incident["type"] == "CONDITION_ERROR" and "BOOLEAN" in incident["message"]


@pytest.mark.parametrize("restart", [False, True])
def test_multi_instance_embedded_subprocess(kit, restart):
    kit.deploy_text("mi-sub.bpmn", process("mi-sub", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="per-floor">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="fs"/>""" + service("inspect", "inspect.floor") + '<bpmn:endEvent id="fe"/>'
        + chain("fs", "inspect", "fe") + """
    </bpmn:subProcess>""" + chain("s", "per-floor", "e")))
    instance = kit.start("mi-sub", floors=[1, 2])
    jobs = kit.activate("inspect.floor", max_jobs=5)
    assert sorted(j.variables["floor"] for j in jobs) == [1, 2]
    if restart:
        kit.restart()
    for job in jobs:
        kit.engine.complete_job(job.key)
    assert instance.is_completed()


@pytest.mark.parametrize("restart", [False, True])
def test_inclusive_join_waits_only_for_the_branches_taken(kit, restart):
    kit.deploy_text("inclusive.bpmn", process("inclusive", """
    <bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
    <bpmn:endEvent id="e"/>""" + flow("s", "fork")
        + flow("fork", "fire", "=fire") + flow("fork", "planning", "=planning")
        + flow("fork", "environment", "=environment")
        + service("fire", "review.fire") + service("planning", "review.planning")
        + service("environment", "review.environment")
        + flow("fire", "join") + flow("planning", "join") + flow("environment", "join") + flow("join", "e")))
    instance = kit.start("inclusive", fire=True, planning=False, environment=True)
    kit.complete_job("review.fire")
    if restart:
        kit.restart()
    assert not instance.is_completed()
    kit.complete_job("review.environment")
    assert instance.is_completed()
