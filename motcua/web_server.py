"""`motcua web`: the webapp served by several worker processes (gunicorn).

One master process binds the port and keeps `processes` workers running (one per core by
default: threads of one process share a GIL, processes do not); each worker builds its own app
and answers with a few threads, so a slow client holds a thread, not a process. What the workers
must share lives outside them: the database, and the public rate limits' counters
(`rate_limits.db` in the data directory, motcua/rate_limits.py).

The inbox's task collector must run once, not once per worker: workers take turns with an
exclusive lock on `webapp-collector.lock` in the data directory. The first worker to get it runs
the collector; when that worker ends (restart, crash), the kernel releases the lock and a waiting
worker takes over.

Stopping: SIGTERM (what `motcua up` sends) or Ctrl-C ends the master, which lets each worker
finish the requests it holds (up to `GRACEFUL_S`) and then exits; a worker whose master is gone
exits on its own (gunicorn checks its parent every second), so nothing outlives `motcua web`.

Settings (environment): `MOTCUA_WEB_PROCESSES` [number of cores], `MOTCUA_WEB_THREADS` [4],
`MOTCUA_WEB_ACCESS_LOG` [off; `-` for standard output, or a file] — one line per request with the
worker's pid.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from motcua import settings as settings_module

GRACEFUL_S = 10
COLLECTOR_LOCK = "webapp-collector.lock"
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
log = logging.getLogger(__name__)


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {text!r}")
    return int(text)


def default_processes() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class WebServerSettings:
    host: str
    port: int
    processes: int
    threads: int
    access_log: str | None

    @classmethod
    def from_environment(cls, host: str, port: int, processes: int | None = None) -> WebServerSettings:
        return cls(host=host, port=port,
                   processes=processes or _positive_int("MOTCUA_WEB_PROCESSES", default_processes()),
                   threads=_positive_int("MOTCUA_WEB_THREADS", 4),
                   access_log=os.environ.get("MOTCUA_WEB_ACCESS_LOG", "").strip() or None)


def _collect_when_elected(app: Any, lock_path: Path) -> None:
    """Wait (in a thread) for the collector's lock, then run the collector in this worker."""
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)  # held until this process ends
    log.info("inbox collector runs in worker %d", os.getpid())
    app.extensions["motcua.collector"].start()


def _post_worker_init(worker: Any) -> None:
    lock_path = worker.app.data_dir / COLLECTOR_LOCK
    threading.Thread(target=_collect_when_elected, args=(worker.wsgi, lock_path),
                     name="collector-election", daemon=True).start()


def _worker_exit(server: Any, worker: Any) -> None:
    app = getattr(worker, "wsgi", None)
    if app is not None:
        app.extensions["motcua.collector"].stop(timeout=GRACEFUL_S - 2)


class _Server(BaseApplication):
    """gunicorn, configured here rather than from a command line or a file."""

    def __init__(self, options: dict[str, Any], app_factory: Callable[[], Any],
                 data_dir: Path) -> None:
        self.options = options
        self.app_factory = app_factory
        self.data_dir = data_dir
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24: no socket in ~/.gunicorn
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        return self.app_factory()


def _create_app() -> Any:
    from webapp import create_app

    return create_app({"MIGRATE_ON_START": False})  # migrated once, before the workers start


def gunicorn_options(web: WebServerSettings) -> dict[str, Any]:
    return {
        "bind": f"{web.host}:{web.port}",
        "workers": web.processes,
        "worker_class": "gthread",
        "threads": web.threads,
        "keepalive": 5,
        "timeout": 60,
        "graceful_timeout": GRACEFUL_S,
        "proc_name": "motcua-web",
        # each worker touches a heartbeat file once per loop: keep it in memory, not on disk
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        "accesslog": web.access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
    }


def serve(web: WebServerSettings, app_factory: Callable[[], Any] = _create_app) -> None:
    """Run the webapp until SIGTERM or Ctrl-C (the caller has migrated the database)."""
    settings = settings_module.load()
    settings.secret_key()  # created here, once: workers starting together must not race for it
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _Server(gunicorn_options(web), app_factory, settings.data_dir).run()
