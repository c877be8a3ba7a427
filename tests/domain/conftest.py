"""Fixtures for the domain core: databases on SQLite and on a real, throwaway PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from motcua.db import engine_for, migrate, session_factory

from .postgres_server import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster per test process (each pytest-xdist worker gets its own)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'motcua.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"motcua_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def migrated_url(database_url: str) -> str:
    migrate(database_url)
    return database_url


@pytest.fixture
def sessions(migrated_url: str) -> Iterator[sessionmaker[Session]]:
    engine = engine_for(migrated_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
