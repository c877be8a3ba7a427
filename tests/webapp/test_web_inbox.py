"""Reception to signature on the real engine over gRPC with the real workers: what staff see in
their inboxes, the forms' checks, a task done elsewhere, and the collector across restarts."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import sqlalchemy as sa
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub
from web_support import sign_in

from motcua.catalog import load_catalog
from motcua.db import Dossier, SmsMessage
from motcua.db.inbox_tasks import InboxTask, TaskState
from webapp.inbox.collector import TaskCollector
from webapp.zeebe import EngineUnavailable

pytestmark = pytest.mark.slow
PERMIT = "1.009994"
APPLICANT = {"kind": "person", "fullName": "Nguyễn Thị Hồng Đào", "idNumber": "001190000123",
             "phone": "0912345678", "email": "dao@example.vn", "address": "12 Lê Lợi, phường Đông Ba"}


def permit_papers(case_id: str = "cong-trinh") -> dict[str, str]:
    from web_support import ROOT

    procedure = load_catalog(ROOT / "catalog").get(PERMIT)
    form = {}
    for component in procedure.components_for(case_id):
        if component.is_required:
            form[f"component.{component.id}"] = "1"
            form[f"copy_type.{component.id}"] = component.copy_types[0].value
            form[f"quantity.{component.id}"] = str(component.quantity)
    return form


def register(client, **changes) -> str:
    form = {"case": "cong-trinh", "channel": "counter", **APPLICANT, **permit_papers(), **changes}
    response = client.post(f"/reception/{PERMIT}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].split("/dossiers/")[1].removesuffix("/receipt")


def wait_for_task(app, element_id: str, code: str, timeout: float = 30) -> int:
    """Let the collector take in the user tasks until `element_id` of this dossier is in the inbox."""
    collector = app.extensions["motcua.collector"]
    office = app.extensions["motcua.office"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        collector.collect_once(request_timeout_ms=300)
        with office.sessions() as db:
            key = db.scalars(sa.select(InboxTask.job_key).where(
                InboxTask.element_id == element_id, InboxTask.dossier_code == code,
                InboxTask.state == TaskState.OPEN)).first()
        if key is not None:
            return key
    raise AssertionError(f"no task {element_id} for {code} in the inbox")


def complete(client, job_key: int, **values) -> str:
    response = client.post(f"/inbox/tasks/{job_key}", data=values, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_reception_registers_a_dossier_and_works_the_check_in_its_inbox(live_app):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    receipt = reception.get(f"/dossiers/{code}/receipt").get_data(as_text=True)
    assert code in receipt and "Nguyễn Thị Hồng Đào" in receipt and "Giấy tiếp nhận hồ sơ" in receipt
    pdf = reception.get(f"/dossiers/{code}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    key = wait_for_task(live_app, "Task_ReceptionCheck", code)
    assert f"/inbox/tasks/{key}" in reception.get("/inbox").get_data(as_text=True)
    specialist = sign_in(live_app, "chuyenvien")
    assert f"/inbox/tasks/{key}" not in specialist.get("/inbox").get_data(as_text=True)
    assert specialist.get(f"/inbox/tasks/{key}").status_code == 404
    found = reception.get(f"/inbox?q={code[-4:]}").get_data(as_text=True)
    assert f"/inbox/tasks/{key}" in found
    assert f"/inbox/tasks/{key}" not in reception.get("/inbox?q=khong-co-ho-so-nay").get_data(as_text=True)

    page = reception.get(f"/inbox/tasks/{key}").get_data(as_text=True)
    assert "Kiểm tra hồ sơ tại Bộ phận Một cửa" in page and code in page  # the form's text, templated

    # "supplement" reveals the list and the phone: missing required values are explained, typed ones kept
    response = reception.post(f"/inbox/tasks/{key}", data={"intakeDecision": "supplement",
                                                            "receptionNote": "Ghi chú đã gõ"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in page and "Ghi chú đã gõ" in page
    assert 'value="supplement" checked' in page

    response = reception.post(f"/inbox/tasks/{key}", data={"intakeDecision": "supplement",
                                                            "missingItems.__count": "1",
                                                            "missingItems.0.name": "Bản vẽ",
                                                            "contactPhone": "12345"})
    assert "Số điện thoại không hợp lệ (ví dụ 0912345678)" in response.get_data(as_text=True)

    page = complete(reception, key, intakeDecision="accept", receptionNote="Đủ hồ sơ")
    assert "Đã hoàn thành" in page
    appraisal = wait_for_task(live_app, "Task_Appraise", code)
    assert f"/inbox/tasks/{appraisal}" in specialist.get("/inbox").get_data(as_text=True)
    assert f"/inbox/tasks/{appraisal}" not in reception.get("/inbox").get_data(as_text=True)


def test_a_task_completed_elsewhere_gets_a_friendly_message(live_app, engine_address):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    key = wait_for_task(live_app, "Task_ReceptionCheck", code)
    with grpc.insecure_channel(engine_address) as channel:
        GatewayStub(channel).CompleteJob(pb.CompleteJobRequest(
            jobKey=key, variables=json.dumps({"intakeDecision": "accept"})))
    page = complete(reception, key, intakeDecision="accept")
    assert "đã được hoàn thành hoặc hủy ở nơi khác" in page
    assert f"/inbox/tasks/{key}" not in reception.get("/inbox").get_data(as_text=True)


def test_claims_keep_colleagues_apart(live_app):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    key = wait_for_task(live_app, "Task_ReceptionCheck", code)
    office = live_app.extensions["motcua.office"]
    with office.transaction() as db:
        db.get(InboxTask, key).candidate_groups = ["reception", "admin"]
    admin = sign_in(live_app, "quantri")
    assert admin.post(f"/inbox/tasks/{key}/claim").status_code == 302
    assert "Đang do quantri xử lý" in reception.get(f"/inbox/tasks/{key}").get_data(as_text=True)
    response = reception.post(f"/inbox/tasks/{key}", data={"intakeDecision": "accept"})
    assert response.status_code == 409 and "Công việc này đang do quantri xử lý" in response.get_data(as_text=True)
    assert f"/inbox/tasks/{key}" in admin.get("/inbox?view=mine").get_data(as_text=True)
    admin.post(f"/inbox/tasks/{key}/unclaim")
    assert "Đã hoàn thành" in complete(reception, key, intakeDecision="accept")


def collected(collector: TaskCollector, within: float = 60) -> int:
    """Poll with `collector` until it takes in some task (how many), or give 0 after `within`
    seconds: generous, since a loaded machine (pytest -n 2 on 2 cores) is slow to answer a poll."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            taken = collector.collect_once(request_timeout_ms=1000)
        except EngineUnavailable:  # a poll that timed out under load: poll again, as the collector does
            continue
        if taken:
            return taken
    return 0


