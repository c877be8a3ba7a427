"""What anyone holding a dossier code may learn about it, and what only its applicant may.

The code alone (printed on the receipt, in every SMS and in the receipt's QR code) shows the
procedure, the status, the timeline of steps with their dates, the appointment date, whether the
dossier is on time and what the applicant must do next: nothing about the person. The applicant's
details (name, phone, address, the list of missing papers written by staff) need a second factor
the applicant knows: the last four digits of the phone number or of the ID number given at the
desk. `second_factor_matches` compares in constant time and costs the same whether the dossier
exists or not, so a wrong factor and an unknown code take as long.

Public API
----------
- `normalise_code(text) -> str | None` — a code as typed (spaces, lower case) ready to look up.
- `find_dossier(session, code) -> Dossier | None` — case-insensitive exact match.
- `second_factor_matches(dossier_or_none, digits) -> bool`.
- `NextAction` — what the applicant must do now (`WAIT`, `WAIT_FOR_CHECK`, `SUPPLEMENT`,
  `PAY_FEES`, `COLLECT_RESULT`, `COLLECT_REFUSAL`, `CONTACT_DESK`, `RATE`, `NOTHING`).
- `PublicFacts` and `load_public_facts(connection, code) -> PublicFacts | None` — what the page
  is made of, in one indexed query (Core, no ORM objects): the tracking page's hot path.
- `PublicView` (+ `TimelineEntry`, `ApplicantDetails`) and `public_view(facts, procedure, today)`.
- `ApplicantRecord` and `load_applicant(connection, code) -> ApplicantRecord | None` — the
  second factor's digits and the details behind it, read only when a request needs them;
  `applicant_details(record)`.
- `can_rate(session, dossier) -> bool` — the result was returned and no rating exists yet.
"""

from __future__ import annotations

import enum
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.catalog import Procedure
from motcua.db import Dossier, DossierPause, Rating, StatusChange
from motcua.db.base import LOCAL_ZONE
from motcua.deadlines import OnTimeStatus
from motcua.dossiers import on_time_status
from motcua.statuses import DossierStatus, PauseReason

_CODE_TEXT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$")
_DIGITS = re.compile(r"^\d{4}$")


def normalise_code(text: str | None) -> str | None:
    """The code without surrounding or inner spaces, or None when it cannot be a dossier code."""
    if not text:
        return None
    code = re.sub(r"\s+", "", text)
    return code if _CODE_TEXT.match(code) else None


def find_dossier(session: Session, code: str) -> Dossier | None:
    exact = session.scalars(sa.select(Dossier).where(Dossier.code == code)).one_or_none()
    if exact is not None:
        return exact
    return session.scalars(
        sa.select(Dossier).where(sa.func.upper(Dossier.code) == code.upper()).limit(1)).first()


def _last_four(value: str | None) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits[-4:] if len(digits) >= 4 else ""


class HoldsSecondFactor(Protocol):
    """A dossier (ORM row or `ApplicantRecord`): the digits the applicant knows come from these."""

    applicant_phone: str | None
    applicant_id_number: str | None


def second_factor_matches(dossier: HoldsSecondFactor | None, digits: str | None) -> bool:
    """True when `digits` are the last four digits of the applicant's phone or ID number."""
    given = (digits or "").strip()
    wanted = ([_last_four(dossier.applicant_phone), _last_four(dossier.applicant_id_number)]
              if dossier is not None else ["", ""])
    well_formed = _DIGITS.match(given) is not None
    # compare against both, always, so the time taken does not tell which (or whether) one exists
    matches = [hmac.compare_digest((w or "----").encode(), given.encode() if well_formed else b"x")
               for w in wanted]
    return well_formed and dossier is not None and any(
        m and w for m, w in zip(matches, wanted, strict=True))


class NextAction(enum.StrEnum):
    WAIT_FOR_CHECK = "wait_for_check"    # submitted online, the desk has not checked it yet
    WAIT = "wait"                        # being processed: nothing to do until the appointment
    SUPPLEMENT = "supplement"            # bring the missing papers
    PAY_FEES = "pay_fees"
    COLLECT_RESULT = "collect_result"    # the result is ready at the desk
    COLLECT_REFUSAL = "collect_refusal"  # the written refusal is ready at the desk
    CONTACT_DESK = "contact_desk"        # not accepted or stopped: ask the desk
    RATE = "rate"                        # the result was returned: rate the service
    NOTHING = "nothing"                  # withdrawn, or returned and already rated


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime          # local time (Asia/Ho_Chi_Minh)
    status: DossierStatus
    step: str | None


