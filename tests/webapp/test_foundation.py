"""What anyone opening the webapp notices first: language, errors, security headers."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from webapp import i18n


def test_home_is_vietnamese_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Một cửa điện tử" in page


def test_language_switch_is_remembered(client):
    assert "One-stop shop" in client.get("/?lang=en").get_data(as_text=True)
    assert "One-stop shop" in client.get("/").get_data(as_text=True)
    assert "Một cửa điện tử" in client.get("/?lang=vi").get_data(as_text=True)


def test_browser_language_is_honoured(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_unknown_page_explains_itself(client):
    response = client.get("/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_posting_without_csrf_token_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    from webapp import create_app

    app = create_app()  # CSRF on, as in production

    @app.post("/echo")
    def echo():
        return "ok"

    response = app.test_client().post("/echo", data={"x": "1"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)


def test_every_template_key_has_a_translation():
    templates = Path(i18n.__file__).parent / "templates"
    used = set()
    for template in templates.rglob("*.html"):
        used |= set(re.findall(r"""_\(\s*["']([\w.]+)["']""", template.read_text(encoding="utf-8")))
    vi, en = i18n.messages("vi"), i18n.messages("en")
    prefixes = {key for key in used if key.endswith(".")}  # _("inbox.view." ~ view): a family of keys
    assert all(any(k.startswith(p) for k in vi) and any(k.startswith(p) for k in en) for p in prefixes)
    used -= prefixes
    assert used - vi.keys() == set()
    assert used - en.keys() == set()
    assert set(en) - set(vi) == set(), "English keys must exist in Vietnamese, the reference"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_translations_are_valid_format_strings(language):
    for text in i18n.messages(language).values():
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        assert all(name.isidentifier() for name in names), text  # parsing raises on a broken one


def test_home_page_leads_citizens_to_tracking_catalog_and_statistics(client):
    page = client.get("/").get_data(as_text=True)
    assert 'action="/tra-cuu"' in page and 'name="code"' in page
    assert 'href="/thu-tuc"' in page
    assert 'href="/thong-ke"' in page
