"""Consultation requests close: consultation_requests.closed_at and .outcome (`replied` or
`overdue`), so a reply that comes after the consultation is over is refused; requests already
answered are back-filled as closed when they were answered

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consultation_requests") as table:
        table.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        table.add_column(sa.Column("outcome", sa.String(16), nullable=True))
    op.execute("UPDATE consultation_requests SET closed_at = replied_at, outcome = 'replied' "
               "WHERE replied_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("consultation_requests") as table:
        table.drop_column("outcome")
        table.drop_column("closed_at")
