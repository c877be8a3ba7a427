"""A portal that is down never holds up processing; everything arrives, once, when it is back."""

from __future__ import annotations

import json

import sqlalchemy as sa
from workers_office import wait_until

from motcua.db import DeliveryStatus, PortalOutbox

CODE = "000.00.17.H06-261124-0099"


def outbox(sessions) -> list[PortalOutbox]:
    with sessions() as session:
        return session.scalars(sa.select(PortalOutbox).order_by(PortalOutbox.id)).all()


def test_reports_wait_in_the_outbox_while_the_portal_is_down(office, portal, sms_gateway, sessions):
    portal.down = True
    office.start_workers()
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.user_task("Task_Appraise")  # the dossier went on without the portal
    assert sms_gateway.messages(containing=CODE)
    queued = wait_until(lambda: len(rows := outbox(sessions)) == 2 and rows[0].attempts >= 2 and rows,
                        what="failed delivery attempts")
    assert [r.status for r in queued] == [DeliveryStatus.PENDING] * 2
    assert queued[1].attempts == 0  # a dossier's reports keep their order: the second waits
    assert "503" in queued[0].last_error and portal.requests == []

    portal.down = False
    reports = portal.wait_for(lambda requests: len(requests) == 2)
    assert [(r.path, r.headers["Idempotency-Key"]) for r in reports] == [
        ("/DongBoHoSoMC", f"{CODE}:received:1"), ("/CapNhatTienDoHoSoMC", f"{CODE}:transfer:1")]
    wait_until(lambda: all(r.status is DeliveryStatus.SENT for r in outbox(sessions)), what="sent")
    assert len(portal.requests) == 2


def test_the_workers_queue_the_period_reports_once_and_the_courier_delivers_them(
        office_context, portal, sessions):
    """The workers push Biểu 06 for the portal on a schedule: each period once, however often."""
    import asyncio

    from workers.portal import deliver_forever, push_period_reports_forever

    async def a_few_rounds() -> None:
        pushing = asyncio.create_task(push_period_reports_forever(office_context, interval_s=0.05))
        delivering = asyncio.create_task(deliver_forever(office_context, interval_s=0.05))
        await asyncio.sleep(1.0)
        pushing.cancel()
        delivering.cancel()

    asyncio.run(a_few_rounds())
    keys = [r.headers["Idempotency-Key"] for r in portal.requests]
    assert keys and all(key.startswith("bieu06:") for key in keys), keys
    assert len(keys) == len(set(keys)), "every period report arrives once"
    assert len(outbox(sessions)) == len(keys)
    assert all("TongHop" in r.body or "TongHop" in json.dumps(r.body) for r in portal.requests)
