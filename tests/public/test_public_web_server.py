"""`motcua web` serves with several worker processes that share the public rate limits, and stops
with all of them on SIGTERM."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from motcua.rate_limits import RateLimiter, SqliteCounters


def _wait_until_serving(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "motcua web exited while starting"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("motcua web did not answer")


def served_by(access_log: Path, target: str, timeout: float = 10) -> str:
    """The pid of the worker that answered `GET target` (each target asked once), from the
    access log (`... "GET /x HTTP/1.1" ... pid=<1234>`); the line comes just after the answer."""
    deadline = time.monotonic() + timeout
    while True:
        text = access_log.read_text() if access_log.exists() else ""
        for line in text.splitlines():
            if f'"GET {target} HTTP/1.1"' in line:
                return line.rsplit("pid=", 1)[1].strip("<>")
        assert time.monotonic() < deadline, f"no access log line for {target}"
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def web(tmp_path, free_port):
    """`motcua web` with two processes, a lookup limit of 6 a minute and an access log."""
    access_log = tmp_path / "access.log"
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_WEB_PROCESSES": "2",
           "MOTCUA_WEB_ACCESS_LOG": str(access_log), "ZEEBE_ADDRESS": "127.0.0.1:9",
           "MOTCUA_PUBLIC_LOOKUPS_PER_MINUTE": "6", "MOTCUA_PUBLIC_FAILURES_PER_15_MIN": "100"}
    env.pop("MOTCUA_DATABASE_URL", None)
    log = (tmp_path / "web.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "motcua", "web", "--port", str(free_port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(free_port, server)
        yield server, free_port, access_log
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()


def _connections_on_two_processes(port: int, access_log: Path) -> dict[str, http.client.HTTPConnection]:
    """Kept-alive connections until two of them are served by different worker processes."""
    by_pid: dict[str, http.client.HTTPConnection] = {}
    deadline = time.monotonic() + 60  # the second worker may still be starting
    probe = 0
    while time.monotonic() < deadline:
        probe += 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"/healthz?probe={probe}")
        connection.getresponse().read()
        pid = served_by(access_log, f"/healthz?probe={probe}")
        if pid in by_pid:  # keep the newer one: the server closes idle connections after 5 s
            by_pid[pid].close()
            time.sleep(0.05)
        by_pid[pid] = connection
        if len(by_pid) == 2:
            return by_pid
    raise AssertionError(f"every connection was served by the same process: {sorted(by_pid)}")


@pytest.mark.slow
def test_two_processes_serve_and_share_the_lookup_limit(web):
    server, port, access_log = web
    first, second = _connections_on_two_processes(port, access_log).items()
    answers: list[tuple[str, int]] = []
    for number in range(10):  # alternate: each process counts half of the lookups
        pid, connection = (first, second)[number % 2]
        target = f"/tra-cuu/000.00.17.H06-261124-{number:04d}"
        connection.request("GET", target)
        response = connection.getresponse()
        response.read()
        assert served_by(access_log, target) == pid
        answers.append((pid, response.status))
    assert [status for _, status in answers] == [404] * 6 + [429] * 4
    assert {pid for pid, status in answers if status == 404} == {first[0], second[0]}
    assert {int(first[0]), int(second[0])} <= _children(server.pid)

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    time.sleep(0.2)
    assert not [pid for pid in (int(first[0]), int(second[0])) if _alive(pid)], "no orphan workers"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def test_limiters_on_one_counter_file_share_their_counts(tmp_path):
    """Two stores on one file, as two web processes open it: one budget between them."""
    path = tmp_path / "rate_limits.db"
    clock = lambda: 1000.0  # noqa: E731
    here = RateLimiter(3, 60, clock, store=SqliteCounters(path), name="lookups")
    there = RateLimiter(3, 60, clock, store=SqliteCounters(path), name="lookups")
    assert [here.allow("10.0.0.1").allowed, there.allow("10.0.0.1").allowed,
            here.allow("10.0.0.1").allowed] == [True, True, True]
    refused = there.allow("10.0.0.1")
    assert not refused.allowed and refused.retry_after_s == 60
    assert there.allow("10.0.0.2").allowed  # per key
    other = RateLimiter(3, 60, clock, store=SqliteCounters(path), name="failures")
    assert other.check("10.0.0.1").allowed  # per limiter
