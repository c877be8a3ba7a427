"""Dossier job types: checklist, receipt, status, supplement clock, rescheduling, rating."""

# No `from __future__ import annotations`: pyzeebe recognises `job: Job` by its annotation object.
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pyzeebe import Job, ZeebeTaskRouter

from motcua import dossiers
from motcua.checklist import check_submission
from motcua.db import Rating, Satisfaction, StatusChange, transaction
from motcua.deadlines import DeadlineUnit
from motcua.statuses import DossierStatus
from workers import job_types
from workers.context import current
from workers.failures import fail_with_back_off
from workers.records import (
    ACTOR,
    after_days,
    after_working_days,
    dossier_for,
    iso,
    procedure_of,
    receipt_number,
    step_due_at,
    submitted_components,
    warn_at,
)

router = ZeebeTaskRouter(exception_handler=fail_with_back_off)


def _job_key(job: Job) -> str:
    return f"job:{job.key}"


def _done_by(session, job: Job) -> StatusChange | None:
    return session.scalars(sa.select(StatusChange)
                           .where(StatusChange.idempotency_key == _job_key(job))).one_or_none()


@router.task(task_type=job_types.VALIDATE_CHECKLIST)
def validate_checklist(job: Job) -> dict[str, Any]:
    """Compare the papers handed in with the catalog version in force: what is missing, and what
    the catalog does not list (the law forbids accepting it: the desk must hand it back)."""
    ctx = current()
    now = ctx.now()
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        procedure = procedure_of(dossier, ctx.catalog)
        papers = submitted_components(procedure, job.variables.get("components"))
        result = check_submission(procedure, papers, dossier.case_id)
        if dossier.status in (DossierStatus.SUBMITTED, DossierStatus.SUPPLEMENT_REQUESTED):
            # a re-submission brings a new list of papers; extras are never recorded
            known = {c.id for c in procedure.components}
            dossier.submitted_components = [p.as_mapping() for p in papers if p.component_id in known]
        calendar = ctx.calendar(session)
        check = procedure.completeness_check
        if check is None:
            check_due = after_working_days(calendar, now, 1)
        elif check.unit is DeadlineUnit.WORKING_DAYS:
            check_due = after_working_days(calendar, now, check.value)
        else:
            check_due = after_days(calendar, now, check.value)
    names = {str(item.get("id")): str(item.get("name") or item.get("id"))
             for item in job.variables.get("components") or []}
    missing_items = [{"name": c.name.vi, "detail": "Chưa nộp" + (f" ({c.template})" if c.template else "")}
                     for c in result.missing]
    missing_items += [{"name": names.get(i, i), "detail": "Không có trong thành phần hồ sơ của thủ "
                       "tục: không tiếp nhận, trả lại cho người nộp"} for i in result.not_in_catalog]
    missing_items += [{"name": r.name.vi, "detail": "Cần " + " hoặc ".join(t.label_vi for t in r.copy_types)}
                      for _, r in result.wrong_copy_type]
    missing_items += [{"name": r.name.vi, "detail": f"Cần {r.quantity} bản, mới nộp {s.quantity}"}
                      for s, r in result.too_few]
    return {
        "checklistComplete": result.complete,
        "missingComponents": [{"id": c.id, "name": c.name.vi} for c in result.missing],
        "unknownComponents": [{"id": i, "name": names.get(i, i)} for i in result.not_in_catalog],
        "missingItems": missing_items,
        "intakeCheckDueAt": iso(check_due),
    }


@router.task(task_type=job_types.ISSUE_RECEIPT)
def issue_receipt(job: Job) -> dict[str, Any]:
    """Receive the complete dossier: the appointment date from the working calendar and the
    internal step due dates from the catalog (once: a redelivered job reads them back)."""
    ctx = current()
    now = ctx.now()
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        procedure = procedure_of(dossier, ctx.catalog)
        calendar = ctx.calendar(session)
        waiting = [p for p in dossier.pauses if p.resumed_at is None]
        if dossier.due_at is None or waiting:
            # counted from now: the complete dossier (after an intake supplement) is received now
            for pause in waiting:
                pause.resumed_at = now
            dossier.received_at = now
            dossier.received_by = ACTOR
            deadline = dossiers.deadline_of(dossier, procedure, calendar)
            dossier.due_on, dossier.due_at = deadline.due_on, deadline.due_at
            dossier.original_due_on = deadline.due_on
        due_at = dossier.due_at
        return {
            "receiptNumber": receipt_number(dossier),
            "receivedAt": iso(dossier.received_at),
            "dueAt": iso(due_at),
            "warnAt": iso(warn_at(calendar, due_at)),
            "stepDueAt": step_due_at(procedure, calendar, dossier.received_at, due_at),
        }


