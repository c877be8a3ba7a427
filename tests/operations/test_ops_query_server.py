"""How the query API is served: beside the gateway, behind the engine's token, never in the way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest
import requests
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def in_process_engine():
    from engine.runtime import Engine

    engine = Engine("sqlite://")
    engine.start()
    yield engine
    engine.close()


def test_with_a_token_only_callers_that_carry_it_are_answered(in_process_engine):
    from engine.query_api import QueryServer
    from webapp.operations.engine_queries import EngineQueries, QueryApiUnavailable

    with QueryServer(in_process_engine, "127.0.0.1:0", token="bi-mat") as server:
        assert requests.get(server.url + "/v2/status", timeout=5).status_code == 401
        refused = requests.post(server.url + "/v2/process-instances/search", json={},
                                headers={"Authorization": "Bearer sai"}, timeout=5)
        assert refused.status_code == 401 and refused.json()["title"] == "UNAUTHENTICATED"
        assert EngineQueries(server.url, token="bi-mat").search("process-instances").total == 0
        with pytest.raises(QueryApiUnavailable):
            EngineQueries(server.url).search("process-instances")


def test_wrong_method_is_refused_with_the_allowed_one(in_process_engine):
    from engine.query_api import QueryServer

    with QueryServer(in_process_engine, "127.0.0.1:0") as server:
        response = requests.get(server.url + "/v2/process-instances/search", timeout=5)
        assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_a_taken_query_port_costs_only_the_query_api(tmp_path, free_port):
    grpc_address = f"127.0.0.1:{free_port}"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "engine", "--address", grpc_address,
             "--query-address", f"127.0.0.1:{taken}", "--data", str(tmp_path)],
            env={**os.environ, "PYTHONUNBUFFERED": "1", "MOTCUA_LOG_LEVEL": "WARNING"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            with grpc.insecure_channel(grpc_address) as channel:
                while True:
                    try:
                        topology = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=1)
                        break
                    except grpc.RpcError:
                        assert process.poll() is None and time.monotonic() < deadline
                        time.sleep(0.1)
            assert topology.brokers, "the gateway answers"
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 0, out + err
    assert f"query API not started on 127.0.0.1:{taken}" in err
