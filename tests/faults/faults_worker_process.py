"""`python tests/faults/faults_worker_process.py`: the project's job workers exactly as
`python -m workers` runs them, with every job timeout (and the SMS sending lease, which must stay
shorter) scaled down by FAULTS_JOB_TIMEOUT_MS so that a fault test sees a lost job come back in
seconds rather than a minute."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta

from motcua.notifications import delivery
from workers import runner

TIMEOUT_MS = int(os.environ.get("FAULTS_JOB_TIMEOUT_MS", "5000"))
real_build_worker = runner.build_worker


def build_worker_with_short_timeouts(channel, name: str = "motcua-workers", **options):
    worker = real_build_worker(channel, name, **options)
    for task in worker.tasks:
        task.config.timeout_ms = TIMEOUT_MS
    retries = os.environ.get("FAULTS_MAX_CONNECTION_RETRIES")
    if retries is not None:  # see test_faults_workers_reconnect: pyzeebe's default gives up
        worker.zeebe_adapter._max_connection_retries = int(retries)
    return worker


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("MOTCUA_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner.build_worker = build_worker_with_short_timeouts
    delivery.SENDING_LEASE = timedelta(milliseconds=TIMEOUT_MS * 0.6)
    asyncio.run(runner.run())
