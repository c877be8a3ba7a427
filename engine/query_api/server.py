"""The query API on its own HTTP port, in a background thread beside the gRPC gateway."""

from __future__ import annotations

import logging
import socket
import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import QueryApi
from .resources import EngineQueries

log = logging.getLogger(__name__)

DEFAULT_QUERY_ADDRESS = "127.0.0.1:8088"  # the port of Zeebe's REST API


class _LoggedAtDebug(WSGIRequestHandler):
    """One line per request at DEBUG, not werkzeug's INFO lines on the engine's console."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug('%s "%s" %s %s', self.address_string(), self.requestline, code, size)


def split_address(address: str) -> tuple[str, int]:
    host, separator, port = address.rpartition(":")
    if not separator or not port.isdigit():
        raise ValueError(f"query address must be HOST:PORT, not {address!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


class QueryServer:
    """`QueryServer(engine, "127.0.0.1:8088").start()` … `.stop()`; port 0 picks a free one."""

    def __init__(self, engine: EngineQueries, address: str = DEFAULT_QUERY_ADDRESS,
                 token: str | None = None) -> None:
        self.app = QueryApi(engine, token=token)
        self._host, self._port = split_address(address)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self._server.port if self._server is not None else self._port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> None:
        """Bind the port (OSError if taken) and serve in a daemon thread."""
        # Bound here, not by werkzeug: a taken port must be an OSError, not werkzeug's sys.exit.
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        with socket.create_server((self._host, self._port), family=family) as listening:
            self._server = make_server(self._host, self._port, self.app, threaded=True,
                                       request_handler=_LoggedAtDebug, fd=listening.fileno())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="engine-query-api",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> QueryServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
