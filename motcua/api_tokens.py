"""Every Bearer token of the JSON API in one list, and revoking one.

Two kinds share the `Authorization: Bearer` header: a staff member's token (`ApiToken`, acting as
that user) and a consulted agency's token (`AgencyToken`, posting consultation replies only). A
token is named by its kind and row id, `staff:3` or `agency:2` (what `motcua token list` and the
admin page show). Only SHA-256 digests are stored, so a list never shows a token's text.

Revoking takes effect on the next request in every web process: the webapp looks each token up
in the database on every request and keeps no copy.

Public API: `TokenLine` (`.ref`, `.kind`, `.name`, `.owner`, `.created_at`, `.last_used_at`,
`.revoked_at`); `list_tokens(session)`; `revoke(session, ref, by)` → the revoked `TokenLine`
(raises `TokenNotFound`, `AlreadyRevoked`), with an audit entry; `revoked_at(session, token)` —
when this token text was revoked, or None (for the webapp's 401 message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.db import AgencyToken, ApiToken, AuditEntry
from motcua.db.base import now

STAFF, AGENCY = "staff", "agency"
KINDS = {STAFF: ApiToken, AGENCY: AgencyToken}


class TokenNotFound(LookupError):
    pass


class AlreadyRevoked(Exception):
    def __init__(self, line: TokenLine) -> None:
        super().__init__(f"token {line.ref} was revoked already")
        self.line = line


@dataclass(frozen=True)
class TokenLine:
    kind: str  # "staff" or "agency"
    id: int
    name: str  # what it is for (staff) or the agency's name
    owner: str  # the username it acts as, or the agency code it speaks for
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def of(cls, row: ApiToken | AgencyToken) -> TokenLine:
        if isinstance(row, AgencyToken):
            return cls(AGENCY, row.id, row.agency_name, row.agency_code, row.created_at, row.last_used_at,
                       row.revoked_at)
        return cls(STAFF, row.id, row.name, row.user.username, row.created_at, row.last_used_at, row.revoked_at)


def list_tokens(session: Session) -> list[TokenLine]:
    """Every token, staff first, then agencies, oldest first; revoked ones too (marked)."""
    staff = session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()
    agencies = session.scalars(sa.select(AgencyToken).order_by(AgencyToken.id)).all()
    return [TokenLine.of(row) for row in [*staff, *agencies]]


def parse_ref(ref: str) -> tuple[str, int]:
    """`staff:3` → ("staff", 3); raises `TokenNotFound` for anything else."""
    kind, _, number = ref.strip().partition(":")
    if kind not in KINDS or not number.isdigit():
        raise TokenNotFound(f"no token {ref!r}: name it as `motcua token list` shows it, e.g. staff:3 "
                            "or agency:2")
    return kind, int(number)


def revoke(session: Session, ref: str, by: str) -> TokenLine:
    """Revoke the token named `ref` at once, recording who did it in the audit log."""
    kind, number = parse_ref(ref)
    row = session.get(KINDS[kind], number)
    if row is None:
        raise TokenNotFound(f"no token {ref}")
    if row.revoked_at is not None:
        raise AlreadyRevoked(TokenLine.of(row))
    row.revoked_at = now()
    line = TokenLine.of(row)
    session.add(AuditEntry(actor=by[:64], action=f"{kind}-token-revoked", entity_type=f"{kind}_token",
                           entity_id=line.ref, details={"owner": line.owner, "name": line.name}))
    session.flush()
    return line


def revoked_at(session: Session, token: str) -> datetime | None:
    """When the token with this text was revoked (None: never issued, or not revoked)."""
    for model in KINDS.values():
        at = session.scalar(sa.select(model.revoked_at).where(model.token_sha256 == model.digest(token)))
        if at is not None:
            return at
    return None
