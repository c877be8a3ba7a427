"""Dossiers (hồ sơ), their supplement pauses and their status timeline."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from motcua.db.base import LOCAL_ZONE, Base, IntEnumColumn, enum_column, now
from motcua.deadlines import Pause, SupplementClock, classify
from motcua.statuses import ApplicantKind, Channel, DossierStatus, PauseReason


class Resolution(enum.IntEnum):
    """How processing finished against the promised date (Biểu 06 "đã giải quyết" columns)."""

    EARLY = 1  # trước hạn
    ON_TIME = 2  # đúng hạn
    LATE = 3  # quá hạn


def resolution_of(finished_at: datetime | None, due_on: date | None) -> Resolution | None:
    """Compare the Vietnam date processing finished with the promised date (dates, never
    times); None while processing is not finished or nothing was promised."""
    if finished_at is None or due_on is None:
        return None
    finished_on = (finished_at.astimezone(LOCAL_ZONE) if finished_at.tzinfo else finished_at).date()
    return Resolution[classify(due_on, finished_on=finished_on).name]


ENDED_WITHOUT_RESULT = (DossierStatus.WITHDRAWN, DossierStatus.STOPPED)


def closed_at_of(status: DossierStatus | int | None,
                 timeline: Iterable[StatusChange]) -> datetime | None:
    """When a withdrawn (7) or stopped (8) dossier left processing: its first timeline line of
    that status; None in any other status."""
    if status not in ENDED_WITHOUT_RESULT:
        return None
    return min((_aware(line.at) for line in timeline
                if line.status == status and line.at is not None), default=None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


class Dossier(Base):
    """One application received for one procedure: the system of record for the desk.

    `procedure_code` + `procedure_version` name the catalog version in force when the dossier
    was received. `submitted_components` lists what the applicant handed in, as
    ``[{"component": id, "copy_type": ..., "quantity": n, "document_id": ...}]``.
    """

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    code_is_external: Mapped[bool] = mapped_column(default=False)
    procedure_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    procedure_version: Mapped[int]
    case_id: Mapped[str | None] = mapped_column(sa.String(64))
    agency_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    summary: Mapped[str | None] = mapped_column(sa.Text)

    applicant_kind: Mapped[ApplicantKind] = mapped_column(enum_column(ApplicantKind))
    applicant_name: Mapped[str] = mapped_column(sa.String(255))
    applicant_id_number: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(sa.String(20))
    applicant_email: Mapped[str | None] = mapped_column(sa.String(255))
    applicant_address: Mapped[str | None] = mapped_column(sa.Text)

    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    submitted_components: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[datetime] = mapped_column(index=True)
    received_by: Mapped[str | None] = mapped_column(sa.String(64))
    due_on: Mapped[date | None]
    due_at: Mapped[datetime | None]
    original_due_on: Mapped[date | None]
    supplement_clock: Mapped[SupplementClock] = mapped_column(
        enum_column(SupplementClock), default=SupplementClock.PAUSE)
    status: Mapped[DossierStatus] = mapped_column(
        IntEnumColumn(DossierStatus), default=DossierStatus.RECEIVED, index=True)
    processing_finished_at: Mapped[datetime | None]
    # derived from processing_finished_at and due_on whenever either is set (see
    # _keep_resolution), so reports count resolved dossiers without date arithmetic
    resolution: Mapped[Resolution | None] = mapped_column(IntEnumColumn(Resolution))
    # when a withdrawn (7) or stopped (8) dossier left processing, derived from status and
    # timeline whenever either changes (_keep_closed_at and the timeline listeners below)
    closed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    process_instance_key: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    pauses: Mapped[list[DossierPause]] = relationship(
        back_populates="dossier", order_by="DossierPause.requested_at", cascade="all, delete-orphan",
        lazy="selectin")
    timeline: Mapped[list[StatusChange]] = relationship(
        back_populates="dossier", order_by="(StatusChange.at, StatusChange.id)",
        cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint("status BETWEEN 1 AND 10", name="status_code"),
    )

    @validates("processing_finished_at", "due_on")
    def _keep_resolution(self, key: str, value: Any) -> Any:
        finished_at = value if key == "processing_finished_at" else self.processing_finished_at
        due_on = value if key == "due_on" else self.due_on
        self.resolution = resolution_of(finished_at, due_on)
        return value

    @validates("status")
    def _keep_closed_at(self, key: str, status: Any) -> Any:
        self.closed_at = closed_at_of(status, self.timeline)
        return status

    def record_status(self, status: DossierStatus, *, actor: str, at: datetime | None = None,
                      step: str | None = None, note: str | None = None,
                      idempotency_key: str | None = None) -> StatusChange:
        """Move the dossier to `status` and add the change to its timeline.

        `idempotency_key` (e.g. the Zeebe job key) is unique: recording the same change twice
        fails on commit instead of doubling the timeline.
        """
        change = StatusChange(status=status, actor=actor, at=at or now(), step=step, note=note,
                              idempotency_key=idempotency_key)
        self.status = status
        self.timeline.append(change)
        return change

    def pause_values(self) -> tuple[Pause, ...]:
        """The supplement pauses as `motcua.deadlines.Pause` values, for deadline computation."""
        return tuple(Pause(p.requested_at, p.resumed_at) for p in self.pauses
                     if p.reason is PauseReason.SUPPLEMENT)


class DossierPause(Base):
    """The dossier waited for the applicant (supplement, fees) or was stopped."""

    __tablename__ = "dossier_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[PauseReason] = mapped_column(enum_column(PauseReason))
    requested_at: Mapped[datetime]
    resumed_at: Mapped[datetime | None]
    due_before: Mapped[date | None]
    due_after: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    dossier: Mapped[Dossier] = relationship(back_populates="pauses")


class StatusChange(Base):
    """One line of the dossier's timeline: who moved it to which status, at which step."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    status: Mapped[DossierStatus] = mapped_column(IntEnumColumn(DossierStatus))
    step: Mapped[str | None] = mapped_column(sa.String(64))
    actor: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(128), unique=True)

    dossier: Mapped[Dossier] = relationship(back_populates="timeline")


@sa.event.listens_for(Dossier.timeline, "append")
def _timeline_keeps_closed_at(dossier: Dossier, line: StatusChange, initiator: Any) -> None:
    """A line written after the status changed (record_status does so) may close the dossier."""
    dossier.closed_at = closed_at_of(dossier.status, [*dossier.timeline, line])


@sa.event.listens_for(Dossier.timeline, "remove")
def _timeline_loses_closed_at(dossier: Dossier, line: StatusChange, initiator: Any) -> None:
    dossier.closed_at = closed_at_of(dossier.status, [c for c in dossier.timeline if c is not line])


class DossierCodeCounter(Base):
    """The last sequence number issued for an agency on a day (see `motcua.dossier_codes`)."""

    __tablename__ = "dossier_code_counters"

    agency_code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last_sequence: Mapped[int]
