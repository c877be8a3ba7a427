"""A consulted agency answers through the webapp with its own token (liên thông): only the agency
that was asked, only about that dossier; staff cannot answer for it; its token opens nothing else.
The real engine, the real workers, the agency's stand-in server, the real webapp."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from motcua.db import ApiToken, AuditEntry, ConsultationRecord, transaction
from motcua.staff_accounts import create_user, issue_agency_token
from webapp import create_app

CODE = "000.00.17.H06-261124-0321"
REPLIES = "/api/v1/interagency/replies"


def agency_headers(sessions, code: str, name: str) -> dict[str, str]:
    with transaction(sessions) as session:
        row, text = issue_agency_token(code, name)
        session.add(row)
    return {"Authorization": f"Bearer {text}"}


def staff_headers(sessions, username: str, role: str) -> dict[str, str]:
    with transaction(sessions) as session:
        row, text = ApiToken.issue(create_user(session, username, f"Cán bộ {role}", "mat-khau-123", [role]))
        session.add(row)
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def web_app(tmp_path, monkeypatch, database_url, gateway):
    """The webapp on the workers' database and engine (CSRF checks off: the tests post forms)."""
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "ZEEBE_ADDRESS": gateway.address})
    yield app
    app.extensions["motcua.office"].gateway.close()


@pytest.fixture
def web(web_app):
    return web_app.test_client()


def signed_in(app, sessions, username: str, role: str):
    with transaction(sessions) as session:
        create_user(session, username, f"Cán bộ {role}", "mat-khau-123", [role])
    client = app.test_client()
    assert client.post("/sign-in", data={"username": username, "password": "mat-khau-123"}).status_code == 302
    return client


def ask_the_fire_police(office, agency):
    office.start_workers()
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.complete("Task_Appraise", appraisalOutcome="consult", consultAgency="PCCC",
                    consultQuestion="Đề nghị cho ý kiến về giải pháp phòng cháy chữa cháy")
    [request] = agency.wait_for(lambda requests: len(requests) == 1)
    return request.body["requestId"]


def test_only_the_agency_asked_answers_and_only_once(office, agency, sessions, web):
    request_id = ask_the_fire_police(office, agency)
    fire_police = agency_headers(sessions, "PCCC", "Phòng Cảnh sát PCCC")
    environment = agency_headers(sessions, "environment", "Sở Nông nghiệp và Môi trường")
    reception = staff_headers(sessions, "tiepnhan", "reception")
    admin = staff_headers(sessions, "quantri", "admin")
    reply = {"dossierCode": CODE, "requestId": request_id, "agreed": True,
             "opinion": "Thống nhất giải pháp PCCC", "documentNumber": "45/PCCC"}
    forged = {**reply, "agreed": False, "opinion": "Không đồng ý", "documentNumber": "99/GIA"}

    assert web.post(REPLIES, json=forged).status_code == 401
    for staff in (reception, admin):  # a clerk, even the administrator, cannot answer for an agency
        refused = web.post(REPLIES, json=forged, headers=staff)
        assert refused.status_code == 403 and "cơ quan" in refused.get_json()["error"]
    other = web.post(REPLIES, json=forged, headers=environment)
    assert other.status_code == 403
    assert other.get_json()["error"].startswith("Văn bản lấy ý kiến này không gửi cho cơ quan của bạn")
    posing = web.post(REPLIES, json={**forged, "agencyCode": "PCCC"}, headers=environment)
    assert posing.status_code == 403
    claiming = web.post(REPLIES, json={**reply, "agencyCode": "environment"}, headers=fire_police)
    assert claiming.status_code == 403
    unknown = web.post(REPLIES, json={**reply, "requestId": "LT-khong-co"}, headers=fire_police)
    assert unknown.status_code == 404 and "requestId" in unknown.get_json()["error"]
    elsewhere = web.post(REPLIES, json={**reply, "dossierCode": "000.00.17.H06-261124-0001"},
                         headers=fire_police)
    assert elsewhere.status_code == 422 and "dossierCode" in elsewhere.get_json()["error"]
    english = web.post(REPLIES + "?lang=en", json=forged, headers=environment)
    assert english.get_json()["error"].startswith("This consultation request was not sent to your agency")

    accepted = web.post(REPLIES, json=reply, headers=fire_police)
    assert accepted.status_code == 202 and accepted.get_json() == {"accepted": True, "duplicate": False}
    again = web.post(REPLIES, json=reply, headers=fire_police)
    assert again.status_code == 202 and again.get_json()["duplicate"] is True
    changed = web.post(REPLIES, json={**reply, "agreed": False}, headers=fire_police)
    assert changed.status_code == 409

    _, appraisal = office.user_task("Task_Appraise")
    answer = appraisal["consultationReply"]
    assert (answer["agencyCode"], answer["agreed"], answer["documentNumber"]) == ("PCCC", True, "45/PCCC")
    assert answer["agencyName"] == "Phòng Cảnh sát PCCC"
    with sessions() as session:
        record = session.get(ConsultationRecord, request_id)
        audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "consultation-replied")).all()
    assert record.dossier_code == CODE and record.replied_by == "agency:PCCC"
    assert [(a.actor, a.entity_id, a.details["documentNumber"]) for a in audit] == [
        ("agency:PCCC", CODE, "45/PCCC")]


