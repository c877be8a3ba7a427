"""Inter-agency consultation (liên thông): the request we send, the reply we receive.

Public API
----------
- `ConsultationRequest(request_id, dossier_code, agency_code, procedure_name, question, due_at,
  reply_url)` with `.as_json()`; `send_to_agency(endpoint, body, timeout_s=10)` raises
  `AgencyUnreachable` when the agency does not take it (the job retries).
- `ConsultationReply.from_json(body)` (raises `ValueError` naming the bad field) and
  `.as_variables()` — the `consultationReply` payload of the `interagency-reply` message.
- `publish_reply(client, reply)` — PublishMessage `interagency-reply` correlated by the request id
  (`consultationRequestId`: a reply reaches the consultation it answers and no other, even a later
  one on the same dossier), with a message id per request so a reply posted twice counts once.
- `record_request(session, request)` — the worker keeps what it sent to which agency (once per
  request id); `check_reply(session, reply, agency_code)` answers which consultation a reply from
  that agency's token answers, or raises `ReplyRefused` (`.status` 403/404/409/422, `.code` for
  translation; 409 `closed` once the consultation is over); `accept_reply(session, reply,
  agency_code, by)` closes the consultation with that reply (the first reply wins, against the
  deadline too) with an audit entry; `close_overdue(session, request_id)` closes it at its deadline
  and hands back a reply taken just before, if any; `waiting_consultations(session)` lists those
  still open (a reply that came on paper is typed in by an officer:
  `ConsultationReply(..., entered_by=username)`). A consultation is over at its due time even when
  no timer closes it (its process was cancelled): `is_over(record)`.
- `AGENCY_CODE_PATTERN`: what an agency code looks like (`police-fire`, `PCCC`, `land-registry`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.db import AuditEntry, ConsultationRecord
from motcua.db.base import LOCAL_ZONE, now

REPLY_MESSAGE = "interagency-reply"
REPLY_TTL_MS = 24 * 3600 * 1000
REPLIED, OVERDUE = "replied", "overdue"  # how a consultation request closed
AGENCY_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


class AgencyUnreachable(Exception):
    pass


@dataclass(frozen=True)
class ConsultationRequest:
    request_id: str
    dossier_code: str
    agency_code: str
    procedure_name: str
    question: str
    due_at: datetime
    reply_url: str
    kind: str = "request"  # or "reminder"

    def as_json(self) -> dict[str, Any]:
        return {"type": self.kind, "requestId": self.request_id, "dossierCode": self.dossier_code,
                "agencyCode": self.agency_code, "procedureName": self.procedure_name,
                "question": self.question, "replyBy": self.due_at.isoformat(timespec="seconds"),
                "replyUrl": self.reply_url}


def send_to_agency(endpoint: str, body: dict[str, Any], timeout_s: float = 10) -> None:
    try:
        response = requests.post(endpoint, json=body, timeout=timeout_s,
                                 headers={"Idempotency-Key": f"{body['requestId']}:{body['type']}"})
    except requests.RequestException as error:
        raise AgencyUnreachable(f"agency {body['agencyCode']} unreachable: {error}") from error
    if response.status_code >= 300 and response.status_code != 409:
        raise AgencyUnreachable(f"agency {body['agencyCode']} answered HTTP {response.status_code}")


@dataclass(frozen=True)
class ConsultationReply:
    dossier_code: str
    request_id: str
    agency_code: str
    agency_name: str
    agreed: bool
    opinion: str
    document_number: str | None
    replied_at: str
    entered_by: str | None = None  # an officer who typed in the agency's paper letter

    @classmethod
    def from_json(cls, body: Any, agency_code: str | None = None,
                  agency_name: str | None = None) -> ConsultationReply:
        """Read a posted reply. `agency_code`/`agency_name` come from the agency's token: then the
        body need not name its agency (if it does, `check_reply` holds it to the token's)."""
        if not isinstance(body, dict):
            raise ValueError("the reply must be a JSON object")
        required = ("dossierCode", "requestId", "agreed", "opinion") + (() if agency_code else ("agencyCode",))
        for name in required:
            if body.get(name) in (None, ""):
                raise ValueError(f"{name} is required")
        if not isinstance(body["agreed"], bool):
            raise ValueError("agreed must be true or false")
        for name in ("dossierCode", "requestId", "agencyCode", "agencyName", "opinion", "documentNumber",
                     "repliedAt"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise ValueError(f"{name} must be a string")
        code = str(body.get("agencyCode") or agency_code)
        return cls(str(body["dossierCode"]), str(body["requestId"]), code,
                   str(body.get("agencyName") or agency_name or code), body["agreed"],
                   str(body["opinion"]), body.get("documentNumber") or None,
                   str(body.get("repliedAt") or datetime.now().astimezone().isoformat(timespec="seconds")))

    @property
    def message_id(self) -> str:
        return f"{self.dossier_code}:reply:{self.request_id}"

    @property
    def channel(self) -> str:
        return "paper" if self.entered_by else "api"

    def as_variables(self) -> dict[str, Any]:
        return {"consultationReply": {
            "agencyCode": self.agency_code, "agencyName": self.agency_name, "agreed": self.agreed,
            "opinion": self.opinion, "documentNumber": self.document_number,
            "repliedAt": self.replied_at, "channel": self.channel, "enteredBy": self.entered_by}}


async def publish_reply(client: Any, reply: ConsultationReply) -> None:
    """Let the waiting consultation go on (pyzeebe `ZeebeClient`)."""
    await client.publish_message(REPLY_MESSAGE, reply.request_id, reply.as_variables(),
                                 time_to_live_in_milliseconds=REPLY_TTL_MS, message_id=reply.message_id)


class ReplyRefused(Exception):
    """Why a reply is not taken: `.status` is the HTTP status, `.code` names the reason."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def record_request(session: Session, request: ConsultationRequest) -> ConsultationRecord:
    """Keep what was asked of which agency; a redelivered job finds its first record."""
    record = session.get(ConsultationRecord, request.request_id)
    if record is None:
        record = ConsultationRecord(request_id=request.request_id, dossier_code=request.dossier_code,
                                    agency_code=request.agency_code, due_at=request.due_at)
        session.add(record)
        session.flush()
    return record


def _answer(reply: ConsultationReply) -> dict[str, Any]:
    return {"agreed": reply.agreed, "opinion": reply.opinion, "documentNumber": reply.document_number}


def is_over(record: ConsultationRecord, at: datetime | None = None) -> bool:
    """No reply is taken: closed unanswered at its deadline, or past its due time still open — the
    process that would have closed it was cancelled, so its timer never fires."""
    if record.outcome == OVERDUE:
        return True
    return record.closed_at is None and record.due_at is not None and record.due_at <= (at or now())


def _still_open(at: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(ConsultationRecord.closed_at.is_(None),
                   sa.or_(ConsultationRecord.due_at.is_(None), ConsultationRecord.due_at > at))


def check_reply(session: Session, reply: ConsultationReply, agency_code: str,
                at: datetime | None = None) -> ConsultationRecord:
    """The consultation this reply answers, if the agency whose token posted it was asked and the
    consultation is still open. A reply already recorded with the same answer is returned as is
    (`replied_at` set): posting it again is harmless."""
    record = session.get(ConsultationRecord, reply.request_id)
    if record is None:
        raise ReplyRefused(404, "unknown-request", f"no consultation request {reply.request_id}")
    if record.dossier_code != reply.dossier_code:
        raise ReplyRefused(422, "other-dossier", f"consultation request {reply.request_id} is about "
                           f"dossier {record.dossier_code}, not {reply.dossier_code}")
    if record.agency_code != agency_code or reply.agency_code != agency_code:
        raise ReplyRefused(403, "other-agency", f"consultation request {reply.request_id} was not "
                           f"sent to agency {agency_code}")
    if is_over(record, at):
        deadline = record.closed_at or record.due_at
        raise ReplyRefused(409, "closed", f"consultation request {reply.request_id} closed without an "
                           f"answer at its deadline ({deadline.astimezone(LOCAL_ZONE):%d/%m/%Y %H:%M}): "
                           "a late reply is not taken")
    if record.replied_at is not None and (record.reply or {}).get("answer") != _answer(reply):
        raise ReplyRefused(409, "already-answered", f"consultation request {reply.request_id} is "
                           "already answered differently")
    return record


def accept_reply(session: Session, reply: ConsultationReply, agency_code: str, by: str,
                 at: datetime | None = None) -> bool:
    """Close the consultation with this reply and record who posted or typed it in (record and
    audit log). True when this very answer was recorded already. Raises `ReplyRefused` as
    `check_reply`; the deadline closing it at the same moment (another process) wins or loses as
    one row update, never both. `at`: when the reply was taken (now)."""
    at = at or now()
    record = check_reply(session, reply, agency_code, at)
    if record.replied_at is not None:
        return True
    taken = session.execute(
        sa.update(ConsultationRecord)
        .where(ConsultationRecord.request_id == record.request_id, _still_open(at))
        .values(closed_at=at, outcome=REPLIED, replied_at=at, replied_by=by, reply={
            "answer": _answer(reply), "agencyName": reply.agency_name, "repliedAt": reply.replied_at,
            "channel": reply.channel, "message": reply.as_variables()["consultationReply"]})
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(record)
    if not taken:  # closed meanwhile: by the deadline (409) or by this same answer (a duplicate)
        check_reply(session, reply, agency_code, at)
        return True
    action = "consultation-paper-reply-entered" if reply.entered_by else "consultation-replied"
    session.add(AuditEntry(actor=by, action=action, entity_type="dossier", entity_id=reply.dossier_code,
                           details={"requestId": reply.request_id, "agencyCode": reply.agency_code,
                                    **_answer(reply)}))
    return False


def close_overdue(session: Session, request_id: str) -> dict[str, Any] | None:
    """The consultation's deadline passed: close it so that no later reply is taken. If a reply
    was accepted just before (its message found no waiting consultation, or never left because
    the engine was down), that reply — the `consultationReply` variable — is returned instead."""
    session.execute(
        sa.update(ConsultationRecord)
        .where(ConsultationRecord.request_id == request_id, ConsultationRecord.closed_at.is_(None))
        .values(closed_at=now(), outcome=OVERDUE).execution_options(synchronize_session=False))
    record = session.get(ConsultationRecord, request_id, populate_existing=True)
    if record is None or record.outcome != REPLIED:
        return None
    stored = record.reply or {}
    return stored.get("message") or {"agencyCode": record.agency_code, "agencyName": stored.get("agencyName"),
                                     **stored.get("answer", {}), "repliedAt": stored.get("repliedAt"),
                                     "channel": stored.get("channel"), "enteredBy": None}


def waiting_consultations(session: Session, limit: int = 500) -> list[ConsultationRecord]:
    """Consultations sent and still open (neither answered nor past their deadline, even if no
    timer closed them), the oldest due first."""
    return list(session.scalars(sa.select(ConsultationRecord).where(_still_open(now()))
                                .order_by(ConsultationRecord.due_at, ConsultationRecord.sent_at).limit(limit)))
