"""Staff accounts: creating users, their roles and passwords (used by `motcua user add`, the
admin page and the demo data).

Public API: `create_user(session, username, full_name, password, roles, unit=None, email=None,
phone=None) -> StaffUser`, `find_user(session, username)`, `AccountError`, `USERNAME_PATTERN`,
`MIN_PASSWORD_LENGTH`; `issue_agency_token(agency_code, agency_name, token=None)` for a consulted
agency's system (not a staff account: see `motcua.db.AgencyToken`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.consultations import AGENCY_CODE_PATTERN
from motcua.db import AgencyToken, StaffUser
from motcua.roles import StaffRole

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A reason the account cannot be saved; `.code` names it for translation."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.scalars(sa.select(StaffUser).where(StaffUser.username == username)).one_or_none()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password-too-short",
                           f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_user(session: Session, username: str, full_name: str, password: str,
                roles: Iterable[StaffRole | str], unit: str | None = None,
                email: str | None = None, phone: str | None = None) -> StaffUser:
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise AccountError("bad-username", "a username is 2–64 lowercase letters, digits, '.', '_' or '-'")
    if not full_name.strip():
        raise AccountError("name-required", "the full name is required")
    if find_user(session, username) is not None:
        raise AccountError("username-taken", f"the username {username} is taken")
    check_password_strength(password)
    wanted = [StaffRole(r) for r in roles]
    if not wanted:
        raise AccountError("role-required", "give the user at least one role")
    user = StaffUser(username=username, full_name=full_name.strip(), unit=unit, email=email,
                     phone=phone)
    user.set_password(password)
    for role in wanted:
        user.grant(role)
    session.add(user)
    session.flush()
    return user


def issue_agency_token(agency_code: str, agency_name: str = "", token: str | None = None) -> tuple[AgencyToken, str]:
    """A token row for the agency with this code (as the consultation names it, e.g.
    `police-fire`) and the token text, shown once."""
    agency_code = agency_code.strip()
    if not AGENCY_CODE_PATTERN.match(agency_code):
        raise AccountError("bad-agency-code", "an agency code is 1–32 letters, digits, '.', '_' or '-' "
                           "(as the consultation names the agency, e.g. police-fire)")
    return AgencyToken.issue(agency_code, agency_name.strip() or agency_code, token)
