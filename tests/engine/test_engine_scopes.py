"""Error catching by scope (Zeebe 8.6): a thrown error is caught only by the throwing element's own
boundary events or those of enclosing scopes, nearest first; never by a boundary on a sibling."""
from __future__ import annotations

import pytest

from .conftest import chain, flow, process, service

ERROR = '<bpmn:error id="boom" name="Boom" errorCode="BOOM"/>'
CATCH = '<bpmn:errorEventDefinition errorRef="boom"/>'


def two_branches() -> str:
    """Branch A: task `a`; branch B: task `b` with an error boundary leading to `handle-b`."""
    return process("branches", f"""
    <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
    <bpmn:endEvent id="e"/><bpmn:endEvent id="e-b"/>
    {service("a", "branch.a")}{service("b", "branch.b")}{service("handle-b", "branch.handle-b")}
    <bpmn:boundaryEvent id="b-failed" attachedToRef="b">{CATCH}</bpmn:boundaryEvent>"""
        + flow("s", "fork") + flow("fork", "a") + flow("fork", "b") + flow("a", "join") + flow("b", "join")
        + flow("join", "e") + flow("b-failed", "handle-b") + flow("handle-b", "e-b"), extra=ERROR)


@pytest.mark.parametrize("restart", [False, True])
def test_error_from_branch_a_is_not_caught_by_boundary_on_branch_b(kit, restart):
    kit.deploy_text("branches.bpmn", two_branches())
    instance = kit.start("branches")
    if restart:
        kit.restart()
    kit.throw_error("branch.a", "BOOM", "branch A failed")
    [incident] = instance.incidents()
    assert incident["type"] == "UNHANDLED_ERROR_EVENT"
    assert instance.is_waiting_at("b") and not instance.is_waiting_at("handle-b")


@pytest.mark.parametrize("restart", [False, True])
def test_error_from_branch_b_is_caught_by_its_own_boundary(kit, restart):
    kit.deploy_text("branches.bpmn", two_branches())
    instance = kit.start("branches")
    if restart:
        kit.restart()
    kit.throw_error("branch.b", "BOOM", "branch B failed", cause="b")
    assert instance.incidents() == []
    assert instance.is_waiting_at("handle-b") and instance.is_waiting_at("a")
    [job] = kit.activate("branch.handle-b")
    assert job.variables["cause"] == "b"


def nested() -> str:
    """`outer` subprocess (error boundary `outer-failed`) holds parallel `inner` (task) and `peer`
    (task with its own error boundary); the root has a sibling `side` task with an error boundary."""
    return process("nested", f"""
    <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>
    <bpmn:endEvent id="e"/><bpmn:endEvent id="e-outer"/><bpmn:endEvent id="e-side"/>
    <bpmn:subProcess id="outer">
      <bpmn:startEvent id="os"/><bpmn:parallelGateway id="ofork"/>
      <bpmn:endEvent id="oe1"/><bpmn:endEvent id="oe2"/><bpmn:endEvent id="oe3"/>
      {service("inner", "nested.inner")}{service("peer", "nested.peer")}{service("peer-fix", "nested.peer-fix")}
      <bpmn:boundaryEvent id="peer-failed" attachedToRef="peer">{CATCH}</bpmn:boundaryEvent>
      {flow("os", "ofork")}{flow("ofork", "inner")}{flow("ofork", "peer")}{flow("inner", "oe1")}
      {flow("peer", "oe2")}{flow("peer-failed", "peer-fix")}{flow("peer-fix", "oe3")}
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="outer-failed" attachedToRef="outer">{CATCH}</bpmn:boundaryEvent>
    {service("side", "nested.side")}{service("side-fix", "nested.side-fix")}
    {service("after-error", "nested.after-error")}
    <bpmn:boundaryEvent id="side-failed" attachedToRef="side">{CATCH}</bpmn:boundaryEvent>"""
        + flow("s", "fork") + flow("fork", "outer") + flow("fork", "side") + flow("outer", "e")
        + flow("side", "e-side") + flow("outer-failed", "after-error") + flow("after-error", "e-outer")
        + flow("side-failed", "side-fix") + flow("side-fix", "e-side"), extra=ERROR)


@pytest.mark.parametrize("restart", [False, True])
def test_error_in_subprocess_is_caught_by_the_enclosing_subprocess_boundary(kit, restart):
    kit.deploy_text("nested.bpmn", nested())
    instance = kit.start("nested")
    if restart:
        kit.restart()
    kit.throw_error("nested.inner", "BOOM", "inner failed", reason="inner")
    assert instance.incidents() == []
    assert instance.is_waiting_at("after-error")
    assert not instance.is_waiting_at("peer-fix") and not instance.is_waiting_at("side-fix")
    assert instance.is_waiting_at("side") and not instance.is_waiting_at("peer")
    [job] = kit.activate("nested.after-error")
    assert job.variables["reason"] == "inner"


