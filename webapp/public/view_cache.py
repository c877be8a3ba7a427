"""The public view of each dossier, kept for a second or two in each web process.

A code that was just sent by SMS is asked for many times a second, and its page changes only when
the dossier's status does, so each process keeps what the code alone shows (`PublicView`) for
`ttl_s` seconds, together with the page rendered from it for a reader who sees no applicant
details and no error (one per language, with a marker where the form's CSRF token goes).

Never kept: the applicant's details, second-factor outcomes, anything of a session, unknown codes.
Other processes are not told about changes: a new status shows in every process at most `ttl_s`
after it was committed (a rating made in this process is shown here at once: `forget`).

Configuration: `PUBLIC_VIEW_CACHE_SECONDS` (app config, else `MOTCUA_PUBLIC_VIEW_CACHE_SECONDS`;
default 2, 0 turns the cache off).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from motcua.public_lookup import PublicView

DEFAULT_TTL_S = 2.0
MAX_ENTRIES = 10_000


@dataclass
class CachedView:
    view: PublicView
    expires_at: float
    pages: dict[str, str] = field(default_factory=dict)  # language -> page with the CSRF marker


class PublicViewCache:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[Hashable, CachedView] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> CachedView | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires_at <= self._clock():
            return None
        return entry

    def put(self, key: Hashable, view: PublicView) -> CachedView:
        now = self._clock()
        entry = CachedView(view, now + self.ttl_s)
        if self.ttl_s <= 0:
            return entry
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._make_room(now)
            self._entries[key] = entry
        return entry

    def _make_room(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if e.expires_at <= now]:
            del self._entries[key]
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]  # the oldest put

    def forget(self, code: str) -> None:
        """Drop every entry showing the dossier `code` (it changed in this process)."""
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.view.code == code]:
                del self._entries[key]
