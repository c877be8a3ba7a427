"""Report indexes: covering indexes on dossiers for the Biểu 06 period report (motcua.reports)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 17:10:00
"""

from __future__ import annotations

from alembic import op

import motcua.reports.indexes as report_indexes  # also registers the indexes on Base.metadata

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, columns in report_indexes.COLUMNS.items():
        op.create_index(name, "dossiers", columns, unique=False)


def downgrade() -> None:
    for name in report_indexes.COLUMNS:
        op.drop_index(name, table_name="dossiers")
