"""What every job handler needs: the database, the catalog, the calendar, providers, the clock.

Built once from the environment (`current()`); tests and the runner may `install()` their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from motcua import settings as settings_module
from motcua.catalog import Catalog, load_catalog
from motcua.db import load_working_calendar, session_factory
from motcua.notifications import SmsProvider, provider_named
from motcua.portal import PortalAdapter, adapter_for
from motcua.service_settings import ServiceSettings
from motcua.working_calendar import WorkingCalendar

CALENDAR_CACHE_S = 60.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WorkerContext:
    sessions: sessionmaker[Session]
    catalog: Catalog
    config: ServiceSettings
    web_url: str
    sms: SmsProvider
    portal: PortalAdapter | None
    clock: Callable[[], datetime] = _utc_now
    _calendar: tuple[float, WorkingCalendar] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def calendar(self, session: Session) -> WorkingCalendar:
        """The working calendar with the administrator's overrides, re-read every minute."""
        with self._lock:
            if self._calendar is None or time.monotonic() - self._calendar[0] > CALENDAR_CACHE_S:
                self._calendar = (time.monotonic(), load_working_calendar(session))
            return self._calendar[1]

    def tracking_link(self, dossier_code: str) -> str:
        return self.config.tracking_link(self.web_url, dossier_code)


def from_environment(**overrides: Any) -> WorkerContext:
    settings = settings_module.load()
    config = overrides.pop("config", None) or ServiceSettings()
    values: dict[str, Any] = {
        "sessions": session_factory(settings.database_url),
        "catalog": load_catalog(settings.catalog_dir),
        "config": config,
        "web_url": settings.web_url,
        "sms": provider_named(settings.sms_provider, config),
        "portal": adapter_for(config),
    }
    values.update(overrides)
    return WorkerContext(**values)


_current: WorkerContext | None = None
_current_lock = threading.Lock()


def install(context: WorkerContext | None) -> None:
    global _current
    _current = context


def current() -> WorkerContext:
    global _current
    with _current_lock:
        if _current is None:
            _current = from_environment()
        return _current
