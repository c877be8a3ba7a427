"""Messages, timers and errors: correlation, buffering, boundary events, event-based gateways."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.runtime import Rejection

from .conftest import chain, flow, process, service

PAYMENT = """<bpmn:message id="paid-msg" name="fee-paid"><bpmn:extensionElements>
  <zeebe:subscription correlationKey="=dossierCode"/></bpmn:extensionElements></bpmn:message>"""


def waiting_for_payment() -> str:
    return process("payment", """
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait-paid"><bpmn:messageEventDefinition messageRef="paid-msg"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"/>""" + chain("s", "wait-paid", "e"), extra=PAYMENT)


@pytest.mark.parametrize("restart", [False, True])
def test_message_correlates_by_name_and_correlation_key(kit, restart):
    kit.deploy_text("payment.bpmn", waiting_for_payment())
    mine = kit.start("payment", dossierCode="D-1")
    other = kit.start("payment", dossierCode="D-2")
    if restart:
        kit.restart()
    kit.publish_message("fee-paid", correlation_key="D-1", amount=500_000)
    assert mine.is_completed() and mine.variables["amount"] == 500_000
    assert other.is_waiting_at("wait-paid")


def test_buffered_message_correlates_when_subscription_opens_within_ttl(kit):
    kit.deploy_text("payment.bpmn", waiting_for_payment())
    kit.publish_message("fee-paid", correlation_key="D-7", ttl=timedelta(minutes=10), amount=1)
    kit.restart()
    early = kit.start("payment", dossierCode="D-7")
    assert early.is_completed()
    kit.publish_message("fee-paid", correlation_key="D-8", ttl=timedelta(minutes=10))
    kit.advance(minutes=11)
    late = kit.start("payment", dossierCode="D-8")
    assert late.is_waiting_at("wait-paid")


def test_message_without_ttl_and_no_subscription_is_dropped(kit):
    kit.deploy_text("payment.bpmn", waiting_for_payment())
    kit.publish_message("fee-paid", correlation_key="D-3")
    assert kit.start("payment", dossierCode="D-3").is_waiting_at("wait-paid")


@pytest.mark.parametrize("restart", [False, True])
def test_duplicate_message_id_is_rejected_while_buffered(kit, restart):
    kit.publish_message("fee-paid", correlation_key="D-1", ttl=timedelta(minutes=1), message_id="pay-1")
    if restart:
        kit.restart()
    with pytest.raises(Rejection) as refused:
        kit.publish_message("fee-paid", correlation_key="D-1", ttl=timedelta(minutes=1), message_id="pay-1")
    assert refused.value.code == "ALREADY_EXISTS"
    kit.advance(minutes=2)
    kit.publish_message("fee-paid", correlation_key="D-1", ttl=timedelta(minutes=1), message_id="pay-1")


@pytest.mark.parametrize("restart", [False, True])
def test_receive_task_and_message_start_event(kit, restart):
    kit.deploy_text("online.bpmn", process("online", """
    <bpmn:startEvent id="submitted"><bpmn:messageEventDefinition messageRef="sub-msg"/></bpmn:startEvent>
    <bpmn:receiveTask id="wait-paid" messageRef="paid-msg"/>
    <bpmn:endEvent id="e"/>""" + chain("submitted", "wait-paid", "e"),
        extra=PAYMENT + '<bpmn:message id="sub-msg" name="dossier-submitted"/>'))
    kit.publish_message("dossier-submitted", dossierCode="D-5")
    [row] = kit.engine.process_instances(bpmn_process_id="online")
    instance = kit.instance(row["key"])
    assert instance.passed("submitted") and instance.is_waiting_at("wait-paid")
    if restart:
        kit.restart()
    kit.publish_message("fee-paid", correlation_key="D-5")
    assert instance.is_completed()


def boundary_process(interrupting: bool, definition: str, extra: str = "") -> str:
    cancel = "true" if interrupting else "false"
    return process("review", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="done"/><bpmn:endEvent id="escalated"/>
    {service("review", "review.check")}
    <bpmn:boundaryEvent id="edge" attachedToRef="review" cancelActivity="{cancel}">{definition}</bpmn:boundaryEvent>
    {service("escalate", "review.escalate")}""" + chain("s", "review", "done") + chain("edge", "escalate", "escalated"),
        extra=extra)


