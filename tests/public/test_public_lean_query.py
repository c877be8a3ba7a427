"""The tracking page's one lean query reads what the ORM's dossier and relationships hold, so the
page shows the same: timeline in order, a paused clock, a moved appointment, a refusal, a rating."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from motcua.db import Dossier, load_working_calendar, transaction
from motcua.dossiers import finish_processing, reschedule, resume_after_supplement
from motcua.public_lookup import PublicFacts, is_rated, load_applicant, load_public_facts


def facts_from_orm(session, dossier: Dossier) -> PublicFacts:
    """What the page was built from before the lean query: the ORM row and its relationships."""
    return PublicFacts(
        code=dossier.code, procedure_code=dossier.procedure_code,
        procedure_version=dossier.procedure_version, status=dossier.status,
        received_at=dossier.received_at, due_on=dossier.due_on,
        original_due_on=dossier.original_due_on,
        processing_finished_at=dossier.processing_finished_at, returned_at=dossier.returned_at,
        waiting_for_applicant=any(p.resumed_at is None for p in dossier.pauses),
        rated=is_rated(session, dossier),
        timeline=tuple((c.at, c.status, c.step) for c in dossier.timeline))


def rate(client, code: str) -> None:
    answers = {"digits": "5678", "overall": "satisfied", "time": "2", "contacts": "1",
               "publicity": "2", "attitude": "0", "desk": "2"}
    assert client.post(f"/danh-gia/{code}", data=answers).status_code == 200


@pytest.fixture
def dossiers(desk, client, now) -> dict[str, str]:
    """One dossier in each state the page tells apart."""
    made = {"in progress": desk.receive()}
    made["waiting for papers"] = desk.receive()
    desk.request_supplement(made["waiting for papers"], "Ảnh 4x6: Cần 2 bản")
    made["resumed"] = desk.receive(received_at=now - timedelta(days=6))
    desk.request_supplement(made["resumed"], "Bản gốc", at=now - timedelta(days=4))

    def resume(dossier, session):
        resume_after_supplement(dossier, desk.catalog.version(dossier.procedure_code, dossier.procedure_version),
                                load_working_calendar(session), at=now - timedelta(days=1), actor="letan")
    desk._change(made["resumed"], resume)
    made["rescheduled"] = desk.receive()

    def move(dossier, session):
        reschedule(dossier, new_due_on=date(2026, 12, 3), calendar=load_working_calendar(session),
                   at=now - timedelta(hours=5), actor="truongphong", reason="Chờ ý kiến sở ngành")
    desk._change(made["rescheduled"], move)
    made["refused"] = desk.receive()

    def refuse(dossier, session):
        finish_processing(dossier, at=now - timedelta(hours=3), actor="he-thong")
        dossier.timeline[-1].step = "resolved-refused"
    desk._change(made["refused"], refuse)
    made["returned"] = desk.receive()
    desk.hand_over(made["returned"])
    made["rated"] = desk.receive()
    desk.hand_over(made["rated"])
    rate(client, made["rated"])
    return made


def test_lean_query_reads_what_the_orm_holds(desk, dossiers):
    with desk.sessions() as session:
        for state, code in dossiers.items():
            dossier = session.scalars(sa.select(Dossier).where(Dossier.code == code)).one()
            assert load_public_facts(session, code) == facts_from_orm(session, dossier), state
            assert load_public_facts(session, code.lower()).code == code  # any case
    with desk.sessions() as session:
        assert load_public_facts(session, "000.00.17.H06-261119-9999") is None


def test_the_page_in_each_state(client, dossiers):
    def text(state: str) -> str:
        return client.get(f"/tra-cuu/{dossiers[state]}").get_data(as_text=True)

    waiting = text("waiting for papers")
    assert "Tạm dừng, chờ bổ sung" in waiting and "Nộp bổ sung các giấy tờ còn thiếu" in waiting
    resumed = text("resumed")
    steps = ["Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn xử lý", "Yêu cầu bổ sung hồ sơ",
             "Nhận hồ sơ bổ sung, tiếp tục xử lý"]
    newest_first = [resumed.index(f"<span>{step}</span>") for step in reversed(steps)]
    assert newest_first == sorted(newest_first)
    assert "Tạm dừng" not in resumed
    assert "03/12/2026" in text("rescheduled") and "Ngày hẹn ban đầu: 26/11/2026" in text("rescheduled")
    refused = text("refused")
    assert "Đã xử lý xong: không chấp thuận" in refused and "nhận văn bản trả lời" in refused
    assert f"/danh-gia/{dossiers['returned']}" in text("returned")
    assert f"/danh-gia/{dossiers['rated']}" not in text("rated")


def test_applicant_record_follows_the_open_supplement_request(desk, dossiers):
    with transaction(desk.sessions) as session:
        waiting = load_applicant(session, dossiers["waiting for papers"])
        resumed = load_applicant(session, dossiers["resumed"])
    assert waiting.missing_items == "Ảnh 4x6: Cần 2 bản" and waiting.applicant_phone == "0912345678"
    assert resumed.missing_items is None  # the papers came: nothing is missing any more
