"""Satisfaction rating: after the result is returned, by the applicant, once per dossier."""

from __future__ import annotations

import sqlalchemy as sa

from motcua.db import Rating, Satisfaction

ANSWERS = {"digits": "5678", "overall": "satisfied", "time": "2", "contacts": "1",
           "publicity": "2", "attitude": "0", "desk": "2", "comment": "Cán bộ hướng dẫn nhanh."}


def ratings(desk) -> list[Rating]:
    with desk.sessions() as session:
        return session.scalars(sa.select(Rating)).all()


def test_rating_opens_only_after_the_result_is_returned(client, desk):
    code = desk.receive()
    early = client.get(f"/danh-gia/{code}")
    assert early.status_code == 409
    assert "sau khi nhận kết quả" in early.get_data(as_text=True)
    assert client.post(f"/danh-gia/{code}", data=ANSWERS).status_code == 409
    assert ratings(desk) == []


def test_rating_is_stored_once(client, desk):
    code = desk.receive()
    desk.hand_over(code)
    form = client.get(f"/danh-gia/{code}").get_data(as_text=True)
    assert "Thời gian giải quyết so với quy định" in form and "Rất hài lòng" in form
    done = client.post(f"/danh-gia/{code}", data=ANSWERS)
    assert done.status_code == 200 and "Cảm ơn" in done.get_data(as_text=True)
    [stored] = ratings(desk)
    assert stored.overall is Satisfaction.SATISFIED
    assert stored.criteria == {"time": 2, "contacts": 1, "publicity": 2, "attitude": 0, "desk": 2}
    assert stored.comment == "Cán bộ hướng dẫn nhanh."
    again = client.post(f"/danh-gia/{code}", data=dict(ANSWERS, overall="very_satisfied"))
    assert "đã được đánh giá" in again.get_data(as_text=True)
    assert [r.overall for r in ratings(desk)] == [Satisfaction.SATISFIED]
    page = client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert f"/danh-gia/{code}" not in page and "Không cần làm gì thêm" in page


def test_rating_needs_the_applicants_digits(client, desk):
    code = desk.receive()
    desk.hand_over(code)
    refused = client.post(f"/danh-gia/{code}", data=dict(ANSWERS, digits="9999"))
    assert refused.status_code == 403
    assert ratings(desk) == []


def test_required_indicators_must_be_answered(client, desk):
    code = desk.receive()
    desk.hand_over(code)
    answers = {k: v for k, v in ANSWERS.items() if k != "attitude"}
    incomplete = client.post(f"/danh-gia/{code}", data=answers)
    assert incomplete.status_code == 400
    assert "Vui lòng trả lời" in incomplete.get_data(as_text=True)
    assert ratings(desk) == []


def test_unknown_dossier_cannot_be_rated(client):
    assert client.get("/danh-gia/000.00.17.H06-261116-0042").status_code == 404
