"""Blocking engine calls, made from the event loop through a fixed set of threads.

Each engine command blocks its caller until the command's transaction commits. A lean stand-in
for `loop.run_in_executor`: a plain queue, fixed threads, the result handed back with one
`call_soon_threadsafe` — no concurrent Future, no pool resizing on each call (which cost ~10 % of
the gateway's loop time when profiled under the benchmark).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

_STOP = None


class EngineCalls:
    def __init__(self, threads: int, name: str) -> None:
        self._calls: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, call: Callable[[], Any]) -> asyncio.Future[Any]:
        """Run `call` on one of the threads; await the returned future on the calling loop."""
        future = asyncio.get_running_loop().create_future()
        self._calls.put((call, future))
        return future

    def _work(self) -> None:
        while (item := self._calls.get()) is not _STOP:
            call, future = item
            try:
                outcome, failed = call(), False
            except BaseException as error:  # handed to the awaiting coroutine, not swallowed
                outcome, failed = error, True
            loop = future.get_loop()
            # RuntimeError: the loop has ended, nobody awaits this any more
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, outcome, failed)

    def close(self, timeout_s: float) -> None:
        """Finish the calls already queued, then end the threads; a call still blocked after
        `timeout_s` (a result wait) is left to its daemon thread."""
        for _ in self._threads:
            self._calls.put(_STOP)
        give_up_at = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, give_up_at - time.monotonic()))


def _settle(future: asyncio.Future[Any], outcome: Any, failed: bool) -> None:
    if future.cancelled():  # the client left while the engine worked
        return
    if failed:
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
