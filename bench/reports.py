"""Period report benchmark: Biểu 06 over 1,000,000 dossiers on SQLite.

Run: `.venv/bin/python -m bench.reports [--dossiers N] [--database PATH [--reuse]]`.

The data is generated inside SQLite (one `INSERT … SELECT` over a recursive CTE per table) into a
throwaway file built by the real migrations: four years of dossiers (about 700 a day), six
procedures, 60 % online, 3 % withdrawn, 2 % refused at the desk, one in ten with a supplement
pause, every recent dossier still open or paused; `resolution` and `closed_at` filled as the model
fills them. No ANALYZE (the application never runs it). Each timed figure is the best of five
runs of `period_report` (the query and the Python around it), after one warm-up run; the best
process-CPU seconds and the load average follow the table.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from motcua import settings
from motcua.catalog import load_catalog
from motcua.db import engine_for, migrate, session_factory
from motcua.reports.period import Period, period_report

FIRST_DAY = "2023-01-02 01:00:00"  # UTC; the last dossiers arrive late in November 2026
SPAN_SECONDS = 4 * 365 * 86400  # four years of dossiers, whatever their number
PROCEDURES = ("1.009986", "1.009994", "SXD.CCHN-01", "SXD.CCNL-03", "SXD.TDDA-01", "SXD.TDTK-01")
TODAY = "2026-11-24"

_DOSSIERS = """
WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < :count),
base AS (
  SELECT n, (n * 2654435761) % 1000 AS h,
         datetime(:first, '+' || (n * :apart) || ' seconds') AS received
    FROM seq
),
facts AS (
  SELECT n, h, received,
         CASE WHEN h < 20 THEN NULL ELSE date(received, '+20 days') END AS due,
         CASE WHEN h < 20 THEN 3 WHEN h < 50 THEN 7
              WHEN received < datetime(:today, '-45 days') OR h % 3 = 0 THEN 10
              WHEN h % 10 = 1 THEN 5 ELSE 4 END AS status,
         CASE WHEN h >= 50 AND (received < datetime(:today, '-45 days') OR h % 3 = 0)
              THEN datetime(received, '+' || (10 + h % 17) || ' days', '+' || (h % 9) || ' hours')
              END AS finished
    FROM base
)
INSERT INTO dossiers (id, code, code_is_external, procedure_code, procedure_version, agency_code,
                      applicant_kind, applicant_name, channel, submitted_components, received_at,
                      due_on, original_due_on, supplement_clock, status, processing_finished_at,
                      resolution, closed_at, returned_at, created_at, updated_at)
SELECT n + 1, 'B-' || n, 0,
       CASE n % 6 {procedures} END, 1, '000.00.17.H06', 'person', 'Người nộp ' || n,
       CASE WHEN n % 10 < 6 THEN 'online' WHEN n % 10 < 9 THEN 'direct' ELSE 'post' END, '[]',
       received || '.000000', due, due, 'pause', status, finished || '.000000',
       -- what the model stores (motcua.db.dossiers): early 1 / on time 2 / late 3 by the Vietnam
       -- date processing finished; a withdrawn dossier closed with its timeline line (+5 days)
       CASE WHEN finished IS NULL OR due IS NULL THEN NULL
            WHEN date(finished, '+7 hours') < due THEN 1
            WHEN date(finished, '+7 hours') = due THEN 2 ELSE 3 END,
       CASE WHEN status = 7 THEN datetime(received, '+5 days') || '.000000' END,
       NULL, received || '.000000', received || '.000000'
  FROM facts
"""

_TIMELINE = """
INSERT INTO status_changes (dossier_id, status, step, actor, at)
SELECT id, 2, 'received', 'tiepnhan', received_at FROM dossiers WHERE status <> 3
UNION ALL
SELECT id, 7, 'withdrawn', 'tiepnhan', datetime(received_at, '+5 days') || '.000000'
  FROM dossiers WHERE status = 7
