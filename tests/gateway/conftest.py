"""Gateway fixtures: a gateway on a free loopback port, with a job-board stand-in or the engine."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from gateway_job_board import JobBoard
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
