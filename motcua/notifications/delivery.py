"""Send an SMS at most once per idempotency key, whatever happens to the job that asks.

The row is committed before the provider is called, under a unique key (dossier code + event), and
a sending attempt first takes a short lease on the row: a redelivered job, a job completed twice or
a second worker finds the row and sends nothing more. The provider also receives the key as its
request id, so a crash between the provider's answer and our commit is dropped by the gateway.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from motcua.db import DeliveryStatus, SmsMessage, transaction
from motcua.notifications.providers import PermanentFailure, SmsProvider, TemporaryFailure
from motcua.notifications.text import normalise_phone

# shorter than the notify.sms job timeout (60 s): a job redelivered after a crash finds it expired
SENDING_LEASE = timedelta(seconds=30)


class SmsInFlight(TemporaryFailure):
    """Another attempt is sending this message right now."""


def _now() -> datetime:
    return datetime.now(UTC)


def _stored(sessions: sessionmaker[Session], key: str, dossier_id: int | None, event: str,
            phone: str, text: str) -> SmsMessage:
    try:
        with transaction(sessions) as session:
            row = SmsMessage(idempotency_key=key, dossier_id=dossier_id, event=event,
                             phone=phone[:20], text=text, status=DeliveryStatus.PENDING)
            session.add(row)
            return row
    except IntegrityError:
        with sessions() as session:
            return session.scalars(sa.select(SmsMessage).where(SmsMessage.idempotency_key == key)).one()


def _finish(sessions: sessionmaker[Session], row_id: int, **values: object) -> SmsMessage:
    with transaction(sessions) as session:
        row = session.get(SmsMessage, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        return row


def send_once(sessions: sessionmaker[Session], *, key: str, dossier_id: int | None, event: str,
              phone: str | None, text: str, provider: SmsProvider) -> SmsMessage:
    """The stored message for `key`, sent through `provider` unless it was already.

    Raises `TemporaryFailure` when the provider should be tried again later (the caller fails its
    job with a back-off); a permanent failure is recorded on the row and returned.
    """
    number = normalise_phone(phone)
    row = _stored(sessions, key, dossier_id, event, number or (phone or ""), text)
    if row.status is not DeliveryStatus.PENDING:
        return row
    now = _now()
    with transaction(sessions) as session:
        claimed = session.execute(
            sa.update(SmsMessage)
            .where(SmsMessage.id == row.id, SmsMessage.status == DeliveryStatus.PENDING,
                   sa.or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now))
            .values(attempts=SmsMessage.attempts + 1, next_attempt_at=now + SENDING_LEASE,
                    provider=provider.name)
        ).rowcount
    if not claimed:
        raise SmsInFlight(f"SMS {key} is being sent by another attempt")
    if number is None:
        return _finish(sessions, row.id, status=DeliveryStatus.FAILED, next_attempt_at=None,
                       last_error=f"invalid phone number {phone!r}: not sent")
    try:
        receipt = provider.send(number, text, key)
    except PermanentFailure as error:
        return _finish(sessions, row.id, status=DeliveryStatus.FAILED, next_attempt_at=None,
                       last_error=str(error))
    except TemporaryFailure as error:
        _finish(sessions, row.id, next_attempt_at=None, last_error=str(error))
        raise
    return _finish(sessions, row.id, status=DeliveryStatus.SENT, next_attempt_at=None,
                   provider_message_id=receipt.provider_message_id, sent_at=_now(), last_error=None)
