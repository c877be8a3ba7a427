"""The department under fire: the engine (`python -m engine`) and the job workers
(`python -m workers`, with short job timeouts) as real subprocesses that a test can kill -9,
HTTP stand-ins for the SMS gateway and the provincial portal that count what reaches them, and
staff who do the user tasks of many dossiers at once over the gateway."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "forms").glob("*.form"))
USER_TASK = "io.camunda.zeebe:userTask"
WORKER_SCRIPT = Path(__file__).with_name("faults_worker_process.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


# ---- the outside world --------------------------------------------------------------------------
class CountingStandIn:
    """A JSON HTTP server on loopback that records every POST; it can be down (503) or hold
    requests until released."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.refused = 0  # requests answered 503 while down
        self.down = False
        self.hold = threading.Event()
        self.hold.set()  # set: answer at once
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                if stand_in.down:
                    with stand_in._lock:
                        stand_in.refused += 1
                    status, answer = 503, {"error": "down for maintenance"}
                else:
                    with stand_in._lock:
                        stand_in.requests.append((self.path, dict(self.headers), body))
                    stand_in.arrived.set()
                    stand_in.hold.wait(30)
                    status, answer = stand_in.answer(body)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller died while we held its request

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, body: Any) -> tuple[int, Any]:
        return 200, {"ok": True}

    def bodies(self) -> list[Any]:
        with self._lock:
            return [body for _, _, body in self.requests]

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


class SmsGatewayStandIn(CountingStandIn):
    """A brandname SMS gateway: accepts everything, drops a repeated RequestId as real ones do."""

    def answer(self, body: Any) -> tuple[int, Any]:
        return 200, {"CodeResult": "100", "SMSID": f"sms-{len(self.requests)}"}

    def per_phone(self) -> Counter:
        return Counter(body["Phone"] for body in self.bodies())

    def distinct_per_phone(self) -> Counter:
        return Counter(phone for phone, _ in {(b["Phone"], b["RequestId"]) for b in self.bodies()})


class PortalStandIn(CountingStandIn):
    def statuses_of(self, code: str) -> list[Any]:
        """The statuses reported for one dossier, in the order the portal heard them."""
        return [b.get("TrangThaiHoSo", b.get("TrangThai")) for b in self.bodies()
                if isinstance(b, dict) and b.get("MaHoSo") == code]

    def reports(self) -> Counter:
        """(dossier code, national status) → how many times the portal heard it."""
        return Counter((b["MaHoSo"], b.get("TrangThaiHoSo", b.get("TrangThai")))
                       for b in self.bodies() if isinstance(b, dict) and "MaHoSo" in b)

    def keys(self) -> Counter:
        """Idempotency key → how many times a report with it arrived."""
        with self._lock:
            return Counter(headers.get("Idempotency-Key") for _, headers, _ in self.requests)


# ---- the engine and the workers as processes -------------------------------------------------------
class ChildProcess:
    """A project process the fault tests start, kill -9 and stop."""

    process: subprocess.Popen | None = None

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, nothing."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class EngineProcess(ChildProcess):
    """`python -m engine` on a data directory; kill -9 and start again on the same directory."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.address = f"127.0.0.1:{free_port()}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engine", "--address", self.address, "--data", str(self.data_dir)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "MOTCUA_LOG_LEVEL": "WARNING", "MOTCUA_ENGINE_QUERY_ADDRESS": "off"})
        log.close()

        def ready() -> bool:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            with grpc.insecure_channel(self.address) as channel:
                try:
                    GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=1)
                    return True
                except grpc.RpcError:
                    return False
        wait_until(ready, timeout, "the engine to answer")


class WorkerProcess(ChildProcess):
    """The project's job workers in their own process, job timeouts shortened to `timeout_ms`."""

    def __init__(self, env: dict[str, str], log_path: Path, timeout_ms: int = 5000,
                 file_size_limit: int | None = None) -> None:
        self.env = {**os.environ, **env, "FAULTS_JOB_TIMEOUT_MS": str(timeout_ms),
                    "MOTCUA_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
        self.log_path = log_path
        self.file_size_limit = file_size_limit  # past it every write fails as on a full disk
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import resource

        limit = self.file_size_limit
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env=self.env, preexec_fn=None if limit is None else lambda: resource.setrlimit(
                resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY)))
        log.close()

    def free_disk_space(self) -> None:
        import resource

        resource.prlimit(self.process.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))



def worker_env(address: str, database_url: str, sms: SmsGatewayStandIn,
               portal: PortalStandIn | None) -> dict[str, str]:
    env = {"ZEEBE_ADDRESS": address, "MOTCUA_DATABASE_URL": database_url,
           "MOTCUA_SMS_PROVIDER": "http", "MOTCUA_SMS_HTTP_URL": sms.url,
           "MOTCUA_SMS_HTTP_API_KEY": "key", "MOTCUA_SMS_HTTP_SECRET_KEY": "secret",
           "MOTCUA_SMS_HTTP_TIMEOUT_S": "5", "MOTCUA_PUBLIC_URL": "https://motcua.test",
           "MOTCUA_PORTAL_RETRY_S": "0.5", "MOTCUA_PORTAL_POLL_S": "0.2",
           "MOTCUA_JOB_RETRY_BACKOFF_MS": "300"}
    if portal is not None:
        env["MOTCUA_PORTAL_URL"] = portal.url
    return env


