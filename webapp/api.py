"""The JSON API for machine clients (`/api/v1`): Bearer tokens (`motcua token create USER`),
JSON error bodies, an OpenAPI 3 document at `/api/v1/openapi.json`.

Signed-in browsers may read (GET) with their session; anything that changes state needs a token,
since the API does not use CSRF tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify, request, url_for

from motcua.catalog import ProcedureNotFound
from motcua.db import Dossier
from motcua.db.inbox_tasks import InboxTask
from motcua.roles import StaffRole
from webapp.auth import current_agency, current_user, needs_agency, needs_role, signed_in, t
from webapp.camunda_forms import FormState
from webapp.i18n import current_language, translate
from webapp.inbox import service
from webapp.intake import IntakeRefused, Submission, procedure_in_force, register
from webapp.office import office
from webapp.zeebe import EngineUnavailable, TaskGone

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def problem(status: int, key: str, **extra: Any):
    return jsonify(error=t(key), status=status, **extra), status


def _procedure_json(p, full: bool = False) -> dict[str, Any]:
    language = current_language()
    data = {"code": p.code, "version": p.version, "name": p.name.in_language(language),
            "processId": p.process_id, "sector": p.sector.name.in_language(language),
            "agency": p.agency.code, "deadline": str(p.duration())}
    if full:
        data["cases"] = [{"id": c.id, "name": c.name.in_language(language)} for c in p.cases]
        data["components"] = [{"id": c.id, "name": c.name.in_language(language),
                               "copyTypes": [ct.value for ct in c.copy_types], "quantity": c.quantity,
                               "required": c.is_required, "cases": list(c.cases)} for c in p.components]
        data["fees"] = [{"id": f.id, "name": f.name.in_language(language), "amountVnd": f.amount_vnd}
                        for f in p.fees]
    return data


@bp.get("/procedures")
@signed_in
def procedures():
    return jsonify(procedures=[_procedure_json(p) for p in office().catalog])


@bp.get("/procedures/<code>")
@signed_in
def procedure(code: str):
    try:
        return jsonify(_procedure_json(procedure_in_force(office(), code), full=True))
    except (ProcedureNotFound, LookupError):
        return problem(404, "api.error.procedure_not_found")


@bp.post("/dossiers")
@needs_role(StaffRole.RECEPTION, StaffRole.ADMIN)
def create_dossier():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "api.error.json")
    submission = Submission(
        procedure_code=str(body.get("procedureCode") or ""), case_id=body.get("caseId"),
        channel=str(body.get("channel") or "online"), summary=body.get("summary"),
        applicant=body.get("applicant") if isinstance(body.get("applicant"), dict) else {},
        components=[c for c in body.get("components") if isinstance(c, dict)]
        if isinstance(body.get("components"), list) else [])
    try:
        registered = register(office(), submission, actor=current_user().username)
    except IntakeRefused as refused:
        return problem(422, "api.error.invalid",
                       fields={k: translate(v, current_language()) for k, v in refused.errors.items()})
    except EngineUnavailable:
        return problem(503, "intake.engine_unavailable")
    response = jsonify(code=registered.code, complete=registered.complete,
                       appointmentDate=registered.due_on.isoformat() if registered.due_on else None,
                       processInstanceKey=str(registered.process_instance_key or "") or None,
                       missingComponents=registered.missing)
    response.status_code = 201
    response.headers["Location"] = url_for("api.dossier", code=registered.code)
    return response


@bp.get("/dossiers/<code>")
@signed_in
def dossier(code: str):
    with office().sessions() as db:
        row = db.scalars(sa.select(Dossier).where(Dossier.code == code)).one_or_none()
    if row is None:
        return problem(404, "api.error.dossier_not_found")
    return jsonify(
        code=row.code, procedureCode=row.procedure_code, procedureVersion=row.procedure_version,
        status=int(row.status), statusLabel=row.status.label_vi, channel=row.channel.value,
        applicant={"fullName": row.applicant_name, "idNumber": row.applicant_id_number,
                   "phone": row.applicant_phone, "email": row.applicant_email, "address": row.applicant_address},
        components=row.submitted_components, receivedAt=row.received_at.isoformat(),
        appointmentDate=row.due_on.isoformat() if row.due_on else None,
        dueAt=row.due_at.isoformat() if row.due_at else None,
        timeline=[{"at": c.at.isoformat(), "status": int(c.status), "step": c.step, "actor": c.actor}
                  for c in row.timeline])


def _task_json(task: InboxTask) -> dict[str, Any]:
    return {"id": str(task.job_key), "name": task.name, "elementId": task.element_id,
            "processId": task.bpmn_process_id, "processInstanceKey": str(task.process_instance_key),
            "formId": task.form_id, "candidateGroups": task.candidate_groups, "claimedBy": task.claimed_by,
            "dueAt": task.due_at.isoformat() if task.due_at else None,
            "overdue": service.is_overdue(task), "state": task.state.value, "dossierCode": task.dossier_code,
            "displayName": task.display_name, "applicant": task.applicant_name}


@bp.get("/tasks")
@signed_in
def tasks():
    user = current_user()
    view = request.args.get("view", "groups")
    if view not in service.VIEWS or (view == "all" and not user.sees_all_tasks):
        view = "groups"
    status = request.args.get("status", "open")
    query = service.TaskQuery(view=view, status=status if status in service.STATUSES else "open",
                              procedure=request.args.get("procedure", ""), text=request.args.get("q", ""))
    with office().sessions() as db:
        found = service.find_tasks(db, user, query)
    return jsonify(tasks=[_task_json(task) for task in found], now=datetime.now(UTC).isoformat())


@bp.post("/tasks/<int:job_key>/claim")
@signed_in
def claim(job_key: int):
    try:
        task = service.claim(office(), job_key, current_user())
    except LookupError:
        return problem(404, "api.error.task_not_found")
    except TaskGone:
        return problem(409, "inbox.gone")
    except service.ClaimedByOther as error:
        return problem(409, "api.error.claimed", claimedBy=error.username)
    return jsonify(_task_json(task))


@bp.post("/tasks/<int:job_key>/complete")
@signed_in
def complete(job_key: int):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "api.error.json")
    values = body.get("variables") if isinstance(body.get("variables"), dict) else body
    with office().sessions() as db:
        task = service.get_task(db, job_key, current_user())
    if task is None:
        return problem(404, "api.error.task_not_found")
    language = current_language()
    schema = office().form(task.form_id) or {"components": []}
    state = FormState.from_variables(schema, {**task.variables, **values},
                                     lambda key, **v: translate(key, language, **v))
    state.variables = dict(task.variables)
    errors = state.validate()
    if errors:
        return problem(422, "api.error.invalid", fields=errors)
    try:
        service.complete(office(), job_key, current_user(), state.submission())
    except TaskGone:
        return problem(409, "inbox.gone")
    except service.ClaimedByOther as error:
        return problem(409, "api.error.claimed", claimedBy=error.username)
    except EngineUnavailable:
        return problem(503, "inbox.engine_unavailable")
    return jsonify(id=str(job_key), state="completed", variables=state.submission())


@bp.post("/interagency/replies")
@needs_agency
def interagency_reply():
    """A consulted agency answers (liên thông) with its own token: only a consultation sent to
    that agency, for that dossier, still open (past its deadline → 409); the waiting process goes
    on. A reply posted twice counts once (message id per request; the record says it was answered)."""
    from motcua.consultations import ConsultationReply, ReplyRefused
    from webapp.consultations import deliver

    agency = current_agency()
    try:
        reply = ConsultationReply.from_json(request.get_json(silent=True), agency.code, agency.name)
    except ValueError as error:
        return problem(422, "api.error.invalid", detail=str(error))
    try:
        duplicate = deliver(reply, agency.code, by=agency.actor)
    except ReplyRefused as refused:
        return problem(refused.status, f"api.error.consultation.{refused.code}", detail=str(refused))
    except EngineUnavailable:
        return problem(503, "intake.engine_unavailable")
    return jsonify(accepted=True, duplicate=duplicate), 202


@bp.get("/openapi.json")
def openapi():
    from webapp.openapi import document

    return jsonify(document())
