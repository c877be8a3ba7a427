"""Consulted agencies (liên thông): their machine identity and the consultations we sent them.

`AgencyToken` is the Bearer token of another agency's system, bound to the agency code it speaks
for; it is not a staff account and opens nothing but the reply endpoint. `ConsultationRecord` is
what the consultation worker sent to which agency, so a reply can be checked against it, the
reply once received (whose token, when, what it said), and when the request closed (`outcome`
`replied`, or `overdue` at its deadline): no reply is taken after that.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from motcua.db.base import Base, now


class AgencyToken(Base):
    __tablename__ = "agency_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    agency_name: Mapped[str] = mapped_column(sa.String(255))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, agency_code: str, agency_name: str, token: str | None = None) -> tuple[AgencyToken, str]:
        """A new token row and its text, shown once (`token` only for fixed demo tokens)."""
        text = token or secrets.token_urlsafe(32)
        return cls(agency_code=agency_code, agency_name=agency_name, token_sha256=cls.digest(text)), text

    @classmethod
    def find(cls, session: Session, token: str) -> AgencyToken | None:
        row = session.scalars(sa.select(cls).where(cls.token_sha256 == cls.digest(token),
                                                   cls.revoked_at.is_(None))).one_or_none()
        if row is not None:
            row.last_used_at = now()
        return row


class ConsultationRecord(Base):
    __tablename__ = "consultation_requests"

    request_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(sa.String(64), index=True)
    agency_code: Mapped[str] = mapped_column(sa.String(32))
    sent_at: Mapped[datetime] = mapped_column(default=now)
    due_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    replied_by: Mapped[str | None] = mapped_column(sa.String(64))
    reply: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # Over once answered or past its due date (the process gave up): no later reply is taken.
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # "replied" or "overdue"
