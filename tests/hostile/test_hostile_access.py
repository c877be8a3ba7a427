"""Who may open what: every route of the webapp × every staff role × a consulted agency's token
× anonymous.

`RULES` is the intended access of every endpoint, one line each; a route added without a line
here fails the test, so each new page has to say who it is for.
"""

from __future__ import annotations

import pytest
from flask import url_for
from hostile_site import ROLES, api_token, client_as, concrete

from motcua.db import transaction
from motcua.staff_accounts import issue_agency_token

EVERYONE = "everyone"        # the public, signed in or not
STAFF = "staff"              # any signed-in member of staff
RECEPTION = {"reception", "admin"}
OPERATIONS = {"operator", "admin"}
HEADS_AND_LEADERS = {"head", "leader", "admin"}
REPORT_READERS = {"leader", "head", "reception", "admin"}  # not specialists, operators, agencies
AGENCY = "agency"            # another agency's system, with its own token (liên thông)

RULES: dict[str, object] = {
    # public side: citizens, 24/7, no account
    "home": EVERYONE, "health": EVERYONE, "static": EVERYONE, "auth.sign_in": EVERYONE,
    "auth.sign_out": EVERYONE, "public.static": EVERYONE, "public.short_link": EVERYONE,
    "public.track_form": EVERYONE, "public.track": EVERYONE, "public.verify": EVERYONE,
    "public.forget": EVERYONE, "public.dossier_json": EVERYONE, "public.procedures": EVERYONE,
    "public.procedure": EVERYONE, "public.checklist": EVERYONE,
    "public.component_template": EVERYONE, "public.rate": EVERYONE,
    "public.submit_rating": EVERYONE, "public.inbound_sms": EVERYONE,
    "reports.public_statistics": EVERYONE, "reports.static": EVERYONE, "api.openapi": EVERYONE,
    # staff: inbox, dossiers, reading the catalog and reports
    "inbox.index": STAFF, "inbox.task": STAFF, "inbox.complete": STAFF, "inbox.claim": STAFF,
    "inbox.unclaim": STAFF, "dossiers.index": STAFF, "dossiers.show": STAFF,
    "dossiers.document": STAFF, "dossiers.receipt": STAFF, "dossiers.receipt_pdf": STAFF,
    "api.procedures": STAFF, "api.procedure": STAFF, "api.dossier": STAFF, "api.tasks": STAFF,
    "api.claim": STAFF, "api.complete": STAFF,
    # statistics and reports: leaders, heads, the one-stop office that compiles Biểu 06, admin
    "reports.period_page": REPORT_READERS, "reports.period_csv": REPORT_READERS,
    "reports.period_xlsx": REPORT_READERS, "reports.dashboard": REPORT_READERS,
    "reports.period_json": REPORT_READERS,
    # a consulted agency answers a consultation sent to it, and does nothing else
    "api.interagency_reply": {AGENCY},
    # an agency's reply on paper is typed in by those who handle appraisal, under their name
    "consultations.waiting": {"specialist", "head", "admin"},
    "consultations.paper_reply": {"specialist", "head", "admin"},
    # reception desk
    "reception.start": RECEPTION, "reception.intake": RECEPTION, "reception.submit": RECEPTION,
    "api.create_dossier": RECEPTION, "dossiers.resubmission": RECEPTION,
    "dossiers.start": RECEPTION | {"operator"},
    # heads and leaders: what goes to the province, where deadlines are at risk
    "reports.push_to_portal": HEADS_AND_LEADERS, "reports.risk": HEADS_AND_LEADERS,
    # administration and operations
    "admin.users": {"admin"}, "admin.create": {"admin"}, "admin.update": {"admin"},
    "admin.tokens": {"admin"}, "admin.revoke_token": {"admin"},
    "operations.definitions": OPERATIONS, "operations.definition": OPERATIONS,
    "operations.diagram": OPERATIONS, "operations.instances": OPERATIONS,
    "operations.instance": OPERATIONS, "operations.cancel": OPERATIONS,
    "operations.retry": OPERATIONS,
}
WHO = (None, *ROLES, AGENCY)


