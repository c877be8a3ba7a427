"""The department at work in the workers' tests: the real pyzeebe workers in a background event
loop, staff doing their user tasks over the gateway, and small readers for what they produced."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from workers import portal as portal_worker
from workers.runner import ROUTERS

ROOT = Path(__file__).resolve().parents[2]
USER_TASK = "io.camunda.zeebe:userTask"


class Office:
    """The department at work: the real pyzeebe workers in a background event loop, and staff
    doing their user tasks over the gateway."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.channel = grpc.insecure_channel(address)
        self.stub = GatewayStub(self.channel)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.workers: list[tuple[ZeebeWorker, Any]] = []
        self.client: ZeebeClient | None = None
        self.taken: dict[str, tuple[int, dict[str, Any]]] = {}  # user tasks staff hold

    def run(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start_workers(self, routers=None, courier: bool = True) -> None:
        async def start() -> None:
            channel = create_insecure_channel(self.address)
            worker = ZeebeWorker(channel, name="motcua-test-workers", request_timeout=2000,
                                 poll_retry_delay=1)
            for router in ROUTERS if routers is None else routers:
                worker.include_router(router)
            running = [asyncio.ensure_future(worker.work())]
            if courier:
                running.append(asyncio.ensure_future(portal_worker.deliver_forever(interval_s=0.1)))
            self.workers.append((worker, running))
            if self.client is None:
                self.client = ZeebeClient(create_insecure_channel(self.address))
        self.run(start())

    def stop_workers(self) -> None:
        async def stop() -> None:
            for worker, running in self.workers:
                await worker.stop()
                for task in running:
                    task.cancel()
            self.workers.clear()
        self.run(stop())

    def close(self) -> None:
        self.stop_workers()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.channel.close()

    # ---- the public and the staff -------------------------------------------------------
    def submit(self, process_id: str = "construction-permit", code: str = "000.00.17.H06-261124-0001",
               procedure: str = "1.009994", phone: str = "0912345678",
               components: list[dict[str, Any]] | None = None) -> int:
        variables = {
            "dossierCode": code, "procedureCode": procedure,
            "procedureName": "Cấp giấy phép xây dựng mới",
            "applicant": {"fullName": "Nguyễn Thị Hồng Đào", "phone": phone,
                          "idNumber": "001190000123", "address": "12 Lê Lợi, phường Đông Ba"},
            "components": components if components is not None else complete_permit_components(procedure),
            "channel": "counter",
        }
        created = self.stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
            bpmnProcessId=process_id, version=-1, variables=json.dumps(variables)))
        return created.processInstanceKey

    def user_task(self, element_id: str, timeout: float = 20) -> tuple[int, dict[str, Any]]:
        """Wait for the user task `element_id`, take it; returns its key and variables."""
        if element_id in self.taken:
            return self.taken[element_id]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for response in self.stub.ActivateJobs(pb.ActivateJobsRequest(
                    type=USER_TASK, worker="staff", timeout=30_000, maxJobsToActivate=10,
                    requestTimeout=500)):
                for job in response.jobs:
                    if job.elementId == element_id:
                        self.taken[element_id] = job.key, json.loads(job.variables)
                        return self.taken[element_id]
                    # not ours to do now: give it back at once
                    self.stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=job.retries,
                                                        errorMessage="not now"))
            time.sleep(0.05)
        raise AssertionError(f"no user task {element_id} appeared")

    def complete(self, element_id: str, **form_values: Any) -> dict[str, Any]:
        key, variables = self.user_task(element_id)
        del self.taken[element_id]
        self.stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=json.dumps(form_values)))
        return variables

    def publish(self, name: str, correlation_key: str, message_id: str, **variables: Any) -> None:
        self.stub.PublishMessage(pb.PublishMessageRequest(
            name=name, correlationKey=correlation_key, timeToLive=60_000, messageId=message_id,
            variables=json.dumps(variables)))


def complete_permit_components(procedure_code: str = "1.009994") -> list[dict[str, Any]]:
    """Every required paper of a procedure (default 1.009994, construction permit grades I-II)."""
    from motcua.catalog import load_catalog as load

    procedure = load(ROOT / "catalog").get(procedure_code)
    return [{"id": c.id, "name": c.name.vi, "copyType": c.copy_types[0].value, "quantity": c.quantity}
            for c in procedure.components if c.is_required]


def wait_until(condition, timeout: float = 20, what: str = "the condition"):
    """Poll `condition()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def pdf_pages(content: bytes) -> list[Any]:
    """The pages of a PDF, read by pypdf (a test dependency: skip where it is not installed)."""
    import io

    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDFs back")
    return list(pypdf.PdfReader(io.BytesIO(content)).pages)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_pages(content))
