"""Dossier resolution: dossiers.resolution (early / on time / late, stored when processing
finishes) and dossiers.closed_at (when it was withdrawn or stopped), back-filled from
processing_finished_at, due_on and the timeline; the period report's covering index leads with
procedure, resolution and channel (motcua.reports.indexes)

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

WITHDRAWN, STOPPED = 7, 8  # national status codes
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
    "ix_dossiers_report": ["procedure_code", "resolution", "channel", "processing_finished_at",
                           "closed_at", "received_at", "due_on", "status"],
}


def _finished_day(dialect: str) -> str:
    """The Vietnam date processing finished (moments are stored in UTC)."""
    if dialect == "postgresql":
        return f"CAST((processing_finished_at + INTERVAL '{VIETNAM_HOURS} hours') AS DATE)"
    return f"date(processing_finished_at, '+{VIETNAM_HOURS} hours')"


def resolution_backfill(dialect: str) -> str:
    """The resolution of every finished dossier with a promised date, compared by dates."""
    day = _finished_day(dialect)
    return (f"UPDATE dossiers SET resolution = CASE WHEN {day} < due_on THEN {EARLY} "
            f"WHEN {day} = due_on THEN {ON_TIME} ELSE {LATE} END "
            "WHERE processing_finished_at IS NOT NULL AND due_on IS NOT NULL")


# a withdrawn or stopped dossier closed with its first timeline line of that status
CLOSED_AT_BACKFILL = (
    "UPDATE dossiers SET closed_at = (SELECT MIN(sc.at) FROM status_changes sc "
    "WHERE sc.dossier_id = dossiers.id AND sc.status = dossiers.status) "
    f"WHERE status IN ({WITHDRAWN}, {STOPPED})")


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("resolution", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
    for name in OLD_INDEXES:  # before the back-fill: fewer indexes to keep up to date
        op.drop_index(name, table_name="dossiers")
    op.execute(resolution_backfill(op.get_bind().dialect.name))
    op.execute(CLOSED_AT_BACKFILL)
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "dossiers", columns, unique=False)


def downgrade() -> None:
    for name in NEW_INDEXES:
        op.drop_index(name, table_name="dossiers")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("resolution")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "dossiers", columns, unique=False)