@dataclass(frozen=True)
class PublicView:
    """Everything the code alone may show."""

    code: str
    procedure_code: str
    procedure: Procedure | None
    status: DossierStatus
    last_step: str | None
    received_at: datetime
    appointment: date | None
    original_appointment: date | None
    on_time: OnTimeStatus | None
    clock_paused: bool
    next_action: NextAction
    timeline: tuple[TimelineEntry, ...]
    finished_at: datetime | None
    returned_at: datetime | None

    @property
    def appointment_moved(self) -> bool:
        return (self.original_appointment is not None and self.appointment is not None
                and self.original_appointment != self.appointment)


@dataclass(frozen=True)
class ApplicantDetails:
    """What only the applicant may see (after the second factor)."""

    name: str
    phone: str | None
    email: str | None
    address: str | None
    missing_items: str | None      # the supplement request's list, as staff wrote it


@dataclass(frozen=True)
class PublicFacts:
    """The stored facts the public view is made of, as one query reads them."""

    code: str
    procedure_code: str
    procedure_version: int
    status: DossierStatus
    received_at: datetime
    due_on: date | None
    original_due_on: date | None
    processing_finished_at: datetime | None
    returned_at: datetime | None
    waiting_for_applicant: bool        # a pause (supplement, fees) has not been resumed
    rated: bool
    timeline: tuple[tuple[datetime, DossierStatus, str | None], ...]  # (at, status, step), in order


_DOSSIER = Dossier.__table__
_CHANGE = StatusChange.__table__
_PAUSE = DossierPause.__table__
_RATING = Rating.__table__


def _facts_query(match: sa.ColumnElement[bool]) -> sa.Select:
    """The dossier's columns with its timeline rows (one row per change), in timeline order."""
    rated = sa.exists().where(_RATING.c.dossier_id == _DOSSIER.c.id)
    waiting = sa.exists().where(_PAUSE.c.dossier_id == _DOSSIER.c.id, _PAUSE.c.resumed_at.is_(None))
    return (
        sa.select(_DOSSIER.c.code, _DOSSIER.c.procedure_code, _DOSSIER.c.procedure_version,
                  _DOSSIER.c.status, _DOSSIER.c.received_at, _DOSSIER.c.due_on,
                  _DOSSIER.c.original_due_on, _DOSSIER.c.processing_finished_at,
                  _DOSSIER.c.returned_at, waiting.label("waiting"), rated.label("rated"),
                  _CHANGE.c.at, _CHANGE.c.status.label("change_status"), _CHANGE.c.step)
        .select_from(_DOSSIER.outerjoin(_CHANGE, _CHANGE.c.dossier_id == _DOSSIER.c.id))
        .where(match)
        .order_by(_CHANGE.c.at, _CHANGE.c.id))


# built once: SQLAlchemy then reuses their compiled form on every call
_FACTS_EXACT = _facts_query(_DOSSIER.c.code == sa.bindparam("code"))
_FACTS_ANY_CASE = _facts_query(_DOSSIER.c.id == sa.select(_DOSSIER.c.id).where(
    sa.func.upper(_DOSSIER.c.code) == sa.bindparam("code")).limit(1).scalar_subquery())


def load_public_facts(connection: sa.Connection | Session, code: str) -> PublicFacts | None:
    """The dossier with this code (exact, else case-insensitive), or None."""
    rows = connection.execute(_FACTS_EXACT, {"code": code}).all()
    if not rows:
        rows = connection.execute(_FACTS_ANY_CASE, {"code": code.upper()}).all()
        if not rows:
            return None
    first = rows[0]
    timeline = tuple((r.at, r.change_status, r.step) for r in rows if r.at is not None)
    return PublicFacts(
        code=first.code, procedure_code=first.procedure_code,
        procedure_version=first.procedure_version, status=first.status,
        received_at=first.received_at, due_on=first.due_on, original_due_on=first.original_due_on,
        processing_finished_at=first.processing_finished_at, returned_at=first.returned_at,
        waiting_for_applicant=bool(first.waiting), rated=bool(first.rated), timeline=timeline)


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(LOCAL_ZONE) if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


