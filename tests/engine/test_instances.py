"""Deployments, instance commands, the record log, keys, back-pressure and durability."""
from __future__ import annotations

import json
import threading

import pytest

from engine.runtime import Engine, Rejection
from engine.runtime.keys import KEY_BITS

from .conftest import DIAGRAMS, chain, process, service

THREE_STEPS = (DIAGRAMS / "three-steps.bpmn").read_bytes()


def test_redeploying_same_content_keeps_the_version_and_changes_make_a_new_one(kit):
    first = kit.engine.deploy([("three-steps.bpmn", THREE_STEPS)])
    again = kit.engine.deploy([("three-steps.bpmn", THREE_STEPS)])
    changed = kit.engine.deploy([("three-steps.bpmn", THREE_STEPS.replace(b'type="step-c"', b'type="step-z"'))])
    assert [p.version for p in (first.processes + again.processes + changed.processes)] == [1, 1, 2]
    assert again.processes[0].process_definition_key == first.processes[0].process_definition_key
    kit.restart()
    created = kit.engine.create_process_instance(bpmn_process_id="three-steps")
    assert created.version == 2
    older = kit.engine.create_process_instance(bpmn_process_id="three-steps", version=1)
    assert older.process_definition_key == first.processes[0].process_definition_key


def test_invalid_resource_is_rejected_naming_file_element_and_problem_and_nothing_is_kept(kit):
    broken = process("broken", '<bpmn:startEvent id="s"/>' + '<bpmn:serviceTask id="no-type"/>'
                     + '<bpmn:endEvent id="e"/>' + chain("s", "no-type", "e"))
    with pytest.raises(Rejection) as refused:
        kit.engine.deploy([("good.bpmn", THREE_STEPS), ("broken.bpmn", broken.encode())])
    assert refused.value.code == "INVALID_ARGUMENT"
    assert "'broken.bpmn'" in refused.value.reason and "no-type" in refused.value.reason
    assert "zeebe:taskDefinition" in refused.value.reason
    assert kit.engine.process_definitions() == []
    with pytest.raises(Rejection):
        kit.engine.deploy([("notes.txt", b"hello")])
    with pytest.raises(Rejection) as not_xml:
        kit.engine.deploy([("x.bpmn", b"<bpmn:definitions")])
    assert "'x.bpmn'" in not_xml.value.reason


def test_form_deployment_versions_by_form_id(kit):
    form = {"id": "receive-dossier", "components": []}
    one = kit.engine.deploy([("a.form", json.dumps(form).encode())])
    form["components"] = [{"type": "text", "text": "hi"}]
    two = kit.engine.deploy([("a.form", json.dumps(form).encode())])
    assert (one.forms[0].version, two.forms[0].version) == (1, 2)
    with pytest.raises(Rejection):
        kit.engine.deploy([("b.form", b"{not json")])


def test_creating_unknown_process_is_not_found(kit):
    with pytest.raises(Rejection) as refused:
        kit.engine.create_process_instance(bpmn_process_id="nope")
    assert refused.value.code == "NOT_FOUND"
    with pytest.raises(Rejection):
        kit.engine.create_process_instance(process_definition_key=42)


