"""Tracking a dossier by its code (tra cứu hồ sơ), as a page and as JSON.

Every lookup counts against the client's budget; an unknown code or a wrong second factor also
counts against the client's (smaller) failure budget, and a wrong second factor against the
dossier's, so neither codes nor the four digits can be guessed at speed.

The hot path (`GET /tra-cuu/<code>` by someone who has not given the second factor) reads the
public view from the per-process cache (webapp/public/view_cache.py) or from one lean query, and
serves the page rendered once for that view and language, with this reader's CSRF token put in.
The applicant's details are read, never cached, only for a reader who gave the second factor.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import jsonify, make_response, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf

from motcua.public_lookup import (
    ApplicantDetails,
    ApplicantRecord,
    PublicView,
    TimelineEntry,
    applicant_details,
    load_applicant,
    load_public_facts,
    normalise_code,
    public_view,
    second_factor_matches,
)
from motcua.statuses import DossierStatus
from webapp import i18n
from webapp.public.blueprint import (
    bp,
    local_moment,
    lookup_allowed,
    record_failure,
    side,
    t,
    too_many,
)
from webapp.public.view_cache import CachedView

VERIFIED_FOR_S = 30 * 60
_VERIFIED = "public_verified"  # session: {dossier code: until (epoch seconds)}
FACTOR_HEADER = "X-Second-Factor"


def no_store(body, status: int = 200):
    """A response that browsers and proxies must not keep (it may hold personal data)."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _verified(code: str) -> bool:
    until = (session.get(_VERIFIED) or {}).get(code)
    return bool(until and until > time.time())


def _remember_verified(code: str) -> None:
    now = time.time()
    kept = {c: u for c, u in (session.get(_VERIFIED) or {}).items() if u > now}
    kept[code] = now + VERIFIED_FOR_S
    session[_VERIFIED] = dict(sorted(kept.items(), key=lambda item: item[1])[-5:])


def status_label(status: DossierStatus) -> str:
    return status.label_en if i18n.current_language() == "en" else status.label_vi


def step_label(entry: TimelineEntry) -> str:
    key = f"public.step.{entry.step}"
    if entry.step and key in i18n.messages(i18n.DEFAULT_LANGUAGE):
        return t(key)
    return status_label(entry.status)


def check_second_factor(dossier: ApplicantRecord | Any | None, digits: str) -> str:
    """`accepted`, `rejected` or `locked` (too many wrong answers for this dossier today).

    `dossier` is an `ApplicantRecord` or a `Dossier` row (anything with its code and the
    applicant's phone and ID number)."""
    public = side()
    code_key = ("factor", (dossier.code if dossier is not None else "").upper())
    locked = not public.factor_failures.check(code_key).allowed
    if second_factor_matches(dossier, digits) and not locked:
        return "accepted"
    record_failure()
    public.factor_failures.record(code_key)
    return "locked" if locked and dossier is not None else "rejected"


def _cached_view(code_text: str) -> CachedView | None:
    """The public view of the dossier `code_text` names, from this process's cache or the
    database (one query); None for no such dossier."""
    code = normalise_code(code_text)
    if code is None:
        return None
    public = side()
    today = public.today()
    key = (code, today)
    entry = public.views.get(key)
    if entry is not None:
        return entry
    with public.connection() as connection:
        facts = load_public_facts(connection, code)
    if facts is None:
        return None
    return public.views.put(key, public_view(facts, public.procedure_of(facts), today))


def _applicant(code: str) -> ApplicantRecord | None:
    with side().connection() as connection:
        return load_applicant(connection, code)


@bp.get("/t/<path:code>")
def short_link(code: str):
    """The link printed in SMS and the receipt's QR code."""
    return redirect(url_for("public.track", code=code), code=302)


@bp.get("/tra-cuu")
def track_form():
    code = request.args.get("code")
    if code is not None:
        normalised = normalise_code(code)
        if normalised:
            return redirect(url_for("public.track", code=normalised))
        return no_store(render_template("public/track_form.html", code=code,
                                         error=t("public.track.bad_code")), 400)
    return no_store(render_template("public/track_form.html", code="", error=None))


def _render_track(view: PublicView, details: ApplicantDetails | None, *, error: str | None = None,
                  status: int = 200):
    page = render_template("public/track.html", view=view, details=details, error=error,
                           status_label=status_label, step_label=step_label)
    return no_store(page, status)


_CSRF_MARKER = f"csrf-marker-{secrets.token_hex(16)}"


def _reads_shared_page() -> bool:
    """Would this reader get the page exactly as any anonymous reader of that language does?"""
    from webapp.auth import current_user

    return (current_user() is None and "_flashes" not in session
            and all(name == "lang" for name in request.args))  # ?lang= only changes the language


