"""Consultations of other agencies (liên thông) on the staff side: delivering a reply to the
waiting process (for the agency's API call and for a paper letter alike), and the page where an
officer types in a reply that came on paper — an action of its own, recorded with who entered it.

Routes: `GET /lien-thong/` (consultations waiting for an answer), `GET|POST
/lien-thong/<request_id>/van-ban-giay` (enter the agency's paper reply). Specialists, heads of
division and admin: those who handle appraisal and receive the agency's letter. A consultation
closed at its deadline, or past it with no timer to close it (its process was cancelled), takes no
reply, on paper or by API (409).
"""

from __future__ import annotations

from datetime import datetime

import grpc
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from motcua.consultations import (
    REPLY_MESSAGE,
    REPLY_TTL_MS,
    ConsultationReply,
    ReplyRefused,
    accept_reply,
    is_over,
    waiting_consultations,
)
from motcua.db import ConsultationRecord
from motcua.db.base import LOCAL_ZONE
from motcua.roles import ENTERS_PAPER_REPLIES
from webapp.auth import current_user, needs_role, t
from webapp.office import office
from webapp.zeebe import EngineUnavailable

bp = Blueprint("consultations", __name__, url_prefix="/lien-thong")

MAX_TEXT = 4000


def deliver(reply: ConsultationReply, agency_code: str, by: str) -> bool:
    """Close the consultation with this reply and hand it to the waiting process; True when it
    was already delivered. Raises `ReplyRefused` (not this agency's, unknown, answered
    differently, closed at its deadline) or `EngineUnavailable`.

    The record is the truth and is written first: the first reply wins against the deadline in
    one row update. The message (correlated by request id: it can only reach this consultation)
    is how the process hears of it at once; if the engine is down, posting the same reply again
    sends it again, and at the deadline the process takes the recorded reply anyway."""
    with office().transaction() as db:
        duplicate = accept_reply(db, reply, agency_code, by=by)
    try:
        office().gateway.publish_message(REPLY_MESSAGE, reply.request_id, reply.as_variables(),
                                         message_id=reply.message_id, ttl_ms=REPLY_TTL_MS)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.ALREADY_EXISTS:  # the same reply again: already delivered
            raise
        duplicate = True
    return duplicate


@bp.get("/")
@needs_role(*ENTERS_PAPER_REPLIES)
def waiting():
    with office().sessions() as db:
        records = waiting_consultations(db)
    return render_template("consultations/waiting.html", records=records)


def _paper_reply(record: ConsultationRecord, form) -> tuple[ConsultationReply | None, dict[str, str]]:
    errors: dict[str, str] = {}
    agreed = form.get("agreed", "")
    if agreed not in ("yes", "no"):
        errors["agreed"] = t("form.error.required")
    values = {name: form.get(name, "").strip() for name in ("opinion", "document_number", "agency_name")}
    for name in ("opinion", "document_number"):
        if not values[name]:
            errors[name] = t("form.error.required")
    for name, value in values.items():
        if len(value) > MAX_TEXT:
            errors[name] = t("consultations.error.too_long", limit=MAX_TEXT)
    if errors:
        return None, errors
    return ConsultationReply(
        record.dossier_code, record.request_id, record.agency_code,
        values["agency_name"] or record.agency_code, agreed == "yes", values["opinion"],
        values["document_number"], datetime.now(LOCAL_ZONE).isoformat(timespec="seconds"),
        entered_by=current_user().username), {}


@bp.route("/<request_id>/van-ban-giay", methods=["GET", "POST"])
@needs_role(*ENTERS_PAPER_REPLIES)
def paper_reply(request_id: str):
    """The agency answered by an official letter: an officer types it in, under their name."""
    with office().sessions() as db:
        record = db.get(ConsultationRecord, request_id)
    if record is None:
        abort(404)
    errors: dict[str, str] = {}
    # over: closed unanswered at its deadline, or past it (its process cancelled): like a late API reply
    closed_at = (record.closed_at or record.due_at) if is_over(record) else None
    if request.method == "POST" and closed_at:
        return render_template("consultations/paper_reply.html", record=record, form=request.form,
                               errors=errors, closed_at=closed_at), 409
    if request.method == "POST" and record.closed_at is None:
        reply, errors = _paper_reply(record, request.form)
        if reply is not None:
            try:
                deliver(reply, record.agency_code, by=current_user().username)
            except ReplyRefused as refused:
                flash(t(f"api.error.consultation.{refused.code}"), "error")
                return render_template("consultations/paper_reply.html", record=record, form=request.form,
                                       errors=errors, closed_at=None), refused.status
            except EngineUnavailable:
                flash(t("intake.engine_unavailable"), "error")
            else:
                flash(t("consultations.paper.entered", dossier=record.dossier_code), "success")
                return redirect(url_for("consultations.waiting"))
    return render_template("consultations/paper_reply.html", record=record, form=request.form, errors=errors,
                           closed_at=closed_at), (422 if errors else 200)
