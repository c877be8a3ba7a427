"""Dossier codes (mã hồ sơ): `{agency}-{yymmdd}-{seq:04d}`, e.g. `000.00.17.H06-261124-0001`.

The sequence counts the dossiers an agency received on a day (TT 01/2018/TT-VPCP, Điều 19). It is
kept in the `dossier_code_counters` table and advanced by one atomic upsert, so codes never repeat
even when several processes receive dossiers at the same moment; a transaction that rolls back
leaves a gap, never a duplicate. Online dossiers may arrive with a code issued by the national
portal: `DossierCode.external()` accepts it as is.

The pattern is configurable (a newer central format is `{agency}-{yyyymmdd}-{seq:07d}`); fields:
`{agency}`, `{yymmdd}`, `{yyyymmdd}`, `{seq}` (with an optional width such as `{seq:04d}`).

Public API
----------
- `DEFAULT_PATTERN`
- `DossierCode(value, agency_code=None, received_on=None, sequence=None, external=False)` —
  frozen value; `str(code)` is the code; `DossierCode.parse(text, pattern=DEFAULT_PATTERN)`,
  `DossierCode.external(text)`.
- `CodePattern(pattern)` — `.format(agency_code, day, sequence) -> str`, `.parse(text)`.
- `next_code(session, agency_code, received_at, pattern=DEFAULT_PATTERN) -> DossierCode` — issue
  the next code in the caller's transaction (commit it with the dossier). On SQLite, call it
  before other writes of a long transaction or in a short one: the counter row is written, so the
  database stays locked for other writers until the transaction ends.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.db.base import LOCAL_ZONE

DEFAULT_PATTERN = "{agency}-{yymmdd}-{seq:04d}"
EXTERNAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$")

_FIELDS = {
    "agency": r"(?P<agency>[0-9A-Za-z.]+?)",
    "yymmdd": r"(?P<yymmdd>\d{6})",
    "yyyymmdd": r"(?P<yyyymmdd>\d{8})",
    "seq": r"(?P<seq>\d+)",
}


@dataclass(frozen=True)
class DossierCode:
    """A dossier code, with its parts when the code was issued here."""

    value: str
    agency_code: str | None = None
    received_on: date | None = None
    sequence: int | None = None
    is_external: bool = False

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str, pattern: str = DEFAULT_PATTERN) -> DossierCode:
        return CodePattern(pattern).parse(text)

    @classmethod
    def external(cls, text: str) -> DossierCode:
        """A code issued elsewhere (the national portal); only its characters are checked."""
        value = text.strip()
        if not EXTERNAL_CODE.match(value):
            raise ValueError(f"{text!r} is not a dossier code (3–64 letters, digits, . _ / -)")
        return cls(value, is_external=True)


@dataclass(frozen=True)
class CodePattern:
    pattern: str = DEFAULT_PATTERN

    def __post_init__(self) -> None:
        names = [name for _, name, _, _ in string.Formatter().parse(self.pattern) if name is not None]
        unknown = [n for n in names if n not in _FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)} in dossier code pattern "
                             f"{self.pattern!r}; use {{agency}}, {{yymmdd}}, {{yyyymmdd}}, {{seq}}")
        if "seq" not in names or not ({"yymmdd", "yyyymmdd"} & set(names)) or "agency" not in names:
            raise ValueError(f"dossier code pattern {self.pattern!r} needs {{agency}}, a date "
                             "({yymmdd} or {yyyymmdd}) and {seq}, or codes could repeat")

    def format(self, agency_code: str, day: date, sequence: int) -> str:
        return self.pattern.format(agency=agency_code, yymmdd=day.strftime("%y%m%d"),
                                   yyyymmdd=day.strftime("%Y%m%d"), seq=sequence)

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        parts = []
        for literal, name, _, _ in string.Formatter().parse(self.pattern):
            parts.append(re.escape(literal))
            if name is not None:
                parts.append(_FIELDS[name])
        return re.compile("^" + "".join(parts) + "$")

    def parse(self, text: str) -> DossierCode:
        match = self._regex.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} does not match the dossier code pattern {self.pattern!r}")
        fields = match.groupdict()
        if fields.get("yyyymmdd"):
            day = datetime.strptime(fields["yyyymmdd"], "%Y%m%d").date()
        else:
            day = datetime.strptime(fields["yymmdd"], "%y%m%d").date()
        return DossierCode(text.strip(), fields["agency"], day, int(fields["seq"]))


_ADVANCE = sa.text(
    "INSERT INTO dossier_code_counters (agency_code, day, last_sequence) "
    "VALUES (:agency_code, :day, 1) "
    "ON CONFLICT (agency_code, day) "
    "DO UPDATE SET last_sequence = dossier_code_counters.last_sequence + 1 "
    "RETURNING last_sequence"
).bindparams(sa.bindparam("agency_code", type_=sa.String()), sa.bindparam("day", type_=sa.Date()))


def next_code(session: Session, agency_code: str, received_at: datetime,
              pattern: str = DEFAULT_PATTERN) -> DossierCode:
    """Issue the next code of `agency_code` for the day of `received_at` (Vietnam time)."""
    code_pattern = CodePattern(pattern)
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone(LOCAL_ZONE)
    day = received_at.date()
    sequence = session.execute(_ADVANCE, {"agency_code": agency_code, "day": day}).scalar_one()
    return DossierCode(code_pattern.format(agency_code, day, sequence), agency_code, day, sequence)
