"""SMS retry time: sms_messages.next_attempt_at, for back-off after provider errors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:37:40
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sms_messages") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sms_messages") as batch:
        batch.drop_column("next_attempt_at")
