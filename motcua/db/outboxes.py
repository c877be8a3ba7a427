"""Outboxes for side effects that leave the system: SMS to citizens, reports to the portal.

Each row has an idempotency key (e.g. ``"<dossier code>:<event>"``) that is unique, so a job
redelivered after a crash finds the row already there and sends nothing twice.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Base, enum_column, now


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class SmsMessage(Base):
    """One SMS to a citizen, with the provider's answer and delivery report."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(128), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    event: Mapped[str] = mapped_column(sa.String(64))
    phone: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    provider: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING, index=True)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(128))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class PortalOutbox(Base):
    """One report to the provincial / national portal (dossier sync or progress update)."""

    __tablename__ = "portal_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(128), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    operation: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
