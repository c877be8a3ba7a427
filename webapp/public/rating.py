"""Satisfaction rating (đánh giá mức độ hài lòng): once per dossier, after the result is returned.

The applicant proves it is their dossier with the same second factor as the tracking page, so a
stranger holding a code cannot rate in their place.
"""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy.exc import IntegrityError

from motcua.db import Satisfaction
from motcua.public_lookup import find_dossier, is_rated, normalise_code
from motcua.satisfaction_survey import (
    INDICATORS,
    SCORES,
    AlreadyRated,
    InvalidRating,
    RatingNotOpen,
    record_rating,
)
from motcua.statuses import DossierStatus
from webapp.public.blueprint import bp, lookup_allowed, side, t, too_many
from webapp.public.tracking import check_second_factor, no_store, not_found_page

OVERALL = tuple(s.value for s in Satisfaction)


def _form(code: str, *, answers=None, errors=(), error=None, status=200):
    page = render_template("public/rate.html", code=code, indicators=INDICATORS, scores=SCORES,
                           overall_choices=OVERALL, answers=answers or {}, errors=set(errors),
                           error=error)
    return no_store(page, status)


def _state(code: str) -> str | None:
    """`open`, `rated`, `not_yet` or None (no such dossier)."""
    with side().transaction() as db:
        dossier = find_dossier(db, code)
        if dossier is None:
            return None
        if is_rated(db, dossier):
            return "rated"
        return "open" if dossier.status is DossierStatus.RETURNED else "not_yet"


def _closed(code: str, state: str):
    page = render_template("public/rate_closed.html", code=code, state=state)
    return no_store(page, 200 if state == "rated" else 409)


@bp.get("/danh-gia/<path:code>")
def rate(code: str):
    decision = lookup_allowed()
    if not decision.allowed:
        return too_many(decision)
    normalised = normalise_code(code) or ""
    state = _state(normalised) if normalised else None
    if state is None:
        return not_found_page(code)
    if state != "open":
        return _closed(normalised, state)
    return _form(normalised)


@bp.post("/danh-gia/<path:code>")
def submit_rating(code: str):
    decision = lookup_allowed()
    if not decision.allowed:
        return too_many(decision)
    normalised = normalise_code(code) or ""
    answers = {i.id: request.form.get(i.id, "") for i in INDICATORS}
    answers["overall"] = request.form.get("overall", "")
    answers["comment"] = request.form.get("comment", "")
    with side().transaction() as db:
        dossier = find_dossier(db, normalised) if normalised else None
        if dossier is not None:
            db.expunge(dossier)
    outcome = check_second_factor(dossier, request.form.get("digits", ""))
    if dossier is None:
        return not_found_page(code)
    if outcome != "accepted":
        key = "public.verify.locked" if outcome == "locked" else "public.verify.wrong"
        return _form(dossier.code, answers=answers, errors=["digits"], error=t(key), status=403)
    try:
        with side().transaction() as db:
            record_rating(db, find_dossier(db, dossier.code), overall=answers["overall"],
                          criteria=answers, comment=answers["comment"])
    except InvalidRating as invalid:
        return _form(dossier.code, answers=answers, errors=invalid.fields,
                     error=t("public.rate.incomplete"), status=400)
    except (AlreadyRated, IntegrityError):
        return _closed(dossier.code, "rated")
    except RatingNotOpen:
        return _closed(dossier.code, "not_yet")
    side().views.forget(dossier.code)  # the tracking page no longer asks for a rating
    return no_store(render_template("public/rate_done.html", code=dossier.code))

