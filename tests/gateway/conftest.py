"""Gateway fixtures: a gateway on a free loopback port, with a job-board stand-in or the engine."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from gateway_job_board import JobBoard
from gateway_paths import ZBCTL
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.gateway import BackgroundGateway


@pytest.fixture
def job_board() -> JobBoard:
    return JobBoard()


@pytest.fixture
def board_gateway(job_board: JobBoard) -> Iterator[BackgroundGateway]:
    with BackgroundGateway(job_board, "127.0.0.1:0") as gateway:
        yield gateway


@pytest.fixture
def board_stub(board_gateway: BackgroundGateway) -> Iterator[GatewayStub]:
    with grpc.insecure_channel(board_gateway.address) as channel:
        yield GatewayStub(channel)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Any]:
    """The real embedded engine on a SQLite file of this test."""
    from engine.runtime import Engine

    running = Engine(f"sqlite:///{tmp_path / 'engine.db'}")
    running.start()
    yield running
    running.close()


@pytest.fixture
def gateway(engine: Any) -> Iterator[BackgroundGateway]:
    with BackgroundGateway(engine, "127.0.0.1:0") as serving:
        yield serving


@pytest.fixture
def stub(gateway: BackgroundGateway) -> Iterator[GatewayStub]:
    with grpc.insecure_channel(gateway.address) as channel:
        yield GatewayStub(channel)


@dataclass(frozen=True)
class Zbctl:
    """The official Zeebe CLI, pointed at one gateway."""

    address: str

    def __call__(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(ZBCTL), "--insecure", "--address", self.address, *arguments],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"zbctl {' '.join(arguments)} failed: {result.stderr}")
        return result

    def json(self, *arguments: str) -> Any:
        return json.loads(self(*arguments).stdout)


@pytest.fixture
def zbctl(gateway: BackgroundGateway) -> Zbctl:
    if not ZBCTL.exists():
        pytest.skip("zbctl is not installed (npm ci)")
    return Zbctl(gateway.address)


@pytest.fixture(autouse=True)
def no_query_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m engine` started by these tests serves gRPC only: parallel tests would fight over
    the query API's fixed default port."""
    monkeypatch.setenv("MOTCUA_ENGINE_QUERY_ADDRESS", "off")
