"""The reports pages as staff and the public use them: Biểu 06 with filters and downloads, the
dashboard, deadline risk for heads and leaders, the public statistics page and the JSON twin."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reports_dossiers import GPXD, NCKT, add_dossier

from motcua.db import engine_for, migrate, session_factory, transaction
from motcua.db.base import LOCAL_ZONE
from motcua.staff_accounts import create_user
from motcua.statuses import Channel, DossierStatus
from webapp import create_app, i18n

PASSWORD = "mat-khau-123"
TODAY = datetime.now(LOCAL_ZONE).date()
APPLICANTS = [("Hoàng Văn Thụ", "0911222333"), ("Lý Thị Mai", "0988777666")]


@pytest.fixture(scope="module")
def web_database(tmp_path_factory):
    database_url = f"sqlite:///{tmp_path_factory.mktemp('reports-web') / 'motcua.db'}"
    migrate(database_url)
    engine = engine_for(database_url)
    with transaction(session_factory(engine)) as session:
        create_user(session, "lanhdao", "Phạm Quốc Bảo", PASSWORD, ["leader"], unit="Ban Giám đốc")
        create_user(session, "tiepnhan", "Nguyễn Thị Lan", PASSWORD, ["reception"], unit="Bộ phận Một cửa")
        # October 2026: one online dossier resolved on time, one carried over and overdue
        add_dossier(session, "OCT-1", received=datetime(2026, 10, 1, 9), due=date(2026, 10, 21),
                    channel=Channel.ONLINE, finished=datetime(2026, 10, 21, 15),
                    status=DossierStatus.PROCESSED)
        add_dossier(session, "OCT-2", received=datetime(2026, 9, 1, 9), due=date(2026, 9, 21))
        add_dossier(session, "OCT-3", procedure=NCKT, received=datetime(2026, 10, 3, 9),
                    due=date(2026, 10, 28), withdrawn=datetime(2026, 10, 9, 9),
                    status=DossierStatus.WITHDRAWN)
        # this month: received today by the desk, with a person's name and phone
        for index, (name, phone) in enumerate(APPLICANTS):
            add_dossier(session, f"NOW-{index}", received=datetime.combine(TODAY, datetime.min.time()),
                        due=TODAY + timedelta(days=20 - 19 * index), name=name, phone=phone,
                        steps=(("transfer", datetime.combine(TODAY, datetime.min.time()), "tiepnhan"),))
    engine.dispose()
    return database_url


def _app(data_dir: Path, database_url: str, **config):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOTCUA_DATA_DIR", str(data_dir))
        env.setenv("MOTCUA_DATABASE_URL", database_url)
        app = create_app({"TESTING": True, "ZEEBE_ADDRESS": "127.0.0.1:9",
                          "MIGRATE_ON_START": False, **config})
    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory, web_database):
    """One app over one database for the module: the tests only read, except the push test."""
    return _app(tmp_path_factory.mktemp("reports-web-data"), web_database, WTF_CSRF_ENABLED=False)


def signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def test_reports_page_needs_a_signed_in_officer(app):
    response = app.test_client().get("/bao-cao")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_reports_page_shows_bieu_06_for_the_period(app):
    page = signed_in(app, "tiepnhan").get("/bao-cao", query_string=OCTOBER).get_data(as_text=True)
    assert "Từ kỳ trước" in page and "Trước hạn" in page and "Trong hạn" in page
    assert "Từ ngày 01/10/2026 đến ngày 31/10/2026" in page
    row = re.search(r"\(1\.009994\)</th>(.*?)</tr>", page, re.S).group(1)
    numbers = [int(n) for n in re.findall(r'<td class="number">(\d+)</td>', row)]
    # received 2 (1 online new, 1 carried over), resolved 1 on time, in progress 1 overdue
    assert numbers == [2, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0]


def test_reports_filter_by_field_keeps_only_that_field(app):
    client = signed_in(app, "tiepnhan")
    page = client.get("/bao-cao", query_string={**OCTOBER, "sector": "quan-ly-du-an"}).get_data(as_text=True)
    assert f"({NCKT})" in page and f"({GPXD})" not in page


def test_reports_downloads_xlsx_and_csv(app):
    client = signed_in(app, "tiepnhan")
    response = client.get("/bao-cao/bieu-06.xlsx", query_string=OCTOBER)
    assert response.status_code == 200
    assert "bieu-06_2026-10-01_2026-10-31.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Số hồ sơ nhận giải quyết" in texts and "Biểu số 06/VPCP/KSTT" in texts
    text = client.get("/bao-cao/bieu-06.csv", query_string=OCTOBER).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    total = rows[-1]
    assert total[1] == "Tổng cộng"
    assert [int(n) for n in total[2:]] == [3, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]


def test_reports_bad_dates_are_refused(app):
    client = signed_in(app, "tiepnhan")
    assert client.get("/bao-cao", query_string={"from": "2026-10-31", "to": "2026-10-01"}).status_code == 400
    response = client.get("/api/v1/reports/period", query_string={"from": "hôm qua", "to": "x"})
    assert response.status_code == 400 and "error" in response.get_json()


def test_reports_json_twin_has_the_same_numbers(app):
    body = signed_in(app, "tiepnhan").get("/api/v1/reports/period", query_string=OCTOBER).get_json()
    assert (body["from"], body["to"]) == ("2026-10-01", "2026-10-31")
    totals = body["totals"]
    assert (totals["received"], totals["resolved_on_time"], totals["in_progress_overdue"],
            totals["withdrawn"]) == (3, 1, 1, 1)
    assert totals["on_time_rate"] == 1.0
    assert app.test_client().get("/api/v1/reports/period", query_string=OCTOBER).status_code == 401


def test_reports_json_twin_takes_a_bearer_token(app):
    from motcua.db import ApiToken, StaffUser

    office = app.extensions["motcua.office"]
    with office.transaction() as session:
        user = session.query(StaffUser).filter_by(username="lanhdao").one()
        row, token = ApiToken.issue(user, name="portal sync")
        session.add(row)
    response = app.test_client().get("/api/v1/reports/period", query_string=OCTOBER,
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["totals"]["received"] == 3


def test_reports_dashboard_draws_svg_charts_and_lists_overdue(app):
    page = signed_in(app, "tiepnhan").get("/bao-cao/dashboard").get_data(as_text=True)
    assert page.count("<svg") == 4
    assert "Tháng này so với tháng trước" in page
    assert "OCT-2" in page  # promised for 21/9/2026, still open
    assert "Nguyễn Thị Lan" in page  # wrote this month's transfer lines


def test_reports_risk_is_for_heads_and_leaders(app):
    assert signed_in(app, "tiepnhan").get("/bao-cao/rui-ro").status_code == 403
    page = signed_in(app, "lanhdao").get("/bao-cao/rui-ro").get_data(as_text=True)
    # NOW-1 is due tomorrow with the whole appraisal ahead, NOW-0 in twenty days
    assert page.index("NOW-1") < page.index("NOW-0")


def test_reports_public_statistics_show_no_personal_data(app):
    response = app.test_client().get("/thong-ke")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hồ sơ nhận giải quyết" in page and "<svg" in page
    for name, phone in APPLICANTS:
        assert name not in page and phone not in page
    assert "NOW-0" not in page and "OCT-1" not in page  # no dossier codes either
    assert "Phạm Quốc Bảo" not in page  # nor staff
    assert app.test_client().get("/reports-static/reports.css").status_code == 200


def test_reports_push_to_portal_is_for_leaders_and_queues_once(app):
    assert signed_in(app, "tiepnhan").post("/bao-cao/gui-cong", data=OCTOBER).status_code == 403
    leader = signed_in(app, "lanhdao")
    for _ in range(2):
        response = leader.post("/bao-cao/gui-cong", data=OCTOBER, follow_redirects=True)
        assert "bieu06:000.00.17.H06:2026-10-01:2026-10-31" in response.get_data(as_text=True)
    from motcua.db import PortalOutbox

    office = app.extensions["motcua.office"]
    with office.sessions() as session:
        assert session.query(PortalOutbox).count() == 1


def test_reports_push_needs_the_csrf_token(tmp_path, web_database):
    app = _app(tmp_path, web_database)  # CSRF checks on
    client = app.test_client()
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in_page).group(1)
    client.post("/sign-in", data={"username": "lanhdao", "password": PASSWORD, "csrf_token": token})
    assert client.post("/bao-cao/gui-cong", data=OCTOBER).status_code == 400


def test_reports_every_template_key_is_translated():
    templates = Path(__file__).resolve().parents[2] / "webapp" / "reports" / "templates"
    used = set()
    for template in templates.rglob("*.html"):
        used |= set(re.findall(r"""_\(\s*["']([\w.]+)["']""", template.read_text(encoding="utf-8")))
    vi, en = i18n.messages("vi"), i18n.messages("en")
    families = {key for key in used if key.endswith(".")}
    assert all(any(k.startswith(f) for k in vi) and any(k.startswith(f) for k in en) for f in families)
    assert used - families - vi.keys() == set()
    assert used - families - en.keys() == set()
    reports_vi = {k for k in vi if k.startswith("reports.")}
    assert reports_vi == {k for k in en if k.startswith("reports.")}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_reports_every_page_renders_in_both_languages(app, language):
    leader = signed_in(app, "lanhdao")
    for path in ("/bao-cao", "/bao-cao/dashboard", "/bao-cao/rui-ro", "/thong-ke"):
        response = leader.get(path, query_string={"lang": language})
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.get_data(as_text=True)
    english = leader.get("/bao-cao", query_string={"lang": "en", **OCTOBER}).get_data(as_text=True)
    if language == "en":
        assert "Carried over" in english and "Dossiers received for processing" in english
