"""How a job fails: retries with a growing back-off, so a dead gateway is not hammered."""

from __future__ import annotations

import logging

from pyzeebe import Job
from pyzeebe.job.job import JobController

from workers import context

logger = logging.getLogger("motcua.workers")

LONGEST_BACK_OFF_MS = 10 * 60 * 1000
DEFAULT_RETRIES = 3


def back_off_ms(retries_left: int, first_ms: int) -> int:
    """The wait before the next try: first_ms, then doubled with each retry already used."""
    used = max(DEFAULT_RETRIES - retries_left, 0)
    return min(first_ms * 2 ** used, LONGEST_BACK_OFF_MS)


async def fail_with_back_off(error: Exception, job: Job, controller: JobController) -> None:
    """Every unexpected exception fails the job; Zeebe retries it later, then raises an incident."""
    logger.warning("job %s (%s) of dossier %s failed: %s", job.key, job.type,
                   job.variables.get("dossierCode"), error)
    wait = back_off_ms(job.retries, context.current().config.retry_backoff_ms)
    await controller.set_failure_status(f"{type(error).__name__}: {error}"[:500], retry_back_off_ms=wait)
