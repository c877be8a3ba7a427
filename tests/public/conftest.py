"""Fixtures for the public side: the real app on a migrated SQLite file, dossiers received through
the domain services, a fixed clock (Thursday 19 November 2026, 10:00 in Hà Nội)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from motcua.catalog import load_catalog
from motcua.db import Dossier, load_working_calendar, migrate, session_factory, transaction
from motcua.dossiers import (
    Applicant,
    finish_processing,
    receive_dossier,
    request_supplement,
    return_result,
)
from motcua.settings import PROJECT_ROOT
from motcua.statuses import ApplicantKind, Channel, DossierStatus
from webapp import create_app

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 19, 10, 0, tzinfo=HANOI)
PHONE, ID_NUMBER = "0912345678", "001085012345"   # last four digits: 5678 and 2345
AMENDMENT = "1.009986"  # cấp điều chỉnh chứng chỉ hành nghề: 10 ngày
PAPERS = [{"component": "don-de-nghi", "copy_type": "original", "quantity": 1},
          {"component": "anh-4x6", "copy_type": "original", "quantity": 2},
          {"component": "tai-lieu-dieu-chinh", "copy_type": "photocopy", "quantity": 1},
          {"component": "cchn-ban-goc", "copy_type": "original", "quantity": 1}]


class CacheClock:
    """The public view cache's monotonic clock, moved on by the test (no sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(tmp_path, monkeypatch, cache_clock: CacheClock | None = None, **config) -> Flask:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    database_url = f"sqlite:///{tmp_path / 'motcua.db'}"
    migrate(database_url)
    settings = {"TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": database_url,
                "PUBLIC_CLOCK": lambda: NOW, "SERVER_NAME": None,
                "PUBLIC_VIEW_CACHE_CLOCK": cache_clock or CacheClock()}
    settings.update(config)
    app = create_app(settings)
    app.config["TEST_DATABASE_URL"] = database_url
    return app


@pytest.fixture
def cache_clock() -> CacheClock:
    return CacheClock()


@pytest.fixture
def app_factory(tmp_path, monkeypatch, cache_clock) -> Callable[..., Flask]:
    """Another app on the same database, with other settings (CSRF on, small limits…)."""
    return lambda **config: make_app(tmp_path, monkeypatch, cache_clock, **config)


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


class Desk:
    """Receives and moves dossiers the way the desk and the workers do (domain services)."""

    def __init__(self, database_url: str) -> None:
        self.sessions = session_factory(database_url)
        self.catalog = load_catalog(PROJECT_ROOT / "catalog")

    def receive(self, *, received_at: datetime = NOW - timedelta(days=3), phone: str | None = PHONE,
                id_number: str | None = ID_NUMBER, name: str = "Nguyễn Văn An") -> str:
        procedure = self.catalog.get(AMENDMENT, on=received_at.date())
        with transaction(self.sessions) as session:
            dossier = receive_dossier(
                session, procedure=procedure,
                applicant=Applicant(ApplicantKind.PERSON, name, id_number, phone,
                                    email="an@example.vn", address="12 Lê Lợi, phường Hạc Thành"),
                channel=Channel.DIRECT, received_at=received_at, submitted=PAPERS,
                calendar=load_working_calendar(session), actor="letan")
            dossier.record_status(DossierStatus.IN_PROGRESS, actor="he-thong",
                                  at=received_at + timedelta(hours=2), step="transfer")
            return dossier.code

    def _change(self, code: str, action: Callable[[Dossier, object], None]) -> None:
        with transaction(self.sessions) as session:
            dossier = session.query(Dossier).filter_by(code=code).one()
            action(dossier, session)

    def request_supplement(self, code: str, note: str, at: datetime = NOW - timedelta(days=1)) -> None:
        def act(dossier, session):
            procedure = self.catalog.version(dossier.procedure_code, dossier.procedure_version)
            request_supplement(dossier, procedure, load_working_calendar(session), at=at,
                               actor="chuyenvien", note=note)
        self._change(code, act)

    def finish(self, code: str, at: datetime = NOW - timedelta(days=1)) -> None:
        def act(dossier, session):
            finish_processing(dossier, at=at, actor="he-thong")
            dossier.timeline[-1].step = "resolved"
        self._change(code, act)

    def hand_over(self, code: str, at: datetime = NOW - timedelta(hours=2)) -> None:
        def act(dossier, session):
            if dossier.processing_finished_at is None:
                finish_processing(dossier, at=at - timedelta(hours=1), actor="he-thong")
            return_result(dossier, at=at, actor="letan")
            dossier.timeline[-1].step = "returned"
        self._change(code, act)


@pytest.fixture
def desk(app) -> Desk:
    return Desk(app.config["TEST_DATABASE_URL"])


@pytest.fixture
def now() -> datetime:
    return NOW
