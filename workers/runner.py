"""Runs every job worker in one process with pyzeebe, against ZEEBE_ADDRESS, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from pyzeebe import ZeebeTaskRouter, ZeebeWorker, create_insecure_channel

from motcua import settings as settings_module
from workers import documents, dossier, interagency, notify, portal

logger = logging.getLogger("motcua.workers")

# Each family of job types registers its router here (workers/<family>.py).
ROUTERS: list[ZeebeTaskRouter] = [
    dossier.router, documents.router, notify.router, portal.router, interagency.router,
]


def build_worker(channel, name: str = "motcua-workers") -> ZeebeWorker:
    # An engine restart must not end the workers: retry the gateway without a lifetime limit.
    worker = ZeebeWorker(channel, name=name, stream_enabled=False, max_connection_retries=-1)
    for router in ROUTERS:
        worker.include_router(router)
    return worker


async def run(address: str | None = None) -> None:
    settings = settings_module.load()
    channel = create_insecure_channel(grpc_address=address or settings.zeebe_address)
    worker = build_worker(channel)
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, lambda: asyncio.ensure_future(worker.stop()))
    job_types = sorted(task.type for task in worker.tasks)
    logger.info("workers: %d job types against %s: %s", len(job_types),
                address or settings.zeebe_address, ", ".join(job_types) or "none yet")
    # portal reports leave through the outbox, beside the workers (never inside a job)
    courier = asyncio.create_task(portal.deliver_forever())
    period_reports = asyncio.create_task(portal.push_period_reports_forever())
    try:
        await worker.work()
    finally:
        courier.cancel()
        period_reports.cancel()
        await channel.close()
