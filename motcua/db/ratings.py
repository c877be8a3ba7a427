"""Satisfaction ratings (đánh giá mức độ hài lòng) given when the result is returned."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Base, enum_column, now


class Satisfaction(enum.StrEnum):
    VERY_SATISFIED = "very_satisfied"   # Rất hài lòng
    SATISFIED = "satisfied"             # Hài lòng
    UNSATISFIED = "unsatisfied"         # Không hài lòng


class Rating(Base):
    """One rating per dossier: `criteria` maps each indicator id to 2, 1 or 0 points."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    overall: Mapped[Satisfaction] = mapped_column(enum_column(Satisfaction))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
