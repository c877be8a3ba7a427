"""Leader's signature → citizen's SMS: how long from CompleteJob of `Task_LeaderSign` (the
signature) until the `result-ready` SMS reaches the SMS gateway, on the embedded engine with the
real workers. Target (issue 9): p99 <= 1 s.

`python -m bench.sms_latency` (BENCH_SMS_DOSSIERS, default 20 dossiers).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
from pyzeebe import ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

ROOT = Path(__file__).resolve().parent.parent
USER_TASK = "io.camunda.zeebe:userTask"
PERMIT = "1.009994"


class SmsGateway(ThreadingHTTPServer):
    """Answers like an eSMS brandname gateway and notes when each message arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str, str]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.arrivals.append((time.monotonic(), body["Phone"], body["Content"]))
                answer = json.dumps({"CodeResult": "100", "SMSID": str(len(gateway.arrivals))}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def count(self, phone: str) -> int:
        return sum(1 for _, to, _ in self.arrivals if to == phone)

    def last_arrival(self, phone: str) -> float:
        return max(at for at, to, _ in self.arrivals if to == phone)


def take(stub: GatewayStub, element_id: str, code: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for response in stub.ActivateJobs(pb.ActivateJobsRequest(
                type=USER_TASK, worker="bench-staff", timeout=60_000, maxJobsToActivate=32, requestTimeout=200)):
            for job in response.jobs:
                variables = json.loads(job.variables)
                if job.elementId == element_id and variables.get("dossierCode") == code:
                    return job.key
                stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=job.retries, errorMessage="later"))
    raise TimeoutError(f"{element_id} for {code}")


def main() -> None:
    from engine.gateway import BackgroundGateway
    from engine.runtime import Engine
    from motcua.catalog import load_catalog
    from motcua.db import migrate, session_factory
    from motcua.notifications import provider_named
    from motcua.service_settings import ServiceSettings
    from workers import context as worker_context
    from workers.runner import ROUTERS

    dossiers = int(os.environ.get("BENCH_SMS_DOSSIERS", "20"))
    work = Path(tempfile.mkdtemp(prefix="motcua-sms-bench-"))
    database_url = f"sqlite:///{work / 'motcua.db'}"
    migrate(database_url)
    catalog = load_catalog(ROOT / "catalog")
    procedure = catalog.get(PERMIT)
    components = [{"id": c.id, "name": c.name.vi, "copyType": c.copy_types[0].value, "quantity": c.quantity}
                  for c in procedure.components_for("cong-trinh") if c.is_required]
    sms = SmsGateway()
    config = ServiceSettings(sms_http_url=f"http://127.0.0.1:{sms.server_address[1]}/send", sms_api_key="k",
                            sms_secret_key="s", retry_backoff_ms=100)
    worker_context.install(worker_context.WorkerContext(
        sessions=session_factory(database_url), catalog=catalog, config=config, web_url="https://motcua.test",
        sms=provider_named("http", config), portal=None))
    engine = Engine(f"sqlite:///{work / 'engine.db'}")
    engine.start()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    latencies: list[float] = []
    with BackgroundGateway(engine, "127.0.0.1:0") as serving, grpc.insecure_channel(serving.address) as channel:
        stub = GatewayStub(channel)
        stub.DeployResource(pb.DeployResourceRequest(resources=[
            pb.Resource(name=p.name, content=p.read_bytes())
            for p in sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "forms").glob("*.form"))]))
        holder = {}

        async def start() -> None:
            worker = ZeebeWorker(create_insecure_channel(serving.address), name="bench-workers",
                                 request_timeout=2000, poll_retry_delay=1)
            for router in ROUTERS:
                worker.include_router(router)
            holder["worker"], holder["task"] = worker, asyncio.ensure_future(worker.work())
        asyncio.run_coroutine_threadsafe(start(), loop).result(10)

        for number in range(dossiers):
            code, phone = f"000.00.17.H06-261124-{number + 1:04d}", f"09{number:08d}"
            stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
                bpmnProcessId="construction-permit", version=-1, variables=json.dumps({
                    "dossierCode": code, "procedureCode": PERMIT, "procedureName": procedure.name.vi,
                    "applicant": {"fullName": "Nguyễn Văn An", "phone": phone, "idNumber": "079090001234",
                                  "address": "12 Lê Lợi"}, "components": components, "channel": "counter"})))
            for element, values in (("Task_ReceptionCheck", {"intakeDecision": "accept"}),
                                    ("Task_Appraise", {"appraisalOutcome": "propose", "recommendation": "approve",
                                                       "appraisalOpinion": "Đủ điều kiện", "worksLevel": "II"}),
                                    ("Task_HeadReview", {"headDecision": "approve"})):
                stub.CompleteJob(pb.CompleteJobRequest(jobKey=take(stub, element, code),
                                                       variables=json.dumps(values)))
            key = take(stub, "Task_LeaderSign", code)
            waited = time.monotonic() + 30
            while sms.count(phone) < 1 and time.monotonic() < waited:
                time.sleep(0.01)  # the "received" SMS of the intake is out before we sign
            before = sms.count(phone)
            signed = time.monotonic()
            stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=json.dumps(
                {"leaderDecision": "approve", "signatureConfirmed": True, "resultNumber": f"{number}/GPXD"})))
            deadline = signed + 30
            while sms.count(phone) <= before and time.monotonic() < deadline:
                time.sleep(0.002)
            latencies.append(sms.last_arrival(phone) - signed)

        async def stop() -> None:
            await holder["worker"].stop()
            holder["task"].cancel()
        asyncio.run_coroutine_threadsafe(stop(), loop).result(15)
    loop.call_soon_threadsafe(loop.stop)
    engine.close()
    sms.shutdown()
    worker_context.install(None)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]
    print(f"signature → SMS at the gateway, {len(latencies)} dossiers: p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (target p99 <= 1000 ms)")


if __name__ == "__main__":
    main()
