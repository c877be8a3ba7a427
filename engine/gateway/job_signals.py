"""Wake-ups for long-polling ActivateJobs requests and job streams, one registry per gateway.

The engine calls `notify(job_type)` from its own threads whenever a job of that type becomes
activatable; waiters live on the gateway's asyncio loop. Nobody polls: a waiter sleeps until it is
notified, its time is up, or the gateway closes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextlib import contextmanager


class JobSignals:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self.closed = False

    def notify(self, job_type: str) -> None:
        """Thread-safe and cheap: skipped when nobody waits for this type (dict reads are atomic;
        a waiter registers before it looks for jobs, so it cannot miss one)."""
        if job_type in self._waiters:
            # RuntimeError: the gateway's loop has ended, nobody is left to wake
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake, job_type)

    def _wake(self, job_type: str) -> None:
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
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()
