"""Hostile input on every form and page: cross-site scripting, forged cross-site posts, SQL
injection and oversized uploads."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hostile_site import DOSSIER, SCRIPT_NAME, api_token, client_as, concrete, csrf_token

from motcua.db import Dossier, StaffUser
from webapp.i18n import translate

SCRIPT_MARKUP = ('<script>alert("xss")</script>', "<img src=x onerror=alert(1)>")
INJECTIONS = ("' OR '1'='1' --", "'; DROP TABLE dossiers; --", '" OR ""="', "1 UNION SELECT * FROM staff_users",
              "%' AND 1=0 UNION SELECT password_hash FROM staff_users --")
MACHINE_POSTS = {"public.inbound_sms"}  # a webhook with its own shared secret, no browser


def post_routes(app):
    return [rule for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api/")
            and rule.endpoint not in MACHINE_POSTS]


# ---- CSRF ---------------------------------------------------------------------------------------
def test_every_browser_form_refuses_a_post_without_its_csrf_token(guarded_app):
    admin, anonymous = client_as(guarded_app, "admin"), guarded_app.test_client()
    accepted = []
    for rule in post_routes(guarded_app):
        for client in (admin, anonymous):
            response = client.post(concrete(rule), data={"username": "admin", "password": "x",
                                                         "digits": "5678", "decision": "cancel"})
            if response.status_code != 400:
                accepted.append(f"{rule.endpoint}: {response.status_code}")
    assert accepted == []


def test_a_post_with_the_session_token_gets_past_the_csrf_check(guarded_app):
    client = client_as(guarded_app, "admin")
    token = csrf_token(client.get("/admin/users").get_data(as_text=True))
    assert token
    response = client.post("/admin/users", data={"csrf_token": token, "username": ""})
    refusal = translate("error.csrf", "vi")
    assert refusal not in response.get_data(as_text=True)
    forged = client.post("/admin/users", data={"username": ""})
    assert forged.status_code == 400 and refusal in forged.get_data(as_text=True)


def test_the_api_refuses_a_cookie_session_for_changes(guarded_app):
    client = client_as(guarded_app, "reception")
    response = client.post("/api/v1/dossiers", json={"procedureCode": "1.009994"})
    assert response.status_code == 401 and response.is_json


# ---- XSS ----------------------------------------------------------------------------------------
def test_a_script_in_an_applicants_name_is_escaped_everywhere_it_is_shown(open_app):
    staff = client_as(open_app, "admin")
    public = open_app.test_client()
    pages = {
        "dossier list": staff.get("/dossiers"),
        "dossier list searched": staff.get("/dossiers?q=Nguy%E1%BB%85n"),
        "dossier page": staff.get(f"/dossiers/{DOSSIER}"),
        "receipt": staff.get(f"/dossiers/{DOSSIER}/receipt"),
        "tracking page": public.get(f"/tra-cuu/{DOSSIER}"),
        "rating page": public.get(f"/danh-gia/{DOSSIER}"),
    }
    verified = public.post(f"/tra-cuu/{DOSSIER}", data={"digits": "5678"}, follow_redirects=True)
    pages["tracking page after the second factor"] = verified
    shown = []
    for name, response in pages.items():
        assert response.status_code < 500, name
        body = response.get_data(as_text=True)
        for markup in SCRIPT_MARKUP:
            assert markup not in body, f"{name} shows the applicant's markup unescaped"
        if "&lt;script&gt;" in body:
            shown.append(name)
    assert "dossier page" in shown  # the name is shown, escaped, where staff read it
    api = public.get(f"/api/v1/public/dossiers/{DOSSIER}")
    assert api.status_code < 500 and api.mimetype == "application/json"


@pytest.mark.parametrize("url", [
    "/tra-cuu/<script>alert(1)</script>", "/tra-cuu?code=<script>alert(1)</script>",
    "/thu-tuc/<script>alert(1)</script>", "/dossiers?q=<script>alert(1)</script>",
    "/inbox?q=<script>alert(1)</script>", "/sign-in?next=<script>alert(1)</script>",
    "/bao-cao?procedure=<script>alert(1)</script>&from=<script>alert(1)</script>",
    "/van-hanh/tien-trinh?bpmnProcessId=<script>alert(1)</script>",
])
def test_markup_in_a_url_is_never_reflected(open_app, url):
    client = client_as(open_app, "admin")
    response = client.get(url)
    assert response.status_code < 500 or response.status_code == 503  # 503: no engine query API
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


# ---- SQL injection ------------------------------------------------------------------------------
def counts(app) -> tuple[int, int]:
    with app.extensions["motcua.office"].sessions() as session:
        return (session.scalar(sa.select(sa.func.count()).select_from(Dossier)),
                session.scalar(sa.select(sa.func.count()).select_from(StaffUser)))


def test_sql_injection_in_every_query_and_path_changes_nothing(open_app):
    before = counts(open_app)
    client = client_as(open_app, "admin")
    errors = []
    for payload in INJECTIONS:
        query = {name: payload for name in ("q", "code", "from", "to", "sector", "procedure",
                                            "status", "view", "page", "lang", "state", "bpmnProcessId")}
        for rule in open_app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.arguments - {"code"}:
                continue
            url = re.sub(r"<(?:path:)?code>", payload.replace("/", " "), rule.rule)
            response = client.get(url, query_string=query)
            if response.status_code >= 500 and response.status_code != 503:
                errors.append(f"{rule.rule} with {payload!r}: {response.status_code}")
            leaked = response.get_data(as_text=True)
            assert "$pbkdf2" not in leaked and "scrypt:" not in leaked, f"password hashes on {url}"
    assert errors == []
    assert counts(open_app) == before


def test_sql_injection_in_the_sign_in_form_signs_nobody_in(open_app):
    client = open_app.test_client()
    for payload in INJECTIONS:
        response = client.post("/sign-in", data={"username": payload, "password": payload})
        assert response.status_code == 401
        response = client.post("/sign-in", data={"username": "admin", "password": payload})
        assert response.status_code in (401, 429)
    assert client.get("/inbox").status_code == 302


def test_hostile_values_in_every_form_field_give_no_server_error(open_app):
    client = client_as(open_app, "admin")
    nasty = {"fullName": SCRIPT_NAME, "idNumber": INJECTIONS[1], "phone": INJECTIONS[0],
             "address": "A" * 100_000, "email": "<x@y>", "summary": "\x00\x01\u202e",
             "username": INJECTIONS[0], "password": INJECTIONS[1], "roles": "admin' --",
             "digits": INJECTIONS[0], "satisfaction": "<script>", "comment": SCRIPT_NAME,
             "q": INJECTIONS[2], "procedureCode": INJECTIONS[3], "caseId": "../../etc/passwd"}
    errors = []
    for rule in post_routes(open_app):
        if rule.endpoint == "auth.sign_out":
            continue
        response = client.post(concrete(rule), data=nasty)
        if response.status_code >= 500 and response.status_code != 503:
            errors.append(f"{rule.endpoint}: {response.status_code}")
    assert errors == []
    assert counts(open_app)[0] == 1


# ---- oversized uploads --------------------------------------------------------------------------
def test_an_oversized_upload_is_refused_with_413(open_app):
    from webapp import MAX_UPLOAD_BYTES

    staff = client_as(open_app, "reception")
    too_big = b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_BYTES + 1)
    page = staff.post("/reception/1.009994", data={"file": (__import__("io").BytesIO(too_big),
                                                              "ban-ve.pdf")},
                      content_type="multipart/form-data")
    assert page.status_code == 413
    api = open_app.test_client().post("/api/v1/dossiers", data=too_big, headers={
        "Content-Type": "application/json",
        "Authorization": f"Bearer {api_token(open_app, 'reception')}"})
    assert api.status_code == 413 and api.is_json
    public = open_app.test_client().post(f"/danh-gia/{DOSSIER}", data=too_big,
                                         content_type="application/x-www-form-urlencoded")
    assert public.status_code == 413
