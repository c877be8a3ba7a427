"""Event subprocesses inside an embedded subprocess (Zeebe 8.6): their subscriptions open when the
subprocess is entered and close when it ends; an error thrown inside is caught by the subprocess's
own error event subprocess before any boundary further out. Each with a restart in the middle."""
from __future__ import annotations

import pytest

from engine.runtime import Rejection

from .conftest import chain, flow, process, service

ERROR = '<bpmn:error id="boom" errorCode="BOOM"/>'
MESSAGE = ('<bpmn:message id="m" name="amend"><bpmn:extensionElements>'
           '<zeebe:subscription correlationKey="=code"/></bpmn:extensionElements></bpmn:message>')
TRIGGERS = {
    "error": '<bpmn:errorEventDefinition errorRef="boom"/>',
    "message": '<bpmn:messageEventDefinition messageRef="m"/>',
    "timer": '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>',
}


def nested(trigger: str, interrupting: bool = True) -> str:
    """`case` subprocess: job `case.work`, and an event subprocess `handler` (start `hs`, job
    `case.handle`); the subprocess also has an error boundary `outer-failed` -> `case.outer-fix`."""
    flag = "" if interrupting else ' isInterrupting="false"'
    return process("nest", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
    {service("after", "case.after")}{service("outer-fix", "case.outer-fix")}
    <bpmn:subProcess id="case">
      <bpmn:startEvent id="cs"/>{service("work", "case.work")}<bpmn:endEvent id="ce"/>
      {flow("cs", "work")}{flow("work", "ce")}
      <bpmn:subProcess id="handler" triggeredByEvent="true">
        <bpmn:startEvent id="hs"{flag}>{TRIGGERS[trigger]}</bpmn:startEvent>
        {service("handle", "case.handle")}<bpmn:endEvent id="he"/>{flow("hs", "handle")}{flow("handle", "he")}
      </bpmn:subProcess>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="outer-failed" attachedToRef="case">{TRIGGERS["error"]}</bpmn:boundaryEvent>"""
        + chain("s", "case", "after", "e") + flow("outer-failed", "outer-fix") + flow("outer-fix", "e2"),
        extra=ERROR + MESSAGE)


def fire(kit, trigger: str) -> None:
    if trigger == "error":
        kit.throw_error("case.work", "BOOM", "failed", cause="work")
    elif trigger == "message":
        kit.publish_message("amend", "C-1", cause="message")
    else:
        kit.advance(hours=2)


@pytest.mark.parametrize("trigger", ["error", "message", "timer"])
@pytest.mark.parametrize("restart", [False, True])
def test_interrupting_event_subprocess_inside_a_subprocess(kit, trigger, restart):
    kit.deploy_text("nest.bpmn", nested(trigger))
    instance = kit.start("nest", code="C-1")
    [work] = kit.activate("case.work")
    if restart:
        kit.restart()
    fire(kit, trigger)
    assert instance.incidents() == []
    assert instance.is_waiting_at("handle") and not instance.is_waiting_at("outer-fix")
    assert kit.jobs("case.work") == []
    with pytest.raises(Rejection):
        kit.engine.complete_job(work.key, {})
    if restart:
        kit.restart()
    [job] = kit.activate("case.handle")
    if trigger != "timer":
        assert job.variables["cause"] == ("work" if trigger == "error" else "message")
    kit.engine.complete_job(job.key, {"handled": True})
    assert instance.is_waiting_at("after")  # the subprocess completed through its handler
    kit.complete_job("case.after")
    assert instance.is_completed() and instance.variables["handled"] is True


@pytest.mark.parametrize("trigger", ["message", "timer"])
@pytest.mark.parametrize("restart", [False, True])
def test_non_interrupting_event_subprocess_inside_a_subprocess(kit, trigger, restart):
    kit.deploy_text("nest.bpmn", nested(trigger, interrupting=False))
    instance = kit.start("nest", code="C-1")
    if restart:
        kit.restart()
    fire(kit, trigger)
    assert instance.is_waiting_at("handle") and instance.is_waiting_at("work")
    if trigger == "message":  # a non-interrupting one listens on: each message starts another
        fire(kit, trigger)
        assert len(kit.jobs("case.handle")) == 2
        kit.complete_job("case.handle")
    kit.complete_job("case.handle")
    if restart:
        kit.restart()
    kit.complete_job("case.work")
    assert instance.is_waiting_at("after")
    kit.complete_job("case.after")
    assert instance.is_completed()


@pytest.mark.parametrize("trigger", ["message", "timer"])
def test_event_subprocess_subscription_closes_when_the_subprocess_ends(kit, trigger):
    kit.deploy_text("nest.bpmn", nested(trigger))
    instance = kit.start("nest", code="C-1")
    kit.complete_job("case.work")
    assert instance.is_waiting_at("after")
    kit.restart()
    fire(kit, trigger)
    assert not instance.is_waiting_at("handle") and kit.jobs("case.handle") == []
    subscriptions = [r for r in kit.engine.records(value_type="PROCESS_MESSAGE_SUBSCRIPTION", limit=10_000)
                     if r.value["elementId"] == "hs"]
    timers = [r for r in kit.engine.records(value_type="TIMER", limit=10_000) if r.value["elementId"] == "hs"]
    opened = subscriptions if trigger == "message" else timers
    assert [r.intent for r in opened] == (["CREATING", "CREATED", "DELETING", "DELETED"] if trigger == "message"
                                          else ["CREATED", "CANCELED"])


@pytest.mark.parametrize("restart", [False, True])
def test_an_untriggered_timer_event_subprocess_does_not_keep_the_process_open(kit, restart):
    kit.deploy_text("root.bpmn", process("root", f"""
    <bpmn:startEvent id="s"/>{service("work", "root.work")}<bpmn:endEvent id="e"/>{chain("s", "work", "e")}
    <bpmn:subProcess id="reminder" triggeredByEvent="true">
      <bpmn:startEvent id="rs" isInterrupting="false">{TRIGGERS["timer"]}</bpmn:startEvent>
      {service("remind", "root.remind")}<bpmn:endEvent id="re"/>{chain("rs", "remind", "re")}
    </bpmn:subProcess>"""))
    instance = kit.start("root")
    if restart:
        kit.restart()
    kit.complete_job("root.work")
    assert instance.is_completed()
    kit.advance(hours=2)
    assert kit.jobs("root.remind") == []


@pytest.mark.parametrize("restart", [False, True])
def test_error_inside_a_subprocess_prefers_its_boundary_to_a_process_event_subprocess(kit, restart):
    kit.deploy_text("pref.bpmn", process("pref", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>{service("fix", "pref.fix")}
    <bpmn:subProcess id="case">
      <bpmn:startEvent id="cs"/>{service("work", "pref.work")}<bpmn:endEvent id="ce"/>{chain("cs", "work", "ce")}
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="case-failed" attachedToRef="case">{TRIGGERS["error"]}</bpmn:boundaryEvent>
    <bpmn:subProcess id="handler" triggeredByEvent="true">
      <bpmn:startEvent id="hs">{TRIGGERS["error"]}</bpmn:startEvent>
      {service("handle", "pref.handle")}<bpmn:endEvent id="he"/>{chain("hs", "handle", "he")}
    </bpmn:subProcess>""" + chain("s", "case", "e") + chain("case-failed", "fix", "e2"), extra=ERROR))
    instance = kit.start("pref")
    if restart:
        kit.restart()
    kit.throw_error("pref.work", "BOOM")
    assert instance.is_waiting_at("fix") and not instance.is_waiting_at("handle")


