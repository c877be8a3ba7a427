"""Writes the engine's changes in one transaction and reads everything back at start."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, delete, event, insert, select, update
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.pool import StaticPool

from . import schema
from .json_text import dumps as _dumps


@dataclass
class Changes:
    """What one group of commands changed; applied by `Store.commit` in one transaction."""

    definitions: list[dict[str, Any]] = field(default_factory=list)
    definition_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    forms: list[dict[str, Any]] = field(default_factory=list)
    instances: dict[int, dict[str, Any]] = field(default_factory=dict)
    rows: dict[str, dict[int, Any]] = field(default_factory=lambda: defaultdict(dict))
    # (position, key, timestamp, value type, intent, process instance key, value)
    records: list[tuple] = field(default_factory=list)

    def put(self, table: str, key: int, row: dict[str, Any]) -> None:
        self.rows[table][key] = row

    def drop(self, table: str, key: int) -> None:
        self.rows[table][key] = None

    def empty(self) -> bool:
        return not (self.definitions or self.definition_updates or self.forms or self.instances
                    or any(self.rows.values()) or self.records)


class Store:
    def __init__(self, database_url: str) -> None:
        self.url = database_url
        options: dict[str, Any] = {}
        if database_url in ("sqlite://", "sqlite:///:memory:"):
            options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        elif database_url.startswith("sqlite"):
            options = {"connect_args": {"check_same_thread": False}}
        self.sql: SqlEngine = create_engine(database_url, **options)
        if database_url.startswith("sqlite"):
            event.listen(self.sql, "connect", _sqlite_pragmas)
        schema.metadata.create_all(self.sql)
        self._stored: dict[str, set[int]] = defaultdict(set)
        self._writer_connection = None  # opened by the first commit, on the writer thread

    def close(self) -> None:
        if self._writer_connection is not None:
            self._writer_connection.close()
        self.sql.dispose()

    def _connection(self):
        """The writer's own connection, kept open: no pool checkout per transaction."""
        if self._writer_connection is None:
            self._writer_connection = self.sql.connect()
        return self._writer_connection

    # ---- reading back -------------------------------------------------------------------
    def load(self) -> dict[str, Any]:
        with self.sql.connect() as connection:
            loaded = {
                "definitions": [dict(r._mapping) for r in connection.execute(
                    select(schema.definitions).order_by(schema.definitions.c.key))],
                "forms": [dict(r._mapping) for r in connection.execute(
                    select(schema.forms).order_by(schema.forms.c.key))],
                "instances": [dict(r._mapping) for r in connection.execute(
                    select(schema.instances).order_by(schema.instances.c.key))],
            }
            for name, table in schema.ROW_TABLES.items():
                loaded[name] = {r.key: r.row for r in connection.execute(select(table.c.key, table.c.row))}
                self._stored[name] = set(loaded[name])
            self._stored["instances"] = {r["key"] for r in loaded["instances"]}
            last = connection.execute(select(schema.records.c.position).order_by(
                schema.records.c.position.desc()).limit(1)).scalar()
            loaded["last_position"] = last or 0
            highest = [0]
            for table in (schema.definitions, schema.forms, schema.instances, schema.records, *schema.ROW_TABLES.values()):
                value = connection.execute(select(table.c.key).order_by(table.c.key.desc()).limit(1)).scalar()
                highest.append(value or 0)
            loaded["last_key"] = max(highest)
        return loaded

    # ---- writing ------------------------------------------------------------------------
    def commit(self, changes: Changes) -> None:
        if changes.empty():
            return
        settled: list[tuple[str, list[int], list[int]]] = []
        connection = self._connection()
        with connection.begin():
            if changes.definitions:
                connection.execute(insert(schema.definitions), changes.definitions)
            for key, values in changes.definition_updates.items():
                connection.execute(update(schema.definitions).where(schema.definitions.c.key == key).values(**values))
            if changes.forms:
                connection.execute(insert(schema.forms), changes.forms)
            settled.append(self._upsert(connection, "instances", schema.instances, {
                key: _instance_values(row) for key, row in changes.instances.items()}))
            for name, rows in changes.rows.items():
                settled.append(self._upsert(connection, name, schema.ROW_TABLES[name], {
                    key: None if row is None else {"row": _dumps(row)} for key, row in rows.items()}))
            if changes.records:
                # The hot path: plain driver executemany with JSON text, no statement compilation.
                columns = ("position", "key", "timestamp", "value_type", "intent", "process_instance_key", "value")
                connection.exec_driver_sql(
                    self._insert_sql(schema.records.name, columns), _encoded(changes.records))
        # Only once committed: which keys now exist decides insert vs update next time.
        for name, inserted, deleted in settled:
            self._stored[name].difference_update(deleted)
            self._stored[name].update(inserted)

    def _insert_sql(self, table: str, columns: tuple[str, ...]) -> str:
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([self._mark] * len(columns))})"

    @property
    def _mark(self) -> str:
        return "?" if self.sql.dialect.paramstyle == "qmark" else "%s"

    def _upsert(self, connection, name: str, table, rows: dict[int, dict[str, Any] | None]
                ) -> tuple[str, list[int], list[int]]:
        stored = self._stored[name]
        inserts, updates, deletes = [], [], []
        for key, values in rows.items():
            if values is None:
                if key in stored:
                    deletes.append(key)
            elif key in stored:
                updates.append((key, values))
            else:
                inserts.append((key, values))
        if deletes:
            connection.execute(delete(table).where(table.c.key.in_(deletes)))
        if inserts:
            columns = ("key", *inserts[0][1])
            connection.exec_driver_sql(self._insert_sql(table.name, columns),
                                       [(key, *values.values()) for key, values in inserts])
        if updates:
            columns = tuple(updates[0][1])
            assignments = ", ".join(f"{c} = {self._mark}" for c in columns)
            connection.exec_driver_sql(f"UPDATE {table.name} SET {assignments} WHERE key = {self._mark}",
                                       [(*values.values(), key) for key, values in updates])
        return name, [key for key, _ in inserts], deletes

    def forget_pending(self) -> None:
        """After a failed commit, re-read which keys exist (the transaction rolled back)."""
        self.load()

    # ---- queries over the record log -------------------------------------------------------
    def records(self, after_position: int, limit: int, value_type: str | None,
                process_instance_key: int | None) -> list[dict[str, Any]]:
        query = select(schema.records).where(schema.records.c.position > after_position)
        if value_type:
            query = query.where(schema.records.c.value_type == value_type)
        if process_instance_key is not None:
            query = query.where(schema.records.c.process_instance_key == process_instance_key)
        query = query.order_by(schema.records.c.position).limit(limit)
        connection = self._connection()
        rows = [dict(r._mapping) for r in connection.execute(query)]
        connection.commit()  # end the read transaction so the WAL can be checkpointed
        return _expanded(rows, after_position, limit)


