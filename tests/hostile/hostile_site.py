"""The webapp as an attacker meets it: one staff account per role, a dossier or two, and test
clients signed in as each role (CSRF checks on or off)."""

from __future__ import annotations

import re
from pathlib import Path

from webapp import create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-123"
ROLES = ("reception", "specialist", "head", "leader", "operator", "admin")
SCRIPT_NAME = '<script>alert("xss")</script> Nguyễn "Độc" <img src=x onerror=alert(1)>'
DOSSIER = "000.00.17.H06-261124-0666"


def make_app(tmp_path: Path, monkeypatch, url: str, csrf: bool):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    monkeypatch.delenv("MOTCUA_PORTAL_URL", raising=False)
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": csrf, "ZEEBE_ADDRESS": "127.0.0.1:9",
                       "PUBLIC_LOOKUPS_PER_MINUTE": 10**6, "PUBLIC_FAILURES_PER_15_MIN": 10**6})


def client_as(app, role: str | None):
    """A test client, signed in as `role` (None: anonymous). Works with CSRF on or off."""
    client = app.test_client()
    if role is None:
        return client
    page = client.get("/sign-in").get_data(as_text=True)
    token = csrf_token(page)
    response = client.post("/sign-in", data={"username": role, "password": PASSWORD,
                                             **({"csrf_token": token} if token else {})})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def csrf_token(page: str) -> str | None:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    return match.group(1) if match else None


def concrete(rule) -> str:
    """A URL for a rule, with harmless values in its arguments."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = 1 if "Integer" in converter else (DOSSIER if "code" in name else "x.css")
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[^:>]+:)?{name}>", str(value), url)
    return url


def api_token(app, username: str) -> str:
    """A Bearer token for the JSON API (machine clients change state with one, not a session)."""
    from motcua.db import ApiToken, transaction
    from motcua.staff_accounts import find_user

    with transaction(app.extensions["motcua.office"].sessions) as session:
        row, text = ApiToken.issue(find_user(session, username), "hostile tests")
        session.add(row)
    return text
