"""`motcua demo` (run by `make run`): one account per role and a few dossiers on the engine."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from web_support import sign_in

from motcua import demo
from motcua import settings as settings_module
from motcua.db import Dossier, session_factory


@pytest.mark.slow
def test_demo_users_sign_in_and_demo_dossiers_run(tmp_path, monkeypatch, engine_address, capsys):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "demo"))
    database_url = f"sqlite:///{tmp_path / 'demo' / 'motcua.db'}"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)  # this test's own database, whatever ran before
    monkeypatch.setenv("ZEEBE_ADDRESS", engine_address)
    settings = settings_module.load()
    demo.load(settings)
    demo.load(settings)  # idempotent
    printed = capsys.readouterr().out
    assert "tiepnhan     / tiepnhan-demo" in printed
    with session_factory(settings.database_url)() as session:
        dossiers = session.scalars(sa.select(Dossier)).all()
    assert len(dossiers) == 3 and all(d.process_instance_key for d in dossiers)

    from webapp import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": database_url})
    for username, _, _ in demo.DEMO_USERS:
        assert sign_in(app, username, demo.password_of(username)).get("/inbox").status_code == 200
    code, _, token = demo.DEMO_AGENCY
    assert f"demo consulted agency {code}" in printed and token in printed
    reply = app.test_client().post("/api/v1/interagency/replies", headers={"Authorization": f"Bearer {token}"},
                                   json={"dossierCode": "x", "requestId": "none", "agreed": True, "opinion": "ok"})
    assert reply.status_code == 404  # the demo agency is known; there is just no such consultation
