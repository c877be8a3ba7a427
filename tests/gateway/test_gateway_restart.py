"""`python -m engine` as a service: it stops cleanly on SIGTERM and a new process on the same data
directory carries on where the old one stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
from gateway_paths import PROCESSES
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def engine_process(address: str, data: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "--address", address, "--data", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "MOTCUA_LOG_LEVEL": "WARNING"},
    )
    try:
        with grpc.insecure_channel(address) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def activate(
    stub: GatewayStub, job_type: str, request_timeout: int = 5_000
) -> list[pb.ActivatedJob]:
    request = pb.ActivateJobsRequest(
        type=job_type,
        worker="restart-test",
        timeout=60_000,
        maxJobsToActivate=1,
        requestTimeout=request_timeout,
    )
    return [job for response in stub.ActivateJobs(request, timeout=30) for job in response.jobs]


def stop(process: subprocess.Popen[str]) -> tuple[int, float, str]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return process.returncode, time.monotonic() - started, output


def test_stop_in_the_middle_and_start_again_on_the_same_data(tmp_path, free_port):
    address, data = f"127.0.0.1:{free_port}", tmp_path / "engine"
    with engine_process(address, data) as first, grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
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
        created = stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(
                bpmnProcessId="gateway-three-steps", version=-1, variables='{"dossierCode": "R-1"}'
            )
        )
        [check] = activate(stub, "gw.check")
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=check.key, variables='{"checked": true}'))

        released: dict[str, object] = {}

        def long_poll() -> None:
            started = time.monotonic()
            try:
                released["jobs"] = activate(stub, "gw.nobody-works-this", request_timeout=20_000)
            except grpc.RpcError as error:
                released["jobs"] = error.code()
            released["after"] = time.monotonic() - started

        poller = threading.Thread(target=long_poll)
        poller.start()
        time.sleep(0.5)
        code, took, output = stop(first)
        poller.join(timeout=10)
    assert code == 0, output
    assert took < 10
    assert released["jobs"] == [] and released["after"] < 10  # released, not cut off

    with engine_process(address, data), grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        [receipt] = activate(stub, "gw.receipt")
        assert receipt.processInstanceKey == created.processInstanceKey
        assert '"checked": true' in receipt.variables
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=receipt.key))
        [notify] = activate(stub, "gw.notify")
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=notify.key))
        with pytest.raises(grpc.RpcError) as finished:
            stub.CancelProcessInstance(
                pb.CancelProcessInstanceRequest(processInstanceKey=created.processInstanceKey)
            )
        assert finished.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_taken_port_is_reported_not_hidden(tmp_path, free_port):
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_port))
        squatter.listen()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "engine",
                "--address",
                f"127.0.0.1:{free_port}",
                "--data",
                str(tmp_path),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert str(free_port) in result.stderr
