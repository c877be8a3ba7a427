"""`make run` as a person uses it: one command starts everything, prints the URL, Ctrl-C stops all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children_of(pid: int) -> set[int]:
    """Every live descendant of pid, from /proc (children run in their own sessions)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_up_prints_url_serves_pages_and_stops_everything_on_ctrl_c(tmp_path):
    engine_port, web_port = _free_port(), _free_port()
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "ZEEBE_ADDRESS": f"127.0.0.1:{engine_port}",
           "MOTCUA_WEB_PORT": str(web_port), "PYTHONUNBUFFERED": "1"}
    up = subprocess.Popen([sys.executable, "-m", "motcua", "up", "--no-demo"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None and time.monotonic() < deadline:
            line = up.stdout.readline()
            if not line:
                break
            output.append(line)
            if line.startswith("motcua is running: "):
                url = line.split(": ", 1)[1].strip()
        assert url == f"http://127.0.0.1:{web_port}", "".join(output)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert "Một cửa điện tử" in response.read().decode()
        children = _children_of(up.pid)
        assert len(children) >= 3, "engine, workers and webapp run as child processes"

        up.send_signal(signal.SIGINT)
        rest, _ = up.communicate(timeout=60)
        output.append(rest)
        assert up.returncode == 0, "".join(output)
        assert "stopping" in rest
        time.sleep(0.2)
        assert [pid for pid in children if _alive(pid)] == [], "no orphan processes"
        for port in (engine_port, web_port):
            with socket.socket() as sock:
                assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} released"
    finally:
        if up.poll() is None:  # a failed run must not leave engine, workers or webapp behind
            leftovers = _children_of(up.pid)
            up.kill()
            up.wait()
            for pid in leftovers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