@pytest.mark.parametrize("restart", [False, True])
def test_interrupting_timer_boundary_escalates_overdue_review(kit, restart):
    kit.deploy_text("review.bpmn", boundary_process(
        True, "<bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>"))
    instance = kit.start("review")
    kit.advance(days=1)
    assert instance.is_waiting_at("review")
    if restart:
        kit.restart()
    kit.advance(days=1, seconds=1)
    assert instance.is_waiting_at("escalate") and "review" in instance.terminated_elements()
    assert kit.jobs("review.check") == []


@pytest.mark.parametrize("restart", [False, True])
def test_timer_duration_from_feel_expression(kit, restart):
    kit.deploy_text("review.bpmn", boundary_process(
        True, "<bpmn:timerEventDefinition><bpmn:timeDuration>=reviewTime</bpmn:timeDuration>"
              "</bpmn:timerEventDefinition>"))
    instance = kit.start("review", reviewTime="PT1H")
    if restart:
        kit.restart()
    kit.advance(minutes=61)
    assert instance.is_waiting_at("escalate")


def test_non_interrupting_cycle_timer_repeats_while_task_waits(kit):
    kit.deploy_text("review.bpmn", boundary_process(
        False, "<bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>"))
    instance = kit.start("review")
    kit.advance(hours=1, seconds=1)
    kit.restart()
    kit.advance(hours=1)
    assert instance.is_waiting_at("review")
    assert len(kit.jobs("review.escalate")) == 2


@pytest.mark.parametrize("interrupting", [True, False])
@pytest.mark.parametrize("restart", [False, True])
def test_message_boundary_event(kit, interrupting, restart):
    kit.deploy_text("review.bpmn", boundary_process(
        interrupting, '<bpmn:messageEventDefinition messageRef="paid-msg"/>', extra=PAYMENT))
    instance = kit.start("review", dossierCode="D-1")
    if restart:
        kit.restart()
    kit.publish_message("fee-paid", correlation_key="D-1")
    assert instance.is_waiting_at("escalate")
    assert instance.is_waiting_at("review") is not interrupting


