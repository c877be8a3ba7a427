"""The public view cache: what every reader may see is served from it for two seconds; what only
the applicant may see never goes through it."""

from __future__ import annotations

import re
from datetime import timedelta

from motcua.db import transaction
from motcua.staff_accounts import create_user
from webapp.public.tracking import FACTOR_HEADER

NAME, PHONE, ADDRESS = "Nguyễn Văn An", "0912345678", "12 Lê Lợi"


def page(response) -> str:
    return response.get_data(as_text=True)


def shows_applicant(text: str) -> bool:
    return NAME in text or PHONE in text or ADDRESS in text


def test_details_given_to_one_reader_never_reach_another(app, desk):
    code = desk.receive()
    stranger, applicant = app.test_client(), app.test_client()
    assert not shows_applicant(page(stranger.get(f"/tra-cuu/{code}")))  # the view is now cached
    applicant.post(f"/tra-cuu/{code}", data={"digits": "5678"})
    assert shows_applicant(page(applicant.get(f"/tra-cuu/{code}")))
    for response in (stranger.get(f"/tra-cuu/{code}"), stranger.get(f"/tra-cuu/{code}?lang=en"),
                     app.test_client().get(f"/tra-cuu/{code}")):
        assert response.status_code == 200 and not shows_applicant(page(response))
        assert response.headers["Cache-Control"] == "no-store"
    assert shows_applicant(page(applicant.get(f"/tra-cuu/{code}")))  # and the applicant keeps them
    applicant.post(f"/tra-cuu/{code}/an-thong-tin")
    assert not shows_applicant(page(applicant.get(f"/tra-cuu/{code}")))


def test_json_details_only_with_the_digits_whatever_was_asked_before(client, desk):
    code = desk.receive()
    with_digits = client.get(f"/api/v1/public/dossiers/{code}", headers={FACTOR_HEADER: "5678"})
    assert with_digits.get_json()["applicant"]["phone"] == PHONE
    without = client.get(f"/api/v1/public/dossiers/{code}")
    assert without.get_json()["applicant"] is None and not shows_applicant(page(without))
    assert client.get(f"/api/v1/public/dossiers/{code}",
                      headers={FACTOR_HEADER: "0000"}).get_json()["applicant"] is None


def test_each_reader_gets_their_own_csrf_token_from_the_cached_page(app_factory, desk):
    app = app_factory(WTF_CSRF_ENABLED=True)
    code = desk.receive()
    first, second = app.test_client(), app.test_client()

    def token(client) -> str:
        text = page(client.get(f"/tra-cuu/{code}"))
        return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)

    first_token, second_token = token(first), token(second)
    assert first_token != second_token
    assert second.post(f"/tra-cuu/{code}", data={"digits": "5678", "csrf_token": first_token}).status_code == 400
    assert second.post(f"/tra-cuu/{code}", data={"digits": "5678", "csrf_token": second_token}).status_code == 302
    assert shows_applicant(page(second.get(f"/tra-cuu/{code}")))
    assert not shows_applicant(page(first.get(f"/tra-cuu/{code}")))


def test_a_new_status_shows_within_two_seconds(client, desk, now, cache_clock):
    code = desk.receive()
    assert "Đang xử lý" in page(client.get(f"/tra-cuu/{code}"))
    desk.finish(code, at=now - timedelta(hours=1))
    cache_clock.advance(1)
    assert "Đang xử lý" in page(client.get(f"/tra-cuu/{code}"))  # kept for up to 2 s
    cache_clock.advance(1)
    text = page(client.get(f"/tra-cuu/{code}"))
    assert "Đã xử lý xong" in text and "Mời Ông/Bà đến Bộ phận Một cửa nhận kết quả" in text
    assert client.get(f"/api/v1/public/dossiers/{code}").get_json()["status"]["code"] == 9


def test_a_rating_shows_at_once_in_the_process_that_took_it(client, desk):
    code = desk.receive()
    desk.hand_over(code)
    assert f"/danh-gia/{code}" in page(client.get(f"/tra-cuu/{code}"))
    answers = {"digits": "5678", "overall": "satisfied", "time": "2", "contacts": "1",
               "publicity": "2", "attitude": "0", "desk": "2"}
    assert client.post(f"/danh-gia/{code}", data=answers).status_code == 200
    assert f"/danh-gia/{code}" not in page(client.get(f"/tra-cuu/{code}"))


def test_languages_are_kept_apart(client, desk):
    code = desk.receive()
    assert "Đang xử lý" in page(client.get(f"/tra-cuu/{code}"))
    english = page(client.get(f"/tra-cuu/{code}", headers={"Accept-Language": "en"}))
    assert '<html lang="en">' in english and "In progress" in english
    assert "Đang xử lý" in page(client.get(f"/tra-cuu/{code}?lang=vi"))


def test_staff_signed_in_keep_their_navigation(app, desk):
    code = desk.receive()
    assert "Đăng xuất" not in page(app.test_client().get(f"/tra-cuu/{code}"))
    with transaction(desk.sessions) as session:
        create_user(session, "letan", "Trần Lễ Tân", "mat-khau-dai-1", ["reception"])
    staff = app.test_client()
    assert staff.post("/sign-in", data={"username": "letan", "password": "mat-khau-dai-1"}).status_code == 302
    text = page(staff.get(f"/tra-cuu/{code}"))
    assert "Trần Lễ Tân" in text and "Đang xử lý" in text