# ---- dossiers and staff -------------------------------------------------------------------------
def deploy(address: str) -> None:
    with grpc.insecure_channel(address) as channel:
        GatewayStub(channel).DeployResource(pb.DeployResourceRequest(resources=[
            pb.Resource(name=path.name, content=path.read_bytes()) for path in RESOURCES]), timeout=60)


def permit_components() -> list[dict[str, Any]]:
    from motcua.catalog import load_catalog

    procedure = load_catalog(ROOT / "catalog").get("1.009994")
    return [{"id": c.id, "name": c.name.vi, "copyType": c.copy_types[0].value, "quantity": c.quantity}
            for c in procedure.components if c.is_required]


def dossier_code(number: int) -> str:
    return f"000.00.17.H06-261124-{number:04d}"


def phone_of(number: int) -> str:
    return f"09{number:08d}"


def submit(stub: GatewayStub, number: int, components: list[dict[str, Any]]) -> int:
    variables = {
        "dossierCode": dossier_code(number), "procedureCode": "1.009994",
        "procedureName": "Cấp giấy phép xây dựng mới",
        "applicant": {"fullName": f"Nguyễn Văn Thử {number}", "phone": phone_of(number),
                      "idNumber": "001190000123", "address": "12 Lê Lợi, phường Đông Ba"},
        "components": components, "channel": "counter"}
    return stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
        bpmnProcessId="construction-permit", version=-1, variables=json.dumps(variables)),
        timeout=30).processInstanceKey


def form_values(element_id: str, variables: dict[str, Any]) -> dict[str, Any]:
    """What the desk answers at each user task of a construction permit that goes well."""
    code = variables.get("dossierCode", "")
    answers = {
        "Task_ReceptionCheck": {"intakeDecision": "accept"},
        "Task_Appraise": {"appraisalOutcome": "propose", "recommendation": "approve",
                          "appraisalOpinion": "Đủ điều kiện cấp phép"},
        "Task_HeadReview": {"headDecision": "approve"},
        "Task_LeaderSign": {"leaderDecision": "approve", "signatureConfirmed": True,
                            "resultNumber": f"{code[-4:]}/GPXD"},
        "Task_ReturnResult": {"deliveryMethod": "counter", "receiverName": "Nguyễn Văn Thử",
                              "returnedAt": datetime.now().astimezone().isoformat(timespec="seconds")},
        "Task_RateSatisfaction": {"satisfaction": "very-satisfied", "ratingComment": "Tốt",
                                  "ratingCriteria": {"time": "2", "contacts": "2", "publicity": "1",
                                                     "attitude": "2"}},
    }
    if element_id not in answers:
        raise AssertionError(f"unexpected user task {element_id} for {code}")
    return answers[element_id]


class Staff:
    """Everyone at the desk: takes whatever user tasks are open and completes them; an engine that
    is down is waited for (a completion that got no answer is done again after the timeout)."""

    def __init__(self, address: str, task_timeout_ms: int = 5000) -> None:
        self.address = address
        self.task_timeout_ms = task_timeout_ms
        self.completed: Counter = Counter()  # element id → acknowledged completions
        self.on_complete: Callable[[str, dict[str, Any], float], None] | None = None
        self._lock = threading.Lock()
        self._channel = grpc.insecure_channel(address)
        self.stub = GatewayStub(self._channel)

    def round(self, max_jobs: int = 32) -> int:
        done = 0
        try:
            for response in self.stub.ActivateJobs(pb.ActivateJobsRequest(
                    type=USER_TASK, worker="staff", timeout=self.task_timeout_ms,
                    maxJobsToActivate=max_jobs, requestTimeout=300), timeout=10):
                for job in response.jobs:
                    variables = json.loads(job.variables)
                    values = form_values(job.elementId, variables)
                    self.stub.CompleteJob(pb.CompleteJobRequest(
                        jobKey=job.key, variables=json.dumps(values)), timeout=10)
                    acknowledged = time.perf_counter()
                    with self._lock:
                        self.completed[job.elementId] += 1
                    done += 1
                    if self.on_complete:
                        self.on_complete(job.elementId, variables, acknowledged)
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.NOT_FOUND,
                                    grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
                raise
            time.sleep(0.1)
        return done

    def snapshot(self) -> Counter:
        with self._lock:
            return Counter(self.completed)

    def close(self) -> None:
        self._channel.close()


class Desk:
    """Several staff members working at once, each on their own connection, until stopped."""

    def __init__(self, address: str, people: int = 3) -> None:
        self.staff = [Staff(address) for _ in range(people)]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._work, args=(member,), daemon=True)
                         for member in self.staff]
        self.errors: list[BaseException] = []

    def _work(self, member: Staff) -> None:
        while not self._stop.is_set():
            try:
                member.round()
            except BaseException as error:  # noqa: BLE001 - shown by the test
                self.errors.append(error)
                return

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def completed(self) -> Counter:
        """Element id → completions the engine acknowledged, all staff together."""
        return sum((member.snapshot() for member in self.staff), Counter())

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)
        for member in self.staff:
            member.close()


def dossier_states(database_url: str) -> dict[str, tuple[int, bool]]:
    """Dossier code → (status, rated) from the application database."""
    import sqlalchemy as sa

    from motcua.db import Dossier, Rating, engine_for

    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            rated = {row[0] for row in connection.execute(sa.select(Rating.dossier_id))}
            return {code: (int(status), ident in rated) for ident, code, status in connection.execute(
                sa.select(Dossier.id, Dossier.code, Dossier.status))}
    finally:
        engine.dispose()
