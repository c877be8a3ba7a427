"""Registering a dossier handed in at the counter, by post or online, and starting its process.

Shared by the reception page and `POST /api/v1/dossiers`. Only the components that the catalog
lists for the version in force (and the chosen case) can be submitted: anything else is refused
here, whatever the page showed. A complete dossier is received at once (`receive_dossier`: code,
appointment date, status 2); an incomplete one gets its code and goes to the reception check,
where the officer asks for a supplement or refuses (the workers record it from the process
variables). Then CreateProcessInstance starts the procedure's process (`process_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from motcua.catalog import CopyType, Procedure, ProcedureNotFound
from motcua.checklist import SubmittedComponent, check_submission
from motcua.db import Dossier
from motcua.db.base import LOCAL_ZONE
from motcua.dossier_codes import next_code
from motcua.dossiers import Applicant, receive_dossier
from motcua.statuses import ApplicantKind, Channel
from webapp.zeebe import EngineUnavailable

PHONE = re.compile(r"^(0|\+84)(3|5|7|8|9)\d{8}$")
ID_NUMBER = re.compile(r"^(\d{9}|\d{12}|\d{10}(-\d{3})?)$")  # CMND, CCCD, or an organisation's tax code
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
CHANNELS = {"counter": Channel.DIRECT, "online": Channel.ONLINE, "post": Channel.POST}
PROCESS_CHANNEL = {Channel.DIRECT: "counter", Channel.ONLINE: "online", Channel.POST: "post"}


class IntakeRefused(ValueError):
    """What is wrong with the submission: field name → translation key."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Submission:
    procedure_code: str
    applicant: dict[str, str]
    components: list[dict[str, Any]]
    channel: str = "counter"
    case_id: str | None = None
    summary: str | None = None


@dataclass
class Registered:
    code: str
    procedure: Procedure
    complete: bool
    due_on: date | None
    process_instance_key: int | None
    missing: list[str] = field(default_factory=list)
    engine_error: bool = False


def procedure_in_force(office: Any, code: str) -> Procedure:
    return office.catalog.get(code, on=datetime.now(LOCAL_ZONE).date())


def check(office: Any, submission: Submission) -> tuple[Procedure, Applicant, Channel, list[SubmittedComponent]]:
    errors: dict[str, str] = {}
    try:
        procedure = procedure_in_force(office, submission.procedure_code)
    except (ProcedureNotFound, LookupError):
        raise IntakeRefused({"procedure": "intake.error.procedure"}) from None
    case_id = submission.case_id or None
    if procedure.cases and case_id not in {c.id for c in procedure.cases}:
        errors["case"] = "intake.error.case"
    papers = read_components(procedure, case_id, submission.components, errors)
    if not papers and "case" not in errors:
        errors["components"] = "intake.error.no_components"
    applicant = {k: (str(v).strip() if v is not None else "") for k, v in submission.applicant.items()}
    kind = ApplicantKind.ORGANISATION if applicant.get("kind") == "organisation" else ApplicantKind.PERSON
    if not applicant.get("fullName"):
        errors["fullName"] = "intake.error.required"
    phone = applicant.get("phone", "").replace(" ", "").replace(".", "")
    if not phone:
        errors["phone"] = "intake.error.required"
    elif not PHONE.match(phone):
        errors["phone"] = "intake.error.phone"
    if not applicant.get("idNumber"):
        errors["idNumber"] = "intake.error.required"
    elif not ID_NUMBER.match(applicant["idNumber"]):
        errors["idNumber"] = "intake.error.id_number"
    if applicant.get("email") and not EMAIL.match(applicant["email"]):
        errors["email"] = "intake.error.email"
    if not applicant.get("address"):
        errors["address"] = "intake.error.required"
    channel = CHANNELS.get(submission.channel)
    if channel is None:
        errors["channel"] = "intake.error.channel"
    if errors:
        raise IntakeRefused(errors)
    return procedure, Applicant(kind=kind, name=applicant["fullName"], id_number=applicant["idNumber"],
                                phone=phone, email=applicant.get("email") or None,
                                address=applicant["address"]), channel, papers


