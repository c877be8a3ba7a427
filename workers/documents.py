"""`document.render`: the official papers of a dossier as PDF, stored on the dossier once."""

# No `from __future__ import annotations`: pyzeebe recognises `job: Job` by its annotation object.
from datetime import datetime
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from motcua import dossiers
from motcua.catalog import CopyType, Procedure
from motcua.db import DocumentKind, Dossier, transaction
from motcua.db.base import LOCAL_ZONE
from motcua.paperwork import (
    ComponentLine,
    DocumentType,
    PaperFacts,
    TimelineLine,
    render,
    store_once,
)
from motcua.statuses import Channel, PauseReason
from motcua.timeline_steps import step_label
from workers import job_types
from workers.context import WorkerContext, current
from workers.failures import fail_with_back_off
from workers.records import dossier_for, parse_moment, procedure_of, receipt_number

router = ZeebeTaskRouter(exception_handler=fail_with_back_off)

_REASONS = {DocumentType.REFUSAL: "refusalReason", DocumentType.REFUSAL_DECISION: "leaderRefusalReason"}


def _components(dossier: Dossier, procedure: Procedure) -> tuple[ComponentLine, ...]:
    names = {c.id: c.name.vi for c in procedure.components}
    return tuple(ComponentLine(names.get(item["component"], item["component"]),
                               CopyType(item["copy_type"]).label_vi, int(item.get("quantity", 1)))
                 for item in dossier.submitted_components)


def paper_facts(ctx: WorkerContext, dossier: Dossier, procedure: Procedure,
                document_type: DocumentType, variables: dict[str, Any], now: datetime) -> PaperFacts:
    """What the paper prints: the dossier record first, the process variables for the decision."""
    items = tuple((str(i.get("name") or ""), str(i.get("detail") or ""))
                  for i in variables.get("missingItems") or [] if isinstance(i, dict))
    finished = dossier.processing_finished_at
    return PaperFacts(
        dossier_code=dossier.code, agency_name=procedure.agency.name.vi,
        procedure_name=procedure.name.vi, applicant_name=dossier.applicant_name, issued_at=now,
        tracking_link=ctx.tracking_link(dossier.code),
        receipt_number=variables.get("receiptNumber") or receipt_number(dossier),
        applicant_address=dossier.applicant_address, applicant_phone=dossier.applicant_phone,
        applicant_email=dossier.applicant_email, components=_components(dossier, procedure),
        duration=str(procedure.duration(dossier.case_id, online=dossier.channel is Channel.ONLINE)),
        received_at=dossier.received_at, due_at=dossier.due_at,
        previous_due_at=parse_moment(variables.get("previousDueAt")),
        supplement_due_at=parse_moment(variables.get("supplementDueAt")),
        missing_items=items, reason=variables.get(_REASONS.get(document_type, "")) or None,
        result_name=procedure.result.vi if procedure.result else None,
        result_number=variables.get("resultNumber"),
        on_time=dossiers.on_time_status(dossier, now.astimezone(LOCAL_ZONE).date()).label_vi
        if finished and dossier.due_on else None,
        timeline=tuple(TimelineLine(c.at, step_label(c.step) or c.status.label_vi, c.actor,
                                    c.status.label_vi) for c in dossier.timeline),
    )


@router.task(task_type=job_types.GENERATE_DOCUMENT, timeout_ms=60_000)
def generate_document(job: Job) -> dict[str, Any]:
    """Issue the paper named by `documentType` (receipt with its tracking QR code, supplement
    request, refusal, apology, stop notice, control sheet, the result) and keep it on the dossier."""
    ctx = current()
    now = ctx.now()
    document_type = DocumentType(job.variables["documentType"])
    with transaction(ctx.sessions) as session:
        dossier = dossier_for(session, job.variables, ctx.catalog, now)
        procedure = procedure_of(dossier, ctx.catalog)
        occurrence = 1
        if document_type is DocumentType.SUPPLEMENT_REQUEST:
            occurrence = max(sum(1 for p in dossier.pauses if p.reason is PauseReason.SUPPLEMENT), 1)
        paper = render(document_type, paper_facts(ctx, dossier, procedure, document_type,
                                                  job.variables, now))
        number = job.variables.get("resultNumber") if document_type.kind is DocumentKind.RESULT \
            else job.variables.get("receiptNumber")
        document = store_once(session, dossier, paper, occurrence, number=number)
        return {"documentId": str(document.id)}