@router.task(task_type=job_types.SET_STATUS)
def set_status(job: Job) -> dict[str, Any]:
    """Move the dossier to a national status code and add the step to its timeline, once per job."""
    ctx = current()
    now = ctx.now()
    status = DossierStatus(int(job.variables["status"]))
    step = job.variables.get("step")
    with transaction(ctx.sessions) as session:
        if _done_by(session, job) is not None:
            return {}
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        # the line written last (by id: the timeline itself is ordered by the time of the change)
        last = max(dossier.timeline, key=lambda change: change.id, default=None)
        if last is not None and last.status is status and last.step == step:
            return {}  # the service that made the change already wrote this line
        if status is DossierStatus.PROCESSED:
            dossiers.finish_processing(dossier, at=now, actor=ACTOR)
        elif status is DossierStatus.RETURNED:
            dossiers.return_result(dossier, at=now, actor=ACTOR)
        else:
            dossier.record_status(status, actor=ACTOR, at=now, step=step, idempotency_key=_job_key(job))
            return {}
        dossier.timeline[-1].step = step
        dossier.timeline[-1].idempotency_key = _job_key(job)
    return {}


@router.task(task_type=job_types.REQUEST_SUPPLEMENT)
def request_supplement(job: Job) -> dict[str, Any]:
    """Stop the clock while the applicant completes the dossier, and give them a time limit."""
    ctx = current()
    now = ctx.now()
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        calendar = ctx.calendar(session)
        waiting = [p for p in dossier.pauses if p.resumed_at is None]
        if not waiting:
            items = job.variables.get("missingItems") or []
            note = "; ".join(str(i.get("name")) + (f": {i['detail']}" if i.get("detail") else "")
                             for i in items if isinstance(i, dict)) or None
            dossiers.request_supplement(dossier, procedure_of(dossier, ctx.catalog), calendar,
                                        at=now, actor=ACTOR, note=note)
            waiting = [dossier.pauses[-1]]
        requested_at = waiting[-1].requested_at
        return {"supplementDueAt": iso(after_days(calendar, requested_at, ctx.config.supplement_days)),
                "supplementRequestedAt": iso(requested_at)}


@router.task(task_type=job_types.RESUME_CLOCK)
def resume_clock(job: Job) -> dict[str, Any]:
    """The complete supplement arrived: the due date moves on (pause) or starts again (restart)."""
    ctx = current()
    now = ctx.now()
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        procedure = procedure_of(dossier, ctx.catalog)
        calendar = ctx.calendar(session)
        if any(p.resumed_at is None for p in dossier.pauses):
            dossiers.resume_after_supplement(dossier, procedure, calendar, at=now, actor=ACTOR)
        resumed_at = max((p.resumed_at for p in dossier.pauses if p.resumed_at), default=now)
        return {"dueAt": iso(dossier.due_at), "warnAt": iso(warn_at(calendar, dossier.due_at)),
                "stepDueAt": step_due_at(procedure, calendar, resumed_at, dossier.due_at)}


@router.task(task_type=job_types.RESCHEDULE)
def reschedule(job: Job) -> dict[str, Any]:
    """The due date came: promise the one new date the law allows (first time only)."""
    ctx = current()
    now = ctx.now()
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        calendar = ctx.calendar(session)
        if _done_by(session, job) is None:
            new_due_on = calendar.add_working_days(dossier.due_on, ctx.config.reschedule_working_days)
            try:
                dossiers.reschedule(dossier, new_due_on=new_due_on, calendar=calendar, at=now,
                                    actor=ACTOR, reason="Chưa giải quyết xong đúng hạn")
            except dossiers.AlreadyRescheduled:
                return {"rescheduled": False}
            dossier.timeline[-1].idempotency_key = _job_key(job)
        # the date promised before: set by the last supplement, else at the receipt
        moved = [p.due_after for p in dossier.pauses if p.due_after]
        previous_on = moved[-1] if moved else dossier.original_due_on
        previous_due_at = datetime.combine(previous_on, calendar.office_hours.afternoon_end,
                                           tzinfo=calendar.timezone)
        return {"rescheduled": True, "dueAt": iso(dossier.due_at),
                "warnAt": iso(warn_at(calendar, dossier.due_at)), "previousDueAt": iso(previous_due_at)}


@router.task(task_type=job_types.RECORD_RATING)
def record_rating(job: Job) -> dict[str, Any]:
    """Keep the citizen's satisfaction rating (one per dossier); a declined rating is not stored."""
    ctx = current()
    choice = str(job.variables.get("satisfaction") or "declined").replace("-", "_")
    if choice not in {s.value for s in Satisfaction}:
        return {}
    criteria = {str(k): int(v) for k, v in (job.variables.get("ratingCriteria") or {}).items()
                if str(v).strip().isdigit()}
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, ctx.now())
        exists = session.scalars(sa.select(Rating.id).where(Rating.dossier_id == dossier.id)).first()
        if exists is None:
            session.add(Rating(dossier_id=dossier.id, criteria=criteria, overall=Satisfaction(choice),
                               comment=job.variables.get("ratingComment") or None))
    return {}
