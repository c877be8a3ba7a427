"""Signing in and out, roles on pages, the admin's user page, CSRF on the sign-in form."""

from __future__ import annotations

import re

from web_support import PASSWORD, sign_in


def test_staff_pages_ask_to_sign_in_first(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/sign-in?next=/inbox" in response.headers["Location"]
    assert "Đăng nhập cán bộ" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_wrong_password_is_refused_in_vietnamese(staff_app):
    response = staff_app.test_client().post("/sign-in", data={"username": "tiepnhan", "password": "sai"})
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_sign_in_goes_to_the_inbox_and_sign_out_ends_the_session(staff_app):
    client = sign_in(staff_app, "tiepnhan")
    page = client.get("/inbox").get_data(as_text=True)
    assert "Việc cần làm" in page and "Nguyễn Thị Lan" in page
    assert client.post("/sign-out").status_code == 302
    assert client.get("/inbox").status_code == 302


def test_sign_in_only_returns_to_pages_of_this_site(staff_app):
    response = staff_app.test_client().post("/sign-in?next=https://evil.example/x",
                                            data={"username": "tiepnhan", "password": PASSWORD})
    assert response.headers["Location"] == "/inbox"


def test_the_sign_in_form_carries_a_csrf_token(client):
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post("/sign-in", data={"username": "tiepnhan", "password": PASSWORD})
    assert refused.status_code == 400
    accepted = client.post("/sign-in", data={"username": "tiepnhan", "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302


def test_roles_decide_the_pages(as_staff):
    specialist = as_staff("chuyenvien")
    assert specialist.get("/reception").status_code == 403
    assert specialist.get("/admin/users").status_code == 403
    assert "Tiếp nhận hồ sơ" not in specialist.get("/inbox").get_data(as_text=True)
    reception = as_staff("tiepnhan")
    assert reception.get("/reception").status_code == 200


def test_the_admin_creates_a_user_who_can_then_sign_in(as_staff, staff_app):
    admin = as_staff("quantri")
    assert "tiepnhan" in admin.get("/admin/users").get_data(as_text=True)
    response = admin.post("/admin/users", data={"username": "chuyenvien2", "full_name": "Võ Thị Mai",
                                                "password": "mot-mat-khau", "roles": ["specialist", "head"]})
    assert response.status_code == 302
    assert "Võ Thị Mai" in admin.get("/admin/users").get_data(as_text=True)
    client = sign_in(staff_app, "chuyenvien2", "mot-mat-khau")
    assert client.get("/inbox").status_code == 200


def test_the_admin_page_explains_a_taken_username(as_staff):
    response = as_staff("quantri").post("/admin/users", data={
        "username": "tiepnhan", "full_name": "X", "password": "mot-mat-khau", "roles": ["reception"]})
    assert response.status_code == 400
    assert "Tên đăng nhập đã có người dùng" in response.get_data(as_text=True)


def test_a_deactivated_user_is_signed_out(as_staff, staff_app):
    reception = as_staff("tiepnhan")
    admin = as_staff("quantri")
    users = admin.get("/admin/users").get_data(as_text=True)
    user_id = re.search(r'action="/admin/users/(\d+)"[^>]*>\s*<input[^>]*>\s*<div><strong>tiepnhan', users).group(1)
    admin.post(f"/admin/users/{user_id}", data={"roles": ["reception"]})  # "active" unticked
    assert reception.get("/inbox").status_code == 302


def test_guessing_passwords_is_stopped(staff_app):
    client = staff_app.test_client()
    for _ in range(10):
        assert client.post("/sign-in", data={"username": "lanhdao", "password": "doan"}).status_code == 401
    response = client.post("/sign-in", data={"username": "lanhdao", "password": PASSWORD})
    assert response.status_code == 429 and "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)


def test_every_web_process_counts_the_same_guesses(staff_app):
    """`motcua web` runs several processes: a second app on the same data directory (another
    process's view) must not give the guesser a fresh budget."""
    from webapp import create_app

    other = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "ZEEBE_ADDRESS": "127.0.0.1:9"})
    first, second = staff_app.test_client(), other.test_client()
    for attempt in range(10):
        client = first if attempt % 2 else second
        assert client.post("/sign-in", data={"username": "lanhdao", "password": "doan"}).status_code == 401
    for client in (first, second):
        response = client.post("/sign-in", data={"username": "lanhdao", "password": PASSWORD})
        assert response.status_code == 429


def test_pages_switch_to_english(as_staff):
    page = as_staff("tiepnhan").get("/inbox?lang=en").get_data(as_text=True)
    assert "Tasks" in page and "My groups" in page and "Sign out" in page


STAFF_PAGES = ["/reception", "/dossiers", "/lien-thong/", "/bao-cao", "/van-hanh/", "/admin/users"]


def test_the_menu_shows_exactly_the_pages_each_role_may_open(as_staff):
    """The menu and the access rules come from the same role sets: a link is shown if and only if
    its page opens for that user."""
    from web_support import STAFF

    for username in STAFF:
        client = as_staff(username)
        menu = re.search(r'<nav class="nav".*?</nav>', client.get("/inbox").get_data(as_text=True), re.S)
        shown = set(re.findall(r'href="([^"]+)"', menu.group(0)))
        for page in STAFF_PAGES:
            opens = client.get(page).status_code != 403
            linked = any(href.rstrip("/") == page.rstrip("/") for href in shown)
            assert linked == opens, f"{username}: {page} {'opens' if opens else 'is refused'} but is " \
                                    f"{'in' if linked else 'not in'} the menu"
