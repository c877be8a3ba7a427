from __future__ import annotations

import pytest

from webapp import create_app


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
