"""Engine commands as awaitables on the gateway's event loop.

The engine's `submit(command, ...)` queues a command and hands back a future resolved on its
writer thread after the commit; we relay that to the loop with one `call_soon_threadsafe`, with
no thread of ours in between. An engine without `submit` (a test double) is called on threads.
The engine's future is never cancelled from here: a command once queued runs and commits, and
a caller that left simply ignores the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from concurrent.futures import Future
from typing import Any

from engine.gateway.engine_calls import EngineCalls


class EngineCommands:
    def __init__(self, engine: Any, fallback: EngineCalls) -> None:
        self._engine = engine
        self._submit = getattr(engine, "submit", None)
        self._fallback = fallback

    def __call__(self, command: str, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        """Queue `engine.<command>(*args, **kwargs)`; await the result or the `Rejection`."""
        if self._submit is None:
            call = functools.partial(getattr(self._engine, command), *args, **kwargs)
            return self._fallback.submit(call)
        loop = asyncio.get_running_loop()
        answer = loop.create_future()
        try:
            queued: Future[Any] = self._submit(command, *args, **kwargs)
        except Exception as refused:  # e.g. back-pressure: the queue is full
            answer.set_exception(refused)
            return answer
        queued.add_done_callback(functools.partial(_relay, loop, answer))
        return answer


def _relay(loop: asyncio.AbstractEventLoop, answer: asyncio.Future[Any], done: Future[Any]) -> None:
    """On the engine's writer thread: hand the outcome to the loop, quickly."""
    with contextlib.suppress(RuntimeError):  # the loop has ended: nobody awaits this any more
        loop.call_soon_threadsafe(_settle, answer, done)


def _settle(answer: asyncio.Future[Any], done: Future[Any]) -> None:
    if answer.cancelled():
        return
    error = done.exception()
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(done.result())