@pytest.mark.parametrize("restart", [False, True])
def test_intermediate_timer_waits_for_its_duration(kit, restart):
    kit.deploy_text("wait.bpmn", process("wait", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:intermediateCatchEvent id="cool-off"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>PT15M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    """ + chain("s", "cool-off", "e")))
    instance = kit.start("wait")
    if restart:
        kit.restart()
    kit.advance(minutes=14)
    assert instance.is_waiting_at("cool-off")
    kit.advance(minutes=1)
    assert instance.is_completed()


def test_event_based_gateway_takes_the_first_event(kit):
    kit.deploy_text("race.bpmn", process("race", """
    <bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="race"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="paid-msg"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="expired"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>""" + flow("s", "race") + flow("race", "paid")
        + flow("race", "expired") + flow("paid", "e1") + flow("expired", "e2"), extra=PAYMENT))
    paid = kit.start("race", dossierCode="P")
    unpaid = kit.start("race", dossierCode="U")
    kit.publish_message("fee-paid", correlation_key="P")
    assert paid.is_completed() and paid.passed("e1")
    kit.restart()
    kit.advance(days=1, seconds=1)
    assert unpaid.is_completed() and unpaid.passed("e2")


def test_timer_start_event_creates_instances_on_schedule(kit):
    kit.deploy_text("daily.bpmn", process("daily-report", """
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT24H</bpmn:timeCycle>
    </bpmn:timerEventDefinition></bpmn:startEvent>""" + service("report", "portal.report") + """
    <bpmn:endEvent id="e"/>""" + chain("tick", "report", "e")))
    assert kit.engine.process_instances() == []
    kit.advance(hours=24, seconds=1)
    kit.restart()
    kit.advance(hours=24)
    kit.advance(hours=24)
    assert len(kit.engine.process_instances(bpmn_process_id="daily-report")) == 2


@pytest.mark.parametrize("restart", [False, True])
def test_thrown_error_is_caught_by_boundary_event(kit, restart):
    kit.deploy_text("review.bpmn", boundary_process(
        True, '<bpmn:errorEventDefinition errorRef="rejected"/>',
        extra='<bpmn:error id="rejected" name="Rejected" errorCode="DOSSIER_REJECTED"/>'))
    instance = kit.start("review")
    if restart:
        kit.restart()
    kit.throw_error("review.check", "DOSSIER_REJECTED", "missing land-use certificate", reason="no certificate")
    assert instance.is_waiting_at("escalate")
    [job] = kit.activate("review.escalate")
    assert job.variables["reason"] == "no certificate"


@pytest.mark.parametrize("restart", [False, True])
def test_uncaught_error_is_an_incident(kit, restart):
    kit.deploy_text("review.bpmn", boundary_process(
        True, '<bpmn:errorEventDefinition errorRef="rejected"/>',
        extra='<bpmn:error id="rejected" name="Rejected" errorCode="DOSSIER_REJECTED"/>'))
    instance = kit.start("review")
    if restart:
        kit.restart()
    kit.throw_error("review.check", "SOMETHING_ELSE", "boom")
    [incident] = instance.incidents()
    assert incident["type"] == "UNHANDLED_ERROR_EVENT" and "SOMETHING_ELSE" in incident["message"]


@pytest.mark.parametrize("restart", [False, True])
def test_error_end_event_in_subprocess_is_caught_at_its_boundary(kit, restart):
    kit.deploy_text("sub.bpmn", process("sub", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:endEvent id="rejected-end"/>
    <bpmn:subProcess id="check">
      <bpmn:startEvent id="cs"/>
      <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="rejected"/></bpmn:endEvent>
      """ + flow("cs", "fail") + """
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="on-reject" attachedToRef="check"><bpmn:errorEventDefinition errorRef="rejected"/>
    </bpmn:boundaryEvent>""" + chain("s", "check", "e") + flow("on-reject", "rejected-end"),
        extra='<bpmn:error id="rejected" name="Rejected" errorCode="REJECTED"/>'))
    instance = kit.start("sub")
    if restart:
        kit.restart()
    assert instance.is_completed() and instance.passed("rejected-end") and not instance.passed("e")


