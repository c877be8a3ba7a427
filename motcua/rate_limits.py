"""Sliding-window rate limits for what the public may ask without signing in.

A `RateLimiter` counts events per key (a client address, a sender's phone number, a dossier code)
over the last `window_s` seconds and says whether one more is allowed.

The webapp runs as several processes (`motcua web`, see motcua/web_server.py): a count kept in
one process's memory would let a client spend its budget once per process. So the counts live
in a `CounterStore` that every process sees: `SqliteCounters(path)`, a small SQLite file in the
data directory (WAL, one short write transaction per counted event, shared by every process on
the host). `MemoryCounters()` keeps them in one process (a limiter built without a store, or
tests). The public limits (webapp/public) and the staff sign-in limit (webapp/auth.py) all use
`shared_counters(data_dir)`.

Events are counted in 60 buckets per window (1 s buckets for a one-minute window); an event is
taken as happening at the start of its bucket, so it leaves the window at most 1/60 of the
window early. That keeps a key's state small (at most 60 rows) however large the limit, so a
check costs the same at 10 and at 10⁹ events per window.

Public API
----------
- `RateLimiter(limit, window_s, clock=time.time, *, store=None, name=None)`:
  `.allow(key) -> Decision` (counts the event when it is allowed),
  `.record(key)` (counts an event whatever the count),
  `.check(key) -> Decision` (asks without counting), `.reset(key)`.
  Limiters sharing a store need distinct `name`s; the clock is wall time so that counts
  survive a restart and mean the same in every process.
- `Decision(allowed, retry_after_s)` — `retry_after_s` is when enough counted events leave the
  window for one more to be allowed (0 when allowed).
- `CounterStore` (protocol), `SqliteCounters(path)`, `MemoryCounters()`,
  `shared_counters(data_dir) -> SqliteCounters` (one store per file in a process).
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

BUCKETS_PER_WINDOW = 60
_SWEEP_EVERY = 1024  # forget idle keys every this many counted events, so storage stays bounded

Buckets = list[tuple[int, int]]  # (bucket number, events counted in it), oldest first


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: int = 0


class CounterStore(Protocol):
    """Where counts live. `since` and `bucket` are bucket numbers; rows older than `since` are
    outside the window and must not be returned."""

    def counts(self, limiter: str, key: str, since: int) -> Buckets: ...

    def count_if(self, limiter: str, key: str, since: int, bucket: int,
                 admit: Callable[[Buckets], bool]) -> Buckets:
        """Atomically: read the counts, and add one event to `bucket` when `admit(counts)`."""
        ...

    def forget(self, limiter: str, key: str) -> None: ...

    def sweep(self, limiter: str, before: int) -> None:
        """Drop every bucket older than `before` (outside the window for every key)."""
        ...


class MemoryCounters:
    """Counts in this process's memory (one process only)."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], dict[int, int]] = {}
        self._lock = threading.Lock()

    def _recent(self, limiter: str, key: str, since: int) -> Buckets:
        buckets = self._buckets.get((limiter, key), {})
        return sorted((b, n) for b, n in buckets.items() if b >= since)

    def counts(self, limiter: str, key: str, since: int) -> Buckets:
        with self._lock:
            return self._recent(limiter, key, since)

    def count_if(self, limiter: str, key: str, since: int, bucket: int,
                 admit: Callable[[Buckets], bool]) -> Buckets:
        with self._lock:
            recent = self._recent(limiter, key, since)
            if admit(recent):
                buckets = self._buckets.setdefault((limiter, key), {})
                buckets[bucket] = buckets.get(bucket, 0) + 1
            return recent

    def forget(self, limiter: str, key: str) -> None:
        with self._lock:
            self._buckets.pop((limiter, key), None)

    def sweep(self, limiter: str, before: int) -> None:
        with self._lock:
            for (name, key), buckets in list(self._buckets.items()):
                if name != limiter:
                    continue
                for old in [b for b in buckets if b < before]:
                    del buckets[old]
                if not buckets:
                    del self._buckets[(name, key)]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_counts (
    limiter TEXT NOT NULL,
    key TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    events INTEGER NOT NULL,
    PRIMARY KEY (limiter, key, bucket)
) WITHOUT ROWID
"""
_RECENT = "SELECT bucket, events FROM rate_counts WHERE limiter = ? AND key = ? AND bucket >= ? ORDER BY bucket"
_ADD = ("INSERT INTO rate_counts (limiter, key, bucket, events) VALUES (?, ?, ?, 1) "
        "ON CONFLICT (limiter, key, bucket) DO UPDATE SET events = events + 1")


class SqliteCounters:
    """Counts in a SQLite file that every process on the host opens (the webapp's processes).

    One connection per thread and per process (a connection never crosses a fork). The file
    holds only counters: it is written without fsync (`synchronous = OFF`), since losing the
    last counts in a power cut only forgives a few requests, and an fsync per lookup would cost
    more than the page.
    """

    def __init__(self, path: Path | str, busy_timeout_s: float = 5.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_s,
                                         isolation_level=None, check_same_thread=True)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(_SCHEMA)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def counts(self, limiter: str, key: str, since: int) -> Buckets:
        return self._connection().execute(_RECENT, (limiter, key, since)).fetchall()

    def count_if(self, limiter: str, key: str, since: int, bucket: int,
                 admit: Callable[[Buckets], bool]) -> Buckets:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")  # the write lock first: no upgrade deadlock
        try:
            recent = connection.execute(_RECENT, (limiter, key, since)).fetchall()
            if admit(recent):
                connection.execute(_ADD, (limiter, key, bucket))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return recent

    def forget(self, limiter: str, key: str) -> None:
        self._connection().execute("DELETE FROM rate_counts WHERE limiter = ? AND key = ?",
                                   (limiter, key))

    def sweep(self, limiter: str, before: int) -> None:
        self._connection().execute("DELETE FROM rate_counts WHERE limiter = ? AND bucket < ?",
                                   (limiter, before))


@cache
def _store_at(path: Path) -> SqliteCounters:
    return SqliteCounters(path)


def shared_counters(data_dir: Path | str) -> SqliteCounters:
    """The counters every web process of this data directory shares (`rate_limits.db`)."""
    return _store_at(Path(data_dir).resolve() / "rate_limits.db")


def _key_text(key: Hashable) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, tuple):
        return "\x1f".join(_key_text(part) for part in key)
    return repr(key)


class RateLimiter:
    """At most `limit` events per key in any `window_s` seconds."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.time, *,
                 store: CounterStore | None = None, name: str | None = None) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        if store is not None and not name:
            raise ValueError("limiters sharing a store need a name")
        self.limit = limit
        self.window_s = window_s
        self.name = name or "limiter"
        self._clock = clock
        self._store: CounterStore = store if store is not None else MemoryCounters()
        self._bucket_s = window_s / BUCKETS_PER_WINDOW
        self._counted = 0

    def _bucket(self, now: float) -> int:
        return math.floor(now / self._bucket_s)

    def _since(self, now: float) -> int:
        """The oldest bucket still in the window: its start is after `now - window_s`."""
        return math.floor((now - self.window_s) / self._bucket_s) + 1

    def _decision(self, buckets: Buckets, now: float) -> Decision:
        total = sum(events for _, events in buckets)
        if total < self.limit:
            return Decision(True)
        to_leave, left = total - self.limit + 1, 0
        for bucket, events in buckets:
            left += events
            if left >= to_leave:
                wait = bucket * self._bucket_s + self.window_s - now
                return Decision(False, max(1, math.ceil(wait)))
        raise AssertionError("unreachable: the buckets hold `total` events")

    def _sweep(self, now: float) -> None:
        self._counted += 1
        if self._counted % _SWEEP_EVERY == 0:
            self._store.sweep(self.name, self._since(now))

    def check(self, key: Hashable) -> Decision:
        now = self._clock()
        return self._decision(self._store.counts(self.name, _key_text(key), self._since(now)), now)

    def allow(self, key: Hashable) -> Decision:
        now = self._clock()
        self._sweep(now)
        decided: list[Decision] = []

        def admit(buckets: Buckets) -> bool:
            decided.append(self._decision(buckets, now))
            return decided[-1].allowed

        self._store.count_if(self.name, _key_text(key), self._since(now), self._bucket(now), admit)
        return decided[-1]

    def record(self, key: Hashable) -> None:
        now = self._clock()
        self._sweep(now)
        self._store.count_if(self.name, _key_text(key), self._since(now), self._bucket(now),
                             lambda _: True)

    def reset(self, key: Hashable) -> None:
        self._store.forget(self.name, _key_text(key))
