"""The dossier row behind a process instance, and the date-times the diagrams need.

Every job names its dossier by `dossierCode`. The row is normally registered by the webapp when the
dossier is submitted; when a process was started by another client (zbctl, the portal), the first
job registers it from the start variables, so every later step has a record to write to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.catalog import Catalog, CopyType, Procedure
from motcua.checklist import SubmittedComponent
from motcua.db import Dossier
from motcua.db.base import LOCAL_ZONE
from motcua.dossier_codes import DossierCode
from motcua.statuses import ApplicantKind, Channel, DossierStatus
from motcua.working_calendar import WorkingCalendar

ACTOR = "he-thong"  # timeline entries written by the workers

_CHANNELS = {"counter": Channel.DIRECT, "direct": Channel.DIRECT, "online": Channel.ONLINE,
             "post": Channel.POST}
_COPY_TYPES = {c.value: c for c in CopyType} | {c.label_vi: c for c in CopyType}


class UnknownDossier(LookupError):
    pass


def iso(moment: datetime) -> str:
    """An ISO date-time with the Vietnam offset, as the BPMN timers and forms read it."""
    local = moment.astimezone(LOCAL_ZONE) if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)
    return local.isoformat(timespec="seconds")


def parse_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


def find_dossier(session: Session, code: str) -> Dossier | None:
    return session.scalars(sa.select(Dossier).where(Dossier.code == code)).one_or_none()


def submitted_components(procedure: Procedure, items: Any) -> list[SubmittedComponent]:
    """The process variable `components` (`[{id, name, copyType, quantity}]`) as submitted papers."""
    catalog_items = {c.id: c for c in procedure.components}
    papers = []
    for item in items or []:
        component_id = str(item.get("id") or item.get("component") or "")
        copy_type = _COPY_TYPES.get(str(item.get("copyType") or item.get("copy_type") or ""))
        if copy_type is None:
            known = catalog_items.get(component_id)
            copy_type = known.copy_types[0] if known else CopyType.ORIGINAL
        papers.append(SubmittedComponent(component_id, copy_type, int(item.get("quantity") or 1)))
    return papers


def register(session: Session, variables: Mapping[str, Any], catalog: Catalog, at: datetime) -> Dossier:
    """A dossier row from the start variables (status 1, submitted), for a process started
    without one. Components that the catalog does not list are not recorded."""
    code = str(variables["dossierCode"])
    procedure = catalog.get(str(variables["procedureCode"]), on=at.astimezone(LOCAL_ZONE).date())
    applicant = variables.get("applicant") or {}
    known = {c.id for c in procedure.components}
    papers = [p for p in submitted_components(procedure, variables.get("components"))
              if p.component_id in known]
    kind = ApplicantKind.ORGANISATION if applicant.get("kind") == "organisation" else ApplicantKind.PERSON
    dossier = Dossier(
        code=code, code_is_external=False, procedure_code=procedure.code,
        procedure_version=procedure.version, agency_code=procedure.agency.code,
        applicant_kind=kind, applicant_name=str(applicant.get("fullName") or "?"),
        applicant_id_number=applicant.get("idNumber"), applicant_phone=applicant.get("phone"),
        applicant_email=applicant.get("email"), applicant_address=applicant.get("address"),
        channel=_CHANNELS.get(str(variables.get("channel") or "counter"), Channel.DIRECT),
        submitted_components=[p.as_mapping() for p in papers], received_at=at,
        supplement_clock=procedure.supplement_clock, status=DossierStatus.SUBMITTED)
    dossier.record_status(DossierStatus.SUBMITTED, actor=ACTOR, at=at, step="submitted")
    session.add(dossier)
    session.flush()
    return dossier


def dossier_for(session: Session, variables: Mapping[str, Any], catalog: Catalog,
                at: datetime) -> Dossier:
    """The job's dossier; registered from the variables if the process carries enough of them."""
    code = variables.get("dossierCode")
    if not code:
        raise UnknownDossier("the job has no dossierCode variable")
    dossier = find_dossier(session, str(code))
    if dossier is not None:
        return dossier
    if "procedureCode" in variables and "applicant" in variables:
        return register(session, variables, catalog, at)
    raise UnknownDossier(f"no dossier {code} in the database")


def receipt_number(dossier: Dossier) -> str:
    """The receipt's number (Số …/TNHS): the day's sequence in the dossier code."""
    try:
        sequence = DossierCode.parse(dossier.code).sequence
    except ValueError:
        sequence = None
    return f"{sequence or dossier.id:04d}"


def procedure_of(dossier: Dossier, catalog: Catalog) -> Procedure:
    """The catalog version the dossier was received under."""
    return catalog.version(dossier.procedure_code, dossier.procedure_version)


def warn_at(calendar: WorkingCalendar, due_at: datetime) -> datetime:
    """One working day before the due date, at the same time of day."""
    local = due_at.astimezone(calendar.timezone)
    return datetime.combine(calendar.previous_working_day(local.date()), local.timetz())


# which catalog step role answers which user task due date (docs/processes.md)
_STEP_ROLES = {"specialist": "appraisal", "head": "headReview", "division_head": "headReview",
               "leader": "leaderSign"}


def step_due_at(procedure: Procedure, calendar: WorkingCalendar, start: datetime,
                due_at: datetime) -> dict[str, str]:
    """When each internal step must be done: the catalog's step budgets in office hours, one
    after the other from `start`, never later than the legal due date."""
    moment = start
    due: dict[str, datetime] = {}
    for step in procedure.steps:
        moment = calendar.add_working_hours(moment, step.hours)
        name = _STEP_ROLES.get(step.role or "")
        if name:
            due[name] = moment
    due["resultReturn"] = due_at
    for name in ("appraisal", "headReview", "leaderSign"):
        due.setdefault(name, due_at)
    return {name: iso(min(moment, due_at)) for name, moment in due.items()}


def after_days(calendar: WorkingCalendar, start: datetime, days: int) -> datetime:
    """`days` calendar days after `start`, at the end of office hours, on a working day."""
    day = calendar.working_day_on_or_after((start.astimezone(calendar.timezone) + timedelta(days=days)).date())
    return datetime.combine(day, calendar.office_hours.afternoon_end, tzinfo=calendar.timezone)


def after_working_days(calendar: WorkingCalendar, start: datetime, days: int) -> datetime:
    day = calendar.add_working_days(start.astimezone(calendar.timezone).date(), days)
    return datetime.combine(day, calendar.office_hours.afternoon_end, tzinfo=calendar.timezone)
