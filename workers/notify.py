"""Notification job types: the citizen's SMS for each dossier event, and warnings to the desk."""

# No `from __future__ import annotations`: pyzeebe recognises `job: Job` by its annotation object.
import logging
from typing import Any

import sqlalchemy as sa
from pyzeebe import Job, ZeebeTaskRouter

from motcua.db import AuditEntry, DeliveryStatus, transaction
from motcua.notifications import MessageFacts, SmsEvent, compose, send_once
from motcua.statuses import PauseReason
from workers import job_types
from workers.context import current
from workers.failures import fail_with_back_off
from workers.records import ACTOR, after_days, dossier_for

logger = logging.getLogger("motcua.workers.notify")
router = ZeebeTaskRouter(exception_handler=fail_with_back_off)


@router.task(task_type=job_types.NOTIFY_SMS, timeout_ms=60_000)
def send_sms(job: Job) -> dict[str, Any]:
    """Send the citizen the SMS for this dossier event, once, whatever happens to the job."""
    ctx = current()
    event = SmsEvent(job.variables["event"])
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, ctx.now())
        key = f"{dossier.code}:{event}"
        supplement_due = None
        if event is SmsEvent.SUPPLEMENT_REQUESTED:
            requests = [p for p in dossier.pauses if p.reason is PauseReason.SUPPLEMENT]
            if requests:
                supplement_due = after_days(ctx.calendar(session), requests[-1].requested_at,
                                            ctx.config.supplement_days).date()
            if len(requests) > 1:  # a second request (intake, then processing) is a new event
                key += f":{len(requests)}"
        facts = MessageFacts(dossier_code=dossier.code, tracking_link=ctx.tracking_link(dossier.code),
                             sender=ctx.config.sms_sender, due_on=dossier.due_on,
                             supplement_due_on=supplement_due)
        phone = dossier.applicant_phone or (job.variables.get("applicant") or {}).get("phone")
        dossier_id = dossier.id
    message = send_once(ctx.sessions, key=key, dossier_id=dossier_id, event=str(event), phone=phone,
                        text=compose(event, facts), provider=ctx.sms)
    if message.status is DeliveryStatus.FAILED:
        logger.warning("SMS %s not sent: %s", key, message.last_error)
        return {"smsSent": None}
    return {"smsSent": str(message.id)}


@router.task(task_type=job_types.NOTIFY_DESK)
def warn_desk(job: Job) -> dict[str, Any]:
    """Tell the one-stop desk that a dossier is due soon or a consultation is overdue (audit log,
    shown to staff), once per job."""
    ctx = current()
    event = str(job.variables.get("event") or "notice")
    code = str(job.variables.get("dossierCode"))
    with transaction(ctx.sessions) as session:
        earlier = session.scalars(sa.select(AuditEntry).where(
            AuditEntry.entity_type == "dossier", AuditEntry.entity_id == code,
            AuditEntry.action == f"desk.{event}")).all()
        if any(entry.details.get("job") == job.key for entry in earlier):
            return {}
        details = {"job": job.key, "element": job.element_id,
                   "dueAt": job.variables.get("dueAt"), "agencyCode": job.variables.get("agencyCode")}
        session.add(AuditEntry(actor=ACTOR, action=f"desk.{event}", entity_type="dossier",
                               entity_id=code, details={k: v for k, v in details.items() if v}))
    logger.warning("desk: dossier %s: %s", code, event)
    return {}
