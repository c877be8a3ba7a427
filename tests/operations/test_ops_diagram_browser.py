"""The instance page in headless Chromium: bpmn-js draws the diagram and marks the steps."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VIEWER = ROOT / "webapp" / "static" / "vendor" / "bpmn-navigated-viewer.production.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000", "--window-size=1280,1000"]


@pytest.fixture
def served_as_operator(console_app, sign_in, free_port):
    """The webapp on a loopback port; every request carries the operator's session cookie
    (the browser is started without one)."""
    cookie = sign_in("vanhanh").get_cookie("session")
    assert cookie is not None

    def with_session(environ, start_response):
        environ["HTTP_COOKIE"] = f"session={cookie.value}"
        return console_app(environ, start_response)

    server = make_server("127.0.0.1", free_port, with_session, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{free_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def rendered_dom(tmp_path: Path, url: str) -> str:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it")
    if not VIEWER.exists():
        pytest.fail(f"{VIEWER.name} is missing: run `make install`, which copies it from bpmn-js")
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
        capture_output=True, text=True, timeout=60, check=True).stdout


def element_classes(dom: str, element_id: str) -> str:
    """The classes bpmn-js put on the diagram's group for this BPMN element."""
    for tag in re.findall(r"<g [^>]*>", dom):
        if f'data-element-id="{element_id}"' in tag and "djs-element" in tag:
            return re.search(r'class="([^"]*)"', tag).group(1)
    raise AssertionError(f"{element_id} is not drawn")


@pytest.mark.browser
def test_diagram_marks_the_stuck_step_and_the_steps_done(engine_process, served_as_operator, tmp_path):
    dom = rendered_dom(tmp_path, f"{served_as_operator}/van-hanh/tien-trinh/{engine_process.stuck}")
    assert "djs-container" in dom, "bpmn-js drew the diagram"
    assert "ops-marker-incident" in element_classes(dom, "check-dossier")
    assert "ops-marker-completed" in element_classes(dom, "received")
    assert "ops-marker" not in element_classes(dom, "send-result")  # not reached
    assert 'class="ops-overlay ops-overlay-incident"' in dom
