"""zbctl, the official Zeebe CLI (Go client), against the embedded engine: what an operator types."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import grpc
import pytest
from gateway_paths import PROCESSES, ZBCTL
from pyzeebe.proto import gateway_pb2 as pb

THREE_STEPS = str(PROCESSES / "gateway-three-steps.bpmn")
FEE = str(PROCESSES / "gateway-fee.bpmn")


def activate_one(zbctl, job_type: str) -> dict[str, Any]:
    [job] = zbctl.json("activate", "jobs", job_type, "--maxJobsToActivate", "1", "--timeout", "1m")[
        "jobs"
    ]
    return job


def activatable(stub, job_type: str) -> list[Any]:
    request = pb.ActivateJobsRequest(
        type=job_type, worker="probe", timeout=1000, maxJobsToActivate=1, requestTimeout=-1
    )
    return [job for response in stub.ActivateJobs(request) for job in response.jobs]


def incident_key(engine: Any, process_instance_key: int) -> int:
    """The incident's key as an operator reads it in the operations page (the record log)."""
    for record in engine.records(value_type="INCIDENT", process_instance_key=process_instance_key):
        if record.intent == "CREATED":
            return record.key
    raise AssertionError(f"no incident for instance {process_instance_key}")


def test_status_shows_one_healthy_leader(zbctl):
    shown = zbctl("status").stdout
    assert "Cluster size: 1" in shown
    assert "Partition 1 : Leader, Healthy" in shown
    assert "Gateway version: 8.6." in shown


def test_deploy_then_create_an_instance(zbctl):
    [process] = zbctl.json("deploy", THREE_STEPS)["processes"]
    assert (process["bpmnProcessId"], process["version"]) == ("gateway-three-steps", 1)
    assert process["resourceName"].endswith("gateway-three-steps.bpmn")
    created = zbctl.json(
        "create", "instance", "gateway-three-steps", "--variables", '{"dossierCode": "Z-1"}'
    )
    job = activate_one(zbctl, "gw.check")
    assert job["processInstanceKey"] == created["processInstanceKey"]
    assert json.loads(job["variables"]) == {"dossierCode": "Z-1"}
    assert json.loads(job["customHeaders"]) == {"desk": "reception"}


def test_create_with_result_answers_when_the_last_step_is_done(zbctl):
    zbctl("deploy", THREE_STEPS)
    waiting = subprocess.Popen(
        [
            str(ZBCTL),
            "--insecure",
            "--address",
            zbctl.address,
            "create",
            "instance",
            "gateway-three-steps",
            "--withResult",
            "--variables",
            '{"dossierCode": "Z-2"}',
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for step, output in (
        ("gw.check", '{"checked": true}'),
        ("gw.receipt", '{"receiptNo": 7}'),
        ("gw.notify", "{}"),
    ):
        zbctl("complete", "job", activate_one(zbctl, step)["key"], "--variables", output)
    out, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 0, err
    assert json.loads(json.loads(out)["variables"]) == {
        "dossierCode": "Z-2",
        "checked": True,
        "receiptNo": 7,
    }


def test_a_failed_job_becomes_an_incident_that_an_operator_resolves(zbctl, engine, stub):
    zbctl("deploy", FEE)
    instance = zbctl.json(
        "create", "instance", "gateway-fee", "--variables", '{"dossierCode": "Z-3"}'
    )["processInstanceKey"]
    job = activate_one(zbctl, "gw.fee-notice")
    zbctl("fail", "job", job["key"], "--retries", "0", "--errorMessage", "SMS gateway down")
    assert activatable(stub, "gw.fee-notice") == []  # no retries left: it waits for a person
    zbctl("update", "retries", job["key"], "--retries", "1")
    zbctl("resolve", "incident", str(incident_key(engine, int(instance))))
    again = activate_one(zbctl, "gw.fee-notice")
    assert (again["key"], again["retries"]) == (job["key"], 1)
    zbctl("complete", "job", again["key"])
    zbctl(
        "publish",
        "message",
        "fee-paid",
        "--correlationKey",
        "Z-3",
        "--variables",
        '{"amountPaid": 150000}',
    )
    ended = _wait_for(lambda: zbctl("cancel", "instance", instance, check=False).returncode != 0)
    assert ended, "the paid dossier should have finished"


def test_cancel_ends_the_instance(zbctl):
    zbctl("deploy", THREE_STEPS)
    instance = zbctl.json("create", "instance", "gateway-three-steps")["processInstanceKey"]
    zbctl("cancel", "instance", instance)
    again = zbctl("cancel", "instance", instance, check=False)
    assert again.returncode != 0
    assert "NotFound" in again.stderr and "rejected with code 'NOT_FOUND'" in again.stderr


def test_bad_input_is_explained(zbctl, stub):
    zbctl("deploy", THREE_STEPS)
    with pytest.raises(grpc.RpcError) as array:  # zbctl checks this one itself; other clients don't
        stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(
                bpmnProcessId="gateway-three-steps", version=-1, variables="[1, 2]"
            )
        )
    assert array.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "JSON object at the root, but it is an array" in array.value.details()
    unknown = zbctl("create", "instance", "thu-tuc-khong-co", check=False)
    assert "NotFound" in unknown.stderr and "thu-tuc-khong-co" in unknown.stderr
    missing_job = zbctl("complete", "job", "2251799813699999", check=False)
    assert "NotFound" in missing_job.stderr and "2251799813699999" in missing_job.stderr


def _wait_for(condition, timeout_s: float = 10) -> bool:
    give_up = time.monotonic() + timeout_s
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.1)
    return False