@pytest.mark.parametrize("restart", [False, True])
def test_signal_broadcast_reaches_waiting_instances(kit, restart):
    kit.deploy_text("signal.bpmn", process("signal", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:intermediateCatchEvent id="holiday"><bpmn:signalEventDefinition signalRef="sig"/>
    </bpmn:intermediateCatchEvent>""" + chain("s", "holiday", "e"), extra='<bpmn:signal id="sig" name="holiday-over"/>'))
    instance = kit.start("signal")
    if restart:
        kit.restart()
    kit.broadcast_signal("holiday-over")
    assert instance.is_completed()


WITHDRAWN = """<bpmn:message id="withdrawn-msg" name="dossier-withdrawn"><bpmn:extensionElements>
  <zeebe:subscription correlationKey="=dossierCode"/></bpmn:extensionElements></bpmn:message>
  <bpmn:error id="boom" name="Boom" errorCode="BOOM"/>"""


def with_event_subprocess(start_definition: str, interrupting: bool = True) -> str:
    return process("evsub", '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>' + service("work", "work.do")
                   + chain("s", "work", "e") + f"""
    <bpmn:subProcess id="handler" triggeredByEvent="true">
      <bpmn:startEvent id="hs" isInterrupting="{str(interrupting).lower()}">{start_definition}</bpmn:startEvent>
      """ + service("cleanup", "work.cleanup") + '<bpmn:endEvent id="he"/>' + chain("hs", "cleanup", "he") + """
    </bpmn:subProcess>""", extra=WITHDRAWN)


@pytest.mark.parametrize("restart", [False, True])
def test_interrupting_timer_event_subprocess_ends_the_main_flow(kit, restart):
    kit.deploy_text("evsub.bpmn", with_event_subprocess(
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"))
    instance = kit.start("evsub", dossierCode="D-1")
    if restart:
        kit.restart()
    kit.advance(hours=1)
    assert instance.is_waiting_at("cleanup") and "work" in instance.terminated_elements()
    assert kit.jobs("work.do") == []
    kit.complete_job("work.cleanup")
    assert instance.is_completed()


@pytest.mark.parametrize("interrupting", [True, False])
def test_message_event_subprocess(kit, interrupting):
    kit.deploy_text("evsub.bpmn", with_event_subprocess(
        '<bpmn:messageEventDefinition messageRef="withdrawn-msg"/>', interrupting))
    instance = kit.start("evsub", dossierCode="D-1")
    kit.restart()
    kit.publish_message("dossier-withdrawn", correlation_key="D-1", reason="citizen")
    assert instance.is_waiting_at("cleanup")
    assert instance.is_waiting_at("work") is not interrupting
    [job] = kit.activate("work.cleanup")
    assert job.variables["reason"] == "citizen"


@pytest.mark.parametrize("restart", [False, True])
def test_error_event_subprocess_catches_a_thrown_error(kit, restart):
    kit.deploy_text("evsub.bpmn", with_event_subprocess('<bpmn:errorEventDefinition errorRef="boom"/>'))
    instance = kit.start("evsub", dossierCode="D-1")
    if restart:
        kit.restart()
    kit.throw_error("work.do", "BOOM")
    assert instance.incidents() == []
    assert instance.is_waiting_at("cleanup") and not instance.is_waiting_at("work")


def test_timer_expression_failure_is_an_incident(kit):
    kit.deploy_text("wait.bpmn", process("wait", """
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:intermediateCatchEvent id="cool-off"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>=missing.duration</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    """ + chain("s", "cool-off", "e")))
    instance = kit.start("wait")
    [incident] = instance.incidents()
    assert incident["element_id"] == "cool-off" and incident["type"] == "EXTRACT_VALUE_ERROR"
    kit.restart()
    kit.engine.set_variables(instance.key, {"missing": {"duration": "PT1M"}})
    kit.engine.resolve_incident(incident["key"])
    assert instance.incidents() == [] and instance.is_waiting_at("cool-off")


def test_timer_date_start_event_fires_once(kit):
    kit.deploy_text("once.bpmn", process("once", """
    <bpmn:startEvent id="at"><bpmn:timerEventDefinition><bpmn:timeDate>2026-03-03T08:00:00Z</bpmn:timeDate>
    </bpmn:timerEventDefinition></bpmn:startEvent><bpmn:endEvent id="e"/>""" + chain("at", "e")))
    kit.restart()
    kit.advance(days=1)
    kit.advance(days=1)
    [row] = kit.engine.process_instances(bpmn_process_id="once")
    assert row["state"] == "COMPLETED"


@pytest.mark.parametrize("restart", [False, True])
def test_signal_start_event_creates_an_instance(kit, restart):
    kit.deploy_text("on-signal.bpmn", process("on-signal", """
    <bpmn:startEvent id="go"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent>
    """ + service("t", "holiday.catch-up") + '<bpmn:endEvent id="e"/>' + chain("go", "t", "e"),
        extra='<bpmn:signal id="sig" name="holiday-over"/>'))
    if restart:
        kit.restart()
    kit.broadcast_signal("holiday-over", days=3)
    [job] = kit.activate("holiday.catch-up")
    assert job.bpmn_process_id == "on-signal"


def test_message_start_event_starts_one_instance_per_correlation_key_at_a_time(kit):
    kit.deploy_text("online.bpmn", process("online", """
    <bpmn:startEvent id="submitted"><bpmn:messageEventDefinition messageRef="sub-msg"/></bpmn:startEvent>
    """ + service("check", "dossier.check") + '<bpmn:endEvent id="e"/>' + chain("submitted", "check", "e"),
        extra='<bpmn:message id="sub-msg" name="dossier-submitted"/>'))
    kit.publish_message("dossier-submitted", correlation_key="D-1")
    kit.publish_message("dossier-submitted", correlation_key="D-1")
    kit.publish_message("dossier-submitted", correlation_key="D-2")
    assert len(kit.engine.process_instances(bpmn_process_id="online")) == 2
    kit.restart()
    kit.publish_message("dossier-submitted", correlation_key="D-1")
    assert len(kit.engine.process_instances(bpmn_process_id="online")) == 2
    kit.complete_job("dossier.check")
    kit.publish_message("dossier-submitted", correlation_key="D-1")
    assert len(kit.engine.process_instances(bpmn_process_id="online")) == 3
