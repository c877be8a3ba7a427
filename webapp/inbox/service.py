"""The inbox's rules: who sees a task, claiming, completing with CompleteJob.

Claims are inbox-side state, as Tasklist keeps them for job-based user tasks. Completing sends
the form values as the job's variables; a job that is gone meanwhile (NOT_FOUND) leaves the
inbox and the caller gets `TaskGone`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from motcua.db import AuditEntry
from motcua.db.inbox_tasks import InboxTask, TaskState
from webapp.auth import SignedIn
from webapp.inbox.collector import mark_gone
from webapp.zeebe import TaskGone

VIEWS = ("mine", "groups", "all")
STATUSES = ("open", "unclaimed", "claimed", "overdue", "completed")


class ClaimedByOther(PermissionError):
    def __init__(self, username: str) -> None:
        super().__init__(username)
        self.username = username


def can_see(task: InboxTask, user: SignedIn) -> bool:
    return (user.sees_all_tasks or bool(user.groups & set(task.candidate_groups or []))
            or user.username in (task.candidate_users or [])
            or user.username in (task.assignee, task.claimed_by))


def _in_my_groups(task: InboxTask, user: SignedIn) -> bool:
    return (bool(user.groups & set(task.candidate_groups or [])) or user.username in (task.candidate_users or [])
            or user.username in (task.assignee, task.claimed_by))


def is_overdue(task: InboxTask, now: datetime | None = None) -> bool:
    return task.state is TaskState.OPEN and task.due_at is not None and task.due_at < (now or datetime.now(UTC))


@dataclass(frozen=True)
class TaskQuery:
    view: str = "groups"
    status: str = "open"
    procedure: str = ""
    text: str = ""


def find_tasks(db, user: SignedIn, query: TaskQuery, limit: int = 500) -> list[InboxTask]:
    statement = sa.select(InboxTask)
    if query.status == "completed":
        statement = statement.where(InboxTask.state == TaskState.COMPLETED,
                                    InboxTask.completed_by == user.username) \
            if not user.sees_all_tasks else statement.where(InboxTask.state == TaskState.COMPLETED)
        statement = statement.order_by(InboxTask.completed_at.desc())
    else:
        statement = statement.where(InboxTask.state == TaskState.OPEN) \
            .order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.job_key)
    if query.procedure:
        statement = statement.where(InboxTask.procedure_code == query.procedure)
    if query.text:
        needle = f"%{query.text.strip().lower()}%"
        statement = statement.where(sa.or_(sa.func.lower(InboxTask.dossier_code).like(needle),
                                           sa.func.lower(InboxTask.applicant_name).like(needle),
                                           sa.func.lower(InboxTask.display_name).like(needle)))
    if query.view == "mine" and query.status != "completed":
        statement = statement.where(sa.or_(InboxTask.claimed_by == user.username,
                                           InboxTask.assignee == user.username))
    elif query.view == "groups" or not user.sees_all_tasks:
        statement = statement.where(_visible_in_sql(user))
    now = datetime.now(UTC)
    tasks = []
    for task in db.scalars(statement):
        if query.view == "mine":
            if user.username not in (task.claimed_by, task.assignee) and query.status != "completed":
                continue
        elif (query.view == "groups" or not user.sees_all_tasks) and not _in_my_groups(task, user):
            continue
        if query.status == "unclaimed" and task.claimed_by:
            continue
        if query.status == "claimed" and not task.claimed_by:
            continue
        if query.status == "overdue" and not is_overdue(task, now):
            continue
        tasks.append(task)
        if len(tasks) >= limit:
            break
    return tasks


def _visible_in_sql(user: SignedIn) -> sa.ColumnElement[bool]:
    """A coarse SQL filter (JSON lists as text) that the exact check in Python then confirms."""
    groups_text = sa.cast(InboxTask.candidate_groups, sa.Text)
    users_text = sa.cast(InboxTask.candidate_users, sa.Text)
    return sa.or_(*[groups_text.like(f'%"{group}"%') for group in sorted(user.groups)],
                  users_text.like(f'%"{user.username}"%'),
                  InboxTask.assignee == user.username, InboxTask.claimed_by == user.username)


def get_task(db, job_key: int, user: SignedIn) -> InboxTask | None:
    task = db.get(InboxTask, job_key)
    if task is None or not can_see(task, user):
        return None
    return task


def claim(office: Any, job_key: int, user: SignedIn) -> InboxTask:
    with office.transaction() as db:
        task = get_task(db, job_key, user)
        if task is None:
            raise LookupError(job_key)
        if task.state is not TaskState.OPEN:
            raise TaskGone(str(job_key))
        # one statement, so two people claiming at the same moment cannot both win
        claimed = db.execute(sa.update(InboxTask).where(
            InboxTask.job_key == job_key, InboxTask.state == TaskState.OPEN,
            sa.or_(InboxTask.claimed_by.is_(None), InboxTask.claimed_by == user.username))
            .values(claimed_by=user.username).execution_options(synchronize_session=False)).rowcount
        db.refresh(task)
        if not claimed:
            raise ClaimedByOther(task.claimed_by or "?")
        return task


def unclaim(office: Any, job_key: int, user: SignedIn) -> InboxTask:
    with office.transaction() as db:
        task = get_task(db, job_key, user)
        if task is None:
            raise LookupError(job_key)
        if task.claimed_by and task.claimed_by != user.username and not user.sees_all_tasks:
            raise ClaimedByOther(task.claimed_by)
        task.claimed_by = None
        return task


def complete(office: Any, job_key: int, user: SignedIn, variables: dict[str, Any]) -> InboxTask:
    """CompleteJob with the form's values; the task must be open and not claimed by someone else
    (an unclaimed task is claimed by whoever completes it)."""
    with office.sessions() as db:
        task = get_task(db, job_key, user)
        if task is None:
            raise LookupError(job_key)
        if task.state is not TaskState.OPEN:
            raise TaskGone(str(job_key))
        if task.claimed_by and task.claimed_by != user.username:
            raise ClaimedByOther(task.claimed_by)
    try:
        office.gateway.complete_job(job_key, variables)
    except TaskGone:
        mark_gone(office, job_key)
        raise
    with office.transaction() as db:
        task = db.get(InboxTask, job_key)
        task.state = TaskState.COMPLETED
        task.claimed_by = task.claimed_by or user.username
        task.completed_at = datetime.now(UTC)
        task.completed_by = user.username
        task.completion_variables = variables
        db.add(AuditEntry(actor=user.username, action="task-completed", entity_type="dossier",
                          entity_id=task.dossier_code,
                          details={"task": task.element_id, "jobKey": str(job_key), "values": variables}))
        return task