def test_the_collector_never_loses_or_doubles_a_task_across_restarts(live_app):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    office = live_app.extensions["motcua.office"]
    short = TaskCollector(office, timeout_ms=1500)  # a lease that runs out while "the webapp is down"
    assert collected(short) == 1
    with office.sessions() as db:
        lease_until = db.scalars(sa.select(InboxTask.lease_until).where(InboxTask.dossier_code == code)).one()
    while datetime.now(UTC) < lease_until + timedelta(milliseconds=200):  # the engine's lease, not a guess
        time.sleep(0.1)
    restarted = TaskCollector(office, timeout_ms=60_000)
    assert collected(restarted) == 1  # the job came back after its lease: to the same row
    with office.sessions() as db:
        rows = db.scalars(sa.select(InboxTask).where(InboxTask.dossier_code == code)).all()
    assert [r.element_id for r in rows] == ["Task_ReceptionCheck"]
    assert restarted.sweep() == 0  # still the engine's open job
    assert "Đã hoàn thành" in complete(reception, rows[0].job_key, intakeDecision="accept")


def test_from_reception_to_the_leaders_signature_and_the_sms(live_app):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    complete(reception, wait_for_task(live_app, "Task_ReceptionCheck", code), intakeDecision="accept")

    specialist = sign_in(live_app, "chuyenvien")
    key = wait_for_task(live_app, "Task_Appraise", code)
    page = complete(specialist, key, worksLevel="II", buildingArea="1250,5", floors="9",
                    appraisalOpinion="Hồ sơ đủ điều kiện cấp giấy phép xây dựng theo quy định.",
                    appraisalOutcome="propose", recommendation="approve")
    assert "Đã hoàn thành" in page, page

    head = sign_in(live_app, "truongphong")
    complete(head, wait_for_task(live_app, "Task_HeadReview", code), headDecision="approve")

    leader = sign_in(live_app, "lanhdao")
    key = wait_for_task(live_app, "Task_LeaderSign", code)
    form = leader.get(f"/inbox/tasks/{key}").get_data(as_text=True)
    assert "Ký duyệt và hoàn thành" in form
    response = leader.post(f"/inbox/tasks/{key}", data={"leaderDecision": "approve"})
    assert response.status_code == 422  # the signature confirmation appears and is required
    assert 'name="signatureConfirmed"' in response.get_data(as_text=True)
    complete(leader, key, leaderDecision="approve", signatureConfirmed="true", resultNumber="125/GPXD")

    office = live_app.extensions["motcua.office"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with office.sessions() as db:
            dossier = db.scalars(sa.select(Dossier).where(Dossier.code == code)).one()
            events = db.scalars(sa.select(SmsMessage.event).where(SmsMessage.dossier_id == dossier.id)).all()
        if "result-ready" in events:
            break
        time.sleep(0.1)
    assert "result-ready" in events
    page = leader.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Tin nhắn SMS đã gửi" in page and "result-ready" in page
    assert "Phiếu kiểm soát quá trình giải quyết" in page and "Tiếp nhận hồ sơ" in page


def test_a_supplement_asked_at_reception_is_received_and_checked_again(live_app):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    first = wait_for_task(live_app, "Task_ReceptionCheck", code)
    complete(reception, first, intakeDecision="supplement", contactPhone="0912345678",
             **{"missingItems.__count": "1", "missingItems.0.name": "Bản vẽ mặt cắt móng",
                "missingItems.0.detail": "Bổ sung bản chính"})
    office = live_app.extensions["motcua.office"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page = reception.get(f"/dossiers/{code}").get_data(as_text=True)
        if "Nhận hồ sơ bổ sung" in page:
            break
        time.sleep(0.1)
    assert "Yêu cầu bổ sung" in page
    form = reception.get(f"/dossiers/{code}/resubmission").get_data(as_text=True)
    assert 'name="component.don-de-nghi" value="1" checked' in form  # what was handed in before
    refused = reception.post(f"/dossiers/{code}/resubmission", data={"component.so-ho-khau": "1"})
    assert refused.status_code == 400
    papers = {k: v for k, v in permit_papers().items()}
    page = reception.post(f"/dossiers/{code}/resubmission", data=papers, follow_redirects=True).get_data(as_text=True)
    assert "Đã nhận hồ sơ bổ sung" in page
    second = wait_for_task(live_app, "Task_ReceptionCheck", code)
    assert second != first
    with office.sessions() as db:
        assert db.get(InboxTask, first).state is TaskState.COMPLETED


def test_a_task_whose_process_was_canceled_leaves_the_inbox(live_app, engine_address):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    key = wait_for_task(live_app, "Task_ReceptionCheck", code)
    office = live_app.extensions["motcua.office"]
    with office.sessions() as db:
        instance = db.get(InboxTask, key).process_instance_key
    with office.sessions() as db:  # the intake is a called process: cancel the dossier's process
        parent = db.scalars(sa.select(Dossier.process_instance_key).where(Dossier.code == code)).one()
    with grpc.insecure_channel(engine_address) as channel:
        GatewayStub(channel).CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=parent or instance))
    assert live_app.extensions["motcua.collector"].sweep() == 1
    assert f"/inbox/tasks/{key}" not in reception.get("/inbox").get_data(as_text=True)


def test_tasks_the_inbox_cannot_store_are_given_back_at_once(live_app, monkeypatch):
    reception = sign_in(live_app, "tiepnhan")
    code = register(reception)
    collector = live_app.extensions["motcua.collector"]

    def broken_store(jobs):
        raise RuntimeError("database is locked")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError):
        patched.setattr(collector, "store", broken_store)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            collector.collect_once(request_timeout_ms=300)
    assert wait_for_task(live_app, "Task_ReceptionCheck", code, timeout=10)
