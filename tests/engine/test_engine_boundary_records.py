"""Boundary events and event-based gateways in the record log, as Zeebe 8.6 writes it: a waiting
boundary event or gateway-following catch event is no element instance (no records, not active);
its timer or subscription belongs to the activity (or gateway) it waits on, and the event becomes
an element instance only when it triggers. Each case also survives a restart in the middle."""
from __future__ import annotations

import pytest

from .conftest import chain, flow, process, service

PAYMENT = """<bpmn:message id="paid-msg" name="fee-paid"><bpmn:extensionElements>
  <zeebe:subscription correlationKey="=dossierCode"/></bpmn:extensionElements></bpmn:message>"""
TWO_DAYS = "<bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>"
PAID = '<bpmn:messageEventDefinition messageRef="paid-msg"/>'
LIFECYCLE = ("PROCESS_INSTANCE", "TIMER", "PROCESS_MESSAGE_SUBSCRIPTION", "JOB")


def review_with_boundary(interrupting: bool, definition: str) -> str:
    cancel = "true" if interrupting else "false"
    return process("review", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="done"/><bpmn:endEvent id="escalated"/>
    {service("review", "review.check")}
    <bpmn:boundaryEvent id="edge" attachedToRef="review" cancelActivity="{cancel}">{definition}</bpmn:boundaryEvent>
    {service("escalate", "review.escalate")}""" + chain("s", "review", "done") + chain("edge", "escalate", "escalated"),
        extra=PAYMENT)


def log_of(kit, instance) -> list[tuple[str, str, str]]:
    """(value type, intent, element id) of the instance's element, timer, subscription and job records."""
    return [(r.value_type, r.intent, r.value.get("elementId"))
            for r in kit.engine.records(limit=100_000, process_instance_key=instance.key)
            if r.value_type in LIFECYCLE and r.value.get("bpmnElementType") != "PROCESS"]


def passes(element_id: str) -> list[tuple[str, str, str]]:
    """The records of an element that activates and completes at once (Zeebe 8.6)."""
    return [("PROCESS_INSTANCE", intent, element_id) for intent in (
        "ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED")]


def activates(element_id: str) -> list[tuple[str, str, str]]:
    return [("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", element_id), ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", element_id)]


def element_key(kit, instance, element_id: str) -> int:
    [key] = {r.key for r in kit.engine.records(limit=100_000, value_type="PROCESS_INSTANCE",
                                              process_instance_key=instance.key)
             if r.value["elementId"] == element_id and r.value["bpmnElementType"] != "PROCESS"}
    return key


def owner_keys(kit, instance, value_type: str) -> set[int]:
    return {r.value["elementInstanceKey"] for r in kit.engine.records(
        limit=100_000, value_type=value_type, process_instance_key=instance.key)}


@pytest.mark.parametrize("restart", [False, True])
def test_a_timer_boundary_that_never_fires_leaves_no_element_records(kit, restart):
    kit.deploy_text("review.bpmn", review_with_boundary(True, TWO_DAYS))
    instance = kit.start("review")
    assert instance.active_elements() == ["review"] and instance.armed_timers() == ["edge"]
    if restart:
        kit.restart()
    kit.advance(days=1)
    kit.complete_job("review.check")
    assert instance.is_completed() and instance.passed_elements() == ["s", "review", "done"]
    assert log_of(kit, instance) == [
        *passes("s"), *activates("review"), ("JOB", "CREATED", "review"),
        ("TIMER", "CREATED", "edge"),
        ("JOB", "COMPLETED", "review"), ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "review"),
        ("TIMER", "CANCELED", "edge"), ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "review"),
        *passes("done")]
    assert owner_keys(kit, instance, "TIMER") == {element_key(kit, instance, "review")}


@pytest.mark.parametrize("restart", [False, True])
def test_an_interrupting_timer_boundary_that_fires_terminates_the_activity_then_runs(kit, restart):
    kit.deploy_text("review.bpmn", review_with_boundary(True, TWO_DAYS))
    instance = kit.start("review")
    kit.advance(days=1)
    if restart:
        kit.restart()
    kit.advance(days=1, seconds=1)
    assert instance.active_elements() == ["escalate"] and instance.terminated_elements() == ["review"]
    assert instance.passed_elements() == ["s", "edge"] and instance.armed_timers() == []
    assert log_of(kit, instance)[7:] == [
        ("TIMER", "CREATED", "edge"), ("TIMER", "TRIGGERED", "edge"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATING", "review"), ("JOB", "CANCELED", "review"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATED", "review"),
        *passes("edge"), *activates("escalate"), ("JOB", "CREATED", "escalate")]
    review = element_key(kit, instance, "review")
    assert owner_keys(kit, instance, "TIMER") == {review} and element_key(kit, instance, "edge") != review


