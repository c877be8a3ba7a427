"""The public procedure catalog (thủ tục hành chính): search, details, downloads.

Every procedure version in force today, with its papers, processing time and unit, fees, result
and legal basis. Downloads: a printable checklist (PDF, generated from the catalog) and, for a
paper whose official form file an administrator has put in the catalog directory at
`templates/<procedure code>/<component id>.<pdf|doc|docx|xls|xlsx|odt>`, that file.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template, request, send_file

from motcua.catalog import Procedure, ProcedureNotFound
from motcua.notifications.text import plain_text
from motcua.procedure_checklist import render_checklist
from webapp import i18n
from webapp.public.blueprint import bp, side

TEMPLATE_SUFFIXES = (".pdf", ".docx", ".doc", ".odt", ".xlsx", ".xls")


def _folded(text: str) -> str:
    return " ".join(plain_text(text).lower().split())


def _haystack(procedure: Procedure) -> str:
    parts = [procedure.code, procedure.name.vi, procedure.name.en or "", procedure.sector.name.vi,
             procedure.sector.name.en or "", procedure.result.vi if procedure.result else ""]
    parts += [c.name.vi for c in procedure.components] + [c.name.en or "" for c in procedure.components]
    return _folded(" ".join(parts))


def search(procedures: list[Procedure], query: str) -> list[Procedure]:
    """Procedures whose name, code, field, result or papers contain every word of `query`,
    with or without Vietnamese diacritics."""
    words = _folded(query).split()
    return [p for p in procedures if all(w in _haystack(p) for w in words)]


def _catalog_dir() -> Path:
    settings = current_app.config["MOTCUA_SETTINGS"]
    return Path(current_app.config.get("CATALOG_DIR") or settings.catalog_dir)


def template_file(procedure: Procedure, component_id: str) -> Path | None:
    folder = _catalog_dir() / "templates" / procedure.code
    for suffix in TEMPLATE_SUFFIXES:
        candidate = folder / f"{component_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _procedure(code: str) -> Procedure:
    try:
        return side().catalog.get(code, on=side().today())
    except ProcedureNotFound:
        abort(404)


@bp.get("/thu-tuc")
def procedures():
    query = request.args.get("q", "").strip()[:200]
    in_force = [p for p in side().catalog.procedures if p.in_force_on(side().today())]
    found = search(in_force, query) if query else in_force
    return render_template("public/procedures.html", procedures=found, query=query,
                           total=len(in_force))


@bp.get("/thu-tuc/<code>")
def procedure(code: str):
    found = _procedure(code)
    templates = {c.id: template_file(found, c.id) is not None for c in found.components}
    return render_template("public/procedure.html", procedure=found, templates=templates)


@bp.get("/thu-tuc/<code>/danh-muc-ho-so.pdf")
def checklist(code: str):
    found = _procedure(code)
    language = i18n.current_language()
    pdf = render_checklist(found, language)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    name = f"danh-muc-ho-so-{found.code}.pdf" if language == "vi" else f"checklist-{found.code}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/thu-tuc/<code>/mau/<component_id>")
def component_template(code: str, component_id: str):
    found = _procedure(code)
    if component_id not in {c.id for c in found.components}:
        abort(404)
    path = template_file(found, component_id)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=f"{found.code}-{path.name}")
