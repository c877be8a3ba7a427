"""Variable scopes as Zeebe keeps them: each element instance its own scope, lookup inner to outer,
propagation to the first scope that has the name (else the root), locals gone with their element,
VARIABLE records naming the real scope. Each with a stop-and-restart in the middle."""
from __future__ import annotations

import json
import sqlite3

import pytest

from engine.runtime import Rejection

from .conftest import chain, flow, process, service


def variable_records(kit, name: str) -> list:
    return [r for r in kit.engine.records(value_type="VARIABLE", limit=100_000) if r.value["name"] == name]


def element_key(instance, element_id: str, element_type: str | None = None) -> int:
    [element] = [e for e in instance._elements() if e["element_id"] == element_id and e["state"] == "ACTIVE"
                 and element_type in (None, e["element_type"])]
    return element["key"]


def mapped_subprocess() -> str:
    """`review` subprocess with an input mapping (`draft` from `title`) and an output mapping
    (`summary` from `draft`); inside it the job `review.write`; after it `review.after`."""
    return process("review", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("after", "review.after")}
    <bpmn:subProcess id="inner"><bpmn:extensionElements><zeebe:ioMapping>
        <zeebe:input source="=title + &quot; (draft)&quot;" target="draft"/>
        <zeebe:output source="=draft" target="summary"/></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:startEvent id="is"/>{service("write", "review.write")}<bpmn:endEvent id="ie"/>
      {flow("is", "write")}{flow("write", "ie")}
    </bpmn:subProcess>""" + chain("s", "inner", "after", "e"))


@pytest.mark.parametrize("restart", [False, True])
def test_input_mapping_is_a_local_variable_of_the_subprocess_with_its_own_scope_key(kit, restart):
    kit.deploy_text("review.bpmn", mapped_subprocess())
    instance = kit.start("review", title="Permit")
    inner = element_key(instance, "inner")
    if restart:
        kit.restart()
    assert kit.engine.variables(instance.key, inner) == {"draft": "Permit (draft)"}
    assert instance.local_variables("inner") == {"draft": "Permit (draft)"}
    assert "draft" not in instance.variables
    [created] = variable_records(kit, "draft")
    assert created.intent == "CREATED"
    assert created.value["scopeKey"] == inner and created.value["processInstanceKey"] == instance.key
    [job] = kit.activate("review.write")
    assert job.variables == {"title": "Permit", "draft": "Permit (draft)"}
    # The job updates the subprocess's `draft` (it has the name) and creates `verdict` at the root.
    kit.engine.complete_job(job.key, {"draft": "Permit v2", "verdict": "ok"})
    [_, updated] = variable_records(kit, "draft")
    assert updated.intent == "UPDATED" and updated.value["scopeKey"] == inner
    [verdict] = variable_records(kit, "verdict")
    assert verdict.value["scopeKey"] == instance.key
    assert instance.is_waiting_at("after")
    assert instance.variables == {"title": "Permit", "verdict": "ok", "summary": "Permit v2"}
    with pytest.raises(Rejection) as refused:
        kit.engine.variables(instance.key, inner)
    assert refused.value.code == "NOT_FOUND"


@pytest.mark.parametrize("restart", [False, True])
def test_set_variables_on_a_finished_or_unknown_element_is_not_found(kit, restart):
    kit.deploy_text("review.bpmn", mapped_subprocess())
    instance = kit.start("review", title="Permit")
    inner = element_key(instance, "inner")
    kit.complete_job("review.write")
    if restart:
        kit.restart()
    for key in (inner, 123456789):
        with pytest.raises(Rejection) as refused:
            kit.engine.set_variables(key, {"late": True})
        assert refused.value.code == "NOT_FOUND"
    kit.complete_job("review.after")
    with pytest.raises(Rejection) as refused:
        kit.engine.set_variables(instance.key, {"late": True})
    assert refused.value.code == "NOT_FOUND"
    assert instance.is_completed() and "late" not in instance.variables


@pytest.mark.parametrize("restart", [False, True])
def test_set_variables_propagates_from_the_element_to_the_scope_that_has_the_name(kit, restart):
    kit.deploy_text("review.bpmn", mapped_subprocess())
    instance = kit.start("review", title="Permit")
    [job] = kit.activate("review.write")
    kit.engine.set_variables(job.element_instance_key, {"draft": "edited", "note": "n"})
    if restart:
        kit.restart()
    inner = element_key(instance, "inner")
    assert kit.engine.variables(instance.key, inner) == {"draft": "edited"}
    assert kit.engine.variables(instance.key, job.element_instance_key) == {}
    assert instance.variables == {"title": "Permit", "note": "n"}
    kit.engine.set_variables(job.element_instance_key, {"title": "mine"}, local=True)
    assert kit.engine.variables(instance.key, job.element_instance_key) == {"title": "mine"}
    assert instance.variables["title"] == "Permit"
    kit.engine.complete_job(job.key, {})
    assert instance.variables == {"title": "Permit", "note": "n", "summary": "edited"}


def task_with_mappings() -> str:
    return process("mapped", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("next", "mapped.next")}
    {service("check", "mapped.check", '''<zeebe:ioMapping>
        <zeebe:input source="=applicant.name" target="name"/>
        <zeebe:output source="=score &gt; 5" target="passed"/></zeebe:ioMapping>''')}
    """ + chain("s", "check", "next", "e"))


