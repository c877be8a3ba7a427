"""Deadlines on the real engine. The engine runs on the wall clock, so these tests let the workers
believe they work weeks in the past: the dates they compute are already due and the diagrams'
timers fire at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from workers_office import pdf_text, wait_until

from motcua.db import AuditEntry, Document, DocumentKind, Dossier
from motcua.statuses import DossierStatus

CODE = "000.00.17.H06-261124-0200"
PHONE = "0912345678"


def weeks_ago(office_context, days: int) -> None:
    office_context.clock = lambda: datetime.now(UTC) - timedelta(days=days)


def dossier_row(sessions) -> Dossier:
    with sessions() as session:
        return session.scalars(sa.select(Dossier).where(Dossier.code == CODE)).one()


def papers(sessions, kind: DocumentKind) -> list[Document]:
    with sessions() as session:
        return session.scalars(sa.select(Document).where(Document.kind == kind)).all()


def desk_warnings(sessions) -> list[str]:
    with sessions() as session:
        return [e.action for e in session.scalars(sa.select(AuditEntry))]


def test_a_late_dossier_gets_one_apology_with_a_new_date(office, office_context, sms_gateway, portal, sessions):
    weeks_ago(office_context, 60)  # received 60 days ago: due 20 days later, long passed
    office.start_workers()
    office.submit(code=CODE, phone=PHONE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    sms_gateway.wait_for(lambda requests: any("xin loi" in r.body["Content"] for r in requests))
    [apology_sms] = sms_gateway.messages(to=PHONE, containing="xin loi")
    dossier = dossier_row(sessions)
    assert dossier.due_on > dossier.original_due_on
    assert dossier.due_on.strftime("%d/%m/%Y") in apology_sms
    [letter] = wait_until(lambda: papers(sessions, DocumentKind.APOLOGY), what="the apology letter")
    text = pdf_text(letter.content)
    assert dossier.original_due_on.strftime("%d/%m/%Y") in text and dossier.due_on.strftime("%d/%m/%Y") in text
    assert "desk.due-soon" in wait_until(lambda: desk_warnings(sessions), what="the desk warning")
    reports = portal.wait_for(lambda requests: any(r.body.get("NoiDungXuLy", "").startswith("Xin lỗi")
                                                   for r in requests))
    assert [r.headers["Idempotency-Key"] for r in reports][-1] == f"{CODE}:rescheduled:1"
    office.user_task("Task_Appraise")  # the specialist still has the dossier
    assert len(sms_gateway.messages(to=PHONE, containing="xin loi")) == 1


def test_a_supplement_not_handed_in_stops_the_dossier(office, office_context, sms_gateway, sessions):
    office.start_workers()
    office.submit(code=CODE, phone=PHONE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.user_task("Task_Appraise")
    weeks_ago(office_context, 40)  # the 30 days to hand in the supplement are over at once
    office.complete("Task_Appraise", appraisalOutcome="supplement",
                    missingItems=[{"name": "Giấy tờ đất", "detail": "Bản sao chưa chứng thực"}])
    wait_until(lambda: dossier_row(sessions).status is DossierStatus.STOPPED, what="status 8")
    [notice] = wait_until(lambda: papers(sessions, DocumentKind.STOP_NOTICE), what="Mẫu 05")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in pdf_text(notice.content)
    texts = sms_gateway.wait_for(lambda requests: len(requests) == 3)
    assert ["tiep nhan" in texts[0].body["Content"], "bo sung" in texts[1].body["Content"],
            "khong duoc" in texts[2].body["Content"]] == [True, True, True]


def test_an_agency_that_never_answers_is_reminded_and_the_desk_warned(office, office_context, agency, sessions):
    office.start_workers()
    office.submit(code=CODE, phone=PHONE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.user_task("Task_Appraise")
    weeks_ago(office_context, 40)  # the agency's time to answer is over at once
    office.complete("Task_Appraise", appraisalOutcome="consult", consultAgency="PCCC",
                    consultQuestion="Ý kiến về PCCC")
    _, again = office.user_task("Task_Appraise")
    assert again["consultationAnswered"] is False
    assert "desk.consultation-overdue" in desk_warnings(sessions)
    kinds = [r.body["type"] for r in agency.requests]
    assert kinds[0] == "request" and set(kinds) <= {"request", "reminder"} and len(kinds) <= 2


def test_a_supplement_never_brought_to_the_desk_means_not_accepted(office, office_context, sms_gateway, portal, sessions):
    office.start_workers()
    office.submit(code=CODE, phone=PHONE, components=[])
    _, check = office.user_task("Task_ReceptionCheck")
    weeks_ago(office_context, 40)
    office.complete("Task_ReceptionCheck", intakeDecision="supplement", missingItems=check["missingItems"])
    wait_until(lambda: dossier_row(sessions).status is DossierStatus.NOT_ACCEPTED, what="status 3")
    texts = sms_gateway.wait_for(lambda requests: len(requests) == 2)
    assert "bo sung" in texts[0].body["Content"] and "khong duoc" in texts[1].body["Content"]
    reports = portal.wait_for(lambda requests: len(requests) == 2)
    assert [r.headers["Idempotency-Key"] for r in reports] == [
        f"{CODE}:supplement-requested:1", f"{CODE}:not-accepted:1"]
    assert dossier_row(sessions).due_on is None  # never received: no appointment was promised
