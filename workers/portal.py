"""`portal.report`: each status change goes to the provincial portal through the outbox; the
courier delivers it in the background, so a portal that is down never holds up processing."""

# No `from __future__ import annotations`: pyzeebe recognises `job: Job` by its annotation object.
import asyncio
import logging
import os
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from motcua.db import transaction
from motcua.db.base import LOCAL_ZONE
from motcua.portal import (
    DOSSIER_SYNC,
    PROGRESS_UPDATE,
    deliver_due,
    dossier_sync,
    enqueue,
    progress_update,
)
from workers import job_types
from workers.context import WorkerContext, current
from workers.failures import fail_with_back_off
from workers.records import dossier_for, procedure_of

logger = logging.getLogger("motcua.workers.portal")
router = ZeebeTaskRouter(exception_handler=fail_with_back_off)

# the first report of a dossier, and the end of intake, sync the whole dossier
_SYNC_STEPS = {"received", "refused", "not-accepted"}


@router.task(task_type=job_types.PORTAL_REPORT)
def report_to_portal(job: Job) -> dict[str, Any]:
    """Queue the report of this status change for the portal, once per dossier event."""
    ctx = current()
    now = ctx.now()
    step = str(job.variables.get("step") or job.variables.get("status"))
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        # steps that come back (transfer after each re-submission) are numbered by the timeline
        occurrence = max(sum(1 for change in dossier.timeline if change.step == step), 1)
        if step in _SYNC_STEPS:
            operation = DOSSIER_SYNC
            payload = dossier_sync(dossier, procedure_of(dossier, ctx.catalog).name.vi, now)
        else:
            operation, payload = PROGRESS_UPDATE, progress_update(dossier, step, now)
        dossier_id = dossier.id
        key = f"{dossier.code}:{step}:{occurrence}"
    enqueue(ctx.sessions, key=key, dossier_id=dossier_id, operation=operation, payload=payload)
    return {}


async def deliver_forever(ctx: WorkerContext | None = None, interval_s: float | None = None) -> None:
    """Deliver queued portal reports until cancelled (runs beside the job workers)."""
    ctx = ctx or current()
    if ctx.portal is None:
        logger.info("portal: MOTCUA_PORTAL_URL not set, reports stay queued")
        return
    interval = interval_s or float(os.environ.get("MOTCUA_PORTAL_POLL_S", "2"))
    while True:
        try:
            done = await asyncio.to_thread(deliver_due, ctx.sessions, ctx.portal,
                                           first_retry_s=ctx.config.portal_retry_s)
            if done.sent or done.failed:
                logger.info("portal: %d delivered, %d refused, %d waiting", done.sent, done.failed,
                            done.waiting)
        except Exception:  # the courier must outlive a database hiccup
            logger.exception("portal: delivery round failed")
        await asyncio.sleep(interval)


REPORT_PUSH_INTERVAL_S = 6 * 3600


async def push_period_reports_forever(ctx: WorkerContext | None = None,
                                      interval_s: float = REPORT_PUSH_INTERVAL_S) -> None:
    """Queue the scheduled Biểu 06 period reports for the portal, now and every few hours.

    Queuing is idempotent per period, so running it often (or in several worker processes)
    queues each report once; the courier above delivers it.
    """
    from motcua.reports.portal_push import push_scheduled

    ctx = ctx or current()
    while True:
        try:
            today = ctx.now().astimezone(LOCAL_ZONE).date()
            rows = await asyncio.to_thread(push_scheduled, ctx.sessions, ctx.catalog, today)
            logger.info("portal: period reports queued: %s",
                        ", ".join(row.idempotency_key for row in rows) or "none")
        except Exception:  # a failed round is retried at the next one
            logger.exception("portal: queuing the period reports failed")
        await asyncio.sleep(interval_s)
