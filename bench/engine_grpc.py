"""Embedded engine over gRPC: pyzeebe workers on a three-service-task process.

The engine and its gateway run as `python -m engine` (their own process, durable SQLite file), the
pyzeebe client and workers in this one, as they would on one machine. Figures:

* instances/s end to end: first CreateProcessInstance sent → last instance's final job completed;
* job activation latency: the engine acknowledging the command that created the job (the create
  for the first step, the previous step's CompleteJob after that) → the worker's handler called.

Two phases on one engine: throughput (64 instances in flight), then latency (8 in flight).
Run: `python -m bench.engine_grpc [--instances 3000] [--concurrency 64] [--latency-concurrency 8]`.
"""

# No `from __future__ import annotations`: pyzeebe finds the `job: Job` parameter by comparing
# real annotation objects, and string annotations would hide it.
import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel

STEPS = ("bench.check", "bench.receipt", "bench.notify")
PROCESS_ID = "bench-three-steps"


def three_step_process() -> bytes:
    tasks = "".join(
        f'<bpmn:serviceTask id="s{i}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" retries="3" /></bpmn:extensionElements>'
        f'</bpmn:serviceTask><bpmn:sequenceFlow id="f{i}" sourceRef="s{i}" targetRef="'
        f'{"s" + str(i + 1) if i + 1 < len(STEPS) else "end"}" />'
        for i, job_type in enumerate(STEPS)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="bench">'
        f'<bpmn:process id="{PROCESS_ID}" isExecutable="true"><bpmn:startEvent id="start" />'
        '<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="s0" />'
        f'{tasks}<bpmn:endEvent id="end" /></bpmn:process></bpmn:definitions>'
    ).encode()


