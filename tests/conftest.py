"""Shared fixtures. Tests run the real engine over real gRPC, real SQLite, real HTTP on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (safe under pytest-xdist)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
