"""Processing on the real engine: the leader's signature, refusal, a supplement, result return."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from workers_office import complete_permit_components, wait_until
from workers_office import pdf_text as pdf_text_of

from motcua.db import Document, DocumentKind, Dossier, Rating, Satisfaction
from motcua.db.dossiers import Resolution
from motcua.statuses import DossierStatus

CODE = "000.00.17.H06-261124-0007"
PHONE = "0987654321"


def dossier_row(sessions) -> Dossier:
    with sessions() as session:
        return session.scalars(sa.select(Dossier).where(Dossier.code == CODE)).one()


def papers(sessions, kind: DocumentKind) -> list[Document]:
    with sessions() as session:
        return session.scalars(sa.select(Document).where(Document.kind == kind).order_by(Document.id)).all()


def pdf_text(document: Document) -> str:
    return pdf_text_of(document.content)


def received_and_transferred(office) -> dict:
    office.start_workers()
    office.submit(code=CODE, phone=PHONE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    return office.user_task("Task_Appraise")[1]


def test_the_leader_signs_and_the_citizen_is_told_then_gets_the_result(office, sms_gateway, portal, sessions):
    received_and_transferred(office)
    office.complete("Task_Appraise", appraisalOutcome="propose", recommendation="approve",
                    appraisalOpinion="Đủ điều kiện cấp phép")
    office.complete("Task_HeadReview", headDecision="approve")
    office.complete("Task_LeaderSign", leaderDecision="approve", signatureConfirmed=True,
                    resultNumber="125/GPXD")
    sms_gateway.wait_for(lambda requests: len(requests) == 2)
    assert "da co ket qua" in sms_gateway.messages(to=PHONE)[1]

    office.complete("Task_ReturnResult", deliveryMethod="counter", receiverName="Nguyễn Thị Hồng Đào",
                    returnedAt=datetime.now().astimezone().isoformat(timespec="seconds"))
    office.complete("Task_RateSatisfaction", satisfaction="very-satisfied",
                    ratingCriteria={"time": "2", "contacts": "2", "publicity": "1", "attitude": "2"},
                    ratingComment="Cán bộ nhiệt tình")
    wait_until(lambda: papers(sessions, DocumentKind.CONTROL_SHEET), what="the control sheet")

    texts = sms_gateway.messages(to=PHONE)
    assert len(texts) == 3
    assert "da tiep nhan" in texts[0] and "da co ket qua" in texts[1] and "da tra ket qua" in texts[2]
    dossier = dossier_row(sessions)
    assert dossier.status is DossierStatus.RETURNED
    assert dossier.processing_finished_at and dossier.returned_at
    assert dossier.resolution is Resolution.EARLY  # stored for the Biểu 06 report
    [result] = papers(sessions, DocumentKind.RESULT)
    assert result.number == "125/GPXD" and "125/GPXD" in pdf_text(result)
    sheet = pdf_text(papers(sessions, DocumentKind.CONTROL_SHEET)[0])
    for line in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Tiếp nhận hồ sơ", "Chuyển xử lý",
                 "Đã xử lý xong", "Đã trả kết quả", "Trước hạn".lower()):
        assert line in sheet or line in sheet.lower(), line
    with sessions() as session:
        rating = session.scalars(sa.select(Rating)).one()
    assert rating.overall is Satisfaction.VERY_SATISFIED and rating.criteria["publicity"] == 1
    reports = portal.wait_for(lambda requests: len(requests) == 4)
    assert [r.body.get("TrangThaiHoSo", r.body.get("TrangThai")) for r in reports] == [2, 4, 9, 10]


def test_a_refusal_by_the_leader_is_explained_in_a_letter_and_an_sms(office, sms_gateway, sessions):
    received_and_transferred(office)
    office.complete("Task_Appraise", appraisalOutcome="propose", recommendation="refuse")
    office.complete("Task_HeadReview", headDecision="approve")
    office.complete("Task_LeaderSign", leaderDecision="refuse",
                    leaderRefusalReason="Công trình vi phạm chỉ giới xây dựng")
    sms_gateway.wait_for(lambda requests: len(requests) == 2)
    assert "khong duoc tiep nhan/giai quyet" in sms_gateway.messages(to=PHONE)[1]
    [letter] = wait_until(lambda: papers(sessions, DocumentKind.RESULT), what="the refusal letter")
    text = pdf_text(letter)
    assert "VĂN BẢN TRẢ LỜI KHÔNG CHẤP THUẬN" in text and "vi phạm chỉ giới xây dựng" in text
    office.user_task("Task_ReturnResult")  # the letter is returned like a result
    assert dossier_row(sessions).status is DossierStatus.PROCESSED


def test_a_supplement_stops_the_clock_and_the_resubmission_restarts_processing(office, sms_gateway, sessions):
    first = received_and_transferred(office)
    office.complete("Task_Appraise", appraisalOutcome="supplement",
                    missingItems=[{"name": "Bản vẽ mặt bằng móng", "detail": "Thiếu chữ ký chủ trì"}])
    sms_gateway.wait_for(lambda requests: len(requests) == 2)
    supplement_sms = sms_gateway.messages(to=PHONE)[1]
    assert "can bo sung giay to truoc ngay" in supplement_sms
    dossier = wait_until(lambda: (d := dossier_row(sessions)).status is DossierStatus.SUPPLEMENT_REQUESTED and d,
                         what="status 5")
    assert [p.resumed_at for p in dossier.pauses] == [None]
    [request] = wait_until(lambda: papers(sessions, DocumentKind.SUPPLEMENT_REQUEST), what="Mẫu 02")
    assert "Bản vẽ mặt bằng móng: Thiếu chữ ký chủ trì" in pdf_text(request)

    office.publish("dossier-resubmitted", CODE, f"{CODE}:resubmitted:1",
                   components=complete_permit_components(),
                   resubmittedAt=datetime.now().astimezone().isoformat(timespec="seconds"))
    _, again = office.user_task("Task_Appraise")
    assert datetime.fromisoformat(again["dueAt"]) >= datetime.fromisoformat(first["dueAt"])
    dossier = dossier_row(sessions)
    assert dossier.status is DossierStatus.IN_PROGRESS and dossier.pauses[0].resumed_at is not None
    assert [c.step for c in dossier.timeline][-3:] == ["supplement-requested", "resumed", "transfer"]
    assert len(sms_gateway.messages(to=PHONE)) == 2


@pytest.mark.parametrize(("process_id", "procedure", "result_title"), [
    ("practising-certificate", "SXD.CCHN-01", "CHỨNG CHỈ HÀNH NGHỀ HOẠT ĐỘNG XÂY DỰNG"),
    ("design-appraisal", "SXD.TDDA-01", "THẨM ĐỊNH"),
])
def test_every_procedure_family_issues_its_own_result(office, sms_gateway, sessions, process_id,
                                                      procedure, result_title):
    office.start_workers()
    office.submit(process_id=process_id, code=CODE, procedure=procedure, phone=PHONE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    _, appraisal = office.user_task("Task_Appraise")
    assert set(appraisal["stepDueAt"]) == {"appraisal", "headReview", "leaderSign", "resultReturn"}
    office.complete("Task_Appraise", appraisalOutcome="propose", recommendation="approve")
    office.complete("Task_HeadReview", headDecision="approve")
    office.complete("Task_LeaderSign", leaderDecision="approve", resultNumber="7/KQ")
    [result] = wait_until(lambda: papers(sessions, DocumentKind.RESULT), what="the result")
    assert result_title in pdf_text(result).upper()
    sms_gateway.wait_for(lambda requests: len(requests) == 2)
    assert dossier_row(sessions).procedure_code == procedure
