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
- `PublicView` (+ `TimelineEntry`, `ApplicantDetails`) and `public_view(dossier, procedure, today)`;
  `applicant_details(dossier)`.
- `can_rate(session, dossier) -> bool` — the result was returned and no rating exists yet.
"""

from __future__ import annotations

import enum
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.catalog import Procedure
from motcua.db import Dossier, Rating
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


def second_factor_matches(dossier: Dossier | None, digits: str | None) -> bool:
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


def _on_time(dossier: Dossier, today: date) -> OnTimeStatus | None:
    counted = dossier.status.is_open or dossier.status.is_finished
    if dossier.due_on is None or not counted:
        return None
    return on_time_status(dossier, today)


def _last_step(dossier: Dossier) -> str | None:
    """The step of the change that set the current status (a refusal reads differently)."""
    for change in reversed(dossier.timeline):
        if change.status is dossier.status:
            return change.step
    return None


def public_view(dossier: Dossier, procedure: Procedure | None, today: date,
                rated: bool = False) -> PublicView:
    """The dossier as the code alone shows it, on `today` (local date)."""
    last_step = _last_step(dossier)
    timeline = tuple(TimelineEntry(_local(c.at), c.status, c.step) for c in dossier.timeline)
    paused = any(p.resumed_at is None for p in dossier.pauses)
    return PublicView(
        code=dossier.code, procedure_code=dossier.procedure_code, procedure=procedure,
        status=dossier.status, last_step=last_step, received_at=_local(dossier.received_at),
        appointment=dossier.due_on, original_appointment=dossier.original_due_on,
        on_time=_on_time(dossier, today), clock_paused=paused and dossier.status.is_paused,
        next_action=_next_action(dossier.status, last_step, rated), timeline=timeline,
        finished_at=_local(dossier.processing_finished_at), returned_at=_local(dossier.returned_at))


def applicant_details(dossier: Dossier) -> ApplicantDetails:
    waiting = [p for p in dossier.pauses
               if p.reason is PauseReason.SUPPLEMENT and p.resumed_at is None]
    return ApplicantDetails(
        name=dossier.applicant_name, phone=dossier.applicant_phone, email=dossier.applicant_email,
        address=dossier.applicant_address,
        missing_items=waiting[-1].note if waiting and dossier.status.is_paused else None)


def is_rated(session: Session, dossier: Dossier) -> bool:
    return session.scalars(sa.select(Rating.id).where(Rating.dossier_id == dossier.id)).first() is not None


def can_rate(session: Session, dossier: Dossier) -> bool:
    """The citizen may rate once, after the result was returned (status 10)."""
    return dossier.status is DossierStatus.RETURNED and not is_rated(session, dossier)
