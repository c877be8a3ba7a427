"""The staff inbox's copy of open user tasks (job-worker user tasks, job type
`io.camunda.zeebe:userTask`), kept by the webapp's task collector.

The engine owns the task (a job); this table is the inbox's cache of what the collector activated,
with the inbox-side state Tasklist also keeps for job-based tasks: who claimed it, when it was
completed and by whom. The job key is the primary key, so a job activated twice (its lease ran
out, the webapp restarted) is one row: never lost, never shown twice.

Public API: `InboxTask`, `TaskState` (`open`, `completed`, `gone` — canceled or completed elsewhere).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Base, enum_column, now


class TaskState(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    GONE = "gone"


class InboxTask(Base):
    __tablename__ = "inbox_tasks"

    job_key: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    process_instance_key: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    bpmn_process_id: Mapped[str] = mapped_column(sa.String(255))
    element_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255))
    form_id: Mapped[str | None] = mapped_column(sa.String(255))
    candidate_groups: Mapped[list[Any]] = mapped_column(default=list)
    candidate_users: Mapped[list[Any]] = mapped_column(default=list)
    assignee: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    due_at: Mapped[datetime | None]
    dossier_code: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    procedure_code: Mapped[str | None] = mapped_column(sa.String(32))
    applicant_name: Mapped[str | None] = mapped_column(sa.String(255))
    display_name: Mapped[str | None] = mapped_column(sa.String(512))
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[TaskState] = mapped_column(enum_column(TaskState, 16), default=TaskState.OPEN, index=True)
    lease_until: Mapped[datetime]
    collected_at: Mapped[datetime] = mapped_column(default=now)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(sa.String(64))
    completion_variables: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
