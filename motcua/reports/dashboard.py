"""What the dashboard shows besides Biểu 06: workload per person and unit, the overdue list.

Public API
----------
- `PersonLoad(username, full_name, unit, steps_done, open_tasks)`, `UnitLoad(unit, steps_done,
  open_tasks, people)`.
- `workload(session, period) -> tuple[list[PersonLoad], list[UnitLoad]]` — steps each staff
  member did during the period (timeline lines they wrote, the workers' own lines are not a
  person's, plus the user tasks they completed in the inbox) and the open user tasks each one
  has claimed or is assigned (where the inbox keeps its task table).
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
from motcua.db.base import Moment
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


def _inbox_by_person(session: Session, period: Period) -> tuple[dict[str, int], dict[str, int]]:
    """Open user tasks claimed (or assigned) per person, and tasks completed in the period per
    person, from the inbox's task table when there is one."""
    if not sa.inspect(session.get_bind()).has_table("inbox_tasks"):
        return {}, {}
    open_rows = session.execute(sa.text(
        "SELECT COALESCE(claimed_by, assignee) AS person, COUNT(*) FROM inbox_tasks "
        "WHERE state = 'open' AND COALESCE(claimed_by, assignee) IS NOT NULL GROUP BY person"))
    done_rows = session.execute(sa.text(
        "SELECT completed_by, COUNT(*) FROM inbox_tasks WHERE state = 'completed' "
        "AND completed_by IS NOT NULL AND completed_at >= :start AND completed_at < :end "
        "GROUP BY completed_by").bindparams(sa.bindparam("start", type_=Moment()),
                                             sa.bindparam("end", type_=Moment())),
        {"start": period.start, "end": period.end})
    return ({person: int(n) for person, n in open_rows}, {person: int(n) for person, n in done_rows})


def workload(session: Session, period: Period) -> tuple[list[PersonLoad], list[UnitLoad]]:
    steps: dict[str, int] = dict(session.execute(
        sa.select(StatusChange.actor, sa.func.count())
        .where(StatusChange.at >= period.start, StatusChange.at < period.end,
               StatusChange.actor.not_in(SYSTEM_ACTORS))
        .group_by(StatusChange.actor)).all())
    tasks, completed = _inbox_by_person(session, period)
    for person, count in completed.items():
        steps[person] = steps.get(person, 0) + count
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