def test_cancel_terminates_the_instance_and_its_jobs(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps")
    instance.cancel()
    assert instance.is_terminated() and kit.jobs("step-a") == []
    assert "a" in instance.terminated_elements()
    with pytest.raises(Rejection) as refused:
        instance.cancel()
    assert refused.value.code == "NOT_FOUND"
    kit.restart()
    assert instance.is_terminated()


def test_set_variables_on_the_instance_reaches_the_next_job(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps")
    kit.engine.set_variables(instance.key, {"priority": "high"})
    kit.restart()
    kit.complete_job("step-a")
    [job] = kit.activate("step-b")
    assert job.variables["priority"] == "high"
    with pytest.raises(Rejection) as refused:
        kit.engine.set_variables(999, {"x": 1})
    assert refused.value.code == "NOT_FOUND"


@pytest.mark.parametrize("restart", [False, True])
def test_local_variables_on_an_element_stay_there(kit, restart):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps")
    [job] = kit.activate("step-a")
    kit.engine.set_variables(job.element_instance_key, {"draft": True}, local=True)
    if restart:
        kit.restart()
    assert kit.engine.variables(instance.key, scope_key=job.element_instance_key)["draft"] is True
    assert "draft" not in kit.engine.variables(instance.key, scope_key=instance.key)
    kit.engine.complete_job(job.key)
    assert "draft" not in instance.variables


def test_await_result_returns_variables_when_the_instance_completes(kit):
    kit.deploy_text("quick.bpmn", process("quick", '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
                                          + chain("s", "e")))
    created = kit.engine.create_process_instance(bpmn_process_id="quick", variables={"a": 1, "b": 2})
    assert kit.engine.await_result(created.process_instance_key, 1, ["a"]) == {"a": 1}
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    slow = kit.engine.create_process_instance(bpmn_process_id="three-steps")
    with pytest.raises(TimeoutError):
        kit.engine.await_result(slow.process_instance_key, 0.05)
    result: dict = {}
    waiter = threading.Thread(target=lambda: result.update(kit.engine.await_result(slow.process_instance_key, 5)))
    waiter.start()
    for job_type in ("step-a", "step-b", "step-c"):
        kit.complete_job(job_type, done=job_type)
    waiter.join()
    assert result == {"done": "step-c"}


def test_keys_are_zeebe_shaped(kit):
    deployment = kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps")
    for key in (deployment.key, deployment.processes[0].process_definition_key, instance.key):
        assert key >> KEY_BITS == 1 and 2**51 < key < 2**63


def test_keys_continue_after_restart(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    first = kit.start("three-steps")
    kit.restart()
    second = kit.start("three-steps")
    assert second.key > first.key


def test_record_log_tells_what_happened_in_order(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps", x=1)
    kit.complete_job("step-a")
    records = kit.engine.records(process_instance_key=instance.key)
    positions = [r.position for r in records]
    assert positions == sorted(positions)
    lifecycle = [(r.value["elementId"], r.intent) for r in records if r.value_type == "PROCESS_INSTANCE"]
    assert lifecycle[:10] == [
        ("three-steps", "ELEMENT_ACTIVATING"), ("three-steps", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_ACTIVATING"), ("start", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_COMPLETING"), ("start", "ELEMENT_COMPLETED"),
        ("a", "ELEMENT_ACTIVATING"), ("a", "ELEMENT_ACTIVATED"), ("a", "ELEMENT_COMPLETING"), ("a", "ELEMENT_COMPLETED")]
    jobs = [r.intent for r in kit.engine.records(value_type="JOB")]
    assert jobs == ["CREATED", "COMPLETED", "CREATED"]
    variables = kit.engine.records(value_type="VARIABLE")
    assert variables[0].value["name"] == "x" and variables[0].intent == "CREATED"
    later = kit.engine.records(after_position=positions[2], limit=2)
    assert [r.position for r in later] == positions[3:5]
    assert all(r.timestamp == int(kit.clock.now().timestamp() * 1000) for r in records)


def test_queries_for_an_operations_console(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    ok = kit.start("three-steps")
    broken = kit.start("three-steps")
    kit.engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=1000, max_jobs=10)
    kit.engine.fail_job(kit.jobs("step-a")[1]["key"], 0, "boom")
    assert [i["key"] for i in kit.engine.process_instances(has_incident=True)] == [broken.key]
    assert [i["key"] for i in kit.engine.process_instances(has_incident=False)] == [ok.key]
    [definition] = kit.engine.process_definitions()
    assert definition["bpmn_process_id"] == "three-steps" and "<bpmn:process" in definition["bpmn_xml"]
    elements = kit.engine.element_instances(broken.key)
    assert [(e["element_id"], e["state"], e["incident"]) for e in elements][-1] == ("a", "ACTIVE", True)


def test_back_pressure_when_the_queue_is_full(tmp_path):
    engine = Engine(f"sqlite:///{tmp_path / 'e.db'}", max_queue=0)
    engine.start()
    try:
        with pytest.raises(Rejection) as refused:
            engine.deploy([("three-steps.bpmn", THREE_STEPS)])
        assert refused.value.code == "RESOURCE_EXHAUSTED"
    finally:
        engine.close()


def test_delete_resource(kit):
    deployment = kit.deploy(DIAGRAMS / "three-steps.bpmn")
    key = deployment.processes[0].process_definition_key
    instance = kit.start("three-steps")
    with pytest.raises(Rejection) as refused:
        kit.engine.delete_resource(key)
    assert refused.value.code == "INVALID_STATE"
    instance.cancel()
    kit.engine.delete_resource(key)
    with pytest.raises(Rejection):
        kit.engine.create_process_instance(bpmn_process_id="three-steps")


def test_acknowledged_work_survives_a_new_engine_on_the_same_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    with Engine(url) as engine:
        engine.deploy([("three-steps.bpmn", THREE_STEPS)])
        created = engine.create_process_instance(bpmn_process_id="three-steps", variables={"n": 1})
        [job] = engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=60_000, max_jobs=1)
        engine.complete_job(job.key, {"n": 2})
    with Engine(url) as engine:
        [job] = engine.activate_jobs(job_type="step-b", worker="w", timeout_ms=60_000, max_jobs=1)
        assert job.variables == {"n": 2} and job.process_instance_key == created.process_instance_key


def test_commands_from_many_threads_are_all_applied(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    keys: list[int] = []
    lock = threading.Lock()

    def start_some():
        for _ in range(10):
            created = kit.engine.create_process_instance(bpmn_process_id="three-steps")
            with lock:
                keys.append(created.process_instance_key)

    threads = [threading.Thread(target=start_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 40
    assert len(kit.engine.activate_jobs(job_type="step-a", worker="w", timeout_ms=1000, max_jobs=100)) == 40
    kit.restart()
    assert len(kit.engine.process_instances(state="ACTIVE")) == 40


def test_service_task_flows_through_a_job_with_feel_type(kit):
    kit.deploy_text("dyn.bpmn", process("dyn", '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
                                        + service("t", "=&quot;notify.&quot; + channel") + chain("s", "t", "e")))
    kit.start("dyn", channel="sms")
    assert len(kit.jobs("notify.sms")) == 1


def test_submitted_commands_resolve_futures_after_commit(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    futures = [kit.engine.submit("create_process_instance", bpmn_process_id="three-steps") for _ in range(20)]
    keys = [f.result(timeout=5).process_instance_key for f in futures]
    assert len(set(keys)) == 20
    refused = kit.engine.submit("complete_job", 12345)
    with pytest.raises(Rejection):
        refused.result(timeout=5)
    with pytest.raises(ValueError):
        kit.engine.submit("await_result", keys[0], 1)


def test_variables_that_are_not_json_are_refused(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    kit.start("three-steps")
    job = kit.jobs("step-a")[0]
    with pytest.raises(Rejection) as refused:
        kit.engine.complete_job(job["key"], {"when": object()})
    assert refused.value.code == "INVALID_ARGUMENT"
    with pytest.raises(Rejection):
        kit.engine.create_process_instance(bpmn_process_id="three-steps", variables=["not", "an", "object"])


def test_a_command_that_fails_midway_leaves_no_trace(kit, monkeypatch):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    instance = kit.start("three-steps")
    job = kit.jobs("step-a")[0]

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kit.engine, "_finish_task", broken)  # after the job row was dropped
    with pytest.raises(RuntimeError):
        kit.engine.complete_job(job["key"])
    monkeypatch.undo()
    assert [j["key"] for j in kit.jobs("step-a")] == [job["key"]]
    assert instance.is_waiting_at("a")
    kit.engine.complete_job(job["key"])
    assert instance.is_waiting_at("b")


def test_start_instructions_start_the_instance_before_an_element(kit):
    kit.deploy(DIAGRAMS / "three-steps.bpmn")
    created = kit.engine.create_process_instance(bpmn_process_id="three-steps", variables={"resumed": True},
                                                 start_instructions=["b"])
    instance = kit.instance(created.process_instance_key)
    assert instance.is_waiting_at("b") and not instance.passed("a") and kit.jobs("step-a") == []
    kit.restart()
    kit.complete_job("step-b")
    kit.complete_job("step-c")
    assert instance.is_completed() and instance.variables["resumed"] is True
    with pytest.raises(Rejection) as refused:
        kit.engine.create_process_instance(bpmn_process_id="three-steps", start_instructions=["nowhere"])
    assert refused.value.code == "INVALID_ARGUMENT"


def test_one_resource_may_hold_several_processes(kit):
    two = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="first" isExecutable="true">{'<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>' + chain("s", "e")}
  </bpmn:process>
  <bpmn:process id="second" isExecutable="true">{'<bpmn:startEvent id="s2"/><bpmn:endEvent id="e2"/>' + chain("s2", "e2")}
  </bpmn:process>
</bpmn:definitions>"""
    deployment = kit.deploy_text("two.bpmn", two)
    assert sorted(p.bpmn_process_id for p in deployment.processes) == ["first", "second"]
    assert kit.start("second").is_completed()
