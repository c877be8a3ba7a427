"""Public tracking page under load: p50/p99 of `GET /tra-cuu/<code>` at a steady request rate.

The webapp is started as `motcua web` starts it (`python -m motcua web`: gunicorn, one worker
process per core unless `--processes` says otherwise) on a free loopback port, over a fresh
SQLite database with `--dossiers` registered dossiers and no engine. The load generator in this
process is one asyncio loop over raw kept-alive sockets (a connection is opened only when every
open one is busy): it sends `--rate` requests per second for `--seconds`, each to a random
dossier, on a fixed schedule. A request's latency counts from the moment the schedule said to
send it, so a server (or generator) that falls behind is charged for the wait (no coordinated
omission). The generator measures its own CPU time and the server's (master and workers, from
/proc), so a figure limited by the generator would show.

The per-client lookup limit is lifted for the run (the load stands for many citizens, not one
address); the limiter still counts every request in its shared store. After the timed run it
measures the server flat out (16 connections, each sending as soon as its answer is in) and then
at `--light-rate` requests/s.

Run: `.venv/bin/python -m bench.tracking [--rate 500] [--seconds 10] [--dossiers 200]
[--processes N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0
MAX_CONNECTIONS = 256
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dossier_code(number: int) -> str:
    return f"000.00.17.H06-261124-{number:04d}"


def prepare_database(url: str, count: int) -> list[str]:
    """A migrated database with `count` registered dossiers, as the workers register them."""
    from motcua.catalog import load_catalog
    from motcua.db import migrate, session_factory, transaction
    from workers.records import register

    migrate(url)
    catalog = load_catalog(ROOT / "catalog")
    sessions = session_factory(url)
    codes = [dossier_code(n) for n in range(1, count + 1)]
    with transaction(sessions) as session:
        for number, code in enumerate(codes, 1):
            register(session, {"dossierCode": code, "procedureCode": "1.009994", "channel": "online",
                               "applicant": {"fullName": f"Nguyễn Văn {number}",
                                             "phone": f"09{number:08d}"}},
                     catalog, datetime.now(UTC))
    return codes


# ---- the load generator: raw HTTP/1.1 over kept-alive sockets --------------------------------
class HttpConnection(asyncio.Protocol):
    """One kept-alive connection; one request at a time; responses carry Content-Length."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future[tuple[int, bool]] | None = None
        self.open = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        length, marker = 0, head.find(b"\r\ncontent-length:")
        if marker >= 0:
            line_end = head.find(b"\r\n", marker + 2)
            length = int(head[marker + 17:line_end if line_end >= 0 else None])
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[:end + 4 + length]
        keep = b"\r\nconnection: close" not in head
        if self.answer is not None and not self.answer.done():
            self.answer.set_result((int(head[9:12]), keep))

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("the server closed the connection"))

    async def get(self, request: bytes) -> tuple[int, bool]:
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.answer


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n".encode()


@dataclass
class Pool:
    """Idle kept-alive connections; a new one only when all are busy (up to MAX_CONNECTIONS)."""

    port: int
    idle: list[HttpConnection] = field(default_factory=list)
    opened: int = 0
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONNECTIONS))

    async def fetch(self, request: bytes) -> int:
        async with self.slots:
            connection = self.idle.pop() if self.idle else None
            if connection is None or not connection.open:
                _, connection = await asyncio.get_running_loop().create_connection(
                    HttpConnection, "127.0.0.1", self.port)
                connection.transport.get_extra_info("socket").setsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.opened += 1
            try:
                status, keep = await connection.get(request)
            except (OSError, ConnectionError):
                connection.transport.close()
                return 0
            if keep:
                self.idle.append(connection)
            else:
                connection.transport.close()
            return status

    def close(self) -> None:
        for connection in self.idle:
            connection.transport.close()
        self.idle.clear()


def summary(latencies: list[float], statuses: list[int], took: float) -> dict[str, float]:
    latencies = sorted(latencies)
    return {"requests": len(latencies), "achieved_rate": len(latencies) / took,
            "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "max_ms": latencies[-1], "ok": statuses.count(200),
            "errors": len(statuses) - statuses.count(200)}


async def scheduled_load(port: int, paths: list[str], rate: float, seconds: float,
                         seed: int = 13) -> dict[str, float]:
    """Send `rate` requests/s for `seconds` on a fixed schedule; latencies from scheduled time."""
    loop = asyncio.get_running_loop()
    chooser = random.Random(seed)
    requests = [request_bytes(chooser.choice(paths)) for _ in range(int(rate * seconds))]
    pool = Pool(port)
    latencies: list[float] = []
    statuses: list[int] = []

    async def one(request: bytes, due: float) -> None:
        status = await pool.fetch(request)
        latencies.append((loop.time() - due) * 1000)
        statuses.append(status)

    start = loop.time() + 0.05
    pending = []
    for index, request in enumerate(requests):
        due = start + index / rate
        pause = due - loop.time()
        if pause > 0:
            await asyncio.sleep(pause)
        pending.append(loop.create_task(one(request, due)))
    await asyncio.gather(*pending)
    figures = summary(latencies, statuses, loop.time() - start)
    figures["connections"] = pool.opened
    pool.close()
    return figures


