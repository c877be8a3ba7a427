"""Deadline risk: open dossiers ranked by how likely they are to be late.

For each dossier in the agency's hands (status 2 or 4; a dossier waiting for the applicant has
its clock stopped and is left out) the report compares

* **working days left** until the promised date (`WorkingCalendar.working_days_between`; a
  dossier due today has 0 left, an overdue one a negative number), with
* **work left**: the time budgets (`hours`, 8 h = 1 working day) of the catalog steps of its
  procedure version that are not done yet.

`slack = days left − work left`; the list is ordered by slack, smallest first (ties: the earlier
promised date first). Where a dossier stands is read from its timeline: `received` finishes the
reception step; `transfer` / `resumed` put it (back) at the start of processing; a line whose
step is a catalog step id finishes that step; the user tasks of the process contract finish the
steps of their role (`*-appraisal` specialist, `head-review` head, `leader-sign` / `resolved`
leader, `return-result` / `returned` everything). Where the inbox keeps its copy of the user
tasks (`inbox_tasks`), completed tasks count as such lines (by form id, at their completion
time) and the open task says where the dossier is now: its step and every later one are left.

Levels: `overdue` (promised date passed), `high` (slack < 0: not enough time for the work
left), `watch` (slack < 2 working days), `low`.

Public API: `RiskLevel`, `DossierRisk`, `steps_done(procedure, timeline_steps) -> int`,
`deadline_risk(session, catalog, calendar, on, *, limit=None) -> list[DossierRisk]`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from motcua.catalog import Catalog, Procedure, ProcedureNotFound, ProcedureStep, Text
from motcua.db import Dossier, StatusChange
from motcua.statuses import DossierStatus
from motcua.working_calendar import WorkingCalendar

HOURS_PER_DAY = 8
WATCH_SLACK_DAYS = 2

_BACK_TO_PROCESSING = {"transfer", "resumed"}
_ROLE_OF_TASK = {"head-review": "head", "leader-sign": "leader", "resolved": "leader",
                 "resolved-refused": "leader"}
_EVERYTHING = {"return-result", "returned"}


class RiskLevel(enum.StrEnum):
    OVERDUE = "overdue"
    HIGH = "high"
    WATCH = "watch"
    LOW = "low"


@dataclass(frozen=True)
class DossierRisk:
    dossier_code: str
    procedure_code: str
    procedure_name: Text
    due_on: date
    working_days_left: int
    steps_left: tuple[ProcedureStep, ...]
    level: RiskLevel

    @property
    def work_days_left(self) -> float:
        return sum(step.hours for step in self.steps_left) / HOURS_PER_DAY

    @property
    def slack(self) -> float:
        return self.working_days_left - self.work_days_left

    @property
    def current_step(self) -> ProcedureStep | None:
        return self.steps_left[0] if self.steps_left else None


def _last_index(steps: Sequence[ProcedureStep], role: str) -> int | None:
    found = [i for i, step in enumerate(steps) if step.role == role]
    return found[-1] if found else None


def _processing_start(steps: Sequence[ProcedureStep]) -> int:
    """Steps done when processing (re)starts: the reception steps at the head of the list."""
    done = 0
    while done < len(steps) and steps[done].role == "reception":
        done += 1
    return min(done, 1) if steps else 0


def _role_of(step: str) -> str | None:
    if step.endswith("appraisal"):
        return "specialist"
    if step in _EVERYTHING or step == "satisfaction-rating":
        return "reception"
    return _ROLE_OF_TASK.get(step)


def current_step_index(procedure: Procedure, form_id: str) -> int | None:
    """The catalog step an open user task (by form id) stands for: steps before it are done."""
    role = _role_of(form_id)
    if role == "reception":  # returning the result: the last reception step
        return _last_index(procedure.steps, "reception")
    found = [i for i, step in enumerate(procedure.steps) if step.role == role] if role else []
    return found[0] if found else None


def steps_done(procedure: Procedure, timeline_steps: Iterable[str | None],
               open_task: str | None = None) -> int:
    """How many of the procedure's catalog steps the timeline shows as done, in catalog order;
    `open_task` (the form id of the dossier's open user task) overrides where it stands now."""
    if open_task:
        index = current_step_index(procedure, open_task)
        if index is not None:
            return index
    steps = procedure.steps
    ids = {step.id: index for index, step in enumerate(steps)}
    done = 0
    for step in timeline_steps:
        if not step:
            continue
        if step == "received":
            done = max(done, _processing_start(steps))
        elif step in _BACK_TO_PROCESSING:
            done = _processing_start(steps)
        elif step in ids:
            done = max(done, ids[step] + 1)
        elif step in _EVERYTHING:
            done = len(steps)
        else:
            role = _role_of(step)
            index = _last_index(steps, role) if role else None
            if index is not None:
                done = max(done, index + 1)
    return done


def _days_left(calendar: WorkingCalendar, on: date, due_on: date,
               cache: dict[date, int]) -> int:
    if due_on not in cache:
        if due_on >= on:
            cache[due_on] = calendar.working_days_between(on, due_on)
        else:
            cache[due_on] = -max(calendar.working_days_between(due_on, on), 1)
    return cache[due_on]


def _level(days_left: int, slack: float) -> RiskLevel:
    if days_left < 0:
        return RiskLevel.OVERDUE
    if slack < 0:
        return RiskLevel.HIGH
    if slack < WATCH_SLACK_DAYS:
        return RiskLevel.WATCH
    return RiskLevel.LOW


def _inbox_tasks(session: Session, ids_by_code: dict[str, int],
                 lines: dict[int, list[tuple[datetime, str | None]]]) -> dict[int, str]:
    """Completed user tasks added to `lines`; the open task's form id per dossier."""
    if not ids_by_code or not sa.inspect(session.get_bind()).has_table("inbox_tasks"):
        return {}
    codes = list(ids_by_code)
    open_tasks: dict[int, str] = {}
    for chunk_start in range(0, len(codes), 500):
        rows = session.execute(
            sa.text("SELECT dossier_code, form_id, state, completed_at FROM inbox_tasks "
                    "WHERE dossier_code IN :codes AND form_id IS NOT NULL "
                    "ORDER BY collected_at").bindparams(sa.bindparam("codes", expanding=True)),
            {"codes": codes[chunk_start:chunk_start + 500]})
        for code, form_id, state, completed_at in rows:
            dossier_id = ids_by_code[code]
            if state == "open":
                open_tasks[dossier_id] = form_id
            elif state == "completed" and completed_at is not None:
                lines[dossier_id].append((_moment(completed_at), form_id))
    return open_tasks


def _moment(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def deadline_risk(session: Session, catalog: Catalog, calendar: WorkingCalendar, on: date, *,
                  limit: int | None = None, procedure: str | None = None) -> list[DossierRisk]:
    """Open dossiers in the agency's hands on `on`, riskiest first."""
    query = (sa.select(Dossier.id, Dossier.code, Dossier.procedure_code, Dossier.procedure_version,
                       Dossier.due_on)
             .where(Dossier.status.in_([DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS]),
                    Dossier.due_on.is_not(None), Dossier.processing_finished_at.is_(None)))
    if procedure:
        query = query.where(Dossier.procedure_code == procedure)
    open_rows = session.execute(query).all()
    lines: dict[int, list[tuple[datetime, str | None]]] = {row.id: [] for row in open_rows}
    ids = list(lines)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        for dossier_id, at, step in session.execute(
                sa.select(StatusChange.dossier_id, StatusChange.at, StatusChange.step)
                .where(StatusChange.dossier_id.in_(chunk))
                .order_by(StatusChange.dossier_id, StatusChange.at, StatusChange.id)):
            lines[dossier_id].append((at, step))
    open_tasks = _inbox_tasks(session, {row.code: row.id for row in open_rows}, lines)
    timelines = {dossier_id: [step for _, step in sorted(steps, key=lambda line: line[0])]
                 for dossier_id, steps in lines.items()}
    cache: dict[date, int] = {}
    risks = []
    for row in open_rows:
        try:
            found = catalog.version(row.procedure_code, row.procedure_version)
        except ProcedureNotFound:
            continue
        done = steps_done(found, timelines[row.id], open_tasks.get(row.id))
        left = _days_left(calendar, on, row.due_on, cache)
        steps_left = found.steps[done:]
        slack = left - sum(step.hours for step in steps_left) / HOURS_PER_DAY
        risks.append(DossierRisk(row.code, row.procedure_code, found.name, row.due_on, left,
                                 steps_left, _level(left, slack)))
    risks.sort(key=lambda r: (r.slack, r.due_on, r.dossier_code))
    return risks[:limit] if limit else risks
