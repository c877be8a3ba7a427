"""The gateway's own behaviour, on a job-board stand-in: health, topology, request checks, status
codes as Zeebe gives them, long polling, job streams, graceful stop."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe.proto import gateway_pb2 as pb

ACTIVATE = dict(type="dossier.issue-receipt", worker="test", timeout=30_000, maxJobsToActivate=5)


def activate(stub, **fields):
    request = pb.ActivateJobsRequest(**{**ACTIVATE, **fields})
    return [job for response in stub.ActivateJobs(request, timeout=30) for job in response.jobs]


def status_of(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def post_later(job_board, delay_s: float, job_type: str = ACTIVATE["type"]) -> None:
    threading.Timer(delay_s, job_board.post, args=(job_type,)).start()


def test_health_service_says_the_gateway_serves(board_gateway):
    with grpc.insecure_channel(board_gateway.address) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="gateway_protocol.Gateway")
        )
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_topology_is_one_broker_leading_one_partition(board_stub, board_gateway):
    topology = board_stub.Topology(pb.TopologyRequest())
    assert (topology.clusterSize, topology.partitionsCount, topology.replicationFactor) == (1, 1, 1)
    assert topology.gatewayVersion.startswith("8.6.")
    [broker] = topology.brokers
    assert f"{broker.host}:{broker.port}" == board_gateway.address
    [partition] = broker.partitions
    assert (partition.partitionId, partition.role, partition.health) == (
        1,
        pb.Partition.LEADER,
        pb.Partition.HEALTHY,
    )


def test_waiting_jobs_are_handed_out_at_once_with_their_variables(board_stub, job_board):
    key = job_board.post(ACTIVATE["type"], dossierCode="000.00.12.H12-241124-0001")
    started = time.monotonic()
    [job] = activate(board_stub, requestTimeout=5_000)
    assert time.monotonic() - started < 1
    assert job.key == key and job.worker == "test" and job.retries == 3
    assert '"dossierCode": "000.00.12.H12-241124-0001"' in job.variables


def test_long_poll_answers_as_soon_as_a_job_appears(board_stub, job_board):
    post_later(job_board, 0.3)
    started = time.monotonic()
    jobs = activate(board_stub, requestTimeout=8_000)
    waited = time.monotonic() - started
    assert len(jobs) == 1
    assert 0.25 < waited < 2


def test_long_poll_ignores_jobs_of_other_types_and_ends_empty_at_its_timeout(board_stub, job_board):
    post_later(job_board, 0.1, job_type="notify.sms")
    started = time.monotonic()
    assert activate(board_stub, requestTimeout=600) == []
    assert 0.55 < time.monotonic() - started < 2


def test_negative_request_timeout_answers_immediately(board_stub):
    started = time.monotonic()
    assert activate(board_stub, requestTimeout=-1) == []
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("type", " ", "'type'"),
        ("worker", "", "'worker'"),
        ("timeout", 0, "'timeout' of at least 1"),
        ("maxJobsToActivate", 0, "'maxJobsToActivate' of at least 1"),
    ],
)
def test_bad_activation_requests_are_invalid_arguments_naming_the_field(
    board_stub, field, value, named
):
    error = status_of(lambda: activate(board_stub, **{field: value}))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert named in error.details()


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ('["approved"]', "JSON object at the root, but it is an array"),
        ('{"approved": tru', "not valid JSON"),
        ("42", "but it is a number"),
    ],
)
def test_variables_must_be_a_json_object(board_stub, job_board, document, complaint):
    key = job_board.post(ACTIVATE["type"])
    error = status_of(
        lambda: board_stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=document))
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert complaint in error.details() and "CompleteJob" in error.details()
    assert key in job_board.waiting  # nothing reached the engine


def test_engine_rejections_keep_zeebe_codes_and_message_shape(board_stub):
    missing = status_of(lambda: board_stub.CompleteJob(pb.CompleteJobRequest(jobKey=123)))
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    assert missing.details() == (
        "Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected to "
        "complete job with key '123', but no such job was found"
    )
    wrong_state = status_of(lambda: board_stub.FailJob(pb.FailJobRequest(jobKey=7, retries=0)))
    assert wrong_state.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "rejected with code 'INVALID_STATE'" in wrong_state.details()
    full = status_of(lambda: board_stub.PublishMessage(pb.PublishMessageRequest(name="paid")))
    assert full.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_completing_a_job_reaches_the_engine_with_its_variables(board_stub, job_board):
    key = job_board.post(ACTIVATE["type"])
    board_stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables='{"receiptNo": 17}'))
    assert job_board.completed[key] == {"receiptNo": 17}


@pytest.mark.parametrize(
    "call",
    [
        lambda stub: stub.ModifyProcessInstance(
            pb.ModifyProcessInstanceRequest(processInstanceKey=1)
        ),
        lambda stub: stub.MigrateProcessInstance(
            pb.MigrateProcessInstanceRequest(processInstanceKey=1)
        ),
    ],
)
def test_unsupported_rpcs_say_so(board_stub, call):
    error = status_of(lambda: call(board_stub))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "not supported by the embedded engine" in error.details()


def test_stream_pushes_jobs_as_they_appear(board_stub, job_board):
    stream = board_stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=ACTIVATE["type"], worker="streamer", timeout=30_000),
        timeout=10,
    )
    early = job_board.post(ACTIVATE["type"])
    received = [next(stream).key]
    later = [job_board.post(ACTIVATE["type"]) for _ in range(3)]
    received += [next(stream).key for _ in range(3)]
    stream.cancel()
    assert received == [early, *later]
    assert all(job_board.activated[key].worker == "streamer" for key in received)


def test_stopping_releases_long_polls_at_once(job_board):
    from engine.gateway import BackgroundGateway

    gateway = BackgroundGateway(job_board).start()
    outcome: dict[str, object] = {}

    def long_poll() -> None:
        with grpc.insecure_channel(gateway.address) as channel:
            from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

            started = time.monotonic()
            outcome["jobs"] = activate(GatewayStub(channel), requestTimeout=20_000)
            outcome["waited"] = time.monotonic() - started

    poller = threading.Thread(target=long_poll)
    poller.start()
    time.sleep(0.3)
    gateway.stop(grace_s=5)
    poller.join(timeout=10)
    assert outcome["jobs"] == []
    assert outcome["waited"] < 3


# -- with the real engine: wake-ups that come from the engine's clock, not from a new job --------


def _start_three_steps(stub) -> int:
    from gateway_paths import PROCESSES

    stub.DeployResource(
        pb.DeployResourceRequest(
            resources=[
                pb.Resource(
                    name="gateway-three-steps.bpmn",
                    content=(PROCESSES / "gateway-three-steps.bpmn").read_bytes(),
                )
            ]
        )
    )
    return stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="gateway-three-steps", version=-1)
    ).processInstanceKey


def test_a_job_failed_with_back_off_reaches_a_waiting_long_poll_when_the_back_off_ends(stub):
    _start_three_steps(stub)
    [job] = activate(stub, type="gw.check", requestTimeout=-1)
    stub.FailJob(
        pb.FailJobRequest(jobKey=job.key, retries=2, errorMessage="registry busy", retryBackOff=400)
    )
    started = time.monotonic()
    [again] = activate(stub, type="gw.check", requestTimeout=5_000)
    waited = time.monotonic() - started
    assert (again.key, again.retries) == (job.key, 2)
    assert 0.3 < waited < 2.5


def test_a_job_whose_lock_expired_reaches_a_waiting_long_poll(stub):
    _start_three_steps(stub)
    [job] = activate(stub, type="gw.check", timeout=400, requestTimeout=-1)
    started = time.monotonic()
    [again] = activate(stub, type="gw.check", worker="second", requestTimeout=5_000)
    assert again.key == job.key and again.worker == "second"
    assert time.monotonic() - started < 2.5


def test_jobs_activated_for_a_client_that_gave_up_are_handed_back(board_stub, job_board):
    key = job_board.post(ACTIVATE["type"])
    job_board.activation_delay_s = 0.6
    request = pb.ActivateJobsRequest(**ACTIVATE, requestTimeout=-1)
    gave_up = status_of(lambda: list(board_stub.ActivateJobs(request, timeout=0.2)))
    assert gave_up.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    deadline = time.monotonic() + 5
    while key not in job_board.waiting and time.monotonic() < deadline:
        time.sleep(0.05)
    assert key in job_board.waiting  # offered again now, not after its 30 s lock


def test_a_busy_worker_does_not_make_the_engine_look_for_jobs_it_knows_are_gone(
    board_stub, job_board
):
    job_board.post(ACTIVATE["type"])
    assert len(activate(board_stub, requestTimeout=-1)) == 1  # took the only job: drained
    asked = job_board.activations
    assert activate(board_stub, requestTimeout=-1) == []
    assert activate(board_stub, requestTimeout=200) == []
    assert job_board.activations == asked
    post_later(job_board, 0.2)
    assert len(activate(board_stub, requestTimeout=5_000)) == 1  # a new job is found at once


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ('{"a":' * 5000 + "1" + "}" * 5000, "nested at most 100 levels deep"),
        ('{"dossier":' * 101 + "1" + "}" * 101, "nested at most 100 levels deep"),
        ('{"fee": NaN}', "NaN is not a JSON value"),
    ],
    ids=["5000-deep", "101-deep", "NaN"],
)
def test_documents_no_json_peer_would_send_are_refused(board_stub, job_board, document, complaint):
    key = job_board.post(ACTIVATE["type"])
    error = status_of(
        lambda: board_stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=document))
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert complaint in error.details()
