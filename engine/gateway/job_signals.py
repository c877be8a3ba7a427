"""Wake-ups for long-polling ActivateJobs requests and job streams, one registry per gateway.

The engine calls `notify(job_type)` from its own threads whenever a job of that type becomes
activatable; waiters live on the gateway's asyncio loop. Nobody polls: a waiter sleeps until it is
notified, its time is up, or the gateway closes.

It also remembers, per type, that the engine had no jobs left as of a given notification
(`drained`), so the next long poll of a busy worker can go straight to waiting instead of asking
the engine for nothing: with one worker per type that empty ask was one engine command per job.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager


class JobSignals:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiters: dict[str, set[asyncio.Event]] = {}
        # a fresh value per notification of a type; unique values, so "unchanged" is an equality
        self._stamps = itertools.count(1)
        self._versions: dict[str, int] = {}
        self._drained_at: dict[str, int] = {}
        self._wake_scheduled: set[str] = set()
        self.closed = False
        self.stopping = asyncio.Event()  # set with `close`, for waits other than for jobs

    def notify(self, job_type: str) -> None:
        """Thread-safe and cheap: the wake-up is skipped when nobody waits for this type (dict
        reads are atomic; a waiter registers before it looks for jobs, so it cannot miss one)."""
        self._versions[job_type] = next(self._stamps)
        # one scheduled wake-up per type covers every job that appears before it runs: under load
        # this spares the engine's writer most loop hand-offs
        if job_type in self._waiters and job_type not in self._wake_scheduled:
            self._wake_scheduled.add(job_type)
            # RuntimeError: the gateway's loop has ended, nobody is left to wake
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake, job_type)

    def version(self, job_type: str) -> int:
        """Read this before asking the engine for jobs; pass it to `drained` if it had none left."""
        return self._versions.get(job_type, 0)

    def drained(self, job_type: str, version: int) -> None:
        """The engine had no activatable job of this type left when asked after `version`."""
        self._drained_at[job_type] = version

    def known_empty(self, job_type: str) -> bool:
        """No job of this type can have become activatable since the engine was last drained."""
        drained = self._drained_at.get(job_type)
        return drained is not None and drained == self._versions.get(job_type, 0)

    def _wake(self, job_type: str) -> None:
        self._wake_scheduled.discard(job_type)  # first: a job appearing from now on schedules anew
        for event in self._waiters.get(job_type, ()):
            event.set()

    @contextmanager
    def waiting_for(self, job_type: str) -> Iterator[asyncio.Event]:
        """An event set whenever a job of `job_type` may be available (or the gateway closes);
        registered for the duration of the block."""
        event = asyncio.Event()
        self._waiters.setdefault(job_type, set()).add(event)
        try:
            yield event
        finally:
            waiters = self._waiters.get(job_type)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[job_type]

    def close(self) -> None:
        """Release every waiter: long polls answer with what they have, streams end."""
        self.closed = True
        self.stopping.set()
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()
