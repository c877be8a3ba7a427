from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from web_support import PASSWORD, ROOT, STAFF, sign_in

from motcua.db import engine_for, migrate, session_factory, transaction
from motcua.staff_accounts import create_user
from webapp import create_app


@pytest.fixture(scope="session")
def migrated_web_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with the staff accounts per test process, copied for each test."""
    path = tmp_path_factory.mktemp("web-schema") / "motcua.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = engine_for(url)
    with transaction(session_factory(engine)) as session:
        for username, (name, roles) in STAFF.items():
            create_user(session, username, name, PASSWORD, roles)
    engine.dispose()  # the last connection closing moves the WAL into the file we copy
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_web_database: Path) -> str:
    path = tmp_path / "motcua.db"
    shutil.copy(migrated_web_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    return create_app({"TESTING": True, "ZEEBE_ADDRESS": "127.0.0.1:9"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_app(tmp_path, monkeypatch, database_url):
    """The app with CSRF checks off, for tests that post forms as signed-in staff."""
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "ZEEBE_ADDRESS": "127.0.0.1:9"})


@pytest.fixture
def as_staff(staff_app):
    """`as_staff("tiepnhan")` → a test client signed in as that user."""
    return lambda username: sign_in(staff_app, username)


# ---- the real engine over real gRPC, the real workers, the real diagrams and forms -------------


@pytest.fixture
def engine_address(tmp_path: Path):
    """The embedded engine behind its gRPC gateway on a free port, with bpmn/ and forms/ deployed."""
    import grpc
    from pyzeebe.proto import gateway_pb2 as pb
    from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

    from engine.gateway import BackgroundGateway
    from engine.runtime import Engine

    resources = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "forms").glob("*.form"))
    engine = Engine(f"sqlite:///{tmp_path / 'engine.db'}")
    engine.start()
    with BackgroundGateway(engine, "127.0.0.1:0") as serving:
        with grpc.insecure_channel(serving.address) as channel:
            GatewayStub(channel).DeployResource(pb.DeployResourceRequest(resources=[
                pb.Resource(name=path.name, content=path.read_bytes()) for path in resources]))
        yield serving.address
    engine.close()


@pytest.fixture
def job_workers(engine_address: str, database_url: str):
    """The project's pyzeebe workers (SMS into the outbox, no portal) in a background event loop."""
    import asyncio
    import threading

    from pyzeebe import ZeebeWorker, create_insecure_channel

    from motcua.catalog import load_catalog
    from motcua.notifications import provider_named
    from motcua.service_settings import ServiceSettings
    from workers import context as worker_context
    from workers.runner import ROUTERS

    config = ServiceSettings(retry_backoff_ms=100)
    worker_context.install(worker_context.WorkerContext(
        sessions=session_factory(database_url), catalog=load_catalog(ROOT / "catalog"), config=config,
        web_url="https://motcua.test", sms=provider_named("outbox", config), portal=None))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    holder = {}

    async def start() -> None:
        worker = ZeebeWorker(create_insecure_channel(engine_address), name="web-test-workers",
                             request_timeout=2000, poll_retry_delay=1)
        for router in ROUTERS:
            worker.include_router(router)
        holder["worker"] = worker
        holder["task"] = asyncio.ensure_future(worker.work())

    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    yield
    async def stop() -> None:
        await holder["worker"].stop()
        holder["task"].cancel()
    asyncio.run_coroutine_threadsafe(stop(), loop).result(15)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    worker_context.install(None)


@pytest.fixture
def live_app(tmp_path, monkeypatch, database_url, engine_address, job_workers):
    """The webapp against the real engine (CSRF checks off: the test client posts forms)."""
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "ZEEBE_ADDRESS": engine_address})
    yield app
    app.extensions["motcua.office"].gateway.close()
