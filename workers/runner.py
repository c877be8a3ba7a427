"""Runs every job worker in one process with pyzeebe, against ZEEBE_ADDRESS, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyzeebe import ZeebeTaskRouter, ZeebeWorker, create_insecure_channel

from motcua import settings as settings_module
from workers import documents, dossier, interagency, notify, portal

logger = logging.getLogger("motcua.workers")


class _QuietWhenFull(logging.Filter):
    """pyzeebe warns each time a job type is full, which with a short pause floods the log;
    a full type is the normal state of a busy worker."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Maximum number of jobs running")


logging.getLogger("pyzeebe.worker.job_poller").addFilter(_QuietWhenFull())

# Each family of job types registers its router here (workers/<family>.py).
ROUTERS: list[ZeebeTaskRouter] = [
    dossier.router, documents.router, notify.router, portal.router, interagency.router,
]


def _positive(name: str, default: str) -> int:
    text = os.environ.get(name, "").strip() or default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


@dataclass(frozen=True)
class Concurrency:
    """How much work one worker process takes on.

    The handlers are plain functions run on `threads` threads. pyzeebe's default (32 running
    jobs per job type, 13 types, a 5 s pause whenever a type is full) let one process hold
    hundreds of jobs behind a handful of threads, where a job could outwait its timeout and be
    done twice, and left a type idle for seconds after its jobs were done. Each type now holds at
    most `jobs_per_type` jobs and asks for more `poll_pause_s` after it was full.
    """

    threads: int = 8
    jobs_per_type: int = 8
    poll_pause_s: float = 0.1

    @classmethod
    def from_environment(cls) -> Concurrency:
        """MOTCUA_WORKER_THREADS (default 8), MOTCUA_WORKER_JOBS_PER_TYPE (default: the threads)."""
        threads = _positive("MOTCUA_WORKER_THREADS", str(cls.threads))
        return cls(threads=threads,
                   jobs_per_type=_positive("MOTCUA_WORKER_JOBS_PER_TYPE", str(threads)))


def build_worker(channel, name: str = "motcua-workers",
                 concurrency: Concurrency | None = None) -> ZeebeWorker:
    concurrency = concurrency or Concurrency()
    # An engine restart must not end the workers: retry the gateway without a lifetime limit.
    worker = ZeebeWorker(channel, name=name, stream_enabled=False, max_connection_retries=-1,
                         poll_retry_delay=concurrency.poll_pause_s)  # type: ignore[arg-type]
    for router in ROUTERS:
        worker.include_router(router)
    for task in worker.tasks:
        task.config.max_jobs_to_activate = concurrency.jobs_per_type
        task.config.max_running_jobs = concurrency.jobs_per_type
    return worker


async def run(address: str | None = None) -> None:
    settings = settings_module.load()
    concurrency = Concurrency.from_environment()
    loop = asyncio.get_running_loop()
    # pyzeebe runs plain-function handlers on the loop's default executor
    loop.set_default_executor(ThreadPoolExecutor(concurrency.threads, thread_name_prefix="job"))
    channel = create_insecure_channel(grpc_address=address or settings.zeebe_address)
    worker = build_worker(channel, concurrency=concurrency)
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, lambda: asyncio.ensure_future(worker.stop()))
    job_types = sorted(task.type for task in worker.tasks)
    logger.info("workers: %d job types against %s (%d threads, %d jobs per type): %s",
                len(job_types), address or settings.zeebe_address, concurrency.threads,
                concurrency.jobs_per_type, ", ".join(job_types) or "none yet")
    # portal reports leave through the outbox, beside the workers (never inside a job)
    courier = asyncio.create_task(portal.deliver_forever())
    period_reports = asyncio.create_task(portal.push_period_reports_forever())
    try:
        await worker.work()
    finally:
        courier.cancel()
        period_reports.cancel()
        await channel.close()