def read_components(procedure: Procedure, case_id: str | None, items: list[dict[str, Any]],
                    errors: dict[str, str]) -> list[SubmittedComponent]:
    """The papers handed in, each checked against the catalog's list for the case; problems go
    into `errors` (a paper the catalog does not list under `component.<id>`)."""
    listed = {c.id: c for c in procedure.components_for(case_id if procedure.cases else None)}
    papers: list[SubmittedComponent] = []
    for item in items:
        component_id = str(item.get("id") or item.get("component") or "")
        requirement = listed.get(component_id)
        if requirement is None:
            errors[f"component.{component_id}"] = "intake.error.component_not_listed"
            continue
        try:
            copy_type = CopyType(str(item.get("copyType") or item.get("copy_type") or requirement.copy_types[0].value))
        except ValueError:
            copy_type = None
        if copy_type not in requirement.copy_types:
            errors[f"copy_type.{component_id}"] = "intake.error.copy_type"
            continue
        try:
            quantity = int(item.get("quantity") or requirement.quantity)
        except (TypeError, ValueError):
            quantity = 0
        if not 1 <= quantity <= 99:
            errors[f"quantity.{component_id}"] = "intake.error.quantity"
            continue
        papers.append(SubmittedComponent(component_id, copy_type, quantity))
    return papers


def components_variable(procedure: Procedure, papers: list[SubmittedComponent]) -> list[dict[str, Any]]:
    """The process variable `components`: `[{id, name, copyType, quantity}]`."""
    names = {c.id: c.name.vi for c in procedure.components}
    return [{"id": p.component_id, "name": names[p.component_id], "copyType": p.copy_type.value,
             "quantity": p.quantity} for p in papers]


def register(office: Any, submission: Submission, actor: str) -> Registered:
    procedure, applicant, channel, papers = check(office, submission)
    case_id = submission.case_id if procedure.cases else None
    result = check_submission(procedure, papers, case_id)
    now = datetime.now(UTC)
    with office.transaction() as db:
        if result.complete:
            dossier = receive_dossier(db, procedure=procedure, applicant=applicant, channel=channel,
                                      received_at=now, submitted=papers, calendar=office.calendar(db),
                                      actor=actor, case_id=case_id, summary=submission.summary or None,
                                      code_pattern=office.dossier_code_pattern)
            code, due_on = dossier.code, dossier.due_on
        else:
            code, due_on = str(next_code(db, procedure.agency.code, now, office.dossier_code_pattern)), None
    variables = {
        "dossierCode": code, "procedureCode": procedure.code, "procedureName": procedure.name.vi,
        "applicant": {"fullName": applicant.name, "phone": applicant.phone, "idNumber": applicant.id_number,
                      "address": applicant.address, "email": applicant.email or "", "kind": applicant.kind.value},
        "components": components_variable(procedure, papers),
        "channel": PROCESS_CHANNEL[channel],
    }
    registered = Registered(code, procedure, result.complete, due_on, None,
                            missing=[c.name.vi for c in result.missing])
    try:
        registered.process_instance_key = office.gateway.create_instance(procedure.process_id, variables)
    except EngineUnavailable:
        registered.engine_error = True
        if not result.complete:
            raise
        return registered
    if result.complete:
        with office.transaction() as db:
            row = db.scalars(sa.select(Dossier).where(Dossier.code == code)).one()
            row.process_instance_key = registered.process_instance_key
    return registered


def start_process(office: Any, dossier: Dossier) -> int:
    """Start the process of a dossier registered while the engine was unreachable."""
    procedure = office.catalog.version(dossier.procedure_code, dossier.procedure_version)
    names = {c.id: c.name.vi for c in procedure.components}
    variables = {
        "dossierCode": dossier.code, "procedureCode": procedure.code, "procedureName": procedure.name.vi,
        "applicant": {"fullName": dossier.applicant_name, "phone": dossier.applicant_phone or "",
                      "idNumber": dossier.applicant_id_number or "", "address": dossier.applicant_address or "",
                      "email": dossier.applicant_email or "", "kind": dossier.applicant_kind.value},
        "components": [{"id": c["component"], "name": names.get(c["component"], c["component"]),
                        "copyType": c["copy_type"], "quantity": c.get("quantity", 1)}
                       for c in dossier.submitted_components],
        "channel": PROCESS_CHANNEL[dossier.channel],
    }
    return office.gateway.create_instance(procedure.process_id, variables)
