"""A portal that is down never holds up processing; everything arrives, once, when it is back."""

from __future__ import annotations

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
