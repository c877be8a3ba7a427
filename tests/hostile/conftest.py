"""Fixtures of the hostile-input tests: a database with a user per role and a hostile dossier,
the webapp with CSRF checks off (`open_app`) or on (`guarded_app`)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile_site import DOSSIER, PASSWORD, ROLES, ROOT, SCRIPT_NAME, make_app

from motcua.db import engine_for, migrate, session_factory, transaction
from motcua.staff_accounts import create_user


@pytest.fixture(scope="session")
def hostile_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database: a user per role (named after it), a dossier whose applicant's name is
    a script."""
    from motcua.catalog import load_catalog
    from workers.records import register

    path = tmp_path_factory.mktemp("hostile-schema") / "motcua.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = engine_for(url)
    with transaction(session_factory(engine)) as session:
        for role in ROLES:
            create_user(session, role, f"Người {role}", PASSWORD, [role])
        register(session, {"dossierCode": DOSSIER, "procedureCode": "1.009994", "channel": "online",
                           "applicant": {"fullName": SCRIPT_NAME, "phone": "0912345678",
                                         "idNumber": "001190000123",
                                         "address": "<b>12</b> Lê Lợi'); DROP TABLE dossiers;--"}},
                 load_catalog(ROOT / "catalog"), datetime.now(UTC))
    engine.dispose()
    return path


@pytest.fixture
def hostile_url(tmp_path: Path, hostile_database: Path) -> str:
    path = tmp_path / "motcua.db"
    shutil.copy(hostile_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def open_app(tmp_path, monkeypatch, hostile_url):
    """CSRF checks off: the access tests look at who may do what, not at tokens."""
    return make_app(tmp_path, monkeypatch, hostile_url, csrf=False)


@pytest.fixture
def guarded_app(tmp_path, monkeypatch, hostile_url):
    """The app as deployed: CSRF checks on."""
    return make_app(tmp_path, monkeypatch, hostile_url, csrf=True)


