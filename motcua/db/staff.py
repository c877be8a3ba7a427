"""Staff users of the department, the roles that decide which tasks they see, and API tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import Base, enum_column, now
from motcua.roles import StaffRole


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    unit: Mapped[str | None] = mapped_column(sa.String(255))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    grants: Mapped[list[StaffRoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[StaffRole]:
        return frozenset(g.role for g in self.grants)

    def grant(self, role: StaffRole) -> None:
        if role not in self.roles:
            self.grants.append(StaffRoleGrant(role=role))


class StaffRoleGrant(Base):
    __tablename__ = "staff_role_grants"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole), primary_key=True)

    user: Mapped[StaffUser] = relationship(back_populates="grants")


class ApiToken(Base):
    """A Bearer token for a machine client acting as a staff user; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[StaffUser] = relationship()
