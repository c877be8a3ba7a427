"""The engine's tables (SQLAlchemy Core). The engine owns them; nothing outside engine/ reads them."""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# 64-bit keys. On SQLite an INTEGER primary key is the table's rowid: a BIGINT one would be a
# second B-tree beside it, written on every insert (a third of a record's index work).
KEY = BigInteger().with_variant(Integer, "sqlite")

definitions = Table(
    "engine_process_definition",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("bpmn_process_id", String(255), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("resource_name", String(255), nullable=False),
    Column("resource", LargeBinary, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("deployment_key", BigInteger, nullable=False),
    Column("deployed_at", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
)

forms = Table(
    "engine_form",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("form_id", String(255), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("resource_name", String(255), nullable=False),
    Column("resource", LargeBinary, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("deployment_key", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
)

instances = Table(
    "engine_process_instance",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", String(255), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("started_at", BigInteger, nullable=False),
    Column("ended_at", BigInteger),
    Column("called", JSON, nullable=False),
    Column("parent_key", BigInteger, nullable=False, default=-1),
    Column("variables", JSON),
    Column("snapshot", Text),
)

jobs = Table(
    "engine_job",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("row", JSON, nullable=False),
)

incidents = Table(
    "engine_incident",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("row", JSON, nullable=False),
)

subscriptions = Table(
    "engine_message_subscription",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("row", JSON, nullable=False),
)

messages = Table(
    "engine_message",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("row", JSON, nullable=False),
)

timers = Table(
    "engine_timer",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("row", JSON, nullable=False),
)

records = Table(
    "engine_record",
    metadata,
    Column("position", KEY, primary_key=True, autoincrement=False),
    Column("key", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value_type", String(32), nullable=False, index=True),
    Column("intent", String(48), nullable=False),
    Column("process_instance_key", BigInteger, index=True),
    Column("value", JSON, nullable=False),
)

decision_requirements = Table(
    "engine_decision_requirements",
    metadata,
    Column("key", KEY, primary_key=True, autoincrement=False),
    Column("row", JSON, nullable=False),
)

# Row-shaped state tables: the in-memory dict of each is written back as one JSON row per key.
ROW_TABLES = {
    "jobs": jobs,
    "incidents": incidents,
    "subscriptions": subscriptions,
    "messages": messages,
    "timers": timers,
    "decision_requirements": decision_requirements,  # DMN resources and their decisions
}
