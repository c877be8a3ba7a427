from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motcua.db import migrate, session_factory, transaction
from motcua.staff_accounts import create_user
from webapp import create_app

PASSWORD = "mat-khau-123"
STAFF = {  # username: (full name, roles)
    "tiepnhan": ("Nguyễn Thị Lan", ["reception"]),
    "chuyenvien": ("Trần Văn Minh", ["specialist"]),
    "truongphong": ("Lê Thị Hương", ["head"]),
    "lanhdao": ("Phạm Quốc Bảo", ["leader"]),
    "quantri": ("Đỗ Thu Trang", ["admin"]),
}


@pytest.fixture(scope="session")
def migrated_web_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with the staff accounts per test process, copied for each test."""
    path = tmp_path_factory.mktemp("web-schema") / "motcua.db"
    url = f"sqlite:///{path}"
    migrate(url)
    with transaction(session_factory(url)) as session:
        for username, (name, roles) in STAFF.items():
            create_user(session, username, name, PASSWORD, roles)
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_web_database: Path) -> str:
    path = tmp_path / "motcua.db"
    shutil.copy(migrated_web_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    return create_app({"TESTING": True, "ZEEBE_ADDRESS": "127.0.0.1:9"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_app(tmp_path, monkeypatch, database_url):
    """The app with CSRF checks off, for tests that post forms as signed-in staff."""
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "ZEEBE_ADDRESS": "127.0.0.1:9"})


def sign_in(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/sign-in", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def as_staff(staff_app):
    """`as_staff("tiepnhan")` → a test client signed in as that user."""
    return lambda username: sign_in(staff_app, username)
