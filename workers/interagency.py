"""Consultation of other agencies (liên thông): the request, the reminder at the SLA, and closing
the request at its deadline."""

# No `from __future__ import annotations`: pyzeebe recognises `job: Job` by its annotation object.
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from motcua.consultations import ConsultationRequest, close_overdue, record_request, send_to_agency
from motcua.db import transaction
from workers import job_types
from workers.context import WorkerContext, current
from workers.failures import fail_with_back_off
from workers.records import after_working_days, iso, parse_moment

router = ZeebeTaskRouter(exception_handler=fail_with_back_off)


def _endpoint(ctx: WorkerContext, agency_code: str) -> str:
    try:
        return ctx.config.agency_endpoints[agency_code]
    except KeyError:
        raise LookupError(f"no endpoint for agency {agency_code!r}: add it to "
                          "MOTCUA_AGENCY_ENDPOINTS") from None


def _reply_url(ctx: WorkerContext) -> str:
    return ctx.web_url.rstrip("/") + "/api/v1/interagency/replies"


@router.task(task_type=job_types.SEND_CONSULTATION, timeout_ms=60_000)
def send_request(job: Job) -> dict[str, Any]:
    """Ask the other agency for its opinion, with the date its answer is due."""
    ctx = current()
    now = ctx.now()
    variables = job.variables
    code, agency = str(variables["dossierCode"]), str(variables["agencyCode"])
    with transaction(ctx.sessions) as session:
        calendar = ctx.calendar(session)
    due_at = after_working_days(calendar, now, ctx.config.consultation_working_days)
    remind_on = due_at.date()
    for _ in range(min(ctx.config.consultation_remind_working_days,
                       ctx.config.consultation_working_days - 1)):
        remind_on = calendar.previous_working_day(remind_on)
    remind_at = due_at.replace(year=remind_on.year, month=remind_on.month, day=remind_on.day)
    # the same consultation keeps its id when the job is redelivered: the agency drops the copy
    request_id = f"LT-{code}-{job.element_instance_key}"
    request = ConsultationRequest(request_id, code, agency, str(variables.get("procedureName") or ""),
                                  str(variables.get("consultationQuestion") or ""), due_at,
                                  _reply_url(ctx))
    endpoint = _endpoint(ctx, agency)
    with transaction(ctx.sessions) as session:
        record_request(session, request)  # the agency's reply is checked against it
    send_to_agency(endpoint, request.as_json())
    return {"consultationRequestId": request_id, "consultationRemindAt": iso(remind_at),
            "consultationDueAt": iso(due_at)}


@router.task(task_type=job_types.SEND_CONSULTATION_REMINDER, timeout_ms=60_000)
def send_reminder(job: Job) -> dict[str, Any]:
    """Remind the agency that its answer is due."""
    ctx = current()
    variables = job.variables
    code, agency = str(variables["dossierCode"]), str(variables["agencyCode"])
    due_at = parse_moment(variables.get("consultationDueAt")) or ctx.now()
    request = ConsultationRequest(str(variables["consultationRequestId"]), code, agency,
                                  str(variables.get("procedureName") or ""),
                                  str(variables.get("consultationQuestion") or ""), due_at,
                                  _reply_url(ctx), kind="reminder")
    send_to_agency(_endpoint(ctx, agency), request.as_json())
    return {}


@router.task(task_type=job_types.CLOSE_OVERDUE_CONSULTATION, timeout_ms=30_000)
def close_overdue_request(job: Job) -> dict[str, Any]:
    """The agency did not answer in time: from now on its reply is refused (HTTP 409). A reply
    accepted just before the deadline is handed to the process instead (`consultationReply`)."""
    with transaction(current().sessions) as session:
        return {"consultationReply": close_overdue(session, str(job.variables["consultationRequestId"]))}
