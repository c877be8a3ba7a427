"""Fixtures for the report tests: a migrated SQLite database and the shipped catalog."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from motcua import settings
from motcua.catalog import Catalog, load_catalog
from motcua.db import engine_for, migrate, session_factory


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(settings.load().catalog_dir)


@pytest.fixture
def database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    migrate(url)
    return url


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = engine_for(database_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def _postgres_server_class():
    """The domain tests' throwaway PostgreSQL cluster (tests/domain/postgres_server.py)."""
    path = Path(__file__).resolve().parents[1] / "domain" / "postgres_server.py"
    spec = importlib.util.spec_from_file_location("reports_postgres_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PostgresServer


@pytest.fixture(scope="session")
def reports_postgres_server():
    server = _postgres_server_class()().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_sessions(request, tmp_path) -> Iterator[sessionmaker[Session]]:
    """Sessions on SQLite, and on PostgreSQL when the postgres tests run (the report's SQL is
    written for both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'motcua.db'}"
    else:
        server = request.getfixturevalue("reports_postgres_server")
        url = server.create_database(f"reports_{uuid.uuid4().hex[:12]}")
    migrate(url)
    engine = engine_for(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
