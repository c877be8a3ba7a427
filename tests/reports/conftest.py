"""Fixtures for the report tests: a migrated SQLite database and the shipped catalog."""

from __future__ import annotations

from collections.abc import Iterator

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
