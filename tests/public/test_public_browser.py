"""The tracking page in a real browser at phone width: headless Chromium, 390 px."""

from __future__ import annotations

import struct
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
         "--accept-lang=vi-VN,vi"]  # a Vietnamese phone


@pytest.fixture
def served(app, free_port):
    server = make_server("127.0.0.1", free_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{free_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it")
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=390,844",
         *arguments], capture_output=True, text=True, timeout=60, check=True)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.browser
def test_tracking_page_on_a_phone(served, desk, tmp_path):
    code = desk.receive()
    desk.request_supplement(code, "Bản gốc chứng chỉ hành nghề: Chưa nộp")
    url = f"{served}/t/{code}"  # as the QR code on the receipt opens it
    screenshot = tmp_path / "tracking-390.png"
    chromium(tmp_path, f"--screenshot={screenshot}", url)
    assert screenshot.exists()
    assert png_size(screenshot)[0] == 390
    dom = chromium(tmp_path, "--dump-dom", url).stdout
    assert "Yêu cầu bổ sung giấy tờ" in dom
    assert "Tạm dừng, chờ bổ sung" in dom
    assert code in dom
