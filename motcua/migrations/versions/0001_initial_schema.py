"""Initial schema: dossiers, timeline, pauses, documents, outboxes, ratings, staff, calendar, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-24 16:33:39.852455
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("audit_entries",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("actor", sa.String(length=64), nullable=False),
    sa.Column("action", sa.String(length=64), nullable=False),
    sa.Column("entity_type", sa.String(length=64), nullable=False),
    sa.Column("entity_id", sa.String(length=64), nullable=True),
    sa.Column("details", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries"))
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"], unique=False)
    op.create_table("calendar_overrides",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("working", sa.Boolean(), nullable=False),
    sa.Column("note", sa.String(length=255), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_overrides")),
    sa.UniqueConstraint("day", name=op.f("uq_calendar_overrides_day"))
    )
    op.create_table("dossier_code_counters",
    sa.Column("agency_code", sa.String(length=32), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("last_sequence", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("agency_code", "day", name=op.f("pk_dossier_code_counters"))
    )
    op.create_table("dossiers",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("code", sa.String(length=64), nullable=False),
    sa.Column("code_is_external", sa.Boolean(), nullable=False),
    sa.Column("procedure_code", sa.String(length=32), nullable=False),
    sa.Column("procedure_version", sa.Integer(), nullable=False),
    sa.Column("case_id", sa.String(length=64), nullable=True),
    sa.Column("agency_code", sa.String(length=32), nullable=False),
    sa.Column("summary", sa.Text(), nullable=True),
    sa.Column("applicant_kind", sa.String(length=32), nullable=False),
    sa.Column("applicant_name", sa.String(length=255), nullable=False),
    sa.Column("applicant_id_number", sa.String(length=32), nullable=True),
    sa.Column("applicant_phone", sa.String(length=20), nullable=True),
    sa.Column("applicant_email", sa.String(length=255), nullable=True),
    sa.Column("applicant_address", sa.Text(), nullable=True),
    sa.Column("channel", sa.String(length=32), nullable=False),
    sa.Column("submitted_components", sa.JSON(), nullable=False),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.Column("received_by", sa.String(length=64), nullable=True),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("due_at", sa.DateTime(), nullable=True),
    sa.Column("original_due_on", sa.Date(), nullable=True),
    sa.Column("supplement_clock", sa.String(length=32), nullable=False),
    sa.Column("status", sa.Integer(), nullable=False),
    sa.Column("processing_finished_at", sa.DateTime(), nullable=True),
    sa.Column("returned_at", sa.DateTime(), nullable=True),
    sa.Column("process_instance_key", sa.BigInteger(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.CheckConstraint("status BETWEEN 1 AND 10", name=op.f("ck_dossiers_status_code")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
    sa.UniqueConstraint("code", name=op.f("uq_dossiers_code"))
    )
    op.create_index(op.f("ix_dossiers_agency_code"), "dossiers", ["agency_code"], unique=False)
    op.create_index(op.f("ix_dossiers_applicant_id_number"), "dossiers", ["applicant_id_number"], unique=False)
    op.create_index(op.f("ix_dossiers_procedure_code"), "dossiers", ["procedure_code"], unique=False)
    op.create_index(op.f("ix_dossiers_process_instance_key"), "dossiers", ["process_instance_key"], unique=False)
    op.create_index(op.f("ix_dossiers_received_at"), "dossiers", ["received_at"], unique=False)
    op.create_index(op.f("ix_dossiers_status"), "dossiers", ["status"], unique=False)
    op.create_table("staff_users",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("full_name", sa.String(length=255), nullable=False),
    sa.Column("email", sa.String(length=255), nullable=True),
    sa.Column("phone", sa.String(length=20), nullable=True),
    sa.Column("unit", sa.String(length=255), nullable=True),
    sa.Column("password_hash", sa.String(length=255), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
    sa.UniqueConstraint("username", name=op.f("uq_staff_users_username"))
    )
    op.create_table("api_tokens",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("token_sha256", sa.String(length=64), nullable=False),
    sa.Column("name", sa.String(length=255), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_used_at", sa.DateTime(), nullable=True),
    sa.Column("revoked_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_api_tokens_user_id_staff_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256"))
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table("documents",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("dossier_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("component_id", sa.String(length=64), nullable=True),
    sa.Column("number", sa.String(length=64), nullable=True),
    sa.Column("title", sa.String(length=255), nullable=False),
    sa.Column("filename", sa.String(length=255), nullable=False),
    sa.Column("media_type", sa.String(length=127), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=True),
    sa.Column("sha256", sa.String(length=64), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_documents_dossier_id_dossiers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_documents"))
    )
    op.create_index(op.f("ix_documents_dossier_id"), "documents", ["dossier_id"], unique=False)
    op.create_table("dossier_pauses",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("dossier_id", sa.Integer(), nullable=False),
    sa.Column("reason", sa.String(length=32), nullable=False),
    sa.Column("requested_at", sa.DateTime(), nullable=False),
    sa.Column("resumed_at", sa.DateTime(), nullable=True),
    sa.Column("due_before", sa.Date(), nullable=True),
    sa.Column("due_after", sa.Date(), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_pauses_dossier_id_dossiers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_pauses"))
    )
    op.create_index(op.f("ix_dossier_pauses_dossier_id"), "dossier_pauses", ["dossier_id"], unique=False)
    op.create_table("portal_outbox",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("idempotency_key", sa.String(length=128), nullable=False),
    sa.Column("dossier_id", sa.Integer(), nullable=True),
    sa.Column("operation", sa.String(length=64), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(length=32), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_portal_outbox_dossier_id_dossiers"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_outbox")),
    sa.UniqueConstraint("idempotency_key", name=op.f("uq_portal_outbox_idempotency_key"))
    )
    op.create_index(op.f("ix_portal_outbox_dossier_id"), "portal_outbox", ["dossier_id"], unique=False)
    op.create_index(op.f("ix_portal_outbox_status"), "portal_outbox", ["status"], unique=False)
    op.create_table("ratings",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("dossier_id", sa.Integer(), nullable=False),
    sa.Column("criteria", sa.JSON(), nullable=False),
    sa.Column("overall", sa.String(length=32), nullable=False),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_ratings_dossier_id_dossiers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
    sa.UniqueConstraint("dossier_id", name=op.f("uq_ratings_dossier_id"))
    )
    op.create_table("sms_messages",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("idempotency_key", sa.String(length=128), nullable=False),
    sa.Column("dossier_id", sa.Integer(), nullable=True),
    sa.Column("event", sa.String(length=64), nullable=False),
    sa.Column("phone", sa.String(length=20), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("provider", sa.String(length=32), nullable=True),
    sa.Column("status", sa.String(length=32), nullable=False),
    sa.Column("provider_message_id", sa.String(length=128), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.Column("delivered_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_sms_messages_dossier_id_dossiers"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
    sa.UniqueConstraint("idempotency_key", name=op.f("uq_sms_messages_idempotency_key"))
    )
    op.create_index(op.f("ix_sms_messages_dossier_id"), "sms_messages", ["dossier_id"], unique=False)
    op.create_index(op.f("ix_sms_messages_status"), "sms_messages", ["status"], unique=False)
    op.create_table("staff_role_grants",
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("role", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_staff_role_grants_user_id_staff_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_staff_role_grants"))
    )
    op.create_table("status_changes",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("dossier_id", sa.Integer(), nullable=False),
    sa.Column("status", sa.Integer(), nullable=False),
    sa.Column("step", sa.String(length=64), nullable=True),
    sa.Column("actor", sa.String(length=64), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("idempotency_key", sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_status_changes_dossier_id_dossiers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    sa.UniqueConstraint("idempotency_key", name=op.f("uq_status_changes_idempotency_key"))
    )
    op.create_index(op.f("ix_status_changes_dossier_id"), "status_changes", ["dossier_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_status_changes_dossier_id"), table_name="status_changes")
    op.drop_table("status_changes")
    op.drop_table("staff_role_grants")
    op.drop_index(op.f("ix_sms_messages_status"), table_name="sms_messages")
    op.drop_index(op.f("ix_sms_messages_dossier_id"), table_name="sms_messages")
    op.drop_table("sms_messages")
    op.drop_table("ratings")
    op.drop_index(op.f("ix_portal_outbox_status"), table_name="portal_outbox")
    op.drop_index(op.f("ix_portal_outbox_dossier_id"), table_name="portal_outbox")
    op.drop_table("portal_outbox")
    op.drop_index(op.f("ix_dossier_pauses_dossier_id"), table_name="dossier_pauses")
    op.drop_table("dossier_pauses")
    op.drop_index(op.f("ix_documents_dossier_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("staff_users")
    op.drop_index(op.f("ix_dossiers_status"), table_name="dossiers")
    op.drop_index(op.f("ix_dossiers_received_at"), table_name="dossiers")
    op.drop_index(op.f("ix_dossiers_process_instance_key"), table_name="dossiers")
    op.drop_index(op.f("ix_dossiers_procedure_code"), table_name="dossiers")
    op.drop_index(op.f("ix_dossiers_applicant_id_number"), table_name="dossiers")
    op.drop_index(op.f("ix_dossiers_agency_code"), table_name="dossiers")
    op.drop_table("dossiers")
    op.drop_table("dossier_code_counters")
    op.drop_table("calendar_overrides")
    op.drop_index(op.f("ix_audit_entries_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
