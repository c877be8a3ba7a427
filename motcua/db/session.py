"""Engines, sessions and schema migration for the application database.

SQLite (the default) gets a busy timeout, WAL journal and enforced foreign keys so that several
processes (webapp, workers) can share one file; PostgreSQL is used as is.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30


def engine_for(url: str, **options: object) -> sa.Engine:
    """An engine for `url` (e.g. `sqlite:///var/motcua.db`, `postgresql+psycopg://…`).

    A plain `postgresql://` URL is read as `postgresql+psycopg://` (psycopg 3).
    """
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **options)
        sa.event.listen(engine, "connect", _configure_sqlite)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True, **options)


def _configure_sqlite(dbapi_connection, connection_record) -> None:  # noqa: ANN001 - DB-API
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def session_factory(engine_or_url: sa.Engine | str) -> sessionmaker[Session]:
    """A `sessionmaker`; objects stay readable after commit (`expire_on_commit=False`)."""
    engine = engine_for(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    with sessions() as session, session.begin():
        yield session


def alembic_config(url: str):  # noqa: ANN201 - alembic.config.Config, imported lazily
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the latest); safe to call on every start.

    Concurrent callers wait for each other (an advisory lock on PostgreSQL, a lock file next to
    the SQLite database), so the webapp and the workers may both call it while starting.
    """
    from alembic import command

    with _sqlite_migration_lock(url):
        command.upgrade(alembic_config(url), revision)


@contextmanager
def _sqlite_migration_lock(url: str) -> Iterator[None]:
    parsed = sa.make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        yield
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migration-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
