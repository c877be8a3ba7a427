"""Dossier pages for staff: list and search, the dossier (applicant, components, timeline,
due date and working days left, documents, SMS log, process variables, control sheet), the
printable receipt (HTML and PDF)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from motcua.catalog import CopyType
from motcua.db import Document, DocumentKind, Dossier, SmsMessage
from motcua.db.base import LOCAL_ZONE
from motcua.db.inbox_tasks import InboxTask, TaskState
from motcua.dossiers import on_time_status
from motcua.roles import StaffRole
from motcua.statuses import DossierStatus
from motcua.timeline_steps import step_label
from webapp.auth import needs_role, signed_in, t
from webapp.i18n import current_language
from webapp.intake import components_variable, read_components, start_process
from webapp.office import office
from webapp.zeebe import EngineUnavailable

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")


def find(db, code: str) -> Dossier | None:
    return db.scalars(sa.select(Dossier).where(Dossier.code == code)).one_or_none()


def component_lines(dossier: Dossier) -> list[dict]:
    try:
        procedure = office().catalog.version(dossier.procedure_code, dossier.procedure_version)
        names = {c.id: c.name.in_language(current_language()) for c in procedure.components}
    except LookupError:
        names = {}
    english = current_language() == "en"
    lines = []
    for item in dossier.submitted_components:
        copy_type = CopyType(item["copy_type"])
        lines.append({"id": item["component"], "name": names.get(item["component"], item["component"]),
                      "copy_type": copy_type.label_en if english else copy_type.label_vi,
                      "quantity": item.get("quantity", 1)})
    return lines


@bp.get("")
@signed_in
def index():
    needle = request.args.get("q", "").strip().lower()
    with office().sessions() as db:
        statement = sa.select(Dossier).order_by(Dossier.received_at.desc()).limit(200)
        if needle:
            like = f"%{needle}%"
            statement = statement.where(sa.or_(sa.func.lower(Dossier.code).like(like),
                                               sa.func.lower(Dossier.applicant_name).like(like),
                                               Dossier.applicant_id_number.like(like)))
        dossiers = db.scalars(statement).all()
    return render_template("dossiers/index.html", dossiers=dossiers, q=request.args.get("q", ""))


@bp.get("/<code>")
@signed_in
def show(code: str):
    with office().sessions() as db:
        dossier = find(db, code)
        if dossier is None:
            return render_template("dossiers/pending.html", code=code), 404
        procedure = None
        with contextlib.suppress(LookupError):
            procedure = office().catalog.version(dossier.procedure_code, dossier.procedure_version)
        documents = db.scalars(sa.select(Document).where(Document.dossier_id == dossier.id)
                               .order_by(Document.created_at)).all()
        sms = db.scalars(sa.select(SmsMessage).where(SmsMessage.dossier_id == dossier.id)
                         .order_by(SmsMessage.created_at)).all()
        tasks = db.scalars(sa.select(InboxTask).where(InboxTask.dossier_code == code)
                           .order_by(InboxTask.collected_at)).all()
        calendar = office().calendar(db)
    today = datetime.now(LOCAL_ZONE).date()
    days_left = None
    if dossier.due_on and not dossier.status.is_finished:
        days_left = calendar.working_days_between(today, dossier.due_on) if dossier.due_on >= today \
            else -calendar.working_days_between(dossier.due_on, today)
    on_time = on_time_status(dossier, today) if dossier.due_on else None
    latest = tasks[-1] if tasks else None
    variables = dict(latest.variables) if latest else {}
    if latest and latest.completion_variables:
        variables.update(latest.completion_variables)
    return render_template(
        "dossiers/show.html", dossier=dossier, procedure=procedure, components=component_lines(dossier),
        timeline=[(c, step_label(c.step) or (c.status.label_en if current_language() == "en" else c.status.label_vi))
                  for c in dossier.timeline],
        documents=documents, sms=sms, tasks=tasks, days_left=days_left, on_time=on_time,
        variables=variables, open_state=TaskState.OPEN)


@bp.get("/<code>/receipt")
@signed_in
def receipt(code: str):
    with office().sessions() as db:
        dossier = find(db, code)
    if dossier is None:
        return render_template("dossiers/pending.html", code=code)
    try:
        procedure = office().catalog.version(dossier.procedure_code, dossier.procedure_version)
    except LookupError:
        procedure = None
    return render_template("dossiers/receipt.html", dossier=dossier, procedure=procedure,
                           components=component_lines(dossier), printed_at=datetime.now(UTC))


@bp.get("/<code>/receipt.pdf")
@signed_in
def receipt_pdf(code: str):
    """The receipt the workers issued (stored), else one printed now from the record."""
    with office().sessions() as db:
        dossier = find(db, code)
        if dossier is None:
            abort(404)
        stored = db.scalars(sa.select(Document).where(Document.dossier_id == dossier.id,
                                                      Document.kind == DocumentKind.RECEIPT)
                            .order_by(Document.created_at.desc())).first()
        if stored is not None and stored.content:
            return _pdf(stored.content, stored.filename)
    try:
        from motcua.paperwork import ComponentLine, DocumentType, PaperFacts, render
    except ImportError:
        return redirect(url_for("dossiers.receipt", code=code))
    procedure = office().catalog.version(dossier.procedure_code, dossier.procedure_version)
    names = {c.id: c.name.vi for c in procedure.components}
    facts = PaperFacts(
        dossier_code=dossier.code, agency_name=procedure.agency.name.vi, procedure_name=procedure.name.vi,
        applicant_name=dossier.applicant_name, issued_at=datetime.now(UTC),
        tracking_link=url_for("home", _external=True), applicant_address=dossier.applicant_address,
        applicant_phone=dossier.applicant_phone, applicant_email=dossier.applicant_email,
        components=tuple(ComponentLine(names.get(i["component"], i["component"]),
                                       CopyType(i["copy_type"]).label_vi, int(i.get("quantity", 1)))
                         for i in dossier.submitted_components),
        duration=str(procedure.duration(dossier.case_id)), received_at=dossier.received_at,
        due_at=dossier.due_at)
    paper = render(DocumentType.RECEIPT, facts)
    return _pdf(paper.content, paper.filename)


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("/<code>/documents/<int:document_id>")
@signed_in
def document(code: str, document_id: int):
    with office().sessions() as db:
        dossier = find(db, code)
        row = db.get(Document, document_id)
        if dossier is None or row is None or row.dossier_id != dossier.id or not row.content:
            abort(404)
        return Response(row.content, mimetype=row.media_type,
                        headers={"Content-Disposition": f'inline; filename="{row.filename}"'})


@bp.post("/<code>/start")
@needs_role(StaffRole.RECEPTION, StaffRole.ADMIN, StaffRole.OPERATOR)
def start(code: str):
    """Start the process of a dossier registered while the engine was unreachable."""
    with office().sessions() as db:
        dossier = find(db, code)
    if dossier is None:
        abort(404)
    if dossier.process_instance_key is None:
        try:
            key = start_process(office(), dossier)
        except EngineUnavailable:
            flash(t("intake.engine_unavailable"), "error")
            return redirect(url_for("dossiers.show", code=code))
        with office().transaction() as db:
            find(db, code).process_instance_key = key
        flash(t("dossier.started"), "success")
    return redirect(url_for("dossiers.show", code=code))


def _posted_components(form) -> list[dict]:
    ids = {key.split(".", 1)[1] for key in form if key.startswith(("component.", "copy_type.", "quantity."))}
    return [{"id": cid, "copyType": form.get(f"copy_type.{cid}", ""), "quantity": form.get(f"quantity.{cid}", "")}
            for cid in sorted(ids) if form.get(f"component.{cid}")]


@bp.route("/<code>/resubmission", methods=["GET", "POST"])
@needs_role(StaffRole.RECEPTION, StaffRole.ADMIN)
def resubmission(code: str):
    """The applicant hands in the supplement: the complete list of papers goes to the waiting
    process as the `dossier-resubmitted` message (one message id per supplement request)."""
    with office().sessions() as db:
        dossier = find(db, code)
    if dossier is None:
        abort(404)
    procedure = office().catalog.version(dossier.procedure_code, dossier.procedure_version)
    components = procedure.components_for(dossier.case_id if procedure.cases else None)
    waiting = dossier.status is DossierStatus.SUPPLEMENT_REQUESTED
    values = {"ticked": {i["component"] for i in dossier.submitted_components},
              "copy_type": {i["component"]: i["copy_type"] for i in dossier.submitted_components},
              "quantity": {i["component"]: i.get("quantity", 1) for i in dossier.submitted_components}}
    errors: dict[str, str] = {}
    if request.method == "POST" and waiting:
        items = _posted_components(request.form)
        problems: dict[str, str] = {}
        papers = read_components(procedure, dossier.case_id, items, problems)
        if any(key.startswith("component.") for key in problems):
            abort(400)
        if not papers:
            problems["components"] = "intake.error.no_components"
        if not problems:
            requests_so_far = sum(1 for c in dossier.timeline if c.step == "supplement-requested")
            try:
                office().gateway.publish_message(
                    "dossier-resubmitted", code, {"components": components_variable(procedure, papers),
                                                  "resubmittedAt": datetime.now(LOCAL_ZONE).isoformat(timespec="seconds")},
                    message_id=f"{code}:resubmitted:{max(requests_so_far, 1)}")
            except EngineUnavailable:
                flash(t("intake.engine_unavailable"), "error")
            else:
                flash(t("dossier.resubmitted"), "success")
                return redirect(url_for("dossiers.show", code=code))
        errors = {k: t(v) for k, v in problems.items()}
        values = {"ticked": {i["id"] for i in items},
                  "copy_type": {i["id"]: i["copyType"] for i in items},
                  "quantity": {i["id"]: i["quantity"] for i in items}}
    return render_template("dossiers/resubmission.html", dossier=dossier, procedure=procedure,
                           components=components, values=values, errors=errors, waiting=waiting), \
        (422 if errors else 200)
