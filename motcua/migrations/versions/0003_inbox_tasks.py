"""Inbox tasks: the webapp's copy of open job-worker user tasks (motcua.db.inbox_tasks)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 17:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_tasks",
        sa.Column("job_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("process_instance_key", sa.BigInteger(), nullable=False),
        sa.Column("bpmn_process_id", sa.String(255), nullable=False),
        sa.Column("element_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("form_id", sa.String(255), nullable=True),
        sa.Column("candidate_groups", sa.JSON(), nullable=False),
        sa.Column("candidate_users", sa.JSON(), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("dossier_code", sa.String(64), nullable=True),
        sa.Column("procedure_code", sa.String(32), nullable=True),
        sa.Column("applicant_name", sa.String(255), nullable=True),
        sa.Column("display_name", sa.String(512), nullable=True),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("state", sa.Enum("open", "completed", "gone", name="taskstate", native_enum=False,
                                   create_constraint=False, length=16), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=False),
        sa.Column("collected_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("completed_by", sa.String(64), nullable=True),
        sa.Column("completion_variables", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("job_key", name=op.f("pk_inbox_tasks")),
    )
    for column in ("process_instance_key", "claimed_by", "dossier_code", "state"):
        op.create_index(op.f(f"ix_inbox_tasks_{column}"), "inbox_tasks", [column])


def downgrade() -> None:
    for column in ("process_instance_key", "claimed_by", "dossier_code", "state"):
        op.drop_index(op.f(f"ix_inbox_tasks_{column}"), table_name="inbox_tasks")
    op.drop_table("inbox_tasks")
