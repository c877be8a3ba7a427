"""Report indexes: covering indexes on dossiers for the Biểu 06 period report (motcua.reports)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 17:10:00
"""

from __future__ import annotations

from alembic import op

import motcua.reports.indexes  # noqa: F401 - registers the current report indexes on Base.metadata

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# the indexes as this revision made them (0006 replaced them)
COLUMNS = {
    "ix_dossiers_report_received": ["received_at", "processing_finished_at", "due_on", "status",
                                    "channel", "procedure_code", "procedure_version"],
    "ix_dossiers_report_finished": ["processing_finished_at", "received_at", "due_on", "status",
                                    "channel", "procedure_code", "procedure_version"],
}


def upgrade() -> None:
    for name, columns in COLUMNS.items():
        op.create_index(name, "dossiers", columns, unique=False)


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_index(name, table_name="dossiers")