@pytest.mark.parametrize("restart", [False, True])
def test_output_mappings_let_only_their_targets_leave_the_task(kit, restart):
    kit.deploy_text("mapped.bpmn", task_with_mappings())
    instance = kit.start("mapped", applicant={"name": "An"})
    [job] = kit.activate("mapped.check")
    assert job.variables["name"] == "An"
    if restart:
        kit.restart()
    kit.engine.complete_job(job.key, {"score": 7, "scratch": "x"})
    assert instance.variables == {"applicant": {"name": "An"}, "passed": True}
    [job] = kit.activate("mapped.next")
    assert job.variables == {"applicant": {"name": "An"}, "passed": True}


def multi_instance(sequential: bool) -> str:
    flag = ' isSequential="true"' if sequential else ""
    return process("mi", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("after", "mi.after")}
    {service("inspect", "mi.inspect")[:-len("</bpmn:serviceTask>")]}
      <bpmn:multiInstanceLoopCharacteristics{flag}><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"
          outputCollection="reports" outputElement="={{floor: floor, ok: ok}}"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>
    """ + chain("s", "inspect", "after", "e"))


@pytest.mark.parametrize("sequential", [False, True])
@pytest.mark.parametrize("restart", [False, True])
def test_multi_instance_output_collection_is_local_to_the_body_until_it_completes(kit, sequential, restart):
    kit.deploy_text("mi.bpmn", multi_instance(sequential))
    instance = kit.start("mi", floors=[1, 2])
    body = element_key(instance, "inspect", "MULTI_INSTANCE_BODY")
    assert kit.engine.variables(instance.key, body) == {"reports": [None, None]}
    [job] = kit.activate("mi.inspect")
    assert job.variables["floor"] == 1 and job.variables["loopCounter"] == 1
    assert kit.engine.variables(instance.key, job.element_instance_key) == {"floor": 1, "loopCounter": 1}
    kit.engine.complete_job(job.key, {"ok": True})
    if restart:
        kit.restart()
    assert kit.engine.variables(instance.key, body) == {"reports": [{"floor": 1, "ok": True}, None]}
    assert "reports" not in instance.variables
    [job] = kit.activate("mi.inspect")
    assert job.variables["floor"] == 2
    kit.engine.complete_job(job.key, {"ok": False})
    assert instance.variables["reports"] == [{"floor": 1, "ok": True}, {"floor": 2, "ok": False}]
    assert "floor" not in instance.variables and "loopCounter" not in instance.variables
    [reports] = [r for r in variable_records(kit, "reports") if r.value["scopeKey"] == instance.key]
    assert reports.intent == "CREATED"


CHILD = process("child", f"""
    <bpmn:startEvent id="cs"/>{service("work", "child.work")}<bpmn:endEvent id="ce"/>""" + chain("cs", "work", "ce"))


def caller(propagate_parent: bool) -> str:
    return process("caller", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("after", "caller.after")}
    <bpmn:callActivity id="call"><bpmn:extensionElements>
      <zeebe:calledElement processId="child" propagateAllParentVariables="{str(propagate_parent).lower()}"/>
      <zeebe:ioMapping><zeebe:input source="=code" target="childCode"/></zeebe:ioMapping>
    </bpmn:extensionElements></bpmn:callActivity>""" + chain("s", "call", "after", "e"))