def test_thrown_error_variables_reach_the_root_after_the_catch(kit):
    kit.deploy_text("nested.bpmn", nested())
    instance = kit.start("nested")
    kit.throw_error("nested.inner", "BOOM", "inner failed", reason="inner")
    kit.restart()
    kit.complete_job("nested.after-error")
    kit.complete_job("nested.side")
    assert instance.is_completed()
    assert instance.variables["reason"] == "inner"


def test_error_event_subprocess_catches_what_no_boundary_in_scope_catches(kit):
    """An error event subprocess still catches an error from branch A although branch B's task has
    an error boundary; the thrown variables reach the handler and, after it, the root."""
    kit.deploy_text("evsub.bpmn", process("evsub", f"""
    <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
    {service("a", "evsub.a")}{service("b", "evsub.b")}{service("b-fix", "evsub.b-fix")}<bpmn:endEvent id="e3"/>
    <bpmn:boundaryEvent id="b-failed" attachedToRef="b">{CATCH}</bpmn:boundaryEvent>
    <bpmn:subProcess id="handler" triggeredByEvent="true">
      <bpmn:startEvent id="hs">{CATCH}</bpmn:startEvent>{service("cleanup", "evsub.cleanup")}<bpmn:endEvent id="he"/>
      {flow("hs", "cleanup")}{flow("cleanup", "he")}
    </bpmn:subProcess>"""
        + flow("s", "fork") + flow("fork", "a") + flow("fork", "b") + flow("a", "e1") + flow("b", "e2")
        + flow("b-failed", "b-fix") + flow("b-fix", "e3"), extra=ERROR))
    instance = kit.start("evsub")
    kit.restart()
    kit.throw_error("evsub.a", "BOOM", "a failed", reason="a")
    assert instance.incidents() == []
    assert instance.is_waiting_at("cleanup") and not instance.is_waiting_at("b-fix")
    [job] = kit.activate("evsub.cleanup")
    assert job.variables["reason"] == "a"
    kit.restart()
    kit.complete_job("evsub.cleanup")
    assert instance.is_completed() and instance.variables["reason"] == "a"


def subprocess_with_job(outputs: str = "") -> str:
    mapping = f"<bpmn:extensionElements><zeebe:ioMapping>{outputs}</zeebe:ioMapping></bpmn:extensionElements>" \
        if outputs else ""
    return process("sub", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("after", "sub.after")}
    <bpmn:subProcess id="inner">{mapping}
      <bpmn:startEvent id="is"/>{service("work", "sub.work")}<bpmn:endEvent id="ie"/>
      {flow("is", "work")}{flow("work", "ie")}
    </bpmn:subProcess>""" + flow("s", "inner") + flow("inner", "after") + flow("after", "e"))


@pytest.mark.parametrize("restart", [False, True])
def test_job_variable_inside_subprocess_reaches_the_root(kit, restart):
    kit.deploy_text("sub.bpmn", subprocess_with_job())
    instance = kit.start("sub")
    if restart:
        kit.restart()
    kit.complete_job("sub.work", verdict="approved")
    [job] = kit.activate("sub.after")
    assert job.variables["verdict"] == "approved"
    kit.complete_job("sub.after")
    assert instance.is_completed() and instance.variables["verdict"] == "approved"


def test_local_set_variables_on_subprocess_is_gone_after_it_ends(kit):
    kit.deploy_text("sub.bpmn", subprocess_with_job())
    instance = kit.start("sub")
    [inner] = [e for e in instance._elements() if e["element_id"] == "inner"]
    kit.engine.set_variables(inner["key"], {"draft": "x"}, local=True)
    kit.restart()
    assert kit.engine.variables(instance.key, inner["key"])["draft"] == "x"
    assert "draft" not in instance.variables
    [job] = kit.activate("sub.work")
    assert job.variables["draft"] == "x"
    kit.complete_job("sub.work")
    [job] = kit.activate("sub.after")
    assert "draft" not in job.variables
    kit.complete_job("sub.after")
    assert instance.is_completed() and "draft" not in instance.variables


@pytest.mark.parametrize("restart", [False, True])
def test_parallel_multi_instance_inner_instances_keep_their_own_input_element(kit, restart):
    kit.deploy_text("mi.bpmn", process("mi", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="per-floor">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"
          outputCollection="reports" outputElement="=report"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="fs"/>""" + service("inspect", "inspect.floor") + '<bpmn:endEvent id="fe"/>'
        + flow("fs", "inspect") + flow("inspect", "fe") + """
    </bpmn:subProcess>""" + flow("s", "per-floor") + flow("per-floor", "e")))
    instance = kit.start("mi", floors=[1, 2, 3])
    jobs = kit.activate("inspect.floor", max_jobs=5)
    assert sorted(j.variables["floor"] for j in jobs) == [1, 2, 3]
    if restart:
        kit.restart()
    for job in jobs:
        kit.engine.complete_job(job.key, {"report": f"floor {job.variables['floor']} ok"})
    assert instance.is_completed()
    assert instance.variables["reports"] == ["floor 1 ok", "floor 2 ok", "floor 3 ok"]
    assert "floor" not in instance.variables


