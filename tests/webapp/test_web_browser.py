"""In headless Chromium: reception registers a dossier, then specialist, head and leader work
their inboxes to the signature, and the citizen's SMS is in the dossier's log."""

from __future__ import annotations

import re
import threading
import time

import pytest
from web_browser import CHROMIUM, Browser
from web_support import ROOT
from werkzeug.serving import make_server

from motcua.catalog import load_catalog

PERMIT = "1.009994"


@pytest.fixture
def served(live_app, free_port):
    collector = live_app.extensions["motcua.collector"]
    collector.poll_ms = 500
    collector.start()
    server = make_server("127.0.0.1", free_port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{free_port}"
    server.shutdown()
    thread.join(5)
    collector.stop()


@pytest.fixture
def browser(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it")
    browser = Browser(tmp_path / "profile")
    yield browser
    browser.close()


def sign_in_as(browser: Browser, base: str, username: str) -> None:
    browser.open(f"{base}/sign-in")
    if "Đăng xuất" in browser.text():
        browser.submit({}, form="form.signout", button="button")
        browser.open(f"{base}/sign-in")
    browser.submit({"username": username, "password": "mat-khau-123"})
    assert "Việc cần làm" in browser.text()


def open_task(browser: Browser, base: str, name: str, code: str, timeout: float = 30) -> None:
    """Reload the inbox until the task for this dossier shows up, then open it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        browser.open(f"{base}/inbox?q={code}")
        href = browser.evaluate(
            f"[...document.querySelectorAll('.task')].filter(t => t.innerText.includes({name!r}))"
            ".map(t => t.querySelector('a.task-name').href)[0] || ''")
        if href:
            browser.open(href)
            return
        time.sleep(0.3)
    raise AssertionError(f"{name} never reached the inbox")


@pytest.mark.browser
@pytest.mark.slow
def test_reception_to_signature_in_a_browser(served, browser):
    procedure = load_catalog(ROOT / "catalog").get(PERMIT)
    sign_in_as(browser, served, "tiepnhan")
    browser.open(f"{served}/reception?q=giấy phép xây dựng")
    assert procedure.name.vi in browser.text()
    browser.open(f"{served}/reception/{PERMIT}?case=cong-trinh")
    papers = {f"component.{c.id}": True for c in procedure.components_for("cong-trinh") if c.is_required}
    browser.submit({**papers, "fullName": "Nguyễn Thị Hồng Đào", "idNumber": "001190000123",
                    "phone": "0912345678", "address": "12 Lê Lợi, phường Đông Ba", "kind": "person"},
                   form="form.intake")
    receipt = browser.text()
    code = re.search(r"Mã hồ sơ: (\S+)", receipt).group(1)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt.upper()

    open_task(browser, served, "Xem xét và quyết định tiếp nhận", code)
    browser.submit({"intakeDecision": "accept"}, form="form.camunda-form")
    assert "Đã hoàn thành" in browser.text()

    sign_in_as(browser, served, "chuyenvien")
    open_task(browser, served, "Thẩm định hồ sơ", code)
    browser.submit({"worksLevel": "II", "floors": "9", "appraisalOutcome": "propose",
                    "appraisalOpinion": "Hồ sơ đủ điều kiện cấp giấy phép xây dựng."}, form="form.camunda-form")
    assert "Trường này là bắt buộc." in browser.text()  # the recommendation appeared with "propose"
    browser.submit({"recommendation": "approve"}, form="form.camunda-form")
    assert "Đã hoàn thành" in browser.text()

    sign_in_as(browser, served, "truongphong")
    open_task(browser, served, "Lãnh đạo phòng xem xét", code)
    browser.submit({"headDecision": "approve"}, form="form.camunda-form")

    sign_in_as(browser, served, "lanhdao")
    open_task(browser, served, "Lãnh đạo Sở ký duyệt", code)
    browser.submit({"leaderDecision": "approve"}, form="form.camunda-form")
    browser.submit({"signatureConfirmed": True, "resultNumber": "125/GPXD"}, form="form.camunda-form")
    assert "Đã hoàn thành" in browser.text()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        browser.open(f"{served}/dossiers/{code}")
        if "result-ready" in browser.text():
            break
        time.sleep(0.3)
    page = browser.text()
    assert "result-ready" in page and "0912345678" in page
