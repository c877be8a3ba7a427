"""Embedded engine, in-process: instances/s of a three-service-task process, durable vs raw Spiff.

Both run the same diagram (tests/engine/bpmn/three-steps.bpmn) in the same run:
* raw SpiffWorkflow: workflows kept in memory, service tasks completed directly, nothing stored
  (the ceiling of the design);
* the durable engine: a SQLite file (WAL), one writer thread, group commits; the main thread
  keeps up to 64 creations in flight; workers are callbacks on the engine's job listener that
  activate up to 32 jobs of a type and complete them all at once (what a pyzeebe worker does,
  minus gRPC and minus its threads). Commands are queued with `Engine.submit` (a future per
  command, resolved after commit).

Run: `.venv/bin/python -m bench.engine_inprocess [instances per round]` (3 rounds, best of each).
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.runtime import Engine

DIAGRAM = Path(__file__).resolve().parent.parent / "tests" / "engine" / "bpmn" / "three-steps.bpmn"
JOB_TYPES = ("step-a", "step-b", "step-c")


def raw_spiff(instances: int) -> tuple[float, float]:
    """(instances/s, CPU ms per instance)"""
    parser = BpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    spec = parser.get_spec("three-steps")
    cpu = time.process_time()
    started = time.perf_counter()
    for _ in range(instances):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        for _step in JOB_TYPES:
            task = workflow.get_next_task(state=TaskState.STARTED)
            task.set_data(done=True)
            task.complete()
            workflow.do_engine_steps()
        assert workflow.completed
    return instances / (time.perf_counter() - started), (time.process_time() - cpu) / instances * 1000


class CallbackWorkers:
    """Workers as callbacks on the engine's job listener: a job type that becomes activatable gets
    one ActivateJobs (up to 32 jobs) at a time, and every activated job is completed at once, all
    through `Engine.submit` futures. No worker threads: the engine's writer does the work."""

    def __init__(self, engine: Engine, instances: int) -> None:
        self.engine = engine
        self.remaining = instances
        self.finished = threading.Event()
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.wanted: set[str] = set()
        engine.add_job_listener(self.activatable)

    def activatable(self, job_type: str) -> None:
        if self.finished.is_set():
            return
        with self.lock:
            if job_type in self.in_flight:
                self.wanted.add(job_type)
                return
            self.in_flight.add(job_type)
        self.engine.submit("activate_jobs", job_type=job_type, worker="bench", timeout_ms=60_000,
                           max_jobs=32).add_done_callback(lambda f, t=job_type: self.activated(t, f.result()))

    def instance_completed(self, _future) -> None:
        with self.lock:
            self.remaining -= 1
            if self.remaining <= 0:
                self.finished.set()

    def activated(self, job_type: str, jobs) -> None:
        if self.finished.is_set():
            return
        for job in jobs:
            completed = self.engine.submit("complete_job", job.key, {job_type.replace("-", "_"): True})
            if job_type == JOB_TYPES[-1]:
                completed.add_done_callback(self.instance_completed)
        with self.lock:
            self.in_flight.discard(job_type)
            again = job_type in self.wanted or len(jobs) == 32
            self.wanted.discard(job_type)
        if again:
            self.activatable(job_type)


def durable_engine(instances: int, directory: Path) -> tuple[float, float]:
    """(instances/s, CPU ms per instance of the whole process: writer, timers, main thread)"""
    engine = Engine(f"sqlite:///{directory / 'bench.db'}")
    engine.start()
    engine.deploy([(DIAGRAM.name, DIAGRAM.read_bytes())])
    workers = CallbackWorkers(engine, instances)
    cpu = time.process_time()
    started = time.perf_counter()
    window: list = []  # up to 64 creations in flight, as many clients would have
    for _ in range(instances):
        window.append(engine.submit("create_process_instance", bpmn_process_id="three-steps",
                                    variables={"n": 1}))
        if len(window) >= 64:
            window.pop(0).result()
    workers.finished.wait()
    elapsed = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu) / instances * 1000
    time.sleep(0.05)  # let the last completions' callbacks return before stopping
    engine.close()
    return instances / elapsed, cpu_ms


def main(instances: int = 1000, rounds: int = 3) -> dict[str, float]:
    """Alternate raw and durable runs and keep the best round of each: the machine is shared.
    Reports wall-clock throughput and CPU per instance; the CPU ratio is the steadier one."""
    raw_runs, durable_runs = [], []
    for _ in range(rounds):
        raw_runs.append(raw_spiff(instances))
        with tempfile.TemporaryDirectory() as directory:
            durable_runs.append(durable_engine(instances, Path(directory)))
    raw_rate, raw_cpu = max(r[0] for r in raw_runs), min(r[1] for r in raw_runs)
    rate, cpu = max(r[0] for r in durable_runs), min(r[1] for r in durable_runs)
    print(f"raw SpiffWorkflow (in memory): {raw_rate:6.0f} instances/s, {raw_cpu:5.2f} ms CPU/instance  "
          f"(rounds: {', '.join(f'{r:.0f}/s {c:.2f} ms' for r, c in raw_runs)})")
    print(f"durable engine (SQLite, WAL):  {rate:6.0f} instances/s, {cpu:5.2f} ms CPU/instance  "
          f"(rounds: {', '.join(f'{r:.0f}/s {c:.2f} ms' for r, c in durable_runs)})")
    print(f"ratio durable / raw: {rate / raw_rate:.1%} by throughput (best/best), {raw_cpu / cpu:.1%} by CPU")
    return {"raw": raw_rate, "durable": rate, "ratio": rate / raw_rate, "cpu_ratio": raw_cpu / cpu}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
