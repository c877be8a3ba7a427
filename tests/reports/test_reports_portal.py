"""The period report reaches the provincial portal once, through the outbox, even when pushed
twice or when the portal is down at first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from reports_dossiers import add_dossier
from reports_portal_stand_in import PortalStandIn

from motcua.db import DeliveryStatus, PortalOutbox, transaction
from motcua.portal import adapter_named, deliver_due
from motcua.reports.period import Period
from motcua.reports.portal_push import (
    REPORT_OPERATION,
    push_period_report,
    push_scheduled,
    scheduled_periods,
)
from motcua.statuses import Channel

OCTOBER = Period.month(2026, 10)


@dataclass(frozen=True)
class PortalSettings:
    portal_url: str
    portal_token: str = "portal-token"


@pytest.fixture
def portal():
    stand_in = PortalStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def october(sessions):
    with transaction(sessions) as session:
        add_dossier(session, "P1", received=datetime(2026, 10, 2, 9), due=date(2026, 10, 22),
                    channel=Channel.ONLINE, name="Trần Thị Bình", phone="0987654321")
    return sessions


def test_reports_pushed_twice_reaches_the_portal_once(october, catalog, portal):
    adapter = adapter_named("http", PortalSettings(portal.url))
    push_period_report(october, catalog, OCTOBER, adapter=adapter)
    push_period_report(october, catalog, OCTOBER, adapter=adapter)
    assert len(portal.received) == 1 and portal.posts == 1  # not even a duplicate to refuse
    sent = portal.received[0]
    assert sent["path"] == f"/api/{REPORT_OPERATION}"
    assert sent["key"] == "bieu06:000.00.17.H06:2026-10-01:2026-10-31"
    body = sent["body"]
    assert (body["TuNgay"], body["DenNgay"]) == ("20261001", "20261031")
    assert body["TongHop"]["TongSoNhan"] == 1 and body["TongHop"]["MoiTiepNhanTrucTuyen"] == 1
    # aggregates only: no applicant reaches the portal with the report
    assert "Trần Thị Bình" not in str(body) and "0987654321" not in str(body)
    with october() as session:
        rows = session.scalars(sa.select(PortalOutbox)).all()
    assert [(r.status, r.attempts) for r in rows] == [(DeliveryStatus.SENT, 1)]


def test_reports_push_waits_out_a_portal_outage(october, catalog, portal):
    portal.answers = [503]
    adapter = adapter_named("http", PortalSettings(portal.url))
    push_period_report(october, catalog, OCTOBER, adapter=adapter)
    assert portal.received == []
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert deliver_due(october, adapter, now=later).sent == 1
    assert deliver_due(october, adapter, now=later + timedelta(minutes=5)).sent == 0
    assert len(portal.received) == 1


def test_reports_schedule_sends_last_month_and_this_month_so_far(october, catalog, portal):
    assert scheduled_periods(date(2026, 11, 1)) == [OCTOBER]
    assert scheduled_periods(date(2026, 11, 5)) == [OCTOBER, Period(date(2026, 11, 1),
                                                                     date(2026, 11, 4))]
    adapter = adapter_named("http", PortalSettings(portal.url))
    push_scheduled(october, catalog, date(2026, 11, 5), adapter=adapter)
    push_scheduled(october, catalog, date(2026, 11, 5), adapter=adapter)  # the timer fired twice
    assert sorted(r["key"] for r in portal.received) == [
        "bieu06:000.00.17.H06:2026-10-01:2026-10-31",
        "bieu06:000.00.17.H06:2026-11-01:2026-11-04",
    ]


def test_reports_command_line_push_runs_the_schedule_once(october, database_url, portal,
                                                          monkeypatch):
    from motcua.reports import portal_push

    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    monkeypatch.setenv("MOTCUA_PORTAL_URL", portal.url)
    portal_push.main()
    portal_push.main()  # cron fired twice: nothing new to send
    keys = sorted(r["key"] for r in portal.received)
    assert len(keys) == len(scheduled_periods(datetime.now(portal_push.LOCAL_ZONE).date()))
    assert portal.posts == len(keys)