def test_job_variable_propagates_to_the_subprocess_scope_that_defines_it(kit):
    """A job inside a subprocess that has a local `status` updates that one; the root's stays."""
    kit.deploy_text("sub.bpmn", subprocess_with_job())
    instance = kit.start("sub", status="new")
    [inner] = [e for e in instance._elements() if e["element_id"] == "inner"]
    kit.engine.set_variables(inner["key"], {"status": "draft"}, local=True)
    kit.restart()
    kit.complete_job("sub.work", status="done")
    [job] = kit.activate("sub.after")
    assert job.variables["status"] == "new"
    kit.complete_job("sub.after")
    assert instance.is_completed() and instance.variables["status"] == "new"


def test_fail_job_variables_are_local_to_the_task(kit):
    kit.deploy_text("f.bpmn", process("f", '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
                                      + service("a", "f.a") + service("b", "f.b") + chain("s", "a", "b", "e")))
    instance = kit.start("f", attempt=0)
    [job] = kit.activate("f.a")
    kit.engine.fail_job(job.key, 2, "try again", 0, {"lastError": "timeout", "attempt": 1})
    [job] = kit.activate("f.a")
    assert job.variables["lastError"] == "timeout" and job.variables["attempt"] == 1
    assert "lastError" not in instance.variables and instance.variables["attempt"] == 0
    kit.restart()
    kit.engine.complete_job(job.key, {})
    [job] = kit.activate("f.b")
    assert "lastError" not in job.variables and job.variables["attempt"] == 0
    kit.complete_job("f.b")
    assert instance.is_completed() and "lastError" not in instance.variables


def test_error_in_multi_instance_inner_instance_is_caught_by_the_body_boundary(kit):
    kit.deploy_text("mi.bpmn", process("mi", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>{service("fix", "mi.fix")}
    <bpmn:subProcess id="per-floor">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="fs"/>{service("inspect", "mi.inspect")}<bpmn:endEvent id="fe"/>
      {flow("fs", "inspect")}{flow("inspect", "fe")}
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="mi-failed" attachedToRef="per-floor">{CATCH}</bpmn:boundaryEvent>"""
        + flow("s", "per-floor") + flow("per-floor", "e") + flow("mi-failed", "fix") + flow("fix", "e2"),
        extra=ERROR))
    instance = kit.start("mi", floors=[1, 2])
    kit.restart()
    kit.throw_error("mi.inspect", "BOOM", "floor failed", floorError=True)
    assert instance.incidents() == []
    assert instance.is_waiting_at("fix")
    [job] = kit.activate("mi.fix")
    assert job.variables["floorError"] is True


def test_interrupted_multi_instance_cancels_the_other_inner_jobs(kit):
    kit.deploy_text("mi.bpmn", process("mi", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>{service("fix", "mi.fix")}
    <bpmn:subProcess id="per-floor">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor"/>
      </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="fs"/>{service("inspect", "mi.inspect")}<bpmn:endEvent id="fe"/>
      {flow("fs", "inspect")}{flow("inspect", "fe")}
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="mi-failed" attachedToRef="per-floor">{CATCH}</bpmn:boundaryEvent>"""
        + flow("s", "per-floor") + flow("per-floor", "e") + flow("mi-failed", "fix") + flow("fix", "e2"),
        extra=ERROR))
    instance = kit.start("mi", floors=[1, 2])
    kit.restart()
    kit.throw_error("mi.inspect", "BOOM", "floor failed", floorError=True)
    assert instance.incidents() == []
    assert instance.is_waiting_at("fix") and kit.jobs("mi.inspect") == []
    kit.complete_job("mi.fix")
    assert instance.is_completed() and instance.variables["floorError"] is True
