"""A consulted agency answers through the webapp with its own token (liên thông): only the agency
that was asked, only about that dossier; staff cannot answer for it; its token opens nothing else.
The real engine, the real workers, the agency's stand-in server, the real webapp."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from pyzeebe import ZeebeTaskRouter
from pyzeebe.proto import gateway_pb2 as pb

from motcua.consultations import ConsultationReply, accept_reply, publish_reply
from motcua.db import ApiToken, AuditEntry, ConsultationRecord, Dossier, transaction
from motcua.staff_accounts import create_user, issue_agency_token
from webapp import create_app
from workers import interagency, job_types
from workers.failures import fail_with_back_off
from workers.runner import ROUTERS

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


# ---- a consultation is over once answered or past its deadline --------------------------------
def consult(office, question: str = "Đề nghị cho ý kiến về giải pháp phòng cháy chữa cháy") -> None:
    office.complete("Task_Appraise", appraisalOutcome="consult", consultAgency="PCCC",
                    consultQuestion=question)


def requests_sent(agency, count: int) -> list[str]:
    """The ids of the consultation requests the agency got (reminders left out)."""
    def sent(requests):
        return [r.body["requestId"] for r in requests if r.body["type"] == "request"]
    return sent(agency.wait_for(lambda requests: len(sent(requests)) >= count))


def long_ago(office_context) -> None:
    """The consultation worker believes it asks 60 days ago: its deadline has passed already."""
    office_context.clock = lambda: datetime.now(UTC) - timedelta(days=60)


def timeline(sessions) -> list[tuple[int, str | None]]:
    with sessions() as session:
        dossier = session.scalars(sa.select(Dossier).where(Dossier.code == CODE)).one()
        return [(int(change.status), change.step) for change in dossier.timeline]


def test_a_late_reply_is_refused_and_never_reaches_the_next_consultation(office, office_context, agency,
                                                                         sessions, web_app, web):
    fire_police = agency_headers(sessions, "PCCC", "Phòng Cảnh sát PCCC")
    office.start_workers()
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    long_ago(office_context)
    consult(office)
    [first] = requests_sent(agency, 1)
    _, appraisal = office.user_task("Task_Appraise")  # back to the specialist: no answer in time
    assert appraisal["consultationAnswered"] is False
    office_context.clock = lambda: datetime.now(UTC)
    with sessions() as session:
        record = session.get(ConsultationRecord, first)
    assert (record.outcome, record.replied_at) == ("overdue", None) and record.closed_at is not None
    before = timeline(sessions)

    late = {"dossierCode": CODE, "requestId": first, "agreed": False, "opinion": "Không đồng ý (gửi muộn)",
            "documentNumber": "88/PCCC"}
    refused = web.post(REPLIES, json=late, headers=fire_police)
    assert refused.status_code == 409
    assert refused.get_json()["error"].startswith("Văn bản lấy ý kiến này đã quá hạn trả lời và đã đóng")
    english = web.post(REPLIES + "?lang=en", json=late, headers=fire_police)
    assert english.get_json()["error"].startswith("This consultation request is past its deadline and closed")
    specialist = signed_in(web_app, sessions, "chuyenvien", "specialist")  # nor on paper
    assert f"/lien-thong/{first}/van-ban-giay" not in specialist.get("/lien-thong/").get_data(as_text=True)
    paper = specialist.post(f"/lien-thong/{first}/van-ban-giay",
                            data={"agreed": "no", "opinion": "Không đồng ý", "document_number": "88/PC07"})
    assert paper.status_code == 409 and "đã quá hạn và đã đóng lúc" in paper.get_data(as_text=True)
    # even put straight into the engine, by request id or the old way by dossier code, it waits
    # for consultation #1 alone
    office.run(publish_reply(office.client, ConsultationReply.from_json(late, "PCCC", "PCCC")))
    office.publish("interagency-reply", CODE, "by-dossier-code", **ConsultationReply.from_json(
        late, "PCCC", "PCCC").as_variables())

    consult(office, "Đề nghị cho ý kiến lại về lối thoát nạn")
    second = requests_sent(agency, 2)[1]
    assert web.post(REPLIES, json=late, headers=fire_police).status_code == 409
    answer = {**late, "requestId": second, "agreed": True, "opinion": "Thống nhất", "documentNumber": "90/PCCC"}
    assert web.post(REPLIES, json=answer, headers=fire_police).status_code == 202
    _, appraisal = office.user_task("Task_Appraise")
    assert (appraisal["consultationReply"]["documentNumber"], appraisal["consultationAnswered"]) == ("90/PCCC", True)
    with sessions() as session:
        records = {r.request_id: (r.outcome, r.replied_by) for r in session.scalars(sa.select(ConsultationRecord))}
        audit = [(a.action, a.details["requestId"]) for a in session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action.like("consultation-%")))]
    assert records == {first: ("overdue", None), second: ("replied", "agency:PCCC")}
    assert audit == [("consultation-replied", second)]
    assert timeline(sessions) == before  # the late reply changed nothing on the dossier


def without_closing_consultations() -> list[ZeebeTaskRouter]:
    """Every worker but the one closing overdue consultations (it is started later)."""
    asking = ZeebeTaskRouter(exception_handler=fail_with_back_off)
    asking.task(task_type=job_types.SEND_CONSULTATION, timeout_ms=60_000)(interagency.send_request)
    return [router for router in ROUTERS if router is not interagency.router] + [asking]


def closing_waits(office) -> None:
    """Wait until the deadline has put an `interagency.close` job up, and leave it there."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for response in office.stub.ActivateJobs(pb.ActivateJobsRequest(
                type=job_types.CLOSE_OVERDUE_CONSULTATION, worker="test", timeout=30_000,
                maxJobsToActivate=1, requestTimeout=200)):
            for job in response.jobs:
                office.stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=job.retries,
                                                      errorMessage="not yet"))
                return
    raise AssertionError("the consultation's deadline never fired")


