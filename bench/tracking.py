"""Public tracking page under load: p50/p99 of `GET /tra-cuu/<code>` at a steady request rate.

The webapp runs in its own process behind waitress (as `motcua web` serves it) on a free loopback
port, over a fresh SQLite database with `--dossiers` registered dossiers. A load generator in this
process (threads, one kept-alive `http.client` connection each) sends requests on a fixed
schedule, `--rate` per second for `--seconds`, each to a random dossier; a request's latency
counts from the moment the schedule said to send it, so a server that falls behind is charged for
the wait (no coordinated omission). The per-client lookup limit is lifted for the run: the load
stands for many citizens, not one address.

Run: `.venv/bin/python -m bench.tracking [--rate 500] [--seconds 10] [--dossiers 200]`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0


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


def serve(port: int) -> None:
    """The webapp behind waitress (the child process)."""
    import logging

    import waitress

    from webapp import create_app

    logging.getLogger("waitress").setLevel(logging.ERROR)
    app = create_app({"ZEEBE_ADDRESS": "127.0.0.1:9", "PUBLIC_LOOKUPS_PER_MINUTE": 10**9,
                      "PUBLIC_FAILURES_PER_15_MIN": 10**9})
    waitress.serve(app, host="127.0.0.1", port=port, threads=8, _quiet=True)


def wait_for_server(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the webapp did not start")


def load(port: int, paths: list[str], rate: float, seconds: float, threads: int = 32,
         seed: int = 13) -> dict[str, float]:
    """Send `rate` requests/s for `seconds` on a fixed schedule; latencies from scheduled time."""
    total = int(rate * seconds)
    chooser = random.Random(seed)
    plan = [chooser.choice(paths) for _ in range(total)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter() + 0.2

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                break
            due = start + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            try:
                connection.request("GET", plan[index])
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.perf_counter() - start
    latencies.sort()
    return {"requests": total, "achieved_rate": total / took,
            "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "max_ms": latencies[-1], "ok": statuses.get(200, 0),
            "errors": total - statuses.get(200, 0)}


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench.tracking")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--light-rate", type=float, default=100,
                        help="a second, lighter load measured for 5 s")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv if argv is not None else [])
    if arguments.serve:
        serve(arguments.serve)
        return {}
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'motcua.db'}"
        codes = prepare_database(url, arguments.dossiers)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.tracking", "--serve", str(port)], cwd=ROOT,
            env={**os.environ, "MOTCUA_DATA_DIR": scratch, "MOTCUA_DATABASE_URL": url,
                 "MOTCUA_LOG_LEVEL": "WARNING"})
        try:
            wait_for_server(port)
            paths = [f"/tra-cuu/{code}" for code in codes]
            load(port, paths, rate=min(arguments.rate, 100), seconds=2)  # warm-up
            figures = load(port, paths, rate=arguments.rate, seconds=arguments.seconds)
            flat_out = load(port, paths, rate=800, seconds=1, threads=16)  # faster than it goes
            figures["capacity_per_s"] = flat_out["achieved_rate"]
            light = load(port, paths, rate=arguments.light_rate, seconds=5)
            figures["light_rate"] = arguments.light_rate
            figures["light_p50_ms"], figures["light_p99_ms"] = light["p50_ms"], light["p99_ms"]
        finally:
            server.terminate()
            server.wait(20)
    figures["rate"] = arguments.rate
    print(f"tracking page: {figures['requests']} requests at {arguments.rate:.0f}/s asked "
          f"({figures['achieved_rate']:.0f}/s achieved) over {arguments.seconds:.0f} s; "
          f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
          f"max {figures['max_ms']:.0f} ms; {figures['errors']} not 200 "
          f"(target p99 < {TARGET_P99_MS:.0f} ms); flat out the server answers "
          f"{figures['capacity_per_s']:.0f} requests/s; at {arguments.light_rate:.0f}/s p50 "
          f"{figures['light_p50_ms']:.1f} ms, p99 {figures['light_p99_ms']:.1f} ms")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
