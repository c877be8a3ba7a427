"""The gRPC server in front of the engine: Gateway service, health service, TLS, token, stop.

grpc.aio rather than the thread-per-call server: ActivateJobs long polls and job streams sit idle
for seconds, and as coroutines they cost an asyncio.Event each instead of a pool thread; engine
commands (which block until their transaction commits) run on a thread pool sized for them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from pyzeebe.proto.gateway_pb2_grpc import add_GatewayServicer_to_server

from engine.gateway.bearer_token import BearerTokenCheck
from engine.gateway.engine_calls import EngineCalls
from engine.gateway.engine_commands import EngineCommands
from engine.gateway.job_signals import JobSignals
from engine.gateway.service import Gateway

log = logging.getLogger(__name__)

GATEWAY_SERVICE = "gateway_protocol.Gateway"
COMMAND_THREADS = 32  # concurrent engine commands; more in flight = bigger group commits
WAIT_THREADS = 64  # concurrent CreateProcessInstanceWithResult waits
SERVER_OPTIONS = [
    # clients ping every 45 s (pyzeebe, Zeebe's Java and Go clients), also on idle channels
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    # a second engine on a taken port must fail, not share the port with the first
    ("grpc.so_reuseport", 0),
]


@dataclass(frozen=True)
class Tls:
    certificate_chain: bytes
    private_key: bytes

    @classmethod
    def from_files(cls, certificate: Path, key: Path) -> Tls:
        return cls(certificate.read_bytes(), key.read_bytes())


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {address!r}")
    return host.strip("[]"), int(port)


class GatewayServer:
    """Serves `engine` on `address` ("HOST:PORT"; port 0 picks a free one) until stopped."""

    def __init__(
        self, engine: Any, address: str, *, tls: Tls | None = None, token: str | None = None
    ) -> None:
        self.engine = engine
        self.host, self.port = split_address(address)
        self._tls = tls
        self._token = token
        self._server: grpc.aio.Server | None = None
        self._health: health_aio.HealthServicer | None = None
        self._signals: JobSignals | None = None
        self._pools: list[EngineCalls] = []

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> None:
        self._signals = JobSignals(asyncio.get_running_loop())
        self.engine.add_job_listener(self._signals.notify)
        # threads for blocking engine calls only when the engine cannot answer with futures
        blocking = 0 if hasattr(self.engine, "submit") else COMMAND_THREADS
        commands = EngineCalls(blocking, "gateway-command")
        waits = EngineCalls(WAIT_THREADS, "gateway-wait")
        self._pools = [commands, waits]
        interceptors = [BearerTokenCheck(self._token)] if self._token else []
        server = grpc.aio.server(interceptors=interceptors, options=SERVER_OPTIONS)
        bind = f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}"
        try:
            if self._tls:
                credentials = grpc.ssl_server_credentials(
                    [(self._tls.private_key, self._tls.certificate_chain)]
                )
                self.port = server.add_secure_port(bind, credentials)
            else:
                self.port = server.add_insecure_port(bind)
        except RuntimeError as error:  # grpc says "Failed to bind"; say it like the OS would
            raise OSError(
                f"cannot serve gRPC on {bind}: the port is taken or the address is "
                f"not this machine's ({error})"
            ) from None
        add_GatewayServicer_to_server(
            Gateway(
                self.engine,
                self._signals,
                host=self.host,
                port=self.port,
                commands=EngineCommands(self.engine, fallback=commands),
                waits=waits,
            ),
            server,
        )
        self._health = health_aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        await server.start()
        await self._health.set(GATEWAY_SERVICE, health_pb2.HealthCheckResponse.SERVING)
        await self._health.set("", health_pb2.HealthCheckResponse.SERVING)
        self._server = server
        log.info(
            "Zeebe gateway serving on %s (%s)", self.address, "TLS" if self._tls else "plaintext"
        )

    async def stop(self, grace_s: float = 10.0) -> None:
        """Graceful: say NOT_SERVING, release long polls and streams, refuse new calls, let
        in-flight commands finish (up to `grace_s`), then end the threads that call the engine."""
        if self._server is None:
            return
        if self._health is not None:
            await self._health.enter_graceful_shutdown()
        if self._signals is not None:
            self._signals.close()
        await self._server.stop(grace_s)
        commands, waits = self._pools
        await asyncio.to_thread(commands.close, grace_s)
        # result waits were answered already (released above); their threads may stay blocked in
        # the engine until their own timeout, as daemons, without holding up the stop
        await asyncio.to_thread(waits.close, 0.0)
        self._server = None
        log.info("Zeebe gateway on %s stopped", self.address)

    async def wait_for_termination(self) -> None:
        if self._server is not None:
            await self._server.wait_for_termination()


class BackgroundGateway:
    """A GatewayServer on its own event loop thread, for tests and benchmarks in one process."""

    def __init__(self, engine: Any, address: str = "127.0.0.1:0", **options: Any) -> None:
        self.server = GatewayServer(engine, address, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="gateway-loop", daemon=True
        )

    @property
    def address(self) -> str:
        return self.server.address

    def start(self) -> BackgroundGateway:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(timeout=30)
        return self

    def stop(self, grace_s: float = 5.0) -> None:
        if self._loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(grace_s), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> BackgroundGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
