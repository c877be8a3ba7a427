"""The services behind the workers: SMS texts and providers, the portal outbox, the papers."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pyzeebe import create_insecure_channel
from workers_office import pdf_pages, pdf_text
from workers_stand_ins import SmsGateway, StandIn

from motcua.db import DeliveryStatus, PortalOutbox, transaction
from motcua.notifications import (
    MessageFacts,
    PermanentFailure,
    SmsEvent,
    TemporaryFailure,
    compose,
    gsm7_length,
    normalise_phone,
    plain_text,
    provider_named,
    send_once,
)
from motcua.paperwork import ComponentLine, DocumentType, PaperFacts, TimelineLine, render
from motcua.portal import adapter_named, deliver_due, enqueue
from motcua.service_settings import ServiceSettings
from workers import job_types
from workers.failures import back_off_ms
from workers.runner import build_worker

ROOT = Path(__file__).resolve().parents[2]
LONG_CODE = "000.00.17.H06-20261124-0001234"


@pytest.mark.parametrize("event", list(SmsEvent))
def test_every_sms_fits_one_plain_message_with_the_code_and_link(event):
    link = f"https://dichvucong.soxaydung.gov.vn/t/{LONG_CODE}"
    text = compose(event, MessageFacts(LONG_CODE, link, sender="Sở Xây dựng tỉnh Đắk Lắk",
                                       due_on=date(2026, 12, 24), supplement_due_on=date(2027, 1, 4)))
    assert gsm7_length(text) <= 160 and text.isascii()
    assert LONG_CODE in text and link in text
    if event in (SmsEvent.RECEIVED, SmsEvent.LATE_APOLOGY):
        assert "24/12/2026" in text


def test_vietnamese_loses_its_diacritics_and_d_with_stroke_becomes_d():
    assert plain_text("Đề nghị bổ sung hồ sơ, đường Điện Biên Phủ") == \
        "De nghi bo sung ho so, duong Dien Bien Phu"


def test_a_link_too_long_for_the_full_wording_gets_the_short_one_or_is_refused():
    short = compose("received", MessageFacts(LONG_CODE, "https://x.vn/" + "a" * 70, due_on=date(2026, 12, 1)))
    assert short.startswith("Da tiep nhan ho so") and len(short) <= 160
    with pytest.raises(ValueError, match="MOTCUA_TRACKING_URL"):
        compose("received", MessageFacts(LONG_CODE, "https://x.vn/" + "a" * 140))


@pytest.mark.parametrize(("given", "normalised"), [
    ("0912 345 678", "0912345678"), ("+84912345678", "0912345678"), ("84-912-345-678", "0912345678"),
    ("0212345678", None), ("12345", None), (None, None)])
def test_mobile_numbers_are_normalised_or_refused(given, normalised):
    assert normalise_phone(given) == normalised


def test_the_http_gateway_gets_keys_brandname_and_the_key_as_request_id():
    gateway = SmsGateway()
    try:
        config = ServiceSettings(sms_http_url=gateway.url, sms_api_key="k", sms_secret_key="s",
                                sms_brandname="SOXAYDUNG")
        provider = provider_named("http", config)
        provider.send("0912345678", "Ho so X", "X:received")
        [sent] = gateway.requests
        assert sent.body == {"ApiKey": "k", "SecretKey": "s", "Phone": "0912345678",
                                  "Content": "Ho so X", "Brandname": "SOXAYDUNG", "SmsType": "2",
                                  "IsUnicode": "0", "RequestId": "X:received"}
        gateway.unknown_numbers.add("0900000000")
        with pytest.raises(PermanentFailure, match="invalid phone number"):
            provider.send("0900000000", "Ho so X", "X:refused")
        gateway.fail_next = 1
        with pytest.raises(TemporaryFailure):
            provider.send("0912345678", "Ho so X", "X:returned")
        long_key = "K" * 80
        provider.send("0912345678", "Ho so X", long_key)
        assert len(gateway.requests[-1].body["RequestId"]) <= 50
    finally:
        gateway.close()


def test_the_outbox_provider_only_stores_the_message_once(sessions):
    outbox = provider_named("outbox", ServiceSettings())
    first = send_once(sessions, key="D1:received", dossier_id=None, event="received",
                      phone="0912345678", text="Ho so D1", provider=outbox)
    again = send_once(sessions, key="D1:received", dossier_id=None, event="received",
                      phone="0912345678", text="Ho so D1", provider=outbox)
    assert first.id == again.id and again.status is DeliveryStatus.SENT and again.attempts == 1


def test_a_report_the_portal_refuses_is_not_retried_and_does_not_block_others(sessions):
    portal = StandIn()
    portal.answer = lambda received: ((422, {"error": "bad"}) if received.body["MaHoSo"] == "A"
                                      else (200, {"ok": True}))
    try:
        adapter = adapter_named("http", ServiceSettings(portal_url=portal.url))
        enqueue(sessions, key="A:received:1", dossier_id=None, operation="DongBoHoSoMC", payload={"MaHoSo": "A"})
        enqueue(sessions, key="B:received:1", dossier_id=None, operation="DongBoHoSoMC", payload={"MaHoSo": "B"})
        done = deliver_due(sessions, adapter)
        assert (done.sent, done.failed) == (1, 1)
        assert deliver_due(sessions, adapter).sent == 0
        with transaction(sessions) as session:
            rows = {r.idempotency_key: r for r in session.scalars(sa.select(PortalOutbox))}
        assert rows["A:received:1"].status is DeliveryStatus.FAILED and "422" in rows["A:received:1"].last_error
        assert rows["B:received:1"].status is DeliveryStatus.SENT
        assert len(portal.requests) == 2
    finally:
        portal.close()


def test_failed_jobs_wait_longer_each_time():
    assert [back_off_ms(r, 1000) for r in (3, 2, 1, 0)] == [1000, 2000, 4000, 8000]
    assert back_off_ms(-20, 1000) == 600_000


def test_every_job_type_of_the_diagrams_has_exactly_one_worker():
    used = set()
    for path in (ROOT / "bpmn").glob("*.bpmn"):
        used |= set(re.findall(r'taskDefinition type="([^"]+)"', path.read_text()))

    async def registered() -> list[str]:
        channel = create_insecure_channel("127.0.0.1:1")
        try:
            return [task.type for task in build_worker(channel).tasks]
        finally:
            await channel.close()

    types = asyncio.run(registered())
    assert len(types) == len(set(types))
    assert set(types) == used == set(job_types.ALL)


FACTS = PaperFacts(
    dossier_code="000.00.17.H06-261124-0001", agency_name="Sở Xây dựng",
    procedure_name="Cấp giấy phép xây dựng mới đối với công trình cấp I, II",
    applicant_name="Lê Thị Ngọc Ánh", issued_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
    tracking_link="https://motcua.test/t/000.00.17.H06-261124-0001", receipt_number="0001",
    applicant_address="45 Trần Hưng Đạo", components=(ComponentLine("Đơn đề nghị", "bản chính", 1),),
    duration="20 ngày", received_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
    due_at=datetime(2026, 12, 14, 10, 0, tzinfo=UTC), previous_due_at=datetime(2026, 12, 14, 10, 0, tzinfo=UTC),
    missing_items=(("Bản vẽ móng", "Thiếu chữ ký"),), reason="Hồ sơ giả mạo",
    timeline=(TimelineLine(datetime(2026, 11, 24, 3, 0, tzinfo=UTC), "Tiếp nhận hồ sơ", "reception",
                           "Được tiếp nhận"),))


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_every_paper_prints_its_title_and_the_applicant_in_vietnamese(document_type):
    paper = render(document_type, FACTS)
    text = pdf_text(paper.content)
    assert paper.title.upper() in text or paper.title in text
    assert "Lê Thị Ngọc Ánh" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert paper.kind is document_type.kind


def test_the_receipt_carries_a_qr_code_to_the_tracking_page():
    paper = render("receipt", FACTS)
    [page] = pdf_pages(paper.content)
    assert len(page.images) == 1
    text = page.extract_text()
    assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 14/12/2026" in text
    assert FACTS.tracking_link in text


def test_the_workers_read_their_settings_from_the_environment(monkeypatch, database_url):
    from workers.context import from_environment

    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_url)
    monkeypatch.setenv("MOTCUA_AGENCY_ENDPOINTS", "PCCC=http://pccc.test/api, TNMT=http://tnmt.test")
    monkeypatch.setenv("MOTCUA_TRACKING_URL", "https://tracuu.test/{code}")
    ctx = from_environment()
    assert ctx.sms.name == "outbox" and ctx.portal is None  # defaults: nothing leaves the system
    assert ctx.config.agency_endpoints == {"PCCC": "http://pccc.test/api", "TNMT": "http://tnmt.test"}
    assert ctx.tracking_link("H06-1") == "https://tracuu.test/H06-1"
    monkeypatch.setenv("MOTCUA_AGENCY_ENDPOINTS", '{"PCCC": "http://pccc.test/json"}')
    monkeypatch.setenv("MOTCUA_SMS_PROVIDER", "http")
    with pytest.raises(LookupError, match="MOTCUA_SMS_HTTP_URL"):
        from_environment()
    assert ServiceSettings().agency_endpoints == {"PCCC": "http://pccc.test/json"}
