"""Intake on the real engine: checklist, receipt, status, portal report, the citizen's SMS."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from workers_office import pdf_text

from motcua.db import DeliveryStatus, Document, DocumentKind, Dossier, SmsMessage
from motcua.statuses import DossierStatus

CODE = "000.00.17.H06-261124-0001"
PHONE = "0912345678"


def dossier_row(sessions, code: str = CODE) -> Dossier:
    with sessions() as session:
        return session.scalars(sa.select(Dossier).where(Dossier.code == code)).one()


def test_a_complete_dossier_is_received_and_the_citizen_gets_one_sms(office, sms_gateway, portal, sessions):
    office.start_workers()
    office.submit(code=CODE, phone=PHONE)
    check = office.complete("Task_ReceptionCheck", intakeDecision="accept")
    assert check["checklistComplete"] is True and check["unknownComponents"] == []
    assert datetime.fromisoformat(check["intakeCheckDueAt"]).tzinfo is not None  # the inbox due date

    appraisal_key, appraisal = office.user_task("Task_Appraise")
    sms_gateway.wait_for(lambda requests: len(requests) >= 1)
    [text] = sms_gateway.messages(to=PHONE)
    assert CODE in text and "da tiep nhan" in text and f"https://motcua.test/t/{CODE}" in text
    assert len(text) <= 160 and text.isascii()

    dossier = dossier_row(sessions)
    assert dossier.status is DossierStatus.IN_PROGRESS  # received (2), then transferred (4)
    assert [c.step for c in dossier.timeline] == ["submitted", "received", "transfer"]
    assert datetime.fromisoformat(appraisal["dueAt"]) == dossier.due_at
    assert appraisal["stepDueAt"]["appraisal"] <= appraisal["stepDueAt"]["leaderSign"] <= appraisal["dueAt"]
    assert dossier.due_on.strftime("%d/%m/%Y") in text

    with sessions() as session:
        [receipt] = session.scalars(sa.select(Document).where(Document.kind == DocumentKind.RECEIPT)).all()
    printed = pdf_text(receipt.content)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in printed
    assert "Nguyễn Thị Hồng Đào" in printed and CODE in printed
    assert "Đơn đề nghị cấp giấy phép xây dựng" in printed
    assert dossier.due_on.strftime("%d/%m/%Y") in printed

    reports = portal.wait_for(lambda requests: len(requests) >= 2)
    assert [r.path for r in reports] == ["/DongBoHoSoMC", "/CapNhatTienDoHoSoMC"]
    assert reports[0].body["MaHoSo"] == CODE and reports[0].body["TrangThaiHoSo"] == 2
    assert reports[1].body["TrangThai"] == 4
    assert reports[0].headers["Authorization"] == "Bearer portal-token"
    assert len({r.headers["Idempotency-Key"] for r in reports}) == 2


def test_the_checklist_refuses_a_paper_the_catalog_does_not_list(office, sessions):
    office.start_workers()
    from workers_office import complete_permit_components

    extra = {"id": "so-ho-khau", "name": "Sổ hộ khẩu", "copyType": "certified_copy", "quantity": 1}
    papers = [c for c in complete_permit_components() if c["id"] != "ban-ve-thiet-ke"] + [extra]
    office.submit(code=CODE, components=papers)
    _, check = office.user_task("Task_ReceptionCheck")
    assert check["checklistComplete"] is False
    assert check["unknownComponents"] == [{"id": "so-ho-khau", "name": "Sổ hộ khẩu"}]
    assert [c["id"] for c in check["missingComponents"]] == ["ban-ve-thiet-ke"]
    refused = [i for i in check["missingItems"] if i["name"] == "Sổ hộ khẩu"]
    assert refused and "không tiếp nhận" in refused[0]["detail"]
    recorded = [c["component"] for c in dossier_row(sessions).submitted_components]
    assert "so-ho-khau" not in recorded  # the law forbids accepting it


@pytest.mark.parametrize("phone", ["12345", "0999999999"])
def test_an_invalid_number_is_recorded_once_and_the_dossier_goes_on(office, sms_gateway, sessions, phone):
    sms_gateway.unknown_numbers.add("0999999999")  # looks right, the carrier does not know it
    office.start_workers()
    office.submit(code=CODE, phone=phone)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.user_task("Task_Appraise")  # processing was not held up
    with sessions() as session:
        [message] = session.scalars(sa.select(SmsMessage)).all()
    assert message.status is DeliveryStatus.FAILED and message.attempts == 1
    assert "invalid phone number" in message.last_error
    assert len(sms_gateway.requests) == (1 if phone == "0999999999" else 0)  # no retry storm


def test_an_sms_gateway_that_is_down_is_retried_until_one_sms_leaves(office, sms_gateway, sessions):
    sms_gateway.fail_next = 2
    office.start_workers()
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    sms_gateway.wait_for(lambda requests: len(requests) >= 1)
    office.user_task("Task_Appraise")
    assert len(sms_gateway.messages(to=PHONE)) == 1
    with sessions() as session:
        [message] = session.scalars(sa.select(SmsMessage)).all()
    assert message.status is DeliveryStatus.SENT and message.attempts == 3


def test_a_refusal_at_the_desk_gives_a_letter_status_3_and_one_sms(office, sms_gateway, portal, sessions):
    office.start_workers()
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="refuse",
                    refusalReason="Thủ tục không thuộc thẩm quyền của Sở Xây dựng")
    sms_gateway.wait_for(lambda requests: len(requests) == 1)
    assert "khong duoc tiep nhan" in sms_gateway.messages(to=PHONE)[0]
    reports = portal.wait_for(lambda requests: len(requests) == 1)
    assert reports[0].body["TrangThaiHoSo"] == 3
    assert dossier_row(sessions).status is DossierStatus.NOT_ACCEPTED
    with sessions() as session:
        [letter] = session.scalars(sa.select(Document).where(Document.kind == DocumentKind.REFUSAL)).all()
    assert "không thuộc thẩm quyền" in pdf_text(letter.content)


def test_a_supplement_at_the_desk_then_the_complete_dossier_is_received(office, sms_gateway, sessions):
    from workers_office import complete_permit_components

    office.start_workers()
    office.submit(code=CODE, components=complete_permit_components()[:2])
    _, check = office.user_task("Task_ReceptionCheck")
    office.complete("Task_ReceptionCheck", intakeDecision="supplement", missingItems=check["missingItems"])
    sms_gateway.wait_for(lambda requests: len(requests) == 1)
    assert "can bo sung" in sms_gateway.messages(to=PHONE)[0]
    assert dossier_row(sessions).due_on is None  # not received yet: no appointment date

    office.publish("dossier-resubmitted", CODE, f"{CODE}:resubmitted:1",
                   components=complete_permit_components(),
                   resubmittedAt=datetime.now().astimezone().isoformat(timespec="seconds"))
    _, again = office.user_task("Task_ReceptionCheck")
    assert again["checklistComplete"] is True
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.user_task("Task_Appraise")
    texts = sms_gateway.messages(to=PHONE)
    assert len(texts) == 2 and "da tiep nhan" in texts[1]
    dossier = dossier_row(sessions)
    assert dossier.due_on is not None and all(p.resumed_at for p in dossier.pauses)
    assert len(dossier.submitted_components) == len(complete_permit_components())


def test_a_dossier_the_webapp_already_received_keeps_its_appointment(office, office_context, sms_gateway, sessions):
    from workers_office import complete_permit_components

    from motcua.db import transaction
    from motcua.dossiers import Applicant, receive_dossier
    from motcua.statuses import ApplicantKind, Channel

    procedure = office_context.catalog.get("1.009994")
    papers = [{"component": c["id"], "copy_type": c["copyType"], "quantity": c["quantity"]}
              for c in complete_permit_components()]
    with transaction(sessions) as session:
        received = receive_dossier(
            session, procedure=procedure, applicant=Applicant(ApplicantKind.PERSON, "Nguyễn Thị Hồng Đào",
                                                              phone=PHONE),
            channel=Channel.DIRECT, received_at=datetime.now().astimezone(), submitted=papers,
            calendar=office_context.calendar(session), actor="reception1")
        code, due_on = received.code, received.due_on
    office.start_workers()
    office.submit(code=code)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    _, appraisal = office.user_task("Task_Appraise")
    dossier = dossier_row(sessions, code)
    assert dossier.due_on == due_on and datetime.fromisoformat(appraisal["dueAt"]) == dossier.due_at
    assert [c.step for c in dossier.timeline] == ["received", "transfer"]
    assert [c.actor for c in dossier.timeline][0] == "reception1"
    assert len(sms_gateway.messages(to=PHONE, containing=code)) == 1
