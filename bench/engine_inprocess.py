"""Embedded engine, in-process: instances/s of a three-service-task process, durable vs raw Spiff.

Both run the same diagram (tests/engine/bpmn/three-steps.bpmn) in the same run:
* raw SpiffWorkflow: workflows kept in memory, service tasks completed directly, nothing stored
  (the ceiling of the design);
* the durable engine: a SQLite file (WAL), one writer thread, group commits; starter threads
  create instances and one worker per job type activates up to 32 jobs and completes them
  concurrently (8 at a time, as a pyzeebe worker's handlers would), minus gRPC.

Run: `.venv/bin/python -m bench.engine_inprocess [instances]`
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.runtime import Engine

DIAGRAM = Path(__file__).resolve().parent.parent / "tests" / "engine" / "bpmn" / "three-steps.bpmn"
JOB_TYPES = ("step-a", "step-b", "step-c")


def raw_spiff(instances: int) -> float:
    parser = BpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    spec = parser.get_spec("three-steps")
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
    return instances / (time.perf_counter() - started)


def durable_engine(instances: int, directory: Path) -> tuple[float, float]:
    engine = Engine(f"sqlite:///{directory / 'bench.db'}")
    engine.start()
    engine.deploy([(DIAGRAM.name, DIAGRAM.read_bytes())])
    completed = threading.Semaphore(0)
    stop = threading.Event()

    def starter(count: int) -> None:
        for _ in range(count):
            engine.create_process_instance(bpmn_process_id="three-steps", variables={"n": 1})

    def handle(job) -> None:
        engine.complete_job(job.key, {job.type.replace("-", "_"): True})
        if job.type == JOB_TYPES[-1]:
            completed.release()

    def worker(job_type: str, handlers: ThreadPoolExecutor) -> None:
        while not stop.is_set():
            jobs = engine.activate_jobs(job_type=job_type, worker="bench", timeout_ms=60_000, max_jobs=32)
            if not jobs:
                time.sleep(0.002)
            list(handlers.map(handle, jobs))

    pools = [ThreadPoolExecutor(4) for _ in JOB_TYPES]
    threads = [threading.Thread(target=worker, args=(t, p), daemon=True) for t, p in zip(JOB_TYPES, pools, strict=True)]
    starters = [threading.Thread(target=starter, args=(instances // 4 + (i < instances % 4),)) for i in range(4)]
    started = time.perf_counter()
    for thread in threads + starters:
        thread.start()
    for _ in range(instances):
        completed.acquire()
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads + starters:
        thread.join()
    for pool in pools:
        pool.shutdown()
    commands = instances * 4
    engine.close()
    return instances / elapsed, commands / elapsed


def main(instances: int = 2000) -> dict[str, float]:
    ceiling = raw_spiff(instances)
    with tempfile.TemporaryDirectory() as directory:
        durable, commands = durable_engine(instances, Path(directory))
    ratio = durable / ceiling
    print(f"raw SpiffWorkflow (in memory):   {ceiling:8.0f} instances/s")
    print(f"durable engine (SQLite, WAL):    {durable:8.0f} instances/s ({commands:.0f} commands/s)")
    print(f"ratio durable / raw:             {ratio:8.1%}")
    return {"raw": ceiling, "durable": durable, "ratio": ratio}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