def _next_action(status: DossierStatus, last_step: str | None, rated: bool) -> NextAction:
    if status is DossierStatus.SUBMITTED:
        return NextAction.WAIT_FOR_CHECK
    if status is DossierStatus.SUPPLEMENT_REQUESTED:
        return NextAction.SUPPLEMENT
    if status is DossierStatus.AWAITING_PAYMENT:
        return NextAction.PAY_FEES
    if status is DossierStatus.PROCESSED:
        return NextAction.COLLECT_REFUSAL if last_step == "resolved-refused" else NextAction.COLLECT_RESULT
    if status is DossierStatus.RETURNED:
        return NextAction.NOTHING if rated else NextAction.RATE
    if status in (DossierStatus.NOT_ACCEPTED, DossierStatus.STOPPED):
        return NextAction.CONTACT_DESK
    if status is DossierStatus.WITHDRAWN:
        return NextAction.NOTHING
    return NextAction.WAIT


def _on_time(facts: PublicFacts, today: date) -> OnTimeStatus | None:
    counted = facts.status.is_open or facts.status.is_finished
    if facts.due_on is None or not counted:
        return None
    return on_time_status(facts, today)  # reads due_on and processing_finished_at only


def _last_step(facts: PublicFacts) -> str | None:
    """The step of the change that set the current status (a refusal reads differently)."""
    for _, status, step in reversed(facts.timeline):
        if status is facts.status:
            return step
    return None


def public_view(facts: PublicFacts, procedure: Procedure | None, today: date) -> PublicView:
    """The dossier as the code alone shows it, on `today` (local date)."""
    last_step = _last_step(facts)
    timeline = tuple(TimelineEntry(_local(at), status, step) for at, status, step in facts.timeline)
    return PublicView(
        code=facts.code, procedure_code=facts.procedure_code, procedure=procedure,
        status=facts.status, last_step=last_step, received_at=_local(facts.received_at),
        appointment=facts.due_on, original_appointment=facts.original_due_on,
        on_time=_on_time(facts, today),
        clock_paused=facts.waiting_for_applicant and facts.status.is_paused,
        next_action=_next_action(facts.status, last_step, facts.rated), timeline=timeline,
        finished_at=_local(facts.processing_finished_at), returned_at=_local(facts.returned_at))


@dataclass(frozen=True)
class ApplicantRecord:
    """What the second factor is checked against and what it opens; never cached."""

    code: str
    applicant_phone: str | None
    applicant_id_number: str | None
    name: str
    email: str | None
    address: str | None
    missing_items: str | None      # the open supplement request's list, while the clock waits


_APPLICANT = sa.select(
    _DOSSIER.c.code, _DOSSIER.c.applicant_phone, _DOSSIER.c.applicant_id_number,
    _DOSSIER.c.applicant_name, _DOSSIER.c.applicant_email, _DOSSIER.c.applicant_address,
    _DOSSIER.c.status,
    sa.select(_PAUSE.c.note).where(
        _PAUSE.c.dossier_id == _DOSSIER.c.id, _PAUSE.c.resumed_at.is_(None),
        _PAUSE.c.reason == PauseReason.SUPPLEMENT)
    .order_by(_PAUSE.c.requested_at.desc(), _PAUSE.c.id.desc()).limit(1)
    .scalar_subquery().label("missing_items"),
).where(_DOSSIER.c.code == sa.bindparam("code"))


def load_applicant(connection: sa.Connection | Session, code: str) -> ApplicantRecord | None:
    """The applicant of the dossier with exactly this code (as `PublicView.code` spells it)."""
    row = connection.execute(_APPLICANT, {"code": code}).first()
    if row is None:
        return None
    return ApplicantRecord(
        code=row.code, applicant_phone=row.applicant_phone,
        applicant_id_number=row.applicant_id_number, name=row.applicant_name,
        email=row.applicant_email, address=row.applicant_address,
        missing_items=row.missing_items if row.status.is_paused else None)


def applicant_details(record: ApplicantRecord) -> ApplicantDetails:
    return ApplicantDetails(name=record.name, phone=record.applicant_phone, email=record.email,
                            address=record.address, missing_items=record.missing_items)


def is_rated(session: Session, dossier: Dossier) -> bool:
    return session.scalars(sa.select(Rating.id).where(Rating.dossier_id == dossier.id)).first() is not None


def can_rate(session: Session, dossier: Dossier) -> bool:
    """The citizen may rate once, after the result was returned (status 10)."""
    return dossier.status is DossierStatus.RETURNED and not is_rated(session, dossier)