def _encoded(records: list[tuple]) -> list[tuple]:
    """Record rows with JSON values; an element's lifecycle records share one value object (only
    the intent differs), so it is encoded once (ids are stable: `records` holds every value)."""
    texts: dict[int, str] = {}
    rows: list[tuple] = []
    previous: tuple | None = None
    for record in records:
        position, key, timestamp, value_type, intent, pik, value = record
        text = texts.get(id(value))
        if text is None:
            text = texts[id(value)] = _dumps(value)
        elif (previous is not None and previous[6] is value and previous[0] == position - 1
              and previous[1] == key and " " not in rows[-1][4]):
            # A transitional record right before its final one (ELEMENT_ACTIVATING, then
            # ELEMENT_ACTIVATED): one row at the final position, read back as two (see _expanded).
            rows[-1] = (position, key, timestamp, value_type, f"{previous[4]} {intent}", pik, text)
            previous = record
            continue
        rows.append((position, key, timestamp, value_type, intent, pik, text))
        previous = record
    return rows


def _expanded(rows: list[dict[str, Any]], after_position: int, limit: int) -> list[dict[str, Any]]:
    """Rows as records: a pair stored as one row (see _encoded) is the transitional record at
    the position before, then the final one."""
    if not any(" " in row["intent"] for row in rows):
        return rows
    records: list[dict[str, Any]] = []
    for row in rows:
        intent = row["intent"]
        if " " in intent:
            first, final = intent.split(" ", 1)
            if row["position"] - 1 > after_position:
                records.append({**row, "position": row["position"] - 1, "intent": first,
                                "value": dict(row["value"])})
            row = {**row, "intent": final}
        records.append(row)
    return records[:limit]


def _instance_values(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["called"] = _dumps(values["called"])
    values["variables"] = None if values.get("variables") is None else _dumps(values["variables"])
    return values


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