def test_an_agency_token_opens_nothing_but_replies(sessions, web):
    token = agency_headers(sessions, "PCCC", "Phòng Cảnh sát PCCC")
    for method, url in (("GET", "/api/v1/tasks"), ("GET", "/api/v1/procedures"),
                        ("GET", f"/api/v1/dossiers/{CODE}"), ("POST", "/api/v1/dossiers"),
                        ("GET", "/api/v1/reports/period?from=2026-11-01&to=2026-11-24")):
        response = web.open(url, method=method, headers=token, json={})
        assert response.status_code == 403, url
        assert "ý kiến trả lời" in response.get_json()["error"]
    for page in ("/inbox", "/reception", "/bao-cao", "/van-hanh/"):  # pages: not signed in
        response = web.get(page, headers=token)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], page


def test_a_paper_reply_is_typed_in_by_the_specialist_under_their_name(office, agency, sessions, web_app):
    request_id = ask_the_fire_police(office, agency)
    assert signed_in(web_app, sessions, "tiepnhan", "reception").get("/lien-thong/").status_code == 403
    specialist = signed_in(web_app, sessions, "chuyenvien", "specialist")
    waiting = specialist.get("/lien-thong/").get_data(as_text=True)
    assert CODE in waiting and f"/lien-thong/{request_id}/van-ban-giay" in waiting
    form = f"/lien-thong/{request_id}/van-ban-giay"
    incomplete = specialist.post(form, data={"agreed": "yes", "opinion": ""})
    assert incomplete.status_code == 422 and "Trường này là bắt buộc." in incomplete.get_data(as_text=True)

    entered = specialist.post(form, data={"agreed": "no", "opinion": "Chưa đủ lối thoát nạn",
                                          "document_number": "112/PC07", "agency_name": "Phòng PC07"})
    assert entered.status_code == 302
    _, appraisal = office.user_task("Task_Appraise")
    answer = appraisal["consultationReply"]
    assert (answer["agreed"], answer["documentNumber"], answer["channel"], answer["enteredBy"]) == (
        False, "112/PC07", "paper", "chuyenvien")
    with sessions() as session:
        [audit] = session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_id == CODE)).all()
    assert (audit.actor, audit.action) == ("chuyenvien", "consultation-paper-reply-entered")
    after = specialist.get("/lien-thong/").get_data(as_text=True)
    assert "Đã ghi nhận ý kiến trả lời cho hồ sơ" in after and form not in after
    assert "Không có văn bản lấy ý kiến nào đang chờ trả lời." in after

    fire_police = agency_headers(sessions, "PCCC", "Phòng Cảnh sát PCCC")
    late = {"dossierCode": CODE, "requestId": request_id, "agreed": True, "opinion": "Đồng ý"}
    assert web_app.test_client().post(REPLIES, json=late, headers=fire_police).status_code == 409
