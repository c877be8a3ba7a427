"""Consulted agencies: their tokens and the consultations sent to them (motcua.db.agencies)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(32), nullable=False),
        sa.Column("agency_name", sa.String(255), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_agency_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_agency_tokens_agency_code"), "agency_tokens", ["agency_code"])
    op.create_table(
        "consultation_requests",
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("agency_code", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("replied_by", sa.String(64), nullable=True),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_consultation_requests")),
    )
    op.create_index(op.f("ix_consultation_requests_dossier_code"), "consultation_requests", ["dossier_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_consultation_requests_dossier_code"), table_name="consultation_requests")
    op.drop_table("consultation_requests")
    op.drop_index(op.f("ix_agency_tokens_agency_code"), table_name="agency_tokens")
    op.drop_table("agency_tokens")
