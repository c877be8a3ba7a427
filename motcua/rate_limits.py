"""Sliding-window rate limits for what the public may ask without signing in.

A `RateLimiter` counts events per key (a client address, a sender's phone number, a dossier code)
over the last `window` seconds and says whether one more is allowed. Counts live in the process's
memory, guarded by a lock: enough for one web process with threads (waitress); several processes
each keep their own counts, so the effective limit is multiplied by their number.

Public API
----------
- `RateLimiter(limit, window_s, clock=time.monotonic)`:
  `.allow(key) -> Decision` (counts the event when it is allowed),
  `.record(key)` (counts an event whatever the count),
  `.check(key) -> Decision` (asks without counting), `.reset(key)`.
- `Decision(allowed, retry_after_s)` — `retry_after_s` is when the oldest counted event leaves
  the window (0 when allowed).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

_SWEEP_EVERY = 1024  # forget idle keys every this many calls, so memory stays bounded


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: int = 0


class RateLimiter:
    """At most `limit` events per key in any `window_s` seconds."""

    def __init__(self, limit: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        return events

    def _sweep(self, now: float) -> None:
        self._calls += 1
        if self._calls % _SWEEP_EVERY:
            return
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window_s]:
            del self._events[key]

    def _decision(self, events: deque[float], now: float) -> Decision:
        if len(events) < self.limit:
            return Decision(True)
        wait = events[len(events) - self.limit] + self.window_s - now
        return Decision(False, max(1, math.ceil(wait)))

    def check(self, key: Hashable) -> Decision:
        with self._lock:
            now = self._clock()
            return self._decision(self._recent(key, now), now)

    def allow(self, key: Hashable) -> Decision:
        with self._lock:
            now = self._clock()
            self._sweep(now)
            events = self._recent(key, now)
            decision = self._decision(events, now)
            if decision.allowed:
                events.append(now)
            return decision

    def record(self, key: Hashable) -> None:
        with self._lock:
            now = self._clock()
            self._sweep(now)
            self._recent(key, now).append(now)

    def reset(self, key: Hashable) -> None:
        with self._lock:
            self._events.pop(key, None)