def _shared_page(entry: CachedView):
    """The page without details: rendered once per view and language, the CSRF token put in."""
    language = i18n.current_language()
    page = entry.pages.get(language)
    if page is None:
        page = entry.pages[language] = render_template(
            "public/track.html", view=entry.view, details=None, error=None,
            status_label=status_label, step_label=step_label, csrf_token=lambda: _CSRF_MARKER)
    return no_store(page.replace(_CSRF_MARKER, generate_csrf()))


def not_found_page(code: str):
    record_failure()
    page = render_template("public/track_form.html", code=code, error=t("public.track.not_found"))
    return no_store(page, 404)


@bp.get("/tra-cuu/<path:code>")
def track(code: str):
    decision = lookup_allowed()
    if not decision.allowed:
        return too_many(decision)
    entry = _cached_view(code)
    if entry is None:
        return not_found_page(code)
    view = entry.view
    if view.code != code:
        return redirect(url_for("public.track", code=view.code))
    if _verified(view.code):
        record = _applicant(view.code)
        return _render_track(view, applicant_details(record) if record else None)
    if _reads_shared_page():
        return _shared_page(entry)
    return _render_track(view, None)


@bp.post("/tra-cuu/<path:code>")
def verify(code: str):
    """The second factor: the last four digits of the applicant's phone or ID number."""
    decision = lookup_allowed()
    if not decision.allowed:
        return too_many(decision)
    entry = _cached_view(code)
    record = _applicant(entry.view.code) if entry is not None else None
    outcome = check_second_factor(record, request.form.get("digits", ""))
    if entry is None or record is None:
        return not_found_page(code)
    if outcome == "accepted":
        _remember_verified(record.code)
        return redirect(url_for("public.track", code=record.code) + "#applicant")
    error = t("public.verify.locked" if outcome == "locked" else "public.verify.wrong")
    return _render_track(entry.view, None, error=error, status=403)


@bp.post("/tra-cuu/<path:code>/an-thong-tin")
def forget(code: str):
    """Hide the applicant's details again (a shared computer at the desk)."""
    verified = dict(session.get(_VERIFIED) or {})
    verified.pop(code, None)
    session[_VERIFIED] = verified
    return redirect(url_for("public.track", code=code))


def view_as_json(view: PublicView, details: ApplicantDetails | None, factor: str) -> dict[str, Any]:
    procedure = view.procedure
    name = procedure.name.in_language(i18n.current_language()) if procedure else view.procedure_code
    return {
        "code": view.code,
        "procedure": {"code": view.procedure_code, "name": name},
        "status": {"code": int(view.status), "label": status_label(view.status),
                   "explanation": t(f"public.status.{int(view.status)}")},
        "received_at": view.received_at.isoformat(),
        "appointment_date": view.appointment.isoformat() if view.appointment else None,
        "original_appointment_date": (view.original_appointment.isoformat()
                                      if view.appointment_moved else None),
        "on_time": None if view.on_time is None else {
            "value": view.on_time.value,
            "label": view.on_time.label_en if i18n.current_language() == "en" else view.on_time.label_vi},
        "clock_paused": view.clock_paused,
        "next_step": {"action": view.next_action.value,
                      "text": t(f"public.next.{view.next_action.value}")},
        "timeline": [{"at": e.at.isoformat(), "status": int(e.status), "step": e.step,
                      "label": step_label(e), "when": local_moment(e.at)} for e in view.timeline],
        "rating_url": (url_for("public.rate", code=view.code, _external=True)
                       if view.next_action.value == "rate" else None),
        "tracking_url": url_for("public.track", code=view.code, _external=True),
        "second_factor": factor,
        "applicant": None if details is None else {
            "name": details.name, "phone": details.phone, "email": details.email,
            "address": details.address, "missing_items": details.missing_items},
    }


@bp.get("/api/v1/public/dossiers/<path:code>")
def dossier_json(code: str):
    """The tracking page as JSON; header `X-Second-Factor: <last 4 digits>` adds the applicant."""
    decision = lookup_allowed()
    if not decision.allowed:
        return too_many(decision, as_json=True)
    entry = _cached_view(code)
    digits = request.headers.get(FACTOR_HEADER)
    factor = "absent"
    record = None
    if digits is not None:
        record = _applicant(entry.view.code) if entry is not None else None
        factor = check_second_factor(record, digits)
    if entry is None:
        if digits is None:
            record_failure()
        response = jsonify(error=t("public.track.not_found"), status=404)
        return no_store(response, 404)
    details = applicant_details(record) if factor == "accepted" and record is not None else None
    response = jsonify(view_as_json(entry.view, details, factor))
    return no_store(response, 403 if factor in ("rejected", "locked") else 200)
