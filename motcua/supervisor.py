"""Runs engine, workers and webapp as child processes and stops them together.

Each child gets its own process group so that Ctrl-C on `motcua up` ends every grandchild too
(no orphans), and one child dying stops the rest rather than leaving a half-working system.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Service:
    name: str
    argv: Sequence[str]
    ready_port: tuple[str, int] | None = None
    ready_path: str | None = None  # with ready_port: started once GET of this path answers 200
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None


class ServiceFailed(RuntimeError):
    pass


def wait_for_port(host: str, port: int, timeout: float, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise ServiceFailed(f"exited before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServiceFailed(f"did not listen on {host}:{port} within {timeout:.0f} s")


def wait_for_http(host: str, port: int, path: str, timeout: float, alive: Callable[[], bool]) -> None:
    """Until `GET path` answers 200: a listening socket is not yet a worker that can answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise ServiceFailed(f"exited before answering on http://{host}:{port}{path}")
        connection = http.client.HTTPConnection(host, port, timeout=max(0.5, deadline - time.monotonic()))
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise ServiceFailed(f"did not answer on http://{host}:{port}{path} within {timeout:.0f} s")


class Supervisor:
    def __init__(self, echo: Callable[[str], None] = print, ready_timeout: float = 60.0) -> None:
        self.services: list[Service] = []
        self.echo = echo
        self.ready_timeout = ready_timeout
        self._stopping = False

    def start(self, service: Service) -> None:
        env = {**os.environ, **service.env}
        service.process = subprocess.Popen(list(service.argv), env=env, start_new_session=True)
        self.services.append(service)
        if service.ready_port:
            host, port = service.ready_port
            alive = lambda: service.process.poll() is None  # noqa: E731
            try:
                wait_for_port(host, port, self.ready_timeout, alive)
                if service.ready_path:
                    wait_for_http(host, port, service.ready_path, self.ready_timeout, alive)
            except ServiceFailed as failure:
                raise ServiceFailed(f"{service.name} {failure}") from None
        self.echo(f"  {service.name} started (pid {service.process.pid})")

    def run_step(self, name: str, argv: Sequence[str]) -> None:
        """A one-shot step (deploy, demo data) that must succeed before going on."""
        result = subprocess.run(list(argv), env=dict(os.environ))
        if result.returncode != 0:
            raise ServiceFailed(f"{name} failed with exit code {result.returncode}")

    def wait(self) -> int:
        """Block until Ctrl-C / SIGTERM or until a child exits; return the exit code."""
        signal.signal(signal.SIGTERM, lambda *_: self._request_stop())
        try:
            while not self._stopping:
                for service in self.services:
                    code = service.process.poll() if service.process else None
                    if code is not None:
                        self.echo(f"{service.name} exited with code {code}; stopping everything")
                        return code or 1
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        return 0

    def _request_stop(self) -> None:
        self._stopping = True

    def stop(self, grace: float = 10.0) -> None:
        """Stop children in reverse start order: SIGTERM, then SIGKILL after the grace period."""
        for service in reversed(self.services):
            proc = service.process
            if proc is None or proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self.echo(f"  {service.name} stopped")


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