def test_a_reply_taken_as_the_deadline_passes_reaches_the_specialist(office, office_context, agency,
                                                                     sessions):
    """The reply was taken just before the deadline, but its message never reached the process
    (the engine was down then): the deadline's closing hands the recorded reply on instead."""
    office.start_workers(routers=without_closing_consultations())
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    long_ago(office_context)
    consult(office)
    [request_id] = requests_sent(agency, 1)
    closing_waits(office)  # the deadline timer has fired; the request is not closed yet
    reply = ConsultationReply.from_json({"dossierCode": CODE, "requestId": request_id, "agreed": True,
                                         "opinion": "Thống nhất", "documentNumber": "91/PCCC"}, "PCCC", "PCCC")
    with transaction(sessions) as session:
        due_at = session.get(ConsultationRecord, request_id).due_at
        assert accept_reply(session, reply, "PCCC", by="agency:PCCC", at=due_at - timedelta(minutes=1)) is False
    office.start_workers(routers=[interagency.router], courier=False)
    _, appraisal = office.user_task("Task_Appraise")
    assert appraisal["consultationAnswered"] is True
    assert appraisal["consultationReply"]["documentNumber"] == "91/PCCC"
    with sessions() as session:
        record = session.get(ConsultationRecord, request_id)
        warnings = session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("desk.%"))).all()
    assert record.outcome == "replied" and record.replied_by == "agency:PCCC"
    assert [w.action for w in warnings if "consultation" in w.action] == []  # nobody told "no answer"


def test_the_administrator_revokes_an_agency_token_from_the_admin_page(sessions, web_app):
    fire_police = agency_headers(sessions, "PCCC", "Phòng Cảnh sát PCCC")
    reply = {"dossierCode": CODE, "requestId": "LT-khong-co", "agreed": True, "opinion": "Đồng ý"}
    agency_side = web_app.test_client()
    assert agency_side.post(REPLIES, json=reply, headers=fire_police).status_code == 404  # let in
    assert signed_in(web_app, sessions, "truongphong", "head").get("/admin/tokens").status_code == 403
    admin = signed_in(web_app, sessions, "quantri", "admin")
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert "agency:1" in page and "Phòng Cảnh sát PCCC" in page and "/admin/tokens/agency/1/revoke" in page

    revoked = admin.post("/admin/tokens/agency/1/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Đã thu hồi mã agency:1 (PCCC)" in revoked and "/admin/tokens/agency/1/revoke" not in revoked
    refused = agency_side.post(REPLIES, json=reply, headers=fire_police)
    assert refused.status_code == 401 and "đã bị thu hồi" in refused.get_json()["error"]
    assert admin.post("/admin/tokens/agency/9/revoke").status_code == 404
    with sessions() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "agency-token-revoked"))
    assert (entry.actor, entry.entity_id) == ("quantri", "agency:1")


def test_a_consultation_whose_process_was_cancelled_closes_at_its_due_time_all_the_same(
        office, office_context, agency, sessions, web_app, web):
    """An operator cancelled the instance before its deadline closed the consultation: no timer will
    ever close it, yet past its due time it takes no reply (API or paper) and waits for nobody."""
    from webapp.operations.repairs import cancel_instance

    fire_police = agency_headers(sessions, "PCCC", "Phòng Cảnh sát PCCC")
    office.start_workers(routers=without_closing_consultations())
    key = office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    long_ago(office_context)
    consult(office)
    [request_id] = requests_sent(agency, 1)
    closing_waits(office)  # due: the deadline has fired, the consultation is not closed yet
    cancel_instance(office.stub, key)  # as the operations console does
    with pytest.raises(Exception, match="NOT_FOUND"):  # the instance, and its timer, are gone
        cancel_instance(office.stub, key)
    with sessions() as session:
        record = session.get(ConsultationRecord, request_id)
    assert (record.closed_at, record.outcome) == (None, None) and record.due_at < datetime.now(UTC)

    late = {"dossierCode": CODE, "requestId": request_id, "agreed": True, "opinion": "Đồng ý",
            "documentNumber": "92/PCCC"}
    refused = web.post(REPLIES, json=late, headers=fire_police)
    assert refused.status_code == 409
    assert refused.get_json()["error"].startswith("Văn bản lấy ý kiến này đã quá hạn trả lời và đã đóng")
    specialist = signed_in(web_app, sessions, "chuyenvien", "specialist")
    assert f"/lien-thong/{request_id}/van-ban-giay" not in specialist.get("/lien-thong/").get_data(as_text=True)
    form = specialist.get(f"/lien-thong/{request_id}/van-ban-giay").get_data(as_text=True)
    assert "đã quá hạn và đã đóng lúc" in form and 'name="opinion"' not in form
    paper = specialist.post(f"/lien-thong/{request_id}/van-ban-giay",
                            data={"agreed": "yes", "opinion": "Đồng ý", "document_number": "92/PC07"})
    assert paper.status_code == 409 and "đã quá hạn và đã đóng lúc" in paper.get_data(as_text=True)
    with sessions() as session:
        record = session.get(ConsultationRecord, request_id)
        replies = session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("consultation-%"))).all()
    assert (record.replied_at, replies) == (None, [])