@pytest.mark.parametrize("restart", [False, True])
def test_a_non_interrupting_message_boundary_triggers_once_per_message(kit, restart):
    kit.deploy_text("review.bpmn", review_with_boundary(False, PAID))
    instance = kit.start("review", dossierCode="D-1")
    assert instance.active_elements() == ["review"]
    kit.publish_message("fee-paid", correlation_key="D-1", amount=100)
    if restart:
        kit.restart()
    kit.publish_message("fee-paid", correlation_key="D-1", amount=200)
    assert sorted(instance.active_elements()) == ["escalate", "escalate", "review"]
    assert instance.variables["amount"] == 200
    kit.complete_job("review.check")
    subscription = [(intent, element) for kind, intent, element in log_of(kit, instance)
                    if kind == "PROCESS_MESSAGE_SUBSCRIPTION"]
    assert subscription == [("CREATING", "edge"), ("CREATED", "edge"), ("CORRELATED", "edge"),
                            ("CORRELATED", "edge"), ("DELETING", "edge"), ("DELETED", "edge")]
    edges = [(intent, key) for key, intent in (
        (r.key, r.intent) for r in kit.engine.records(limit=100_000, value_type="PROCESS_INSTANCE",
                                                      process_instance_key=instance.key)
        if r.value["elementId"] == "edge")]
    first, second = edges[0][1], edges[4][1]
    assert edges == [(intent, key) for key in (first, second) for _, intent, _ in passes("edge")]
    assert first != second
    assert owner_keys(kit, instance, "PROCESS_MESSAGE_SUBSCRIPTION") == {element_key(kit, instance, "review")}
    # the activity's end closes the subscription before the activity completes
    assert log_of(kit, instance).index(("PROCESS_MESSAGE_SUBSCRIPTION", "DELETED", "edge")) \
        < log_of(kit, instance).index(("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "review"))
    assert instance.active_elements() == ["escalate", "escalate"]  # the branches run on
    kit.complete_job("review.escalate")
    kit.complete_job("review.escalate")
    assert instance.is_completed() and instance.passed_elements().count("escalated") == 2


def race() -> str:
    return process("race", """
    <bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="race"/>
    <bpmn:intermediateCatchEvent id="paid">""" + PAID + """</bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="expired"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>""" + flow("s", "race") + flow("race", "paid")
        + flow("race", "expired") + flow("paid", "e1") + flow("expired", "e2"), extra=PAYMENT)


def waiting_at_the_gateway(kit, instance) -> None:
    assert instance.active_elements() == ["race"]
    assert log_of(kit, instance) == [
        *passes("s"), *activates("race"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "CREATING", "paid"), ("PROCESS_MESSAGE_SUBSCRIPTION", "CREATED", "paid"),
        ("TIMER", "CREATED", "expired")]
    gateway = element_key(kit, instance, "race")
    assert owner_keys(kit, instance, "TIMER") == owner_keys(kit, instance, "PROCESS_MESSAGE_SUBSCRIPTION") \
        == {gateway}


@pytest.mark.parametrize("restart", [False, True])
def test_event_based_gateway_taken_by_its_message(kit, restart):
    kit.deploy_text("race.bpmn", race())
    instance = kit.start("race", dossierCode="P")
    waiting_at_the_gateway(kit, instance)
    if restart:
        kit.restart()
    kit.publish_message("fee-paid", correlation_key="P")
    assert instance.is_completed() and instance.passed_elements() == ["s", "race", "paid", "e1"]
    assert log_of(kit, instance)[9:] == [
        ("PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATED", "paid"), ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "race"),
        ("TIMER", "CANCELED", "expired"), ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "race"),
        *passes("paid"), *passes("e1")]


@pytest.mark.parametrize("restart", [False, True])
def test_event_based_gateway_taken_by_its_timer(kit, restart):
    kit.deploy_text("race.bpmn", race())
    instance = kit.start("race", dossierCode="U")
    kit.advance(hours=12)
    if restart:
        kit.restart()
    waiting_at_the_gateway(kit, instance)
    kit.advance(hours=12, seconds=1)
    assert instance.is_completed() and instance.passed_elements() == ["s", "race", "expired", "e2"]
    assert log_of(kit, instance)[9:] == [
        ("TIMER", "TRIGGERED", "expired"), ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "race"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "DELETING", "paid"), ("PROCESS_MESSAGE_SUBSCRIPTION", "DELETED", "paid"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "race"),
        *passes("expired"), *passes("e2")]


def test_a_cancelled_instance_terminates_its_waiting_gateway_without_its_events(kit):
    kit.deploy_text("race.bpmn", race())
    instance = kit.start("race", dossierCode="C")
    instance.cancel()
    assert instance.is_terminated() and instance.terminated_elements() == ["race"]
    assert {element for _, _, element in log_of(kit, instance)} == {"s", "race", "paid", "expired"}
    assert instance.armed_timers() == []


@pytest.mark.parametrize("restart", [False, True])
def test_each_firing_of_a_non_interrupting_cycle_timer_is_an_element_instance(kit, restart):
    kit.deploy_text("review.bpmn", review_with_boundary(
        False, "<bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>"))
    instance = kit.start("review")
    kit.advance(hours=1, seconds=1)
    if restart:
        kit.restart()
    kit.advance(hours=1)
    assert sorted(instance.active_elements()) == ["escalate", "escalate", "review"]
    assert instance.passed_elements() == ["s", "edge", "edge"] and instance.armed_timers() == ["edge"]
    kit.complete_job("review.check")
    assert instance.active_elements() == ["escalate", "escalate"]  # the escalations run on
    assert instance.armed_timers() == []
    kit.complete_job("review.escalate")
    kit.complete_job("review.escalate")
    assert instance.is_completed()
