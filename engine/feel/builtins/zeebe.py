"""Functions Zeebe adds to FEEL for timer definitions: `cycle()`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine.feel.builtins.registry import builtin
from engine.feel.temporal import format_days_time


@builtin("cycle(interval: days and time duration)")
def cycle(interval: dt.timedelta) -> str:
    """An unbounded ISO 8601 repetition, e.g. `R/PT12H` for a timer cycle."""
    return f"R/{format_days_time(interval)}"


@builtin("cycle(repetitions: number, interval: days and time duration)")
def cycle_times(repetitions: Decimal, interval: dt.timedelta) -> str | None:
    if repetitions != repetitions.to_integral_value() or repetitions < 0:
        return None
    return f"R{int(repetitions)}/{format_days_time(interval)}"
