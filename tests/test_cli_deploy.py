"""`motcua deploy` against a running embedded engine, as an analyst deploys a changed diagram."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from motcua.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def engine_address(tmp_path, free_port):
    address = f"127.0.0.1:{free_port}"
    server = subprocess.Popen([sys.executable, "-m", "engine", "--address", address,
                               "--data", str(tmp_path / "engine")],
                              env={**os.environ, "MOTCUA_LOG_LEVEL": "WARNING"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", free_port), timeout=0.5).close()
            break
        except OSError:
            assert server.poll() is None, "engine exited"
            time.sleep(0.1)
    yield address
    server.terminate()
    server.wait(timeout=30)


def test_deploy_reports_every_process_and_form(engine_address, monkeypatch):
    monkeypatch.setenv("ZEEBE_ADDRESS", engine_address)
    result = CliRunner().invoke(main, ["deploy", str(ROOT / "bpmn"), str(ROOT / "forms")])
    assert result.exit_code == 0, result.output
    assert "process construction-permit version 1" in result.output
    assert "form leader-sign version 1" in result.output
    processes = len(list((ROOT / "bpmn").glob("*.bpmn")))
    assert result.output.count("process ") >= processes


def test_deploy_names_the_broken_file(engine_address, monkeypatch, tmp_path):
    monkeypatch.setenv("ZEEBE_ADDRESS", engine_address)
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions><process id='x'", encoding="utf-8")
    result = CliRunner().invoke(main, ["deploy", str(broken)])
    assert result.exit_code != 0
    assert "broken.bpmn" in result.output
