"""Timers on the engine's clock.

SpiffWorkflow's timer definitions read `datetime.now(timezone.utc)` from their module; this swaps
that name for a `datetime` whose `now()` answers with the clock of the engine thread that is
running the workflow, so tests can move time.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

_current = threading.local()
# Spiff fires a timer when due < now; Zeebe when due <= now. While the engine fires due timers
# the clock reads a microsecond ahead, which bridges the two.
_EPSILON = timedelta(microseconds=1)


class _EngineTime(datetime):
    @classmethod
    def now(cls, tz=None):
        clock = getattr(_current, "clock", None)
        if clock is None:
            return datetime.now(tz)
        moment = clock.now() + (_EPSILON if getattr(_current, "firing", False) else timedelta(0))
        return moment.astimezone(tz) if tz else moment


def use_clock(clock) -> None:
    """Make `clock` the time source for timers evaluated on the calling thread."""
    _current.clock = clock
    if spiff_timer.datetime is not _EngineTime:
        spiff_timer.datetime = _EngineTime


class firing_timers:
    """Context in which timers due exactly now count as due (see _EPSILON)."""

    def __enter__(self) -> None:
        _current.firing = True

    def __exit__(self, *exc) -> None:
        _current.firing = False


def due_of(task) -> datetime | None:
    """When a waiting timer task fires, as computed by Spiff (None if it has no timer)."""
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        if value.get("cycles", 0) == 0:
            return None
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        return spiff_timer.TimerEventDefinition.get_datetime(value)
    except ValueError:
        try:
            return spiff_timer.TimerEventDefinition.parse_time_or_duration(value)
        except Exception:
            return None
