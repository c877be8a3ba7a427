"""`motcua token list` and `motcua token revoke` as an administrator runs them, and what a revoked
token's owner then sees: HTTP 401 saying it was revoked, from the next request on, in a web
process of its own as well as in this one (nothing is cached per process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy as sa
from click.testing import CliRunner

from motcua.cli import main
from motcua.db import AuditEntry, session_factory

SERVE = """
import sys
from webapp import create_app
create_app({"TESTING": True, "ZEEBE_ADDRESS": "127.0.0.1:9"}).run(host="127.0.0.1", port=int(sys.argv[1]))
"""


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    return url


def moments(line: str) -> int:
    """How many of created / last used / revoked a `token list` line shows."""
    return len(re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", line))


def motcua(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def issue_tokens() -> tuple[str, str]:
    """A staff token for the clerk `tiepnhan` and one for the fire police (PCCC)."""
    motcua("user", "add", "tiepnhan", "--role", "reception", "--name", "Lê Thu", "--password", "mat-khau-123")
    staff = motcua("token", "create", "tiepnhan", "--name", "máy quét hồ sơ").strip()
    agency = motcua("token", "create", "--agency", "PCCC", "--name", "Phòng Cảnh sát PCCC").strip()
    return staff, agency


def test_list_shows_every_token_without_its_text(database_url):
    staff, agency = issue_tokens()
    lines = motcua("token", "list").splitlines()
    assert lines[0].split() == ["TOKEN", "NAME", "USER/AGENCY", "CREATED", "LAST", "USED", "REVOKED"]
    assert lines[1].startswith("staff:1 ") and "máy quét hồ sơ" in lines[1] and "tiepnhan" in lines[1]
    assert lines[2].startswith("agency:1 ") and "Phòng Cảnh sát PCCC" in lines[2] and " PCCC " in lines[2]
    assert [moments(line) for line in lines[1:]] == [1, 1]  # created; never used, not revoked
    assert staff not in "\n".join(lines) and agency not in "\n".join(lines)


def test_revoke_is_recorded_and_shown(database_url):
    issue_tokens()
    assert motcua("token", "revoke", "agency:1") == "revoked agency:1 (PCCC, Phòng Cảnh sát PCCC)\n"
    again = motcua("token", "revoke", "agency:1")
    assert again.startswith("agency:1 (PCCC) was revoked already, at 20")
    assert [moments(line) for line in motcua("token", "list").splitlines()[1:]] == [1, 2]
    with session_factory(database_url)() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "agency-token-revoked"))
    assert entry.actor.startswith("cli:") and entry.entity_id == "agency:1"
    assert entry.details == {"owner": "PCCC", "name": "Phòng Cảnh sát PCCC"}


@pytest.mark.parametrize("ref", ["agency:9", "staff", "user:1", "1"])
def test_revoke_refuses_what_it_does_not_know(database_url, ref):
    issue_tokens()
    result = CliRunner().invoke(main, ["token", "revoke", ref])
    assert result.exit_code == 1
    assert "no token" in result.output
    assert [moments(line) for line in motcua("token", "list").splitlines()[1:]] == [1, 1]


def wait_for(url: str, server: subprocess.Popen, log) -> None:
    for _ in range(400):
        if server.poll() is not None:
            raise AssertionError(f"the web process ended: {log.read_text()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answers at {url}")


def test_a_revoked_token_is_refused_at_once_by_every_web_process(database_url, free_port, tmp_path):
    from webapp import create_app

    staff, agency = issue_tokens()
    here = create_app({"TESTING": True, "ZEEBE_ADDRESS": "127.0.0.1:9"}).test_client()
    log = tmp_path / "web.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-c", SERVE, str(free_port)], env=dict(os.environ),
                                  stdout=output, stderr=subprocess.STDOUT)
    there = f"http://127.0.0.1:{free_port}"
    reply = {"dossierCode": "000.00.17.H06-261124-0001", "requestId": "LT-none", "agreed": True,
             "opinion": "Đồng ý"}
    try:
        wait_for(there + "/health", server, log)

        def answers() -> list[int]:
            return [here.get("/api/v1/procedures", headers={"Authorization": f"Bearer {staff}"}).status_code,
                    requests.get(there + "/api/v1/procedures", timeout=5,
                                 headers={"Authorization": f"Bearer {staff}"}).status_code,
                    here.post("/api/v1/interagency/replies", json=reply,
                              headers={"Authorization": f"Bearer {agency}"}).status_code,
                    requests.post(there + "/api/v1/interagency/replies", json=reply, timeout=5,
                                  headers={"Authorization": f"Bearer {agency}"}).status_code]

        assert answers() == [200, 200, 404, 404]  # known tokens: the reply names no consultation
        assert [moments(line) for line in motcua("token", "list").splitlines()[1:]] == [2, 2]  # used

        motcua("token", "revoke", "staff:1", "agency:1")
        assert answers() == [401, 401, 401, 401]
        assert [moments(line) for line in motcua("token", "list").splitlines()[1:]] == [3, 3]
        refused = requests.post(there + "/api/v1/interagency/replies?lang=en", json=reply, timeout=5,
                                headers={"Authorization": f"Bearer {agency}"})
        assert refused.json()["error"].startswith("This token was revoked at ")
        assert refused.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
        vietnamese = here.get("/api/v1/procedures", headers={"Authorization": f"Bearer {staff}"})
        assert "đã bị thu hồi" in vietnamese.get_json()["error"]
        unknown = here.get("/api/v1/procedures", headers={"Authorization": "Bearer not-a-token"})
        assert unknown.status_code == 401 and "thu hồi" not in unknown.get_json()["error"]
    finally:
        server.terminate()
        server.wait(timeout=10)
