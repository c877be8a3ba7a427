"""HTTP servers on 127.0.0.1 standing in for the SMS gateway, the provincial portal and another
agency: each records what it received and can be told to fail."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: Any


class StandIn:
    """A JSON HTTP server; `answer(received) -> (status, body)` decides each reply."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.down = False          # answer 503 to everything
        self.fail_next = 0         # answer 503 to this many more requests
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                received = Received(self.path, dict(self.headers), body)
                status, answer = stand_in._reply(received)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _reply(self, received: Received) -> tuple[int, Any]:
        with self._lock:
            if self.down or self.fail_next > 0:
                self.fail_next = max(self.fail_next - 1, 0)
                return 503, {"error": "temporarily unavailable"}
            self.requests.append(received)
            return self.answer(received)

    def answer(self, received: Received) -> tuple[int, Any]:
        return 200, {"ok": True}

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if condition(list(self.requests)):
                    return list(self.requests)
            time.sleep(0.05)
        raise AssertionError(f"{type(self).__name__} did not get what was expected; got {self.requests}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmsGateway(StandIn):
    """An eSMS-style brandname gateway: `CodeResult` 100 accepted, 108 invalid phone number."""

    def __init__(self) -> None:
        self.unknown_numbers: set[str] = set()
        super().__init__()

    def answer(self, received: Received) -> tuple[int, Any]:
        if received.body.get("Phone") in self.unknown_numbers:
            return 200, {"CodeResult": "108", "ErrorMessage": "Phone not valid"}
        return 200, {"CodeResult": "100", "SMSID": f"sms-{len(self.requests)}"}

    def messages(self, to: str | None = None, containing: str | None = None) -> list[str]:
        return [r.body["Content"] for r in self.requests
                if (to is None or r.body["Phone"] == to)
                and (containing is None or containing in r.body["Content"])]
