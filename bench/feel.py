"""FEEL benchmark: compile time and evaluations per second of compiled expressions.

Run: `.venv/bin/python -m bench.feel` (one core, no other load is assumed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from engine import feel
from engine.feel.expression import Expression

ITEMS = [
    {"code": f"HS-{i:04}", "fee": i * 1000, "status": "approved" if i % 3 else "pending"}
    for i in range(100)
]

CASES: list[tuple[str, str, Mapping[str, Any]]] = [
    ("gateway condition", 'amount > 1000 and status = "approved"',
     {"amount": 1500, "status": "approved"}),
    ("filter over 100 items", 'items[status = "approved" and fee > 50000]', {"items": ITEMS}),
    ("context mapping", '{code: dossier.code, total: dossier.fee * 1.1, late: dossier.days > 15}',
     {"dossier": {"code": "HS-0001", "fee": 250000, "days": 12}}),
    ("date arithmetic", 'date(received) + duration("P15D") < today()', {"received": "2026-11-01"}),
]


def _rate(function: Callable[[], object], seconds: float = 0.5, rounds: int = 5) -> float:
    """Calls per second of function: the best of several rounds (the machine is shared)."""
    best = 0.0
    for _ in range(rounds):
        count, started = 0, time.perf_counter()
        deadline = started + seconds
        while True:
            for _ in range(50):
                function()
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - started))
    return best


def compile_time(text: str, repeat: int = 100, rounds: int = 5) -> float:
    """Seconds to parse and compile a text, bypassing the cache (best mean of rounds)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeat):
            Expression(text)
        best = min(best, (time.perf_counter() - started) / repeat)
    return best


def main() -> None:
    feel.compile("1")  # build the parser once, outside the measurements
    print(f"{'case':24} {'compile (ms)':>13} {'evals/s':>12}")
    for name, text, variables in CASES:
        expression = feel.compile(text)
        rate = _rate(lambda e=expression, v=variables: e.evaluate(v))
        print(f"{name:24} {compile_time(text) * 1000:13.3f} {rate:12,.0f}")


if __name__ == "__main__":
    main()
