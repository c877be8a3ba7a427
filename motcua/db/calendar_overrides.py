"""The administrator's calendar decisions (extra days off, make-up working days), by day."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from motcua import working_calendar
from motcua.db.base import Base, now


class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    working: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(255), default="")
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)

    def as_value(self) -> working_calendar.CalendarOverride:
        return working_calendar.CalendarOverride(self.day, self.working, self.note)


def load_working_calendar(session: Session, **options: object) -> working_calendar.WorkingCalendar:
    """A `WorkingCalendar` with every override stored in the database."""
    rows = session.scalars(sa.select(CalendarOverride)).all()
    return working_calendar.WorkingCalendar(overrides=[r.as_value() for r in rows], **options)
