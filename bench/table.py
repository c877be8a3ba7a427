"""The summary table of `make bench`: every benchmark's figures beside their targets, written
between the marker comments of docs/PERFORMANCE.md.

A benchmark's `main()` returns a dict of figures, or prints them; for each module a reader here
turns what it got into `Figure`s. A module without a reader still runs; it just has no row.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

START = "<!-- bench:summary:start -->"
END = "<!-- bench:summary:end -->"
PERFORMANCE = Path(__file__).resolve().parents[1] / "docs" / "PERFORMANCE.md"


@dataclass(frozen=True)
class Target:
    """`at_least` (more is better) or `below` (less is better) a bound."""

    bound: float
    more_is_better: bool
    inclusive: bool = False

    def __str__(self) -> str:
        sign = "≥" if self.more_is_better else ("≤" if self.inclusive else "<")
        return f"{sign} {_number(self.bound)}"

    def ratio(self, value: float) -> float:
        """How many times the target is met: 1 or more is met."""
        if self.more_is_better:
            return value / self.bound
        return self.bound / value if value else float("inf")


def at_least(bound: float) -> Target:
    return Target(bound, True)


def below(bound: float) -> Target:
    return Target(bound, False)


def at_most(bound: float) -> Target:
    return Target(bound, False, inclusive=True)


@dataclass(frozen=True)
class Figure:
    bench: str
    what: str
    value: float
    unit: str
    target: Target | None = None

    def row(self) -> str:
        if self.target is None:
            target = ratio = met = ""
        else:
            r = self.target.ratio(self.value)
            target, ratio, met = f"{self.target} {self.unit}", f"{r:.2f}", "yes" if r >= 1 else "**no**"
        return (f"| `{self.bench}` | {self.what} | {_number(self.value)} {self.unit} | {target} | "
                f"{ratio} | {met} |")


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.2f}"


# ---- readers: what each benchmark gave → figures ----------------------------------------------
def _feel(result: Any, output: str) -> list[Figure]:
    figures = []
    for line in output.splitlines():
        match = re.match(r"(.+?)\s{2,}([\d.]+)\s+([\d,]+)\s*$", line)
        if match:
            name = match.group(1).strip()
            figures.append(Figure("feel", f"{name}: evaluations/s", float(match.group(3).replace(",", "")),
                                  "/s", at_least(100_000) if name == "gateway condition" else None))
    return figures


def _engine_inprocess(result: Any, output: str) -> list[Figure]:
    if not isinstance(result, dict):
        return []
    return [Figure("engine_inprocess", "raw SpiffWorkflow, in memory", result["raw"], "instances/s"),
            Figure("engine_inprocess", "durable engine, SQLite", result["durable"], "instances/s"),
            Figure("engine_inprocess", "durable ÷ raw", result["ratio"] * 100, "%", at_least(40))]


def _engine_grpc(result: Any, output: str) -> list[Figure]:
    if not isinstance(result, dict):
        return []
    return [Figure("engine_grpc", "end to end over gRPC", result["instances_per_s"], "instances/s",
                   at_least(300)),
            Figure("engine_grpc", "job activation p50", result["latency_p50_ms"], "ms"),
            Figure("engine_grpc", "job activation p99", result["latency_p99_ms"], "ms", below(20))]


def _sms_latency(result: Any, output: str) -> list[Figure]:
    if isinstance(result, dict) and "p99_ms" in result:
        p50, p99 = result["p50_ms"], result["p99_ms"]
    else:
        match = re.search(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms", output)
        if not match:
            return []
        p50, p99 = float(match.group(1)), float(match.group(2))
    return [Figure("sms_latency", "signature → SMS at the gateway, p50", p50, "ms"),
            Figure("sms_latency", "signature → SMS at the gateway, p99", p99, "ms", at_most(1000))]


def _tracking(result: Any, output: str) -> list[Figure]:
    if not isinstance(result, dict) or "p99_ms" not in result:
        return []
    rate = f"{result.get('rate', 500):.0f} requests/s asked"
    return [Figure("tracking", f"tracking page p50 at {rate}", result["p50_ms"], "ms"),
            Figure("tracking", f"tracking page p99 at {rate}", result["p99_ms"], "ms", below(50)),
            Figure("tracking", "tracking page, flat out", result["capacity_per_s"], "requests/s"),
            *([Figure("tracking", f"tracking page p99 at {result['light_rate']:.0f} requests/s",
                      result["light_p99_ms"], "ms", below(50))] if "light_p99_ms" in result else [])]


def _reports(result: Any, output: str) -> list[Figure]:
    figures = []
    dossiers = re.search(r"generated ([\d,]+) dossiers", output)
    count = dossiers.group(1) if dossiers else "?"
    for line in output.splitlines():
        match = re.match(r"(.+?)\s{2,}([\d,]+)\s+([\d.]+)\s*$", line)
        if match and not line.startswith("period"):
            figures.append(Figure("reports", f"Biểu 06 over {count} dossiers, {match.group(1).strip()}",
                                  float(match.group(3)), "s", below(1)))
    return figures


READERS: dict[str, Callable[[Any, str], list[Figure]]] = {
    "feel": _feel, "engine_inprocess": _engine_inprocess, "engine_grpc": _engine_grpc,
    "sms_latency": _sms_latency, "tracking": _tracking, "reports": _reports,
}


def figures_of(module: str, result: Any, output: str) -> list[Figure]:
    reader = READERS.get(module)
    return reader(result, output) if reader else []


# ---- the machine and the table ----------------------------------------------------------------
def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()} "
            f"({platform.system()} {platform.release()}); load average {load} at the end")


def render(figures: list[Figure], failures: dict[str, str], command: str, seconds: float) -> str:
    lines = [
        f"Command: {command} — {datetime.now(UTC):%d %b %Y, %H:%M} UTC, {seconds:.0f} s in all.",
        f"Machine: {machine()}.",
        "",
        "Ratio: how many times the target is met (figure ÷ target when more is better, target ÷ "
        "figure when less is better); 1.00 or more meets it. Each benchmark's own section below "
        "says how it measures.",
        "",
        "| bench | figure | value | target | ratio | met |",
        "|---|---|---:|---|---:|---|",
        *(figure.row() for figure in figures),
    ]
    for module, error in failures.items():
        lines.append(f"| `{module}` | did not finish: {error} | | | | **no** |")
    return "\n".join(lines)


def rewrite(table: str, path: Path = PERFORMANCE) -> None:
    """Put `table` between the markers of `path` (markers added under the title if missing)."""
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _, after = rest.split(END, 1)
        text = before + block + after
    else:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n## Benchmarks summary\n\n{block}\n{rest}"
    path.write_text(text, encoding="utf-8")
