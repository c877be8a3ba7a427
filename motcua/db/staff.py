"""Staff users of the department and the roles that decide which tasks they see."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import Base, enum_column, now


class StaffRole(enum.StrEnum):
    RECEPTION = "reception"          # cán bộ tiếp nhận và trả kết quả
    SPECIALIST = "specialist"        # chuyên viên thụ lý
    DIVISION_HEAD = "division_head"  # lãnh đạo phòng
    LEADER = "leader"                # lãnh đạo Sở
    ADMIN = "admin"                  # quản trị hệ thống


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
