"""A citizen follows a dossier with its code: plain words, dates, next step; details after 4 digits."""

from __future__ import annotations

import re
from datetime import timedelta

from webapp.public.tracking import FACTOR_HEADER


def page(response) -> str:
    return response.get_data(as_text=True)


def test_tracking_page_shows_status_in_plain_words(client, desk):
    code = desk.receive()
    response = client.get(f"/tra-cuu/{code}")
    assert response.status_code == 200
    text = page(response)
    assert "Đang xử lý" in text
    assert "đang được cán bộ chuyên môn thẩm định" in text
    assert "Đang trong hạn" in text
    assert "Ngày hẹn trả kết quả" in text
    assert "Tiếp nhận hồ sơ" in text and "Chuyển phòng chuyên môn xử lý" in text  # timeline
    assert "16/11/2026" in text  # received on Monday 16 November
    assert "Nguyễn Văn An" not in text and "0912345678" not in text
    assert response.headers["Cache-Control"] == "no-store"


def test_appointment_date_is_the_dossiers(client, desk):
    code = desk.receive()
    data = client.get(f"/api/v1/public/dossiers/{code}").get_json()
    assert data["appointment_date"] == "2026-11-26"  # 10 ngày from 16/11
    assert "26/11/2026" in page(client.get(f"/tra-cuu/{code}"))


def test_form_and_short_link_lead_to_the_page(client, desk):
    code = desk.receive()
    assert 'name="code"' in page(client.get("/tra-cuu"))
    form = client.get("/tra-cuu", query_string={"code": f"  {code.lower()} "})
    assert form.status_code == 302
    followed = client.get(form.headers["Location"], follow_redirects=True)
    assert "Đang xử lý" in page(followed)
    short = client.get(f"/t/{code}")
    assert short.status_code == 302 and short.headers["Location"].endswith(f"/tra-cuu/{code}")


def test_unknown_code_says_so_and_offers_the_form(client, desk):
    response = client.get("/tra-cuu/000.00.17.H06-261119-9999")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ có mã này" in page(response)
    assert 'name="code"' in page(response)


def test_personal_data_only_after_the_second_factor(client, desk):
    code = desk.receive()
    wrong = client.post(f"/tra-cuu/{code}", data={"digits": "1111"})
    assert wrong.status_code == 403
    assert "không khớp" in page(wrong) and "Nguyễn Văn An" not in page(wrong)
    right = client.post(f"/tra-cuu/{code}", data={"digits": "5678"})  # phone 0912345678
    assert right.status_code == 302
    shown = page(client.get(f"/tra-cuu/{code}"))
    assert "Nguyễn Văn An" in shown and "12 Lê Lợi" in shown and "0912345678" in shown
    client.post(f"/tra-cuu/{code}/an-thong-tin")
    assert "Nguyễn Văn An" not in page(client.get(f"/tra-cuu/{code}"))


def test_id_number_digits_work_too_and_stay_with_that_dossier(client, desk):
    first, second = desk.receive(), desk.receive(name="Trần Thị Bình")
    client.post(f"/tra-cuu/{first}", data={"digits": "2345"})  # ID 001085012345
    assert "Nguyễn Văn An" in page(client.get(f"/tra-cuu/{first}"))
    assert "Trần Thị Bình" not in page(client.get(f"/tra-cuu/{second}"))


def test_a_dossier_without_phone_or_id_never_matches(client, desk):
    code = desk.receive(phone=None, id_number=None)
    for digits in ("0000", "", "abcd"):
        assert client.post(f"/tra-cuu/{code}", data={"digits": digits}).status_code == 403


def test_supplement_tells_what_to_bring(client, desk):
    code = desk.receive()
    desk.request_supplement(code, "Bản gốc chứng chỉ hành nghề: Chưa nộp; Ảnh 4x6: Cần 2 bản")
    text = page(client.get(f"/tra-cuu/{code}"))
    assert "Yêu cầu bổ sung giấy tờ" in text
    assert "Nộp bổ sung các giấy tờ còn thiếu" in text
    assert "Tạm dừng, chờ bổ sung" in text
    assert "Bản gốc chứng chỉ" not in text  # staff's list is behind the second factor
    client.post(f"/tra-cuu/{code}", data={"digits": "5678"})
    text = page(client.get(f"/tra-cuu/{code}"))
    assert "<li>Bản gốc chứng chỉ hành nghề: Chưa nộp</li>" in text


def test_result_ready_and_returned(client, desk, now, cache_clock):
    code = desk.receive()
    desk.finish(code, at=now - timedelta(days=1))
    text = page(client.get(f"/tra-cuu/{code}"))
    assert "Đã xử lý xong" in text and "Mời Ông/Bà đến Bộ phận Một cửa nhận kết quả" in text
    assert "Xong trước hạn" in text
    desk.hand_over(code)
    cache_clock.advance(2)  # a new status shows within the public view cache's 2 s
    text = page(client.get(f"/tra-cuu/{code}"))
    assert "Đã trả kết quả" in text and f"/danh-gia/{code}" in text


def test_english_switch(client, desk):
    code = desk.receive()
    text = page(client.get(f"/tra-cuu/{code}?lang=en"))
    assert '<html lang="en">' in text
    assert "In progress" in text and "Within the deadline" in text and "What you need to do next" in text


def test_json_twin(client, desk):
    code = desk.receive()
    response = client.get(f"/api/v1/public/dossiers/{code}")
    data = response.get_json()
    assert response.status_code == 200
    assert data["status"] == {"code": 4, "label": "Đang xử lý",
                              "explanation": "Hồ sơ đang được cán bộ chuyên môn thẩm định và giải quyết."}
    assert data["on_time"]["value"] == "within"
    assert [e["step"] for e in data["timeline"]] == ["received", "transfer"]
    assert data["applicant"] is None and data["second_factor"] == "absent"
    assert data["next_step"]["action"] == "wait"
    verified = client.get(f"/api/v1/public/dossiers/{code}", headers={FACTOR_HEADER: "5678"}).get_json()
    assert verified["applicant"]["name"] == "Nguyễn Văn An"
    wrong = client.get(f"/api/v1/public/dossiers/{code}", headers={FACTOR_HEADER: "0000"})
    assert wrong.status_code == 403 and wrong.get_json()["applicant"] is None
    missing = client.get("/api/v1/public/dossiers/000.00.17.H06-261119-9999")
    assert missing.status_code == 404 and missing.get_json()["error"]
    english = client.get(f"/api/v1/public/dossiers/{code}?lang=en").get_json()
    assert english["status"]["label"] == "In progress"


def test_second_factor_form_works_with_csrf_on(app_factory, desk):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    code = desk.receive()
    assert client.post(f"/tra-cuu/{code}", data={"digits": "5678"}).status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(client.get(f"/tra-cuu/{code}"))).group(1)
    response = client.post(f"/tra-cuu/{code}", data={"digits": "5678", "csrf_token": token})
    assert response.status_code == 302
    assert "Nguyễn Văn An" in page(client.get(f"/tra-cuu/{code}"))
