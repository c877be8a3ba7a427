"""The operations console's world: `python -m engine` as its own process (gRPC gateway and HTTP
query API on free ports), a small diagram deployed, and instances in every state an operator meets:
stuck on an incident, running, completed, canceled.

Mutating tests start their own instances; the shared ones are only read. The running instance's
job is held by a "worker" for ten minutes, so a test that activates jobs gets only its own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import requests
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

HERE = Path(__file__).resolve().parent
CHECK_JOB = "ops.check-dossier"
SEND_JOB = "ops.send-result"
PASSWORD = "mat-khau-van-hanh"
STUCK_MESSAGE = "Không kết nối được Cổng dịch vụ công quốc gia (HTTP 503)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class EngineProcess:
    grpc_address: str
    query_url: str
    stub: GatewayStub
    definition_key: int
    stuck: int = 0  # instance keys of the shared scene
    running: int = 0
    completed: int = 0
    canceled: int = 0

    def query(self, path: str, body: object | None = None, method: str = "POST") -> requests.Response:
        return requests.request(method, self.query_url + path, json=body, timeout=10)

    def start(self, dossier_code: str) -> int:
        response = self.stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
            bpmnProcessId="ops-repair", version=-1, variables=json.dumps({"dossierCode": dossier_code})))
        return response.processInstanceKey

    def activate(self, job_type: str, timeout_ms: int = 2_000, wait_ms: int = 2_000) -> list:
        return [job for response in self.stub.ActivateJobs(pb.ActivateJobsRequest(
            type=job_type, worker="ops-test", timeout=timeout_ms, maxJobsToActivate=20,
            requestTimeout=wait_ms)) for job in response.jobs]

    def job_of(self, instance_key: int, job_type: str = CHECK_JOB, timeout_ms: int = 2_000):
        jobs = self.activate(job_type, timeout_ms)
        mine = [job for job in jobs if job.processInstanceKey == instance_key]
        assert len(mine) == 1, f"expected the job of instance {instance_key}, got {jobs}"
        return mine[0]

    def stuck_instance(self, dossier_code: str, message: str = STUCK_MESSAGE) -> int:
        """An instance whose first step failed with no retries left: an incident."""
        key = self.start(dossier_code)
        job = self.job_of(key)
        self.stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage=message))
        return key


def _wait_until_serving(process: subprocess.Popen, query_url: str, deadline_s: float = 30) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"python -m engine exited: {process.stdout.read()}")
        try:
            if requests.get(query_url + "/v2/status", timeout=1).status_code == 204:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("python -m engine did not start its query API in time")


@pytest.fixture(scope="session")
def engine_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    data = tmp_path_factory.mktemp("ops-engine")
    grpc_address = f"127.0.0.1:{_free_port()}"
    query_url = f"http://127.0.0.1:{_free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "--address", grpc_address,
         "--query-address", query_url.removeprefix("http://"), "--data", str(data)],
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MOTCUA_LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    channel = grpc.insecure_channel(grpc_address)
    try:
        _wait_until_serving(process, query_url)
        stub = GatewayStub(channel)
        deployed = stub.DeployResource(pb.DeployResourceRequest(resources=[
            pb.Resource(name=name, content=(HERE / name).read_bytes())
            for name in ("ops-repair.bpmn", "ops-parent.bpmn")]))
        [definition_key] = [d.process.processDefinitionKey for d in deployed.deployments
                            if d.process.bpmnProcessId == "ops-repair"]
        world = EngineProcess(grpc_address, query_url, stub, definition_key)
        world.stuck = world.stuck_instance("SXD-OPS-001")
        world.completed = world.start("SXD-OPS-003")
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=world.job_of(world.completed).key,
                                               variables=json.dumps({"checked": True})))
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=world.job_of(world.completed, SEND_JOB).key))
        world.canceled = world.start("SXD-OPS-004")
        stub.CancelProcessInstance(pb.CancelProcessInstanceRequest(processInstanceKey=world.canceled))
        world.running = world.start("SXD-OPS-002")
        world.job_of(world.running, timeout_ms=600_000)  # a worker holds it
        yield world
    finally:
        channel.close()
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        process.stdout.close()


# ---- the staff webapp, signed in ----------------------------------------------------------------
@pytest.fixture(scope="session")
def console_app(tmp_path_factory: pytest.TempPathFactory, engine_process: EngineProcess):
    """The webapp (CSRF checks on) against the engine process, with an operator, an admin and a
    reception officer."""
    from motcua.db import engine_for, migrate, session_factory, transaction
    from motcua.staff_accounts import create_user
    from webapp import create_app

    folder = tmp_path_factory.mktemp("ops-web")
    database_url = f"sqlite:///{folder / 'motcua.db'}"
    migrate(database_url)
    database = engine_for(database_url)
    with transaction(session_factory(database)) as session:
        create_user(session, "vanhanh", "Hoàng Văn Vận", PASSWORD, ["operator"])
        create_user(session, "quantri", "Đỗ Thu Trang", PASSWORD, ["admin"])
        create_user(session, "tiepnhan", "Nguyễn Thị Lan", PASSWORD, ["reception"])
    database.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTCUA_DATA_DIR", str(folder))
        patch.setenv("MOTCUA_DATABASE_URL", database_url)
        app = create_app({"TESTING": True, "ZEEBE_ADDRESS": engine_process.grpc_address,
                          "ENGINE_QUERY_URL": engine_process.query_url, "MIGRATE_ON_START": False})
        yield app
        app.extensions["motcua.office"].gateway.close()


@pytest.fixture(scope="session")
def _sessions(console_app) -> dict[str, str]:
    return {}  # username -> session cookie: each user signs in once (password hashing is slow)


@pytest.fixture
def sign_in(console_app, _sessions):
    """`sign_in("vanhanh")` → a test client with that user's session."""
    def signed_in(username: str):
        client = console_app.test_client()
        if username in _sessions:
            client.set_cookie("session", _sessions[username])
            return client
        page = client.get("/sign-in").get_data(as_text=True)
        response = client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                                 "csrf_token": csrf_token_in(page)})
        assert response.status_code == 302, response.get_data(as_text=True)
        _sessions[username] = client.get_cookie("session").value
        return client
    return signed_in


@pytest.fixture
def csrf_token():
    """`csrf_token(page_html)` → the CSRF token of the page's first form."""
    return csrf_token_in


def csrf_token_in(page: str) -> str:
    marker = 'name="csrf_token" value="'
    assert marker in page, "the page has a form with a CSRF token"
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]
