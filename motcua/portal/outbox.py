"""The portal outbox: reports stored once per key, delivered in order per dossier, retried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from motcua.db import DeliveryStatus, PortalOutbox, transaction
from motcua.portal.adapters import PermanentFailure, PortalAdapter, TemporaryFailure

SENDING_LEASE = timedelta(seconds=60)
LONGEST_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class DeliveryRound:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def enqueue(sessions: sessionmaker[Session], *, key: str, dossier_id: int | None, operation: str,
            payload: dict[str, Any]) -> PortalOutbox:
    """Store the report under `key`; a second call with the same key returns the first row."""
    try:
        with transaction(sessions) as session:
            row = PortalOutbox(idempotency_key=key, dossier_id=dossier_id, operation=operation,
                               payload=payload, status=DeliveryStatus.PENDING)
            session.add(row)
            return row
    except IntegrityError:
        with sessions() as session:
            return session.scalars(sa.select(PortalOutbox).where(PortalOutbox.idempotency_key == key)).one()


def _back_off(attempts: int, first_retry_s: float) -> timedelta:
    return min(timedelta(seconds=first_retry_s * 2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def deliver_due(sessions: sessionmaker[Session], adapter: PortalAdapter, *,
                first_retry_s: float = 30, now: datetime | None = None, limit: int = 100) -> DeliveryRound:
    """Send every queued report that is due; a dossier's reports go in the order they were made,
    so after a failure its later reports wait for the earlier one."""
    now = now or datetime.now(UTC)
    with sessions() as session:
        pending = session.scalars(sa.select(PortalOutbox)
                                  .where(PortalOutbox.status == DeliveryStatus.PENDING)
                                  .order_by(PortalOutbox.id).limit(limit)).all()
    sent = failed = waiting = 0
    held: set[int | None] = set()  # dossiers whose earlier report is still queued
    for row in pending:
        due = row.next_attempt_at is None or row.next_attempt_at <= now
        if row.dossier_id in held or not due:
            held.add(row.dossier_id)
            waiting += 1
            continue
        with transaction(sessions) as session:
            claimed = session.execute(
                sa.update(PortalOutbox)
                .where(PortalOutbox.id == row.id, PortalOutbox.status == DeliveryStatus.PENDING,
                       sa.or_(PortalOutbox.next_attempt_at.is_(None), PortalOutbox.next_attempt_at <= now))
                .values(attempts=PortalOutbox.attempts + 1, next_attempt_at=now + SENDING_LEASE)
            ).rowcount
        if not claimed:  # another courier has it
            held.add(row.dossier_id)
            continue
        try:
            adapter.send(row.operation, row.payload, row.idempotency_key)
        except PermanentFailure as error:
            _update(sessions, row.id, status=DeliveryStatus.FAILED, last_error=str(error),
                    next_attempt_at=None)
            failed += 1
            continue
        except TemporaryFailure as error:
            _update(sessions, row.id, last_error=str(error),
                    next_attempt_at=now + _back_off(row.attempts + 1, first_retry_s))
            held.add(row.dossier_id)
            waiting += 1
            continue
        _update(sessions, row.id, status=DeliveryStatus.SENT, sent_at=datetime.now(UTC),
                last_error=None, next_attempt_at=None)
        sent += 1
    return DeliveryRound(sent, failed, waiting)


def _update(sessions: sessionmaker[Session], row_id: int, **values: object) -> None:
    with transaction(sessions) as session:
        row = session.get(PortalOutbox, row_id)
        for name, value in values.items():
            setattr(row, name, value)
