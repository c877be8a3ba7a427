"""TLS and a static bearer token, as a pyzeebe client configured for them uses them."""

from __future__ import annotations

import asyncio
import subprocess

import grpc
import pytest
from grpc_health.v1 import health_pb2
from pyzeebe import ZeebeClient, create_secure_channel
from pyzeebe.errors import ZeebeGatewayUnavailableError

from engine.gateway import BackgroundGateway, Tls

TOKEN = "s3cret-for-tests"


@pytest.fixture
def tls(tmp_path) -> Tls:
    cert, key = tmp_path / "gateway.pem", tmp_path / "gateway.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Tls.from_files(cert, key)


def topology_over(address: str, tls: Tls, token: str | None):
    async def ask():
        credentials = grpc.ssl_channel_credentials(root_certificates=tls.certificate_chain)
        if token is not None:
            credentials = grpc.composite_channel_credentials(
                credentials, grpc.access_token_call_credentials(token)
            )
        channel = create_secure_channel(address, channel_credentials=credentials)
        try:
            client = ZeebeClient(channel, max_connection_retries=1)
            return await client.topology(), await client.healthcheck()
        finally:
            await channel.close()

    return asyncio.run(ask())


def test_pyzeebe_over_tls_with_the_token_is_served(job_board, tls):
    with BackgroundGateway(job_board, "127.0.0.1:0", tls=tls, token=TOKEN) as gateway:
        topology, health = topology_over(gateway.address, tls, TOKEN)
    assert topology.cluster_size == 1
    assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_a_call_without_the_token_is_refused_as_unauthenticated(job_board, tls):
    with BackgroundGateway(job_board, "127.0.0.1:0", tls=tls, token=TOKEN) as gateway:
        credentials = grpc.ssl_channel_credentials(root_certificates=tls.certificate_chain)
        with grpc.secure_channel(gateway.address, credentials) as channel:
            from pyzeebe.proto import gateway_pb2 as pb
            from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

            with pytest.raises(grpc.RpcError) as refused:
                GatewayStub(channel).Topology(pb.TopologyRequest())
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "bearer token" in refused.value.details()


def test_a_plaintext_client_cannot_talk_to_a_tls_gateway(job_board, tls):
    with (
        BackgroundGateway(job_board, "127.0.0.1:0", tls=tls) as gateway,
        pytest.raises(ZeebeGatewayUnavailableError),
    ):

        async def ask():
            from pyzeebe import create_insecure_channel

            channel = create_insecure_channel(gateway.address)
            try:
                await ZeebeClient(channel, max_connection_retries=1).topology()
            finally:
                await channel.close()

        asyncio.run(ask())


def test_zbctl_talks_tls_to_python_m_engine(tmp_path, tls, free_port):
    import sys
    from pathlib import Path

    from gateway_paths import ZBCTL

    root = Path(__file__).resolve().parents[2]
    cert, key = tmp_path / "served.pem", tmp_path / "served.key"
    cert.write_bytes(tls.certificate_chain)
    key.write_bytes(tls.private_key)
    address = f"127.0.0.1:{free_port}"
    engine = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "--address",
            address,
            "--data",
            str(tmp_path / "data"),
            "--tls-cert",
            str(cert),
            "--tls-key",
            str(key),
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=tls.certificate_chain)
        with grpc.secure_channel(address, credentials) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
        status = subprocess.run(
            [str(ZBCTL), "--address", address, "--certPath", str(cert), "status"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        engine.terminate()
        engine.communicate(timeout=30)
    assert status.returncode == 0, status.stderr
    assert "Partition 1 : Leader, Healthy" in status.stdout
