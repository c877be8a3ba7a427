"""Fixtures for the workers: the real engine over real gRPC with the real diagrams and forms, the
real pyzeebe workers, a migrated SQLite database, and HTTP stand-ins for the outside world."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub
from workers_office import Office
from workers_stand_ins import SmsGateway, StandIn

from engine.gateway import BackgroundGateway
from motcua.catalog import load_catalog
from motcua.db import migrate, session_factory
from motcua.notifications import provider_named
from motcua.portal import adapter_for
from motcua.service_settings import ServiceSettings
from workers import context as worker_context

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "forms").glob("*.form"))
USER_TASK = "io.camunda.zeebe:userTask"
WEB_URL = "https://motcua.test"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database per test process, copied for each test (migrating takes a while)."""
    path = tmp_path_factory.mktemp("schema") / "motcua.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_database: Path) -> str:
    path = tmp_path / "motcua.db"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sessions(database_url: str):
    return session_factory(database_url)


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    yield gateway
    gateway.close()


@pytest.fixture
def portal() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


@pytest.fixture
def agency() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(ROOT / "catalog")


@pytest.fixture
def office_context(sessions, catalog, sms_gateway, portal, agency) -> Iterator[worker_context.WorkerContext]:
    """What the workers use: this test's database, the real catalog, the stand-ins."""
    config = ServiceSettings(sms_http_url=sms_gateway.url, sms_api_key="key", sms_secret_key="secret",
                            portal_url=portal.url, portal_token="portal-token", portal_retry_s=0.2,
                            agency_endpoints={"PCCC": agency.url + "/lien-thong"},
                            retry_backoff_ms=100)
    ctx = worker_context.WorkerContext(sessions=sessions, catalog=catalog, config=config,
                                       web_url=WEB_URL, sms=provider_named("http", config),
                                       portal=adapter_for(config))
    worker_context.install(ctx)
    yield ctx
    worker_context.install(None)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[BackgroundGateway]:
    """The embedded engine (its own SQLite file) behind its gRPC gateway, with bpmn/ and forms/."""
    from engine.runtime import Engine

    engine = Engine(f"sqlite:///{tmp_path / 'engine.db'}")
    engine.start()
    with BackgroundGateway(engine, "127.0.0.1:0") as serving:
        with grpc.insecure_channel(serving.address) as channel:
            GatewayStub(channel).DeployResource(pb.DeployResourceRequest(resources=[
                pb.Resource(name=path.name, content=path.read_bytes()) for path in RESOURCES]))
        yield serving
    engine.close()


@pytest.fixture
def office(gateway: BackgroundGateway, office_context) -> Iterator[Office]:
    running = Office(gateway.address)
    yield running
    running.close()