class Stopwatch:
    """When each job was created (as acknowledged to the client) and when its handler was called,
    by (process instance, job type); the two can arrive in either order."""

    def __init__(self) -> None:
        self.created_at: dict[tuple[int, str], float] = {}
        self.called_at: dict[tuple[int, str], float] = {}
        self.finished = 0
        self.expected = 0
        self.last_finish = 0.0
        self.all_done = asyncio.Event()
        self.on_finish: Any = None

    def reset(self, expected: int) -> None:
        self.created_at.clear()
        self.called_at.clear()
        self.expected, self.finished = expected, 0
        self.all_done.clear()

    def instance_created(self, instance: int) -> None:
        self.created_at[(instance, STEPS[0])] = time.perf_counter()

    def handler_called(self, instance: int, job_type: str) -> None:
        self.called_at[(instance, job_type)] = time.perf_counter()

    def step_acknowledged(self, instance: int, job_type: str) -> None:
        now = time.perf_counter()
        following = STEPS.index(job_type) + 1
        if following < len(STEPS):
            self.created_at[(instance, STEPS[following])] = now
            return
        self.finished += 1
        self.last_finish = now
        if self.on_finish is not None:
            self.on_finish()
        if self.finished >= self.expected:
            self.all_done.set()

    def latencies_ms(self) -> list[float]:
        """A handler can run before the client hears the acknowledgement: latency ~0, not < 0."""
        return [
            max(0.0, (self.called_at[step] - created) * 1000)
            for step, created in self.created_at.items()
            if step in self.called_at
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_until_serving(
    address: str, engine: subprocess.Popen[bytes], timeout_s: float = 60
) -> None:
    give_up = time.monotonic() + timeout_s
    while True:
        if engine.poll() is not None:
            raise RuntimeError(f"the engine exited with code {engine.returncode} before serving")
        channel = grpc.aio.insecure_channel(address)
        try:
            await ZeebeClient(channel, max_connection_retries=1).topology()
            return
        except Exception:
            if time.monotonic() > give_up:
                raise
            await asyncio.sleep(0.2)
        finally:
            await channel.close()


def build_worker(channel: grpc.aio.Channel, watch: Stopwatch) -> ZeebeWorker:
    worker = ZeebeWorker(channel, name="bench")
    adapter = worker.zeebe_adapter
    complete = adapter.complete_job
    job_types: dict[int, tuple[int, str]] = {}

    async def complete_and_stamp(job_key: int, variables: dict[str, Any]) -> Any:
        response = await complete(job_key=job_key, variables=variables)
        instance, job_type = job_types.pop(job_key)
        watch.step_acknowledged(instance, job_type)
        return response

    adapter.complete_job = complete_and_stamp  # type: ignore[method-assign]

    for job_type in STEPS:

        async def handle(job: Job) -> dict[str, Any]:
            watch.handler_called(job.process_instance_key, job.type)
            job_types[job.key] = (job.process_instance_key, job.type)
            return {}

        # pyzeebe sleeps 5 s when a task is at max_running_jobs: keep far from it
        worker.task(
            task_type=job_type, single_value=False, max_jobs_to_activate=32, max_running_jobs=10_000
        )(handle)
    return worker


async def run_instances(
    client: ZeebeClient, watch: Stopwatch, count: int, concurrency: int
) -> float:
    """Start `count` instances, at most `concurrency` unfinished at once; seconds until all done."""
    watch.reset(count)
    in_flight = asyncio.Semaphore(concurrency)
    watch.on_finish = in_flight.release
    started = time.perf_counter()

    async def start_one() -> None:
        await in_flight.acquire()
        response = await client.run_process(PROCESS_ID)
        watch.instance_created(response.process_instance_key)

    await asyncio.gather(*(start_one() for _ in range(count)))
    await asyncio.wait_for(watch.all_done.wait(), timeout=600)
    return watch.last_finish - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run_phase(
    client: ZeebeClient, watch: Stopwatch, engine_pid: int, instances: int, concurrency: int
) -> dict[str, float]:
    engine_cpu, client_cpu = cpu_seconds(engine_pid), time.process_time()
    seconds = await run_instances(client, watch, instances, concurrency)
    engine_cpu = cpu_seconds(engine_pid) - engine_cpu
    client_cpu = time.process_time() - client_cpu
    latencies = watch.latencies_ms()
    return {
        "instances": instances,
        "concurrency": concurrency,
        "seconds": seconds,
        "instances_per_s": instances / seconds,
        "jobs": len(latencies),
        "latency_p50_ms": statistics.median(latencies),
        "latency_p99_ms": percentile(latencies, 0.99),
        "engine_cpu_ms_per_instance": engine_cpu * 1000 / instances,
        "client_cpu_ms_per_instance": client_cpu * 1000 / instances,
    }


async def measure(
    address: str,
    engine: subprocess.Popen[bytes],
    warmup: int,
    phases: list[tuple[int, int]],
) -> list[dict[str, float]]:
    """Warm up, then one figure set per (instances, concurrency) phase, on one engine."""
    await wait_until_serving(address, engine)
    channel = create_insecure_channel(address)
    client = ZeebeClient(channel)
    await deploy(client)
    watch = Stopwatch()
    worker = build_worker(channel, watch)
    work = asyncio.create_task(worker.work())
    try:
        await run_instances(client, watch, warmup, phases[0][1])
        return [await run_phase(client, watch, engine.pid, n, c) for n, c in phases]
    finally:
        await worker.stop()
        work.cancel()
        await channel.close()


def describe(phase: dict[str, float]) -> str:
    return (
        f"concurrency {phase['concurrency']:.0f}: {phase['instances_per_s']:.0f} instances/s "
        f"({phase['instances']:.0f} in {phase['seconds']:.2f} s), job activation latency "
        f"p50 {phase['latency_p50_ms']:.1f} ms, p99 {phase['latency_p99_ms']:.1f} ms over "
        f"{phase['jobs']:.0f} jobs; CPU per instance: engine + gateway process "
        f"{phase['engine_cpu_ms_per_instance']:.2f} ms, pyzeebe client + workers "
        f"{phase['client_cpu_ms_per_instance']:.2f} ms"
    )


async def deploy(client: ZeebeClient) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench-three-steps.bpmn"
        path.write_bytes(three_step_process())
        await client.deploy_resource(str(path))


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Two phases on one engine: throughput with many instances in flight, then latency with a
    few (at saturation, activation latency is only queueing at the engine's single writer)."""
    parser = argparse.ArgumentParser(prog="python -m bench.engine_grpc")
    parser.add_argument("--instances", type=int, default=3000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=64,
        help="throughput phase: instances started but not finished at once",
    )
    parser.add_argument(
        "--latency-concurrency",
        type=int,
        default=8,
        help="latency phase: instances in flight (0 skips the phase)",
    )
    parser.add_argument("--warmup", type=int, default=300)
    arguments = parser.parse_args(argv if argv is not None else [])
    phases = [(arguments.instances, arguments.concurrency)]
    if arguments.latency_concurrency > 0:
        phases.append((max(300, arguments.instances // 2), arguments.latency_concurrency))
    address = f"127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as data:
        engine = subprocess.Popen(
            [sys.executable, "-m", "engine", "--address", address, "--data", data],
            env={**os.environ, "MOTCUA_LOG_LEVEL": "WARNING", "MOTCUA_ENGINE_QUERY_ADDRESS": "off"},
        )
        try:
            results = asyncio.run(measure(address, engine, arguments.warmup, phases))
        finally:
            engine.send_signal(signal.SIGTERM)
            engine.wait(timeout=60)
    throughput, latency = results[0], results[-1]
    print(f"engine over gRPC, {len(STEPS)} service tasks per instance:")
    print(f"  throughput phase, {describe(throughput)}")
    if len(results) > 1:
        print(f"  latency phase, {describe(latency)}")
    # instances/s from the throughput phase, activation latency from the latency phase
    return {
        **throughput,
        "latency_p50_ms": latency["latency_p50_ms"],
        "latency_p99_ms": latency["latency_p99_ms"],
        "latency_phase_concurrency": latency["concurrency"],
        "latency_phase_instances_per_s": latency["instances_per_s"],
        "saturated_latency_p50_ms": throughput["latency_p50_ms"],
        "saturated_latency_p99_ms": throughput["latency_p99_ms"],
    }


if __name__ == "__main__":
    main(sys.argv[1:])
