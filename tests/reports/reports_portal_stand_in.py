"""A provincial-portal stand-in: a real HTTP server on 127.0.0.1 that records what it receives."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class PortalStandIn:
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # status codes to answer first, then 200
    seen_keys: set[str] = field(default_factory=set)
    posts: int = 0  # every request, answered or not

    def start(self) -> PortalStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                stand_in.posts += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = stand_in.answers.pop(0) if stand_in.answers else 200
                key = self.headers.get("Idempotency-Key", "")
                if status == 200 and key in stand_in.seen_keys:
                    status = 409  # the portal already has it
                if status == 200:
                    stand_in.seen_keys.add(key)
                    stand_in.received.append({"path": self.path, "key": key,
                                              "body": json.loads(body)})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
