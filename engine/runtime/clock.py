"""Time for the engine: wall time on a server, a hand-moved clock in tests.

Timers, job deadlines, message time-to-live and record timestamps all read the engine's clock,
so a test can jump a day ahead instead of waiting for it.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""


class WallClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ControlledClock:
    """A clock that only moves when told to (`advance`), starting at the real time or `start`."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._lock = threading.Lock()
        self._listeners: list = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now = self._now + delta
            now = self._now
        for listener in list(self._listeners):
            listener()
        return now

    def on_change(self, listener) -> None:
        """Call `listener()` after every move (the timer scheduler re-reads due timers)."""
        self._listeners.append(listener)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
