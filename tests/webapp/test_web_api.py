"""The JSON API: Bearer tokens, JSON errors, the OpenAPI document, dossiers and tasks."""

from __future__ import annotations

import time

import pytest
from web_support import ROOT, sign_in

from motcua.catalog import load_catalog
from motcua.db import ApiToken, session_factory, transaction
from motcua.staff_accounts import find_user

PERMIT = "1.009994"
APPLICANT = {"fullName": "Nguyễn Văn An", "idNumber": "079090001234", "phone": "0912345678",
             "address": "12 Lê Lợi", "email": "an@example.vn"}


def token_for(database_url: str, username: str) -> dict[str, str]:
    with transaction(session_factory(database_url)) as session:
        row, text = ApiToken.issue(find_user(session, username), "test")
        session.add(row)
    return {"Authorization": f"Bearer {text}"}


def permit_components():
    procedure = load_catalog(ROOT / "catalog").get(PERMIT)
    return [{"id": c.id, "copyType": c.copy_types[0].value, "quantity": c.quantity}
            for c in procedure.components_for("cong-trinh") if c.is_required]


def test_without_a_token_the_api_answers_401_in_json(client):
    response = client.get("/api/v1/procedures")
    assert response.status_code == 401 and response.get_json()["error"]


def test_procedures_and_their_components(app, database_url):
    client = app.test_client()
    headers = token_for(database_url, "tiepnhan")
    listed = client.get("/api/v1/procedures", headers=headers).get_json()["procedures"]
    assert PERMIT in [p["code"] for p in listed]
    permit = client.get(f"/api/v1/procedures/{PERMIT}", headers=headers).get_json()
    assert permit["processId"] == "construction-permit"
    assert "don-de-nghi" in [c["id"] for c in permit["components"]]
    missing = client.get("/api/v1/procedures/0.000000", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"] == "Không có thủ tục này."


def test_the_openapi_document_names_every_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/procedures", "/procedures/{code}", "/dossiers", "/dossiers/{code}", "/tasks",
            "/tasks/{id}/claim", "/tasks/{id}/complete"} <= set(document["paths"])


def test_a_dossier_with_bad_data_is_refused_field_by_field(app, database_url):
    headers = token_for(database_url, "tiepnhan")
    response = app.test_client().post("/api/v1/dossiers", headers=headers, json={
        "procedureCode": PERMIT, "caseId": "cong-trinh", "applicant": {**APPLICANT, "phone": "1"},
        "components": permit_components() + [{"id": "so-ho-khau", "copyType": "original"}]})
    body = response.get_json()
    assert response.status_code == 422
    assert body["fields"]["phone"] == "Số điện thoại không hợp lệ (ví dụ 0912345678)."
    assert "component.so-ho-khau" in body["fields"]


def test_changing_state_needs_a_token_not_a_cookie(staff_app):
    client = sign_in(staff_app, "tiepnhan")
    assert client.get("/api/v1/procedures").status_code == 200  # reading with the session is fine
    assert client.post("/api/v1/dossiers", json={}).status_code == 401


def test_a_specialist_cannot_register_dossiers(app, database_url):
    response = app.test_client().post("/api/v1/dossiers", json={}, headers=token_for(database_url, "chuyenvien"))
    assert response.status_code == 403 and response.get_json()["status"] == 403


@pytest.mark.slow
def test_an_online_dossier_from_submission_to_a_completed_check(live_app, database_url):
    client = live_app.test_client()
    reception = token_for(database_url, "tiepnhan")
    created = client.post("/api/v1/dossiers", headers=reception, json={
        "procedureCode": PERMIT, "caseId": "cong-trinh", "channel": "online",
        "applicant": APPLICANT, "components": permit_components()})
    assert created.status_code == 201, created.get_json()
    code = created.get_json()["code"]
    assert created.get_json()["appointmentDate"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=reception).get_json()["status"] == 2

    collector = live_app.extensions["motcua.collector"]
    deadline, tasks = time.monotonic() + 30, []
    while not tasks and time.monotonic() < deadline:
        collector.collect_once(request_timeout_ms=300)
        tasks = [t for t in client.get("/api/v1/tasks", headers=reception).get_json()["tasks"]
                 if t["dossierCode"] == code]
    [task] = tasks
    assert task["elementId"] == "Task_ReceptionCheck" and task["candidateGroups"] == ["reception"]
    specialist = token_for(database_url, "chuyenvien")
    assert code not in str(client.get("/api/v1/tasks", headers=specialist).get_json())

    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=reception)
    assert claimed.get_json()["claimedBy"] == "tiepnhan"
    refused = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=reception,
                          json={"variables": {"intakeDecision": "refuse"}})
    assert refused.status_code == 422 and refused.get_json()["fields"] == {"refusalReason": "Trường này là bắt buộc."}
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=reception,
                       json={"variables": {"intakeDecision": "accept"}})
    assert done.status_code == 200 and done.get_json()["variables"]["intakeDecision"] == "accept"
    again = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=reception,
                        json={"variables": {"intakeDecision": "accept"}})
    assert again.status_code == 409


@pytest.mark.slow
def test_an_agencys_reply_is_handed_to_the_engine_once(live_app, database_url):
    from datetime import UTC, datetime, timedelta

    from motcua.consultations import ConsultationRequest, record_request
    from motcua.staff_accounts import issue_agency_token

    client = live_app.test_client()
    code = "000.00.17.H06-261124-0099"
    with transaction(session_factory(database_url)) as session:
        record_request(session, ConsultationRequest("r-1", code, "PCCC", "Cấp giấy phép xây dựng",
                                                    "Ý kiến về PCCC?", datetime.now(UTC) + timedelta(days=10), "-"))
        row, text = issue_agency_token("PCCC", "Phòng Cảnh sát PCCC")
        session.add(row)
    agency = {"Authorization": f"Bearer {text}"}
    reply = {"dossierCode": code, "requestId": "r-1", "agreed": True, "opinion": "Đồng ý giải pháp PCCC"}
    incomplete = client.post("/api/v1/interagency/replies", headers=agency, json={**reply, "opinion": ""})
    assert incomplete.status_code == 422 and "opinion" in incomplete.get_json()["detail"]
    staff = client.post("/api/v1/interagency/replies", headers=token_for(database_url, "quantri"), json=reply)
    assert staff.status_code == 403
    assert client.post("/api/v1/interagency/replies", headers=agency, json=reply).get_json() == {
        "accepted": True, "duplicate": False}
    assert client.post("/api/v1/interagency/replies", headers=agency, json=reply).get_json() == {
        "accepted": True, "duplicate": True}