def called_child(trigger: str) -> str:
    """A called process `child-case`: job `child.work` and an interrupting event subprocess
    (job `child.handle`)."""
    return process("child-case", f"""
    <bpmn:startEvent id="cs"/>{service("work", "child.work")}<bpmn:endEvent id="ce"/>{chain("cs", "work", "ce")}
    <bpmn:subProcess id="child-handler" triggeredByEvent="true">
      <bpmn:startEvent id="chs">{TRIGGERS[trigger]}</bpmn:startEvent>
      {service("handle", "child.handle")}<bpmn:endEvent id="che"/>{chain("chs", "handle", "che")}
    </bpmn:subProcess>""", extra=ERROR + MESSAGE)


CALLER = process("caller", f"""
    <bpmn:startEvent id="s"/>{service("after", "caller.after")}<bpmn:endEvent id="e"/>
    <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child-case"/>
    </bpmn:extensionElements></bpmn:callActivity>""" + chain("s", "call", "after", "e"))


@pytest.mark.parametrize("trigger", ["error", "message", "timer"])
@pytest.mark.parametrize("restart", [False, True])
def test_event_subprocess_of_a_called_process(kit, trigger, restart):
    kit.deploy_text("child.bpmn", called_child(trigger))
    kit.deploy_text("caller.bpmn", CALLER)
    instance = kit.start("caller", code="C-1")
    [work] = kit.activate("child.work")
    if restart:
        kit.restart()
    if trigger == "error":
        kit.throw_error("child.work", "BOOM", cause="work")
    elif trigger == "message":
        kit.publish_message("amend", "C-1", cause="message")
    else:
        kit.advance(hours=2)
    assert instance.incidents() == [] and kit.jobs("child.work") == []
    [job] = kit.activate("child.handle")
    assert job.process_instance_key == work.process_instance_key
    if restart:
        kit.restart()
    kit.engine.complete_job(job.key, {"handled": trigger})
    assert instance.is_waiting_at("after") and instance.variables["handled"] == trigger
    subscriptions = [r for r in kit.engine.records(value_type="PROCESS_MESSAGE_SUBSCRIPTION", limit=10_000)
                     if r.value["elementId"] == "chs"]
    assert [r.intent for r in subscriptions] == (["CREATING", "CREATED", "DELETING", "DELETED"] if trigger == "message" else [])


