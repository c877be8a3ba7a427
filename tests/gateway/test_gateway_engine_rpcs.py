"""The less common RPCs, through the raw generated stub, on the real engine."""

from __future__ import annotations

import json

import grpc
import pytest
from gateway_paths import PROCESSES
from pyzeebe.proto import gateway_pb2 as pb


def deploy(stub, *names: str) -> pb.DeployResourceResponse:
    return stub.DeployResource(
        pb.DeployResourceRequest(
            resources=[
                pb.Resource(name=name, content=(PROCESSES / name).read_bytes()) for name in names
            ]
        )
    )


def start(stub, process_id: str, **variables) -> int:
    return stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(
            bpmnProcessId=process_id, version=-1, variables=json.dumps(variables)
        )
    ).processInstanceKey


def activate(stub, job_type: str, **fields) -> list[pb.ActivatedJob]:
    request = pb.ActivateJobsRequest(
        **{
            "type": job_type,
            "worker": "rpc-test",
            "timeout": 60_000,
            "maxJobsToActivate": 5,
            "requestTimeout": 3_000,
            **fields,
        }
    )
    return [job for response in stub.ActivateJobs(request, timeout=30) for job in response.jobs]


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def test_a_form_deploys_beside_its_process(stub):
    deployed = deploy(stub, "gateway-three-steps.bpmn", "gateway-receipt.form")
    kinds = {entry.WhichOneof("Metadata"): entry for entry in deployed.deployments}
    assert kinds["process"].process.bpmnProcessId == "gateway-three-steps"
    assert (kinds["form"].form.formId, kinds["form"].form.version) == ("gateway-receipt", 1)
    assert kinds["form"].form.formKey > 0


def test_a_thrown_business_error_takes_the_boundary_path(stub):
    deploy(stub, "gateway-review.bpmn")
    start(stub, "gateway-review", dossierCode="E-1")
    [review] = activate(stub, "gw.review")
    stub.ThrowError(
        pb.ThrowErrorRequest(
            jobKey=review.key,
            errorCode="dossier-incomplete",
            errorMessage="the land-use certificate is missing",
        )
    )
    [ask] = activate(stub, "gw.ask-for-more")
    assert ask.processInstanceKey == review.processInstanceKey
    assert json.loads(ask.variables)["dossierCode"] == "E-1"


def test_throw_error_needs_an_error_code(stub):
    error = refused(lambda: stub.ThrowError(pb.ThrowErrorRequest(jobKey=1, errorCode=" ")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "'errorCode'" in error.details()


def test_set_variables_are_seen_by_the_next_job(stub):
    deploy(stub, "gateway-three-steps.bpmn")
    instance = start(stub, "gateway-three-steps", dossierCode="V-1")
    stub.SetVariables(
        pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"priority": "urgent"}')
    )
    [job] = activate(stub, "gw.check")
    assert json.loads(job.variables) == {"dossierCode": "V-1", "priority": "urgent"}


def test_job_retries_and_timeout_can_be_updated(stub):
    deploy(stub, "gateway-three-steps.bpmn")
    start(stub, "gateway-three-steps")
    [job] = activate(stub, "gw.check")
    stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=5))
    stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=1))
    [again] = activate(stub, "gw.check")  # its lock ran out at once
    assert (again.key, again.retries) == (job.key, 5)
    zero = refused(
        lambda: stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=0))
    )
    assert zero.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_definition_without_instances_can_be_deleted(stub):
    deployed = deploy(stub, "gateway-review.bpmn")
    key = deployed.deployments[0].process.processDefinitionKey
    stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=key))
    gone = refused(lambda: start(stub, "gateway-review"))
    assert gone.code() == grpc.StatusCode.NOT_FOUND


def test_broadcasting_a_signal_is_acknowledged_with_a_key(stub):
    answer = stub.BroadcastSignal(pb.BroadcastSignalRequest(signalName="office-closed"))
    assert answer.key > 0


def test_legacy_deploy_process_still_works(stub):
    answer = stub.DeployProcess(
        pb.DeployProcessRequest(
            processes=[
                pb.ProcessRequestObject(
                    name="gateway-fee.bpmn",
                    definition=(PROCESSES / "gateway-fee.bpmn").read_bytes(),
                )
            ]
        )
    )
    assert [p.bpmnProcessId for p in answer.processes] == ["gateway-fee"]


def test_an_instance_that_ends_at_once_still_answers_with_its_result(stub):
    deploy(stub, "gateway-instant.bpmn")
    answer = stub.CreateProcessInstanceWithResult(
        pb.CreateProcessInstanceWithResultRequest(
            request=pb.CreateProcessInstanceRequest(
                bpmnProcessId="gateway-instant",
                version=-1,
                variables='{"dossierCode": "I-1", "fee": 0}',
            ),
            requestTimeout=5_000,
            fetchVariables=["dossierCode"],
        )
    )
    assert json.loads(answer.variables) == {"dossierCode": "I-1"}


def test_many_large_jobs_arrive_in_responses_a_client_accepts(stub):
    deploy(stub, "gateway-instant.bpmn", "gateway-three-steps.bpmn")
    scanned_pages = "x" * 700_000  # a scanned document kept in a variable, as people do
    keys = {start(stub, "gateway-three-steps", page=scanned_pages) for _ in range(8)}
    request = pb.ActivateJobsRequest(
        type="gw.check", worker="rpc-test", timeout=60_000, maxJobsToActivate=8, requestTimeout=-1
    )
    responses = list(stub.ActivateJobs(request, timeout=30))
    assert {job.processInstanceKey for r in responses for job in r.jobs} == keys
    assert len(responses) > 1 and all(r.ByteSize() < 4 * 1024 * 1024 for r in responses)


def test_a_job_stream_gets_each_new_job_pushed(stub):
    deploy(stub, "gateway-three-steps.bpmn")
    stream = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type="gw.check", worker="streamer", timeout=60_000),
        timeout=20,
    )
    instances = [start(stub, "gateway-three-steps", dossierCode=f"S-{i}") for i in range(3)]
    pushed = [next(stream) for _ in instances]
    stream.cancel()
    assert [job.processInstanceKey for job in pushed] == instances
    assert all(job.worker == "streamer" for job in pushed)


def test_stopping_releases_a_request_waiting_for_a_result(gateway, stub):
    import threading
    import time

    deploy(stub, "gateway-three-steps.bpmn")
    outcome: dict[str, object] = {}

    def wait_for_result() -> None:
        started = time.monotonic()
        outcome["error"] = refused(
            lambda: stub.CreateProcessInstanceWithResult(
                pb.CreateProcessInstanceWithResultRequest(
                    request=pb.CreateProcessInstanceRequest(
                        bpmnProcessId="gateway-three-steps", version=-1
                    ),
                    requestTimeout=20_000,
                )
            )
        )
        outcome["after"] = time.monotonic() - started

    waiter = threading.Thread(target=wait_for_result)
    waiter.start()
    time.sleep(0.5)
    gateway.stop(grace_s=10)
    waiter.join(timeout=15)
    assert outcome["error"].code() == grpc.StatusCode.UNAVAILABLE
    assert "keeps running" in outcome["error"].details()
    assert outcome["after"] < 5


def test_a_worker_gets_only_the_variables_it_asks_for(stub):
    deploy(stub, "gateway-three-steps.bpmn")
    start(stub, "gateway-three-steps", dossierCode="F-1", applicant={"name": "Nguyễn Văn A"})
    [job] = activate(stub, "gw.check", fetchVariable=["dossierCode"])
    assert json.loads(job.variables) == {"dossierCode": "F-1"}
