"""Service tasks as Zeebe jobs: create, activate, complete, fail, retry, time out — durably."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.runtime import Rejection

from .conftest import DIAGRAMS, chain, process, service


def three_steps(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    return kit.start("three-steps", dossierCode="D-1")


@pytest.mark.parametrize("restart", [False, True])
def test_three_service_tasks_run_in_order_and_complete(kit, restart):
    dossier = three_steps(kit)
    assert dossier.is_waiting_at("a")
    kit.complete_job("step-a", checked=True)
    if restart:
        kit.restart()
    assert dossier.passed("a") and dossier.is_waiting_at("b")
    kit.complete_job("step-b")
    kit.complete_job("step-c", receipt="R-1")
    assert dossier.is_completed()
    assert dossier.passed_elements() == ["start", "a", "b", "c", "end"]
    assert dossier.variables == {"dossierCode": "D-1", "checked": True, "receipt": "R-1"}


@pytest.mark.parametrize("restart", [False, True])
def test_activated_job_carries_what_a_worker_needs(kit, restart):
    kit.deploy_text("headers.bpmn", process("headers", chain("s", "t", "e") + """
        <bpmn:startEvent id="s"/>""" + service("t", "notify.sms", """
        <zeebe:taskHeaders><zeebe:header key="template" value="received"/></zeebe:taskHeaders>""", retries=5)
        + '<bpmn:endEvent id="e"/>'))
    instance = kit.start("headers", phone="0901", note="x")
    if restart:
        kit.restart()
    [job] = kit.engine.activate_jobs(job_type="notify.sms", worker="w1", timeout_ms=10_000, max_jobs=10,
                                     fetch_variables=["phone"])
    assert job.custom_headers == {"template": "received"}
    assert job.retries == 5 and job.worker == "w1"
    assert job.variables == {"phone": "0901"}
    assert job.process_instance_key == instance.key and job.bpmn_process_id == "headers"
    assert job.element_id == "t" and job.process_definition_version == 1
    assert job.deadline == int(kit.clock.now().timestamp() * 1000) + 10_000
    assert kit.engine.activate_jobs(job_type="notify.sms", worker="w2", timeout_ms=1000, max_jobs=1) == []


def test_job_times_out_and_is_handed_out_again(kit):
    three_steps(kit)
    [first] = kit.engine.activate_jobs(job_type="step-a", worker="w1", timeout_ms=5_000, max_jobs=1)
    kit.advance(seconds=4)
    assert kit.engine.activate_jobs(job_type="step-a", worker="w2", timeout_ms=5_000, max_jobs=1) == []
    kit.restart()
    kit.advance(seconds=2)
    [again] = kit.engine.activate_jobs(job_type="step-a", worker="w2", timeout_ms=5_000, max_jobs=1)
    assert again.key == first.key and again.retries == first.retries


def test_failed_job_with_retries_left_is_retried_after_back_off(kit):
    three_steps(kit)
    kit.fail_job("step-a", retries=2, backoff=timedelta(seconds=30))
    assert kit.engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=1000, max_jobs=1) == []
    kit.restart()
    kit.advance(seconds=31)
    [job] = kit.engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=1000, max_jobs=1)
    assert job.retries == 2


@pytest.mark.parametrize("restart", [False, True])
def test_no_retries_left_raises_incident_and_resolving_retries_the_job(kit, restart):
    dossier = three_steps(kit)
    kit.fail_job("step-a", retries=0, message="portal unreachable")
    [incident] = dossier.incidents()
    assert incident["type"] == "JOB_NO_RETRIES" and incident["message"] == "portal unreachable"
    assert incident["element_id"] == "a"
    with pytest.raises(Rejection) as refused:
        kit.engine.complete_job(incident["job_key"])
    assert refused.value.code == "INVALID_STATE"
    if restart:
        kit.restart()
    kit.engine.update_job_retries(incident["job_key"], 1)
    kit.engine.resolve_incident(incident["key"])
    assert dossier.incidents() == []
    kit.complete_job("step-a")
    assert dossier.is_waiting_at("b")


def test_unknown_job_is_rejected_with_zeebe_message(kit):
    three_steps(kit)
    with pytest.raises(Rejection) as refused:
        kit.engine.complete_job(123)
    assert str(refused.value) == ("Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected to complete job "
                                  "with key '123', but no such job was found")
    job = kit.complete_job("step-a")
    with pytest.raises(Rejection) as twice:
        kit.engine.complete_job(job["key"])
    assert twice.value.code == "NOT_FOUND"


@pytest.mark.parametrize("restart", [False, True])
def test_update_timeout_and_retries(kit, restart):
    three_steps(kit)
    [job] = kit.engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=1_000, max_jobs=1)
    kit.engine.update_job_timeout(job.key, 60_000)
    if restart:
        kit.restart()
    kit.advance(seconds=2)
    assert kit.engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=1000, max_jobs=1) == []
    kit.engine.update_job_retries(job.key, 7)
    assert kit.jobs("step-a")[0]["retries"] == 7
    with pytest.raises(Rejection) as refused:
        kit.engine.update_job_retries(job.key, 0)
    assert refused.value.code == "INVALID_ARGUMENT"


def test_job_listener_hears_new_jobs(kit):
    heard: list[str] = []
    kit.engine.add_job_listener(heard.append)
    three_steps(kit)
    assert "step-a" in heard
