"""Staff users of the department, the roles that decide which tasks they see, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

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

    def revoke(self, role: StaffRole) -> None:
        self.grants[:] = [g for g in self.grants if g.role is not role]

    def set_password(self, password: str) -> None:
        """Store a salted hash (werkzeug's scrypt); the password itself is never kept."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.active and self.password_hash
                    and check_password_hash(self.password_hash, password))


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

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: StaffUser, name: str = "") -> tuple[ApiToken, str]:
        """A new token row for `user` and the token text, shown once to whoever asked for it."""
        token = secrets.token_urlsafe(32)
        return cls(user=user, token_sha256=cls.digest(token), name=name), token

    @classmethod
    def find_user(cls, session: Session, token: str) -> StaffUser | None:
        """The active user a Bearer token belongs to, or None (unknown, revoked, inactive)."""
        row = session.scalars(sa.select(cls).where(cls.token_sha256 == cls.digest(token),
                                                   cls.revoked_at.is_(None))).one_or_none()
        if row is None or not row.user.active:
            return None
        row.last_used_at = now()
        return row.user
