"""Dossier resolution: dossiers.resolution (early / on time / late, stored when processing
finishes) back-filled from processing_finished_at and due_on; the period report's covering
indexes lead with procedure and resolution (motcua.reports.indexes)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Resolution codes (motcua.db.dossiers.Resolution) as they were when this revision was written
EARLY, ON_TIME, LATE = 1, 2, 3
VIETNAM_HOURS = 7  # UTC+7 all year, no daylight saving

OLD_INDEXES = {
    "ix_dossiers_report_received": ["received_at", "processing_finished_at", "due_on", "status",
                                    "channel", "procedure_code", "procedure_version"],
    "ix_dossiers_report_finished": ["processing_finished_at", "received_at", "due_on", "status",
                                    "channel", "procedure_code", "procedure_version"],
}
NEW_INDEXES = {
    "ix_dossiers_report_intake": ["procedure_code", "resolution", "channel", "received_at",
                                  "processing_finished_at"],
    "ix_dossiers_report_outcome": ["procedure_code", "resolution", "processing_finished_at",
                                   "received_at", "channel", "due_on", "status"],
}


def _finished_day(dialect: str) -> str:
    """The Vietnam date processing finished (moments are stored in UTC)."""
    if dialect == "postgresql":
        return f"CAST((processing_finished_at + INTERVAL '{VIETNAM_HOURS} hours') AS DATE)"
    return f"date(processing_finished_at, '+{VIETNAM_HOURS} hours')"


def backfill_statement(dialect: str) -> str:
    """The resolution of every finished dossier with a promised date, compared by dates."""
    day = _finished_day(dialect)
    return (f"UPDATE dossiers SET resolution = CASE WHEN {day} < due_on THEN {EARLY} "
            f"WHEN {day} = due_on THEN {ON_TIME} ELSE {LATE} END "
            "WHERE processing_finished_at IS NOT NULL AND due_on IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("resolution", sa.Integer(), nullable=True))
    for name in OLD_INDEXES:  # before the back-fill: fewer indexes to keep up to date
        op.drop_index(name, table_name="dossiers")
    op.execute(backfill_statement(op.get_bind().dialect.name))
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "dossiers", columns, unique=False)


def downgrade() -> None:
    for name in NEW_INDEXES:
        op.drop_index(name, table_name="dossiers")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("resolution")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "dossiers", columns, unique=False)