@pytest.mark.parametrize("propagate_parent", [True, False])
@pytest.mark.parametrize("restart", [False, True])
def test_called_process_is_a_new_root_scope(kit, propagate_parent, restart):
    kit.deploy_text("child.bpmn", CHILD)
    kit.deploy_text("caller.bpmn", caller(propagate_parent))
    instance = kit.start("caller", code="C-1", secret="s")
    [job] = kit.activate("child.work")
    child = job.process_instance_key
    expected = {"childCode": "C-1", **({"code": "C-1", "secret": "s"} if propagate_parent else {})}
    assert job.variables == expected
    assert kit.engine.variables(child) == expected
    records = [r for r in variable_records(kit, "childCode") if r.value["processInstanceKey"] == child]
    assert [r.value["scopeKey"] for r in records] == [child]
    if restart:
        kit.restart()
    kit.engine.complete_job(job.key, {"fee": 10})
    assert instance.is_waiting_at("after")
    # `childCode` goes back to the call activity's own (input-mapped) scope and ends with it.
    assert instance.variables["fee"] == 10 and "childCode" not in instance.variables
    assert kit.engine.variables(child)["fee"] == 10  # kept with the finished child


def subprocess_with_two_jobs(boundary: str) -> str:
    return process("sub2", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>{service("fix", "sub2.fix")}
    <bpmn:subProcess id="inner">
      <bpmn:startEvent id="is"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
      {service("a", "sub2.a")}{service("b", "sub2.b")}<bpmn:endEvent id="ie"/>
      {flow("is", "fork")}{flow("fork", "a")}{flow("fork", "b")}{flow("a", "join")}{flow("b", "join")}
      {flow("join", "ie")}
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="stop" attachedToRef="inner">{boundary}</bpmn:boundaryEvent>"""
        + chain("s", "inner", "e") + flow("stop", "fix") + flow("fix", "e2"),
        extra='<bpmn:error id="boom" errorCode="BOOM"/><bpmn:message id="m" name="stop">'
              '<bpmn:extensionElements><zeebe:subscription correlationKey="=code"/></bpmn:extensionElements>'
              '</bpmn:message>')


@pytest.mark.parametrize("trigger", ["error", "timer", "message"])
@pytest.mark.parametrize("restart", [False, True])
def test_interrupting_boundary_on_a_subprocess_cancels_the_jobs_inside(kit, trigger, restart):
    boundary = {"error": '<bpmn:errorEventDefinition errorRef="boom"/>',
                "timer": '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>'
                         '</bpmn:timerEventDefinition>',
                "message": '<bpmn:messageEventDefinition messageRef="m"/>'}[trigger]
    kit.deploy_text("sub2.bpmn", subprocess_with_two_jobs(boundary))
    instance = kit.start("sub2", code="K")
    [job_b] = kit.activate("sub2.b")
    if restart:
        kit.restart()
    if trigger == "error":
        kit.throw_error("sub2.a", "BOOM")
    elif trigger == "timer":
        kit.advance(hours=2)
    else:
        kit.publish_message("stop", "K")
    assert instance.is_waiting_at("fix")
    assert kit.jobs("sub2.a") == [] and kit.jobs("sub2.b") == []
    with pytest.raises(Rejection) as refused:
        kit.engine.complete_job(job_b.key, {})
    assert refused.value.code == "NOT_FOUND"
    assert {"a", "b", "inner"} <= set(instance.terminated_elements())
    kit.complete_job("sub2.fix")
    assert instance.is_completed()


def multi_instance_with_boundary(boundary: str) -> str:
    return process("mib", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>{service("fix", "mib.fix")}
    <bpmn:subProcess id="per-floor">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"
          outputCollection="reports" outputElement="=floor"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="fs"/>{service("inspect", "mib.inspect")}<bpmn:endEvent id="fe"/>
      {flow("fs", "inspect")}{flow("inspect", "fe")}
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="stop" attachedToRef="per-floor">{boundary}</bpmn:boundaryEvent>"""
        + chain("s", "per-floor", "e") + flow("stop", "fix") + flow("fix", "e2"),
        extra='<bpmn:message id="m" name="stop-floors">'
              '<bpmn:extensionElements><zeebe:subscription correlationKey="=code"/></bpmn:extensionElements>'
              '</bpmn:message>')


