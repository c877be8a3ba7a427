"""Dossier services: receiving a dossier, the supplement clock, finishing, on-time status.

Workers and the webapp call these rather than editing `Dossier` rows themselves, so every path
issues codes, computes appointment dates and writes the timeline the same way. Each function works
in the caller's session and transaction (commit it with your other changes).

Timeline steps written here: `received`, `supplement-requested`, `resumed`, `rescheduled`
(the same words as the `step` inputs of the BPMN diagrams).

Public API
----------
- `Applicant(kind, name, id_number=None, phone=None, email=None, address=None)` — frozen value.
- `IncompleteDossier(result)` — raised with the `ChecklistResult` when the papers do not match.
- `receive_dossier(session, *, procedure, applicant, channel, received_at, submitted, calendar,
  actor, case_id=None, external_code=None, summary=None, code_pattern=DEFAULT_PATTERN) -> Dossier`
- `deadline_of(dossier, procedure, calendar) -> Deadline` — recomputed from the stored facts.
- `request_supplement(dossier, procedure, calendar, *, at, actor, note=None) -> Deadline`
- `resume_after_supplement(dossier, procedure, calendar, *, at, actor, note=None) -> Deadline`
- `reschedule(dossier, *, new_due_on, calendar, at, actor, reason)` — a new return date with
  an apology, once only (`AlreadyRescheduled` the second time).
- `finish_processing(dossier, *, at, actor, note=None)` (status 9) and
  `return_result(dossier, *, at, actor, note=None)` (status 10).
- `on_time_status(dossier, on) -> OnTimeStatus` — trước/đúng/quá hạn when finished, trong hạn /
  quá hạn at `on` while open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from motcua.catalog import Procedure
from motcua.checklist import ChecklistResult, SubmittedComponent, check_submission
from motcua.db.base import LOCAL_ZONE
from motcua.db.dossiers import Dossier, DossierPause
from motcua.deadlines import Deadline, OnTimeStatus, classify
from motcua.dossier_codes import DEFAULT_PATTERN, DossierCode, next_code
from motcua.statuses import ApplicantKind, Channel, DossierStatus, PauseReason
from motcua.working_calendar import WorkingCalendar


@dataclass(frozen=True)
class Applicant:
    """The person or organisation the dossier belongs to (chủ hồ sơ)."""

    kind: ApplicantKind
    name: str
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class IncompleteDossier(ValueError):
    def __init__(self, result: ChecklistResult) -> None:
        self.result = result
        parts = []
        if result.missing:
            parts.append("missing " + ", ".join(c.id for c in result.missing))
        if result.not_in_catalog:
            parts.append("not in the catalog " + ", ".join(result.not_in_catalog))
        if result.wrong_copy_type:
            parts.append("wrong copy type " + ", ".join(s.component_id for s, _ in result.wrong_copy_type))
        if result.too_few:
            parts.append("too few copies " + ", ".join(s.component_id for s, _ in result.too_few))
        super().__init__("the dossier does not match the procedure: " + "; ".join(parts))


def receive_dossier(session: Session, *, procedure: Procedure, applicant: Applicant,
                    channel: Channel, received_at: datetime,
                    submitted: Iterable[SubmittedComponent | Mapping[str, Any]],
                    calendar: WorkingCalendar, actor: str, case_id: str | None = None,
                    external_code: str | None = None, summary: str | None = None,
                    code_pattern: str = DEFAULT_PATTERN) -> Dossier:
    """Register a complete dossier: code, appointment date, status 2 and its first timeline line."""
    items = [s if isinstance(s, SubmittedComponent) else SubmittedComponent.from_mapping(s)
             for s in submitted]
    result = check_submission(procedure, items, case_id)
    if not result.complete:
        raise IncompleteDossier(result)
    if external_code:
        code = DossierCode.external(external_code)
    else:
        code = next_code(session, procedure.agency.code, received_at, code_pattern)
    duration = procedure.duration(case_id, online=channel is Channel.ONLINE)
    deadline = calendar.appointment_date(received_at, duration, clock=procedure.supplement_clock)
    dossier = Dossier(
        code=str(code), code_is_external=code.is_external,
        procedure_code=procedure.code, procedure_version=procedure.version, case_id=case_id,
        agency_code=procedure.agency.code, summary=summary,
        applicant_kind=applicant.kind, applicant_name=applicant.name,
        applicant_id_number=applicant.id_number, applicant_phone=applicant.phone,
        applicant_email=applicant.email, applicant_address=applicant.address,
        channel=channel, submitted_components=[s.as_mapping() for s in items],
        received_at=received_at, received_by=actor,
        due_on=deadline.due_on, due_at=deadline.due_at, original_due_on=deadline.due_on,
        supplement_clock=procedure.supplement_clock, status=DossierStatus.RECEIVED,
    )
    dossier.record_status(DossierStatus.RECEIVED, actor=actor, at=received_at, step="received")
    session.add(dossier)
    session.flush()
    return dossier


def deadline_of(dossier: Dossier, procedure: Procedure, calendar: WorkingCalendar) -> Deadline:
    duration = procedure.duration(dossier.case_id, online=dossier.channel is Channel.ONLINE)
    return calendar.appointment_date(dossier.received_at, duration, dossier.pause_values(),
                                     dossier.supplement_clock)


def request_supplement(dossier: Dossier, procedure: Procedure, calendar: WorkingCalendar, *,
                       at: datetime, actor: str, note: str | None = None) -> Deadline:
    """The applicant must complete the dossier: the clock stops (status 5)."""
    if any(p.resumed_at is None for p in dossier.pauses):
        raise ValueError(f"dossier {dossier.code} is already waiting for the applicant")
    dossier.pauses.append(DossierPause(reason=PauseReason.SUPPLEMENT, requested_at=at,
                                       due_before=dossier.due_on, note=note))
    dossier.record_status(DossierStatus.SUPPLEMENT_REQUESTED, actor=actor, at=at,
                          step="supplement-requested", note=note)
    return deadline_of(dossier, procedure, calendar)


def resume_after_supplement(dossier: Dossier, procedure: Procedure, calendar: WorkingCalendar, *,
                            at: datetime, actor: str, note: str | None = None) -> Deadline:
    """The complete supplement arrived: the due date moves (pause) or restarts (restart)."""
    waiting = [p for p in dossier.pauses if p.resumed_at is None]
    if not waiting:
        raise ValueError(f"dossier {dossier.code} is not waiting for the applicant")
    waiting[-1].resumed_at = at
    deadline = deadline_of(dossier, procedure, calendar)
    waiting[-1].due_after = deadline.due_on
    dossier.due_on, dossier.due_at = deadline.due_on, deadline.due_at
    dossier.record_status(DossierStatus.IN_PROGRESS, actor=actor, at=at, step="resumed",
                          note=note)
    return deadline


class AlreadyRescheduled(ValueError):
    pass


def reschedule(dossier: Dossier, *, new_due_on: date, calendar: WorkingCalendar, at: datetime,
               actor: str, reason: str) -> None:
    """Promise a new return date with an apology (văn bản xin lỗi): allowed once per dossier.

    The new date must be a working day after the current one.
    """
    if any(change.step == "rescheduled" for change in dossier.timeline):
        raise AlreadyRescheduled(f"dossier {dossier.code} was already rescheduled once")
    if dossier.due_on is not None and new_due_on <= dossier.due_on:
        raise ValueError(f"the new date {new_due_on.isoformat()} must be after {dossier.due_on.isoformat()}")
    if not calendar.is_working_day(new_due_on):
        raise ValueError(f"{new_due_on.isoformat()} is not a working day")
    dossier.due_on = new_due_on
    dossier.due_at = datetime.combine(new_due_on, calendar.office_hours.afternoon_end,
                                      tzinfo=calendar.timezone)
    dossier.record_status(DossierStatus.IN_PROGRESS, actor=actor, at=at, step="rescheduled",
                          note=reason)


def finish_processing(dossier: Dossier, *, at: datetime, actor: str, note: str | None = None) -> None:
    dossier.processing_finished_at = at
    dossier.record_status(DossierStatus.PROCESSED, actor=actor, at=at, note=note)


def return_result(dossier: Dossier, *, at: datetime, actor: str, note: str | None = None) -> None:
    dossier.returned_at = at
    if dossier.processing_finished_at is None:
        dossier.processing_finished_at = at
    dossier.record_status(DossierStatus.RETURNED, actor=actor, at=at, note=note)


def _local_day(moment: datetime) -> date:
    return (moment.astimezone(LOCAL_ZONE) if moment.tzinfo else moment).date()


def on_time_status(dossier: Dossier, on: date) -> OnTimeStatus:
    """Trước hạn / đúng hạn / quá hạn when processing finished; trong hạn / quá hạn at `on`."""
    if dossier.due_on is None:
        raise ValueError(f"dossier {dossier.code} has no appointment date")
    if dossier.processing_finished_at is not None and _local_day(dossier.processing_finished_at) <= on:
        return classify(dossier.due_on, finished_on=_local_day(dossier.processing_finished_at))
    return classify(dossier.due_on, on=on)
