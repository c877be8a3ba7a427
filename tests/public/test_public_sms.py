"""SMS lookup: text the code, get the status and appointment date back by SMS."""

from __future__ import annotations

import sqlalchemy as sa

from motcua.db import SmsMessage
from motcua.notifications import SendReceipt, gsm7_length

SECRET = "s3cret-webhook"


class RecordingProvider:
    """Stands in for the SMS gateway: keeps what would have been sent."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str, request_id: str) -> SendReceipt:
        self.sent.append((phone, text))
        return SendReceipt(f"m{len(self.sent)}")


def sms_client(app_factory, **config):
    provider = RecordingProvider()
    app = app_factory(SMS_INBOUND_SECRET=SECRET, SMS_PROVIDER=provider, WTF_CSRF_ENABLED=True,
                      **config)
    return app.test_client(), provider


def inbound(client, text, sender="+84 912 000 111", message_id=None, secret=SECRET):
    body = {"sender": sender, "text": text}
    if message_id:
        body["id"] = message_id
    return client.post("/sms/inbound", json=body, headers={"X-Motcua-Sms-Secret": secret})


def test_citizen_texts_a_code_and_gets_status_and_date(app_factory, desk):
    client, provider = sms_client(app_factory)
    code = desk.receive()
    response = inbound(client, f"TC {code.lower()}", message_id="in-1")
    assert response.status_code == 200  # no CSRF token needed: the shared secret authenticates
    answer = response.get_json()
    assert answer["found"] is True and answer["replied"] is True
    [(phone, text)] = provider.sent
    assert phone == "0912000111"
    assert code in text and "Dang xu ly" in text and "26/11/2026" in text
    assert gsm7_length(text) <= 160
    with desk.sessions() as session:
        logged = session.scalars(sa.select(SmsMessage)).one()
    assert logged.event == "lookup" and logged.text == text and logged.dossier_id is not None


def test_unknown_code_gets_a_helpful_reply(app_factory, desk):
    client, provider = sms_client(app_factory)
    answer = inbound(client, "000.00.17.H06-261116-0999").get_json()
    assert answer["found"] is False
    [(_, text)] = provider.sent
    assert "khong tim thay ho so" in text and "/tra-cuu" in text
    inbound(client, "xin chao")
    assert "de tra cuu, nhan ma ho so" in provider.sent[-1][1]


def test_redelivered_message_is_answered_once(app_factory, desk):
    client, provider = sms_client(app_factory)
    code = desk.receive()
    inbound(client, code, message_id="in-7")
    inbound(client, code, message_id="in-7")
    assert len(provider.sent) == 1


def test_abuse_is_rate_limited_per_sender(app_factory, desk):
    client, provider = sms_client(app_factory, SMS_LOOKUPS_PER_HOUR=2)
    code = desk.receive()
    statuses = [inbound(client, code, message_id=f"x{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert len(provider.sent) == 2
    assert inbound(client, code, sender="0987654321", message_id="y").status_code == 200


def test_webhook_needs_the_shared_secret(app_factory):
    client, provider = sms_client(app_factory)
    assert inbound(client, "abc", secret="wrong").status_code == 401
    assert client.post("/sms/inbound", json={"sender": "0912000111", "text": "x"}).status_code == 401
    assert provider.sent == []
    unconfigured = app_factory().test_client()
    assert unconfigured.post("/sms/inbound", json={"sender": "0912000111", "text": "x"}).status_code == 503


def test_sender_that_is_not_a_mobile_number_gets_nothing(app_factory):
    client, provider = sms_client(app_factory)
    answer = inbound(client, "000.00.17.H06-261116-0001", sender="SOXAYDUNG").get_json()
    assert answer["replied"] is False and provider.sent == []


def test_default_provider_keeps_the_reply_in_the_sms_log(app_factory, desk):
    client = app_factory(SMS_INBOUND_SECRET=SECRET).test_client()  # MOTCUA_SMS_PROVIDER=outbox
    code = desk.receive()
    answer = inbound(client, code, message_id="in-9").get_json()
    assert answer["replied"] is True and answer["delivery"] == "sent"
    with desk.sessions() as session:
        logged = session.scalars(sa.select(SmsMessage)).one()
    assert logged.provider == "outbox" and logged.phone == "0912000111" and code in logged.text