def allowed(rule: object, role: str | None) -> bool:
    if rule == EVERYONE:
        return True
    if rule == STAFF:
        return role not in (None, AGENCY)
    return role in rule


def denied(response) -> bool:
    """Refused: 401, 403, or sent to the sign-in page."""
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303) and "/sign-in" in response.headers.get("Location", "")


def agency_token(app) -> str:
    with transaction(app.extensions["motcua.office"].sessions) as session:
        row, text = issue_agency_token("police-fire", "Cảnh sát PCCC và CNCH tỉnh")
        session.add(row)
    return text


def test_every_route_has_an_access_rule(open_app):
    endpoints = {rule.endpoint for rule in open_app.url_map.iter_rules()}
    assert endpoints - set(RULES) == set(), "routes without an access rule in RULES"
    assert set(RULES) - endpoints == set(), "rules for routes that no longer exist"


@pytest.mark.parametrize("role", WHO, ids=lambda r: r or "anonymous")
def test_access_matrix(open_app, role):
    if role == AGENCY:  # no session: its token comes with every request, pages included
        client, token = open_app.test_client(), agency_token(open_app)
    else:
        client, token = client_as(open_app, role), role and api_token(open_app, role)
    headers = {"Authorization": f"Bearer {token}"} if role else {}
    wrong, errors = [], []
    for rule in sorted(open_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "auth.sign_out":
            continue  # it would end this client's session; open to all by design
        url = concrete(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method,
                                   headers=headers if url.startswith("/api/") or role == AGENCY else {},
                                   **({"data": {}} if method == "POST" else {}))
            expected = allowed(RULES[rule.endpoint], role)
            refused = denied(response)
            if RULES[rule.endpoint] == EVERYONE:  # a wrong password or second factor is an answer
                refused = response.status_code in (302, 303) and "/sign-in" in \
                    response.headers.get("Location", "") and rule.endpoint != "auth.sign_in"
            if refused == expected:
                wrong.append(f"{method} {url} ({rule.endpoint}): "
                             f"{'denied' if expected else 'allowed'} with {response.status_code}")
            if response.status_code >= 500 and response.status_code != 503:
                errors.append(f"{method} {url}: {response.status_code}")
    assert wrong == [], f"as {role or 'anonymous'}:\n" + "\n".join(wrong)
    assert errors == [], f"server errors as {role or 'anonymous'}:\n" + "\n".join(errors)


@pytest.mark.parametrize("role", sorted(REPORT_READERS))
def test_report_links_are_shown_to_exactly_those_the_rules_let_in(open_app, role):
    """The risk ranking tab and the portal push button follow the same role rule as the routes."""
    client = client_as(open_app, role)
    with open_app.test_request_context():
        period, risk, push = (url_for(e) for e in ("reports.period_page", "reports.risk",
                                                   "reports.push_to_portal"))
    page = client.get(period).get_data(as_text=True)
    assert (f'href="{risk}"' in page) == allowed(RULES["reports.risk"], role)
    assert (f'action="{push}"' in page) == allowed(RULES["reports.push_to_portal"], role)


@pytest.mark.parametrize("body", [
    None, [], "reply", {"dossierCode": 1, "requestId": [], "agreed": "yes", "opinion": {}},
    {"dossierCode": "x", "requestId": "y", "agreed": True, "opinion": "ok", "documentNumber": 45},
    {"dossierCode": "x" * 100_000, "requestId": "'; DROP TABLE consultation_requests;--",
     "agreed": False, "opinion": "\x00"},
])
def test_an_agencys_odd_reply_is_a_clear_4xx(open_app, body):
    client = open_app.test_client()
    headers = {"Authorization": f"Bearer {agency_token(open_app)}"}
    response = client.post("/api/v1/interagency/replies", json=body, headers=headers)
    assert response.status_code in (404, 413, 422), response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]