UNION ALL
SELECT id, 9, 'resolved', 'lanhdao', processing_finished_at
  FROM dossiers WHERE processing_finished_at IS NOT NULL
"""

_PAUSES = """
INSERT INTO dossier_pauses (dossier_id, reason, requested_at, resumed_at, due_before)
SELECT id, 'supplement', datetime(received_at, '+3 days') || '.000000',
       CASE WHEN status = 5 THEN NULL ELSE datetime(received_at, '+6 days') || '.000000' END,
       due_on
  FROM dossiers WHERE id % 10 = 0 OR status = 5
"""


def generate(url: str, count: int) -> float:
    """Fill a migrated database at `url` with `count` dossiers; returns the seconds it took."""
    started = time.perf_counter()
    procedures = " ".join(f"WHEN {i} THEN '{code}'" for i, code in enumerate(PROCEDURES))
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA cache_size = -200000")
        connection.execute(sa.text(_DOSSIERS.format(procedures=procedures)),
                           {"count": count, "first": FIRST_DAY, "apart": max(SPAN_SECONDS // count, 1),
                            "today": TODAY})
        connection.execute(sa.text(_TIMELINE))
        connection.execute(sa.text(_PAUSES))
    # no ANALYZE: the application never runs it, so the report must not need sqlite_stat1
    engine.dispose()
    return time.perf_counter() - started


def best_of(function, rounds: int = 5) -> tuple[float, float]:
    """The best wall-clock and the best process-CPU seconds of `rounds` runs after a warm-up
    (CPU time hardly depends on what else the shared machine runs)."""
    function()  # warm-up: page cache, statement cache
    wall = cpu = float("inf")
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--database", help="keep the generated SQLite file here")
    parser.add_argument("--reuse", action="store_true",
                        help="time the reports over the file --database kept from an earlier run")
    args = parser.parse_args(argv)
    if args.reuse and not (args.database and Path(args.database).exists()):
        parser.error("--reuse needs the --database file of an earlier run")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.database or Path(scratch) / "reports-bench.db")
        url = f"sqlite:///{path}"
        if args.reuse:
            migrate(url)
            with engine_for(url).connect() as connection:
                count = connection.exec_driver_sql("SELECT COUNT(*) FROM dossiers").scalar_one()
            print(f"generated {count:,} dossiers earlier ({path.stat().st_size / 1e6:.0f} MB)")
        else:
            path.unlink(missing_ok=True)
            migrate(url)
            seconds = generate(url, args.dossiers)
            print(f"generated {args.dossiers:,} dossiers in {seconds:.1f} s "
                  f"({path.stat().st_size / 1e6:.0f} MB)")
        catalog = load_catalog(settings.load().catalog_dir)
        sessions = session_factory(engine_for(url))
        periods = {
            "one month (Oct 2026)": Period.month(2026, 10),
            "one quarter (Q3 2026)": Period(date(2026, 7, 1), date(2026, 9, 30)),
            "one year (2025)": Period(date(2025, 1, 1), date(2025, 12, 31)),
            "everything (2023-2026)": Period(date(2023, 1, 1), date(2026, 12, 31)),
        }
        print(f"{'period':<24} {'received':>10} {'seconds':>8}")
        cpu_seconds = []
        for label, period in periods.items():
            with sessions() as session:
                report = period_report(session, period, catalog)
                seconds, cpu = best_of(lambda: period_report(session, period, catalog))  # noqa: B023
            cpu_seconds.append(cpu)
            print(f"{label:<24} {report.totals.received:>10,} {seconds:>8.3f}")
        print("process CPU seconds, same order: " + ", ".join(f"{c:.3f}" for c in cpu_seconds))
        print("load average (1, 5, 15 min): " + ", ".join(f"{a:.2f}" for a in os.getloadavg()))


if __name__ == "__main__":
    main()