def error_end_in_subprocess(with_handler: bool) -> str:
    handler = f"""
      <bpmn:subProcess id="handler" triggeredByEvent="true">
        <bpmn:startEvent id="hs">{TRIGGERS["error"]}</bpmn:startEvent>
        {service("handle", "end.handle")}<bpmn:endEvent id="he"/>{chain("hs", "handle", "he")}
      </bpmn:subProcess>""" if with_handler else ""
    return process("end", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("after", "end.after")}
    <bpmn:subProcess id="case">
      <bpmn:startEvent id="cs"/>{service("work", "end.work")}
      <bpmn:endEvent id="fail">{TRIGGERS["error"]}</bpmn:endEvent>{chain("cs", "work", "fail")}{handler}
    </bpmn:subProcess>""" + chain("s", "case", "after", "e"), extra=ERROR)


@pytest.mark.parametrize("restart", [False, True])
def test_error_end_event_is_caught_by_its_subprocess_event_subprocess(kit, restart):
    kit.deploy_text("end.bpmn", error_end_in_subprocess(with_handler=True))
    instance = kit.start("end")
    if restart:
        kit.restart()
    kit.complete_job("end.work")
    assert instance.incidents() == [] and instance.is_waiting_at("handle")
    kit.complete_job("end.handle")
    assert instance.is_waiting_at("after")


@pytest.mark.parametrize("restart", [False, True])
def test_uncaught_error_end_event_is_an_incident(kit, restart):
    kit.deploy_text("end.bpmn", error_end_in_subprocess(with_handler=False))
    instance = kit.start("end")
    kit.complete_job("end.work")
    if restart:
        kit.restart()
    [incident] = instance.incidents()
    assert incident["type"] == "UNHANDLED_ERROR_EVENT" and incident["element_id"] == "fail"
    assert "'BOOM'" in incident["message"]


@pytest.mark.parametrize("restart", [False, True])
def test_a_timer_event_subprocess_is_an_element_instance_only_once_triggered(kit, restart):
    kit.deploy_text("nest.bpmn", nested("timer", interrupting=False))
    instance = kit.start("nest", code="C-1")
    assert set(instance.active_elements()) == {"case", "work"}  # the error boundary waits without being one
    if restart:
        kit.restart()
    kit.advance(hours=2)
    assert {"handler", "handle"} <= set(instance.active_elements()) and instance.passed("hs")
    activated = [r.value["elementId"] for r in kit.engine.records(value_type="PROCESS_INSTANCE", limit=10_000)
                 if r.intent == "ELEMENT_ACTIVATED"]
    assert activated.index("handler") < activated.index("hs") < activated.index("handle")
    [handler] = [e for e in instance._elements() if e["element_id"] == "handler"]
    assert handler["element_type"] == "EVENT_SUB_PROCESS"
    kit.complete_job("case.handle")
    kit.complete_job("case.work")
    assert instance.is_waiting_at("after") and "handler" in instance.passed_elements()
