"""pyzeebe, as the workers and the webapp use it, against the embedded engine over gRPC."""

# No `from __future__ import annotations`: pyzeebe recognises a `job: Job` parameter only by its
# real annotation object.
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from gateway_paths import PROCESSES
from pyzeebe import (
    Job,
    ZeebeClient,
    ZeebeWorker,
    create_insecure_channel,
)
from pyzeebe.errors import (
    BusinessError,
    MessageAlreadyExistsError,
    ProcessDefinitionNotFoundError,
    ProcessInstanceNotFoundError,
    ProcessInvalidError,
    ProcessTimeoutError,
)

THREE_STEPS = str(PROCESSES / "gateway-three-steps.bpmn")
FEE = str(PROCESSES / "gateway-fee.bpmn")


def with_client(address: str, scenario: Callable[[ZeebeClient], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        channel = create_insecure_channel(address)
        try:
            return await asyncio.wait_for(
                scenario(ZeebeClient(channel, max_connection_retries=1)), 60
            )
        finally:
            await channel.close()

    return asyncio.run(run())


def three_step_worker(
    channel: Any, seen: list[Job], check: Any = None, **options: Any
) -> ZeebeWorker:
    worker = ZeebeWorker(channel, name="dossier-worker", **options)

    async def default_check(job: Job) -> dict[str, Any]:
        seen.append(job)
        return {"checklistComplete": True}

    worker.task(task_type="gw.check")(check or default_check)

    @worker.task(task_type="gw.receipt")
    async def receipt(dossierCode: str) -> dict[str, Any]:  # noqa: N803 - a process variable
        return {"receiptNo": f"BN-{dossierCode}"}

    @worker.task(task_type="gw.notify")
    async def notify(receiptNo: str) -> dict[str, Any]:  # noqa: N803
        return {"smsSent": f"receipt {receiptNo}"}

    return worker


async def run_with_worker(
    client: ZeebeClient, worker: ZeebeWorker, body: Callable[[], Awaitable[Any]]
) -> Any:
    working = asyncio.create_task(worker.work())
    try:
        return await body()
    finally:
        await worker.stop()
        working.cancel()


def test_worker_carries_a_dossier_through_three_steps(gateway):
    seen: list[Job] = []

    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(THREE_STEPS)
        worker = three_step_worker(channel_of(client), seen)
        return await run_with_worker(
            client,
            worker,
            lambda: client.run_process_with_result(
                "gateway-three-steps", {"dossierCode": "H12-0001"}, timeout=20_000
            ),
        )

    finished = with_client(gateway.address, scenario)
    result = finished.variables
    assert result["smsSent"] == "receipt BN-H12-0001"
    assert result["checklistComplete"] is True
    [job] = seen
    assert job.process_instance_key == finished.process_instance_key
    assert job.custom_headers == {"desk": "reception"}
    assert job.variables["dossierCode"] == "H12-0001"
    assert (job.bpmn_process_id, job.element_id, job.retries) == ("gateway-three-steps", "check", 3)


def channel_of(client: ZeebeClient) -> Any:
    return client.zeebe_adapter._channel


def test_deployment_reports_each_process_with_its_version(gateway):
    async def scenario(client: ZeebeClient) -> Any:
        first = await client.deploy_resource(THREE_STEPS, FEE)
        again = await client.deploy_resource(THREE_STEPS)
        return first, again

    first, again = with_client(gateway.address, scenario)
    assert sorted(p.bpmn_process_id for p in first.deployments) == [
        "gateway-fee",
        "gateway-three-steps",
    ]
    assert all(p.version == 1 and p.process_definition_key for p in first.deployments)
    [unchanged] = again.deployments
    assert unchanged.version == 1  # same content, same version, as in Zeebe


def test_a_broken_diagram_is_refused_with_its_file_name(gateway, tmp_path: Path):
    broken = tmp_path / "broken-procedure.bpmn"
    broken.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>")
    with pytest.raises(ProcessInvalidError) as refused:
        with_client(gateway.address, lambda client: client.deploy_resource(str(broken)))
    assert "broken-procedure.bpmn" in str(refused.value.__cause__ or refused.value)


def test_unknown_process_is_not_found(gateway):
    with pytest.raises(ProcessDefinitionNotFoundError):
        with_client(gateway.address, lambda client: client.run_process("no-such-procedure"))


def test_waiting_for_a_result_ends_at_the_timeout_and_the_instance_keeps_running(gateway, stub):
    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(THREE_STEPS)
        await client.run_process_with_result("gateway-three-steps", {}, timeout=300)

    with pytest.raises(ProcessTimeoutError):
        with_client(gateway.address, scenario)
    from pyzeebe.proto import gateway_pb2 as pb

    jobs = [
        j
        for r in stub.ActivateJobs(
            pb.ActivateJobsRequest(
                type="gw.check", worker="t", timeout=1000, maxJobsToActivate=1, requestTimeout=-1
            )
        )
        for j in r.jobs
    ]
    assert len(jobs) == 1


def test_a_failing_handler_is_retried_until_it_succeeds(gateway):
    attempts: list[int] = []

    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(THREE_STEPS)

        async def flaky_check(job: Job) -> dict[str, Any]:
            attempts.append(job.retries)
            if len(attempts) < 2:
                raise RuntimeError("registry database unreachable")
            return {}

        worker = three_step_worker(channel_of(client), [], check=flaky_check)

        return await run_with_worker(
            client,
            worker,
            lambda: client.run_process_with_result(
                "gateway-three-steps", {"dossierCode": "H12-0002"}, timeout=20_000
            ),
        )

    result = with_client(gateway.address, scenario).variables
    assert result["smsSent"] == "receipt BN-H12-0002"
    assert attempts == [3, 2]  # pyzeebe fails with retries - 1; the job came back at once


def test_a_published_message_lets_the_dossier_continue(gateway):
    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(FEE)
        worker = ZeebeWorker(channel_of(client), name="fees")

        @worker.task(task_type="gw.fee-notice")
        async def notice() -> dict[str, Any]:
            return {"feeNoticeSent": True}

        async def body() -> Any:
            waiting = asyncio.create_task(
                client.run_process_with_result(
                    "gateway-fee", {"dossierCode": "H12-0003"}, timeout=20_000
                )
            )
            await asyncio.sleep(0.5)
            await client.publish_message(
                "fee-paid",
                "H12-0003",
                {"amountPaid": 150000},
                time_to_live_in_milliseconds=60_000,
                message_id="pay-1",
            )
            with pytest.raises(MessageAlreadyExistsError):
                await client.publish_message(
                    "fee-paid", "H12-0003", time_to_live_in_milliseconds=60_000, message_id="pay-1"
                )
            return await waiting

        return await run_with_worker(client, worker, body)

    result = with_client(gateway.address, scenario).variables
    assert result["amountPaid"] == 150000 and result["feeNoticeSent"] is True


def test_a_cancelled_instance_is_gone(gateway):
    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(THREE_STEPS)
        created = await client.run_process("gateway-three-steps")
        await client.cancel_process_instance(created.process_instance_key)
        await client.cancel_process_instance(created.process_instance_key)

    with pytest.raises(ProcessInstanceNotFoundError):
        with_client(gateway.address, scenario)


def test_a_business_error_without_a_catching_event_stops_the_instance(gateway, stub):
    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(THREE_STEPS)
        worker = ZeebeWorker(channel_of(client), name="refuser")

        @worker.task(task_type="gw.check")
        async def refuse() -> dict[str, Any]:
            raise BusinessError("dossier-incomplete")

        async def body() -> Any:
            await client.run_process_with_result("gateway-three-steps", {}, timeout=1500)

        return await run_with_worker(client, worker, body)

    with pytest.raises(ProcessTimeoutError):  # stuck at an incident, never reaches receipt
        with_client(gateway.address, scenario)


def test_a_streaming_worker_gets_jobs_pushed(gateway):
    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(THREE_STEPS)
        worker = three_step_worker(channel_of(client), [], stream_enabled=True)
        return await run_with_worker(
            client,
            worker,
            lambda: asyncio.gather(
                *(
                    client.run_process_with_result(
                        "gateway-three-steps", {"dossierCode": f"S-{i}"}, timeout=20_000
                    )
                    for i in range(5)
                )
            ),
        )

    results = with_client(gateway.address, scenario)
    assert sorted(r.variables["smsSent"] for r in results) == [
        f"receipt BN-S-{i}" for i in range(5)
    ]
