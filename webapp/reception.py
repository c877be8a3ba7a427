"""Reception (Bộ phận Một cửa): find the procedure, tick the papers handed in, enter the
applicant, register the dossier and print the receipt."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from motcua.catalog import ProcedureNotFound
from motcua.roles import RECEIVES_DOSSIERS
from webapp.auth import current_user, needs_role, t
from webapp.i18n import current_language
from webapp.intake import IntakeRefused, Submission, procedure_in_force, register
from webapp.office import office
from webapp.zeebe import EngineUnavailable

bp = Blueprint("reception", __name__, url_prefix="/reception")
APPLICANT_FIELDS = ("kind", "fullName", "idNumber", "phone", "email", "address")


def _matches(procedure, needle: str, language: str) -> bool:
    if not needle:
        return True
    haystack = " ".join([procedure.code, procedure.name.vi, procedure.name.en or "",
                         procedure.sector.name.vi]).lower()
    return all(word in haystack for word in needle.lower().split())


@bp.get("")
@needs_role(*RECEIVES_DOSSIERS)
def start():
    needle = request.args.get("q", "").strip()
    language = current_language()
    procedures = [p for p in office().catalog if _matches(p, needle, language)]
    return render_template("reception/search.html", procedures=procedures, q=needle)


def _procedure(code: str):
    try:
        return procedure_in_force(office(), code)
    except (ProcedureNotFound, LookupError):
        abort(404)


@bp.get("/<code>")
@needs_role(*RECEIVES_DOSSIERS)
def intake(code: str):
    procedure = _procedure(code)
    case_id = request.args.get("case") or None
    return _render(procedure, case_id, values={"channel": "counter", "kind": "person"}, errors={})


def _render(procedure, case_id, values, errors, status: int = 200):
    case_ok = not procedure.cases or case_id in {c.id for c in procedure.cases}
    components = procedure.components_for(case_id) if case_ok else ()
    return render_template("reception/intake.html", procedure=procedure, case_id=case_id if case_ok else None,
                           components=components, values=values, errors=errors), status


@bp.post("/<code>")
@needs_role(*RECEIVES_DOSSIERS)
def submit(code: str):
    procedure = _procedure(code)
    form = request.form
    case_id = form.get("case") or None
    posted_ids = {key.split(".", 1)[1] for key in form if key.startswith(("component.", "copy_type.", "quantity."))}
    components = [{"id": cid, "copyType": form.get(f"copy_type.{cid}", ""),
                   "quantity": form.get(f"quantity.{cid}", "")}
                  for cid in sorted(posted_ids) if form.get(f"component.{cid}")]
    values = {name: form.get(name, "") for name in (*APPLICANT_FIELDS, "channel", "summary")}
    values["ticked"] = {c["id"] for c in components}
    values["copy_type"] = {cid: form.get(f"copy_type.{cid}", "") for cid in posted_ids}
    values["quantity"] = {cid: form.get(f"quantity.{cid}", "") for cid in posted_ids}
    submission = Submission(procedure_code=procedure.code, case_id=case_id, channel=values["channel"] or "counter",
                            applicant={k: values[k] for k in APPLICANT_FIELDS}, components=components,
                            summary=values["summary"])
    try:
        registered = register(office(), submission, actor=current_user().username)
    except IntakeRefused as refused:
        if any(key.startswith("component.") for key in refused.errors):
            abort(400)  # a paper the catalog does not list: the page never offers one
        errors = {k: t(v) for k, v in refused.errors.items()}
        return _render(procedure, case_id, values, errors, 422)
    except EngineUnavailable:
        flash(t("intake.engine_unavailable"), "error")
        return _render(procedure, case_id, values, {}, 503)
    if registered.engine_error:
        flash(t("intake.registered_not_started", code=registered.code), "warning")
    elif registered.complete:
        flash(t("intake.registered", code=registered.code), "success")
    else:
        flash(t("intake.registered_incomplete", code=registered.code), "warning")
    return redirect(url_for("dossiers.receipt", code=registered.code))