async def flat_out(port: int, paths: list[str], seconds: float, connections: int = 16) -> float:
    """Requests/s with `connections` clients each sending as soon as its answer is in."""
    loop = asyncio.get_running_loop()
    pool = Pool(port)
    chooser = random.Random(7)
    done = 0
    until = loop.time() + seconds

    async def client() -> None:
        nonlocal done
        while loop.time() < until:
            await pool.fetch(request_bytes(chooser.choice(paths)))
            done += 1

    start = loop.time()
    await asyncio.gather(*(client() for _ in range(connections)))
    pool.close()
    return done / (loop.time() - start)


# ---- the server, as `motcua web` runs it ----------------------------------------------------
def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and its live children, from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_count(pid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    count += 1
            except OSError:
                continue
    return count


def wait_for_server(port: int, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"motcua web exited with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
                probe.sendall(request_bytes("/healthz"))
                if probe.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the webapp did not start")


async def measure(port: int, paths: list[str], server_pid: int, arguments) -> dict[str, float]:
    await scheduled_load(port, paths, rate=min(arguments.rate, 100), seconds=3)  # warm-up
    cpu_before, server_before, wall_before = own_cpu_s(), process_tree_cpu_s(server_pid), time.monotonic()
    figures = await scheduled_load(port, paths, rate=arguments.rate, seconds=arguments.seconds)
    wall = time.monotonic() - wall_before
    figures["generator_cpu_pct"] = (own_cpu_s() - cpu_before) / wall * 100
    server_cpu_s = process_tree_cpu_s(server_pid) - server_before
    figures["server_cpu_pct"] = server_cpu_s / wall * 100
    figures["server_cpu_ms_per_request"] = server_cpu_s * 1000 / figures["requests"]
    figures["capacity_per_s"] = await flat_out(port, paths, seconds=3)
    light = await scheduled_load(port, paths, rate=arguments.light_rate, seconds=5)
    figures["light_rate"] = arguments.light_rate
    figures["light_p50_ms"], figures["light_p99_ms"] = light["p50_ms"], light["p99_ms"]
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench.tracking")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--light-rate", type=float, default=100,
                        help="a second, lighter load measured for 5 s")
    parser.add_argument("--processes", type=int, default=None,
                        help="web worker processes [default: as motcua web, one per core]")
    arguments = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'motcua.db'}"
        codes = prepare_database(url, arguments.dossiers)
        port = free_port()
        environment = {**os.environ, "MOTCUA_DATA_DIR": scratch, "MOTCUA_DATABASE_URL": url,
                       "ZEEBE_ADDRESS": f"127.0.0.1:{free_port()}",  # no engine: pages only
                       "MOTCUA_PUBLIC_LOOKUPS_PER_MINUTE": str(10**9),
                       "MOTCUA_PUBLIC_FAILURES_PER_15_MIN": str(10**9)}
        if arguments.processes:
            environment["MOTCUA_WEB_PROCESSES"] = str(arguments.processes)
        server = subprocess.Popen(
            [sys.executable, "-m", "motcua", "web", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_server(port, server)
            paths = [f"/tra-cuu/{code}" for code in codes]
            figures = asyncio.run(measure(port, paths, server.pid, arguments))
            figures["processes"] = worker_count(server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    figures["rate"] = arguments.rate
    print(f"tracking page: {figures['requests']} requests at {arguments.rate:.0f}/s asked "
          f"({figures['achieved_rate']:.0f}/s achieved) over {arguments.seconds:.0f} s, "
          f"{figures['processes']} web processes; p50 {figures['p50_ms']:.1f} ms, "
          f"p99 {figures['p99_ms']:.1f} ms, max {figures['max_ms']:.0f} ms; "
          f"{figures['errors']} not 200 (target p99 < {TARGET_P99_MS:.0f} ms); "
          f"generator CPU {figures['generator_cpu_pct']:.0f} % of a core, server CPU "
          f"{figures['server_cpu_pct']:.0f} % ({figures['server_cpu_ms_per_request']:.2f} ms a "
          f"request), {figures['connections']} connections; load average "
          f"{os.getloadavg()[0]:.1f}; flat out the "
          f"server answers {figures['capacity_per_s']:.0f} requests/s; at "
          f"{arguments.light_rate:.0f}/s p50 {figures['light_p50_ms']:.1f} ms, "
          f"p99 {figures['light_p99_ms']:.1f} ms")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