@pytest.mark.parametrize("trigger", ["timer", "message"])
@pytest.mark.parametrize("restart", [False, True])
def test_interrupting_boundary_on_a_multi_instance_body_terminates_every_inner_instance(kit, trigger, restart):
    boundary = {"timer": '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>'
                         '</bpmn:timerEventDefinition>',
                "message": '<bpmn:messageEventDefinition messageRef="m"/>'}[trigger]
    kit.deploy_text("mib.bpmn", multi_instance_with_boundary(boundary))
    instance = kit.start("mib", floors=[1, 2, 3], code="F")
    jobs = kit.activate("mib.inspect", max_jobs=3)
    kit.engine.complete_job(jobs[0].key, {})
    if restart:
        kit.restart()
    if trigger == "timer":
        kit.advance(hours=2)
    else:
        kit.publish_message("stop-floors", "F")
    assert instance.is_waiting_at("fix") and kit.jobs("mib.inspect") == []
    for job in jobs[1:]:
        with pytest.raises(Rejection) as refused:
            kit.engine.complete_job(job.key, {})
        assert refused.value.code == "NOT_FOUND"
    assert instance.terminated_elements().count("inspect") == 2
    kit.complete_job("mib.fix")
    assert instance.is_completed()
    assert "reports" not in instance.variables and "floor" not in instance.variables


def test_an_instance_stored_before_per_scope_variables_keeps_its_variables(kit):
    """Snapshots written by the engine before scopes kept the root variables in the workflow's
    data (`variables`) and the locals in the task's data: a new engine reads them into scopes."""
    kit.deploy_text("mapped.bpmn", task_with_mappings())
    instance = kit.start("mapped", applicant={"name": "An"})
    [job] = kit.activate("mapped.check")
    kit.engine.close()
    with sqlite3.connect(kit.database) as db:
        [(text,)] = db.execute("select snapshot from engine_process_instance where key = ?", (instance.key,)).fetchall()
        snapshot = json.loads(text)
        stored = snapshot["data"].pop("zeebe_scopes")
        snapshot["data"]["variables"] = stored[str(instance.key)]
        for task in snapshot["tasks"]:  # compact format: [..., internal data, data]
            local = stored.get(str(task[7].get("zk")))
            if local and task[4].startswith("check"):
                task[7]["zeebe_locals"] = {name: [False, None] for name in local}
                task[8] = {**stored[str(instance.key)], **local}
        db.execute("update engine_process_instance set snapshot = ? where key = ?", (json.dumps(snapshot), instance.key))
    kit.engine = type(kit.engine)(f"sqlite:///{kit.database}", clock=kit.clock)
    kit.engine.start()
    assert instance.variables == {"applicant": {"name": "An"}}
    assert kit.engine.variables(instance.key, job.element_instance_key) == {"name": "An"}
    kit.engine.complete_job(job.key, {"score": 9})
    assert instance.variables == {"applicant": {"name": "An"}, "passed": True}


@pytest.mark.parametrize("restart", [False, True])
def test_error_on_a_multi_instance_service_task_cancels_the_other_inner_jobs(kit, restart):
    kit.deploy_text("mis.bpmn", process("mis", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>{service("fix", "mis.fix")}
    {service("inspect", "mis.inspect")[:-len("</bpmn:serviceTask>")]}
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>
    <bpmn:boundaryEvent id="failed" attachedToRef="inspect"><bpmn:errorEventDefinition errorRef="boom"/>
    </bpmn:boundaryEvent>""" + chain("s", "inspect", "e") + chain("failed", "fix", "e2"),
        extra='<bpmn:error id="boom" errorCode="BOOM"/>'))
    instance = kit.start("mis", floors=[1, 2, 3])
    jobs = kit.activate("mis.inspect", max_jobs=3)
    if restart:
        kit.restart()
    kit.engine.throw_error(jobs[1].key, "BOOM", "floor 2 failed", {"failedFloor": 2})
    assert instance.is_waiting_at("fix") and kit.jobs("mis.inspect") == []
    for job in (jobs[0], jobs[2]):
        with pytest.raises(Rejection) as refused:
            kit.engine.complete_job(job.key, {})
        assert refused.value.code == "NOT_FOUND"
    assert instance.terminated_elements().count("inspect") == 4  # three inner instances and the body
    kit.complete_job("mis.fix")
    assert instance.is_completed() and instance.variables == {"floors": [1, 2, 3], "failedFloor": 2}
