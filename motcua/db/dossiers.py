"""Dossiers (hồ sơ), their supplement pauses and their status timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import Base, IntEnumColumn, enum_column, now
from motcua.deadlines import Pause, SupplementClock
from motcua.statuses import ApplicantKind, Channel, DossierStatus, PauseReason


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


class DossierCodeCounter(Base):
    """The last sequence number issued for an agency on a day (see `motcua.dossier_codes`)."""

    __tablename__ = "dossier_code_counters"

    agency_code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last_sequence: Mapped[int]
