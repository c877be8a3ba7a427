"""What the dashboard shows besides Biểu 06: workload per person and unit, the overdue list.

Public API
----------
- `PersonLoad(username, full_name, unit, steps_done, open_tasks)`, `UnitLoad(unit, steps_done,
  open_tasks, people)`.
- `workload(session, period) -> tuple[list[PersonLoad], list[UnitLoad]]` — timeline lines each
  staff member wrote during the period (steps done; the workers' own lines are not a person's),
  and, where the inbox keeps its task table, the open user tasks each one has claimed.
- `OverdueDossier(code, procedure_code, procedure_name, received_at, due_on, days_late, status)`.
- `overdue_dossiers(session, catalog, on, *, limit=100) -> list[OverdueDossier]` — open
  dossiers whose promised date is before `on`, the oldest promise first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.catalog import Catalog, ProcedureNotFound, Text
from motcua.db import Dossier, StaffUser, StatusChange
from motcua.reports.period import Period
from motcua.statuses import DossierStatus

SYSTEM_ACTORS = ("he-thong", "system")
NO_UNIT = ""


@dataclass(frozen=True)
class PersonLoad:
    username: str
    full_name: str
    unit: str
    steps_done: int
    open_tasks: int


@dataclass(frozen=True)
class UnitLoad:
    unit: str
    steps_done: int
    open_tasks: int
    people: int


def _open_tasks_by_person(session: Session) -> dict[str, int]:
    """Open user tasks claimed per person, from the inbox's task table when there is one."""
    if not sa.inspect(session.get_bind()).has_table("inbox_tasks"):
        return {}
    rows = session.execute(sa.text(
        "SELECT COALESCE(claimed_by, assignee) AS person, COUNT(*) FROM inbox_tasks "
        "WHERE state = 'open' AND COALESCE(claimed_by, assignee) IS NOT NULL GROUP BY person"))
    return {person: int(count) for person, count in rows}


def workload(session: Session, period: Period) -> tuple[list[PersonLoad], list[UnitLoad]]:
    steps = dict(session.execute(
        sa.select(StatusChange.actor, sa.func.count())
        .where(StatusChange.at >= period.start, StatusChange.at < period.end,
               StatusChange.actor.not_in(SYSTEM_ACTORS))
        .group_by(StatusChange.actor)).all())
    tasks = _open_tasks_by_person(session)
    people = {u.username: u for u in session.scalars(
        sa.select(StaffUser).where(StaffUser.username.in_(set(steps) | set(tasks))))}
    persons = []
    for username in sorted(set(steps) | set(tasks)):
        user = people.get(username)
        persons.append(PersonLoad(username, user.full_name if user else username,
                                  (user.unit or NO_UNIT) if user else NO_UNIT,
                                  int(steps.get(username, 0)), tasks.get(username, 0)))
    persons.sort(key=lambda p: (-(p.steps_done + p.open_tasks), p.full_name))
    units: dict[str, list[PersonLoad]] = {}
    for person in persons:
        units.setdefault(person.unit, []).append(person)
    unit_loads = [UnitLoad(unit, sum(p.steps_done for p in members),
                           sum(p.open_tasks for p in members), len(members))
                  for unit, members in units.items()]
    unit_loads.sort(key=lambda u: (-(u.steps_done + u.open_tasks), u.unit))
    return persons, unit_loads


@dataclass(frozen=True)
class OverdueDossier:
    code: str
    procedure_code: str
    procedure_name: Text
    received_at: datetime
    due_on: date
    days_late: int
    status: DossierStatus


def overdue_dossiers(session: Session, catalog: Catalog, on: date, *,
                     limit: int = 100) -> list[OverdueDossier]:
    rows = session.execute(
        sa.select(Dossier.code, Dossier.procedure_code, Dossier.procedure_version,
                  Dossier.received_at, Dossier.due_on, Dossier.status)
        .where(Dossier.status.in_([DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS]),
               Dossier.processing_finished_at.is_(None), Dossier.due_on < on)
        .order_by(Dossier.due_on, Dossier.code).limit(limit)).all()
    result = []
    for row in rows:
        try:
            name = catalog.version(row.procedure_code, row.procedure_version).name
        except ProcedureNotFound:
            name = Text(row.procedure_code, row.procedure_code)
        result.append(OverdueDossier(row.code, row.procedure_code, name, row.received_at,
                                     row.due_on, (on - row.due_on).days, row.status))
    return result
