"""The engine's store in trouble: the disk fills up (a file-size limit on the engine process, the
way a full partition answers) or another program holds the database locked. Commands that cannot
be stored get a clear gRPC error, the engine keeps serving, and nothing acknowledged is lost or
corrupted."""

from __future__ import annotations

import json
import resource
import sqlite3
import threading
import time

import grpc
import pytest
from faults_office import EngineProcess
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

pytestmark = pytest.mark.slow
PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="faults">
  <bpmn:process id="faults-wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="faults.work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
CLEAR_CODES = {grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE,
               grpc.StatusCode.INTERNAL, grpc.StatusCode.ABORTED}


def create(stub: GatewayStub, payload: str = "") -> int:
    return stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
        bpmnProcessId="faults-wait", version=-1, variables=json.dumps({"payload": payload})),
        timeout=30).processInstanceKey


def integrity(path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


class LimitedEngine(EngineProcess):
    """The engine with a file-size limit: past it every write fails as on a full disk."""

    def __init__(self, *args, limit_bytes: int) -> None:
        super().__init__(*args)
        self.limit_bytes = limit_bytes

    def start(self, timeout: float = 60) -> None:
        import subprocess

        real_popen = subprocess.Popen
        limit = self.limit_bytes

        def limited(*args, **kwargs):
            kwargs["preexec_fn"] = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
            return real_popen(*args, **kwargs)

        subprocess.Popen = limited
        try:
            super().start(timeout)
        finally:
            subprocess.Popen = real_popen

    def lift_limit(self) -> None:
        resource.prlimit(self.process.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def test_a_full_disk_gives_a_clear_error_and_loses_nothing_acknowledged(tmp_path):
    engine = LimitedEngine(tmp_path / "engine", tmp_path / "engine.log", limit_bytes=3_000_000)
    engine.start()
    try:
        with grpc.insecure_channel(engine.address) as channel:
            stub = GatewayStub(channel)
            stub.DeployResource(pb.DeployResourceRequest(
                resources=[pb.Resource(name="faults-wait.bpmn", content=PROCESS)]), timeout=30)
            acknowledged, refusal = [], None
            for _ in range(200):  # 100 kB of variables each: the limit is reached within 30
                try:
                    acknowledged.append(create(stub, "x" * 100_000))
                except grpc.RpcError as error:
                    refusal = error
                    break
            assert refusal is not None, "the disk never filled up"
            assert refusal.code() in CLEAR_CODES, (refusal.code(), refusal.details())
            assert refusal.details(), "the refusal says nothing"
            stub.Topology(pb.TopologyRequest(), timeout=5)  # still serving

            engine.lift_limit()  # space freed: the engine goes on without a restart
            acknowledged.append(wait_for_create(stub))
        engine.stop()
        assert integrity(tmp_path / "engine" / "engine.db") == "ok"
        engine.start()
        with grpc.insecure_channel(engine.address) as channel:
            stub = GatewayStub(channel)
            jobs = activate_all(stub, len(acknowledged))
        assert {job.processInstanceKey for job in jobs} == set(acknowledged)
    finally:
        engine.stop()


def test_a_store_locked_by_another_program_gives_a_clear_error_then_recovers(tmp_path):
    engine = EngineProcess(tmp_path / "engine", tmp_path / "engine.log")
    engine.start()
    try:
        with grpc.insecure_channel(engine.address) as channel:
            stub = GatewayStub(channel)
            stub.DeployResource(pb.DeployResourceRequest(
                resources=[pb.Resource(name="faults-wait.bpmn", content=PROCESS)]), timeout=30)
            before = create(stub)
            locker = sqlite3.connect(tmp_path / "engine" / "engine.db", timeout=10,
                                     isolation_level=None, check_same_thread=False)
            locker.execute("BEGIN EXCLUSIVE")
            release = threading.Timer(8, lambda: (locker.execute("ROLLBACK"), locker.close()))
            release.start()
            started = time.monotonic()
            outcome: object
            try:
                outcome = create(stub)
            except grpc.RpcError as error:
                outcome = error
            waited = time.monotonic() - started
            release.join()
            if isinstance(outcome, grpc.RpcError):
                assert outcome.code() in CLEAR_CODES, (outcome.code(), outcome.details())
                assert "lock" in outcome.details().lower() or "busy" in outcome.details().lower(), \
                    outcome.details()
            assert waited < 30
            after = wait_for_create(stub)
            jobs = activate_all(stub, 3 if not isinstance(outcome, grpc.RpcError) else 2)
            keys = {job.processInstanceKey for job in jobs}
            assert {before, after} <= keys
        engine.stop()
        assert integrity(tmp_path / "engine" / "engine.db") == "ok"
    finally:
        engine.stop()


def wait_for_create(stub: GatewayStub, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return create(stub)
        except grpc.RpcError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def activate_all(stub: GatewayStub, expected: int, timeout: float = 20) -> list:
    jobs, deadline = [], time.monotonic() + timeout
    while len(jobs) < expected and time.monotonic() < deadline:
        for response in stub.ActivateJobs(pb.ActivateJobsRequest(
                type="faults.work", worker="faults", timeout=60_000, maxJobsToActivate=100,
                requestTimeout=500), timeout=10):
            jobs.extend(response.jobs)
    return jobs


