"""SMS lookup: a citizen texts the dossier code and gets the status and appointment date back.

`POST /sms/inbound` takes a provider-neutral JSON body — `sender` (or `from`, `phone`), `text`
(or `message`, `body`) and, when the gateway gives one, `id` (or `message_id`) — authenticated by
the shared secret header `X-Motcua-Sms-Secret`. The reply goes out through the configured SMS
provider with `motcua.notifications.send_once` (logged in `sms_messages`, event `lookup`), once
per inbound message id, and is also returned in the JSON answer.

Abuse: each sender gets a few lookups an hour and all replies together have an hourly ceiling;
past either, nothing is sent (an SMS costs money and could be aimed at someone else's phone).
The reply carries nothing personal: status, appointment date and the tracking link.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from datetime import date

from flask import current_app, jsonify, request

from motcua.db import Dossier
from motcua.db.base import LOCAL_ZONE
from motcua.notifications import (
    GSM7_SINGLE_SMS,
    TemporaryFailure,
    gsm7_length,
    normalise_phone,
    plain_text,
    provider_named,
    send_once,
)
from motcua.public_lookup import find_dossier, normalise_code
from motcua.service_settings import ServiceSettings
from motcua.statuses import DossierStatus
from webapp.public.blueprint import bp, side

SECRET_HEADER = "X-Motcua-Sms-Secret"
_CANDIDATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{5,63}")
_MAX_CANDIDATES = 3


def _secret() -> str:
    return str(current_app.config.get("SMS_INBOUND_SECRET")
               or os.environ.get("MOTCUA_SMS_INBOUND_SECRET", "")).strip()


def _provider():
    configured = current_app.config.get("SMS_PROVIDER")
    if configured is not None:
        return configured
    cached = current_app.extensions.get("motcua.public.sms")
    if cached is None:
        settings = current_app.config["MOTCUA_SETTINGS"]
        cached = provider_named(settings.sms_provider, ServiceSettings())
        current_app.extensions["motcua.public.sms"] = cached
    return cached


def code_candidates(text: str) -> list[str]:
    """Words of the message that may be a dossier code (they hold at least six digits)."""
    found = []
    for word in _CANDIDATE.findall(text or ""):
        code = normalise_code(word.strip(".-/"))
        if code and sum(ch.isdigit() for ch in code) >= 6 and code not in found:
            found.append(code)
    return found[:_MAX_CANDIDATES]


def _tracking_link(code: str) -> str:
    settings = current_app.config["MOTCUA_SETTINGS"]
    return ServiceSettings().tracking_link(settings.web_url, code)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "?"


def _fit(*texts: str) -> str:
    """The first text that fits one plain SMS (the wordings go from the longest to the shortest)."""
    for text in texts:
        plain = plain_text(text)
        if gsm7_length(plain) <= GSM7_SINGLE_SMS:
            return plain
    return plain_text(texts[-1])[:GSM7_SINGLE_SMS]


def status_reply(dossier: Dossier, sender_name: str) -> str:
    code, link = dossier.code, _tracking_link(dossier.code)
    status = plain_text(dossier.status.label_vi)
    due = _day(dossier.due_on)
    if dossier.status in (DossierStatus.PROCESSED,):
        return _fit(f"{sender_name}: ho so {code}: {status}, moi nhan ket qua tai Bo phan Mot cua. "
                    f"Chi tiet: {link}",
                    f"Ho so {code}: {status}. {link}")
    if dossier.status.is_open and dossier.due_on:
        return _fit(f"{sender_name}: ho so {code}: {status}. Hen tra ket qua ngay {due}. "
                    f"Chi tiet: {link}",
                    f"Ho so {code}: {status}, hen tra {due}. {link}",
                    f"{code}: {status}, hen tra {due}")
    return _fit(f"{sender_name}: ho so {code}: {status}. Chi tiet: {link}",
                f"Ho so {code}: {status}. {link}")


def unknown_reply(asked_something: bool, sender_name: str) -> str:
    settings = current_app.config["MOTCUA_SETTINGS"]
    lookup = settings.web_url.rstrip("/") + "/tra-cuu"
    agencies = [p.agency.code for p in side().catalog.procedures]
    today = side().clock().astimezone(LOCAL_ZONE).strftime("%y%m%d")
    example = f"{agencies[0] if agencies else '000.00.17.H06'}-{today}-0001"
    if asked_something:
        return _fit(f"{sender_name}: khong tim thay ho so. Nhan dung ma in tren giay tiep nhan "
                    f"(VD {example}) hoac xem {lookup}",
                    f"{sender_name}: khong tim thay ho so. Nhan dung ma ho so hoac xem {lookup}",
                    f"Khong tim thay ho so. Xem {lookup}")
    return _fit(f"{sender_name}: de tra cuu, nhan ma ho so in tren giay tiep nhan (VD {example}) "
                f"hoac xem {lookup}",
                f"{sender_name}: de tra cuu, nhan ma ho so hoac xem {lookup}",
                f"Nhan ma ho so de tra cuu. {lookup}")


def _field(body: dict, *names: str) -> str:
    for name in names:
        value = body.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _idempotency_key(message_id: str, phone: str, text: str) -> str:
    if message_id:
        return "sms-lookup:" + message_id[:100]
    digest = hashlib.sha256(f"{phone}\n{text}".encode()).hexdigest()[:16]
    return f"sms-lookup:{phone}:{digest}:{int(time.time() // 60)}"


@bp.post("/sms/inbound")
def inbound_sms():
    secret = _secret()
    if not secret:
        return jsonify(error="SMS lookup is not configured (MOTCUA_SMS_INBOUND_SECRET)"), 503
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return jsonify(error="wrong or missing " + SECRET_HEADER), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object with sender and text"), 400
    sender = _field(body, "sender", "from", "phone", "msisdn")
    text = _field(body, "text", "message", "body", "content")[:480]
    message_id = _field(body, "id", "message_id", "messageId")
    if not sender:
        return jsonify(error="sender is required"), 400
    phone = normalise_phone(sender)
    if phone is None:
        return jsonify(replied=False, reason="the sender is not a Vietnamese mobile number"), 200
    public = side()
    per_sender = public.sms_senders.allow(phone)
    if not per_sender.allowed:
        return _limited(per_sender.retry_after_s, "too many lookups from this number")
    overall = public.sms_replies.allow("all")
    if not overall.allowed:
        return _limited(overall.retry_after_s, "the hourly ceiling of lookup replies is reached")

    sender_name = ServiceSettings().sms_sender
    candidates = code_candidates(text)
    dossier_id = None
    with public.transaction() as db:
        dossier = next((d for d in (find_dossier(db, c) for c in candidates) if d is not None), None)
        if dossier is not None:
            dossier_id = dossier.id
            reply = status_reply(dossier, sender_name)
        else:
            reply = unknown_reply(bool(candidates), sender_name)
    try:
        sent = send_once(public.sessions, key=_idempotency_key(message_id, phone, text),
                         dossier_id=dossier_id, event="lookup", phone=phone, text=reply,
                         provider=_provider())
    except TemporaryFailure as error:
        response = jsonify(replied=False, reason=f"the SMS provider is unavailable: {error}")
        response.headers["Retry-After"] = "60"
        return response, 503
    return jsonify(replied=sent.status.value != "failed", reply=sent.text,
                   found=dossier_id is not None, delivery=sent.status.value), 200


def _limited(retry_after_s: int, reason: str):
    response = jsonify(replied=False, reason=reason)
    response.headers["Retry-After"] = str(retry_after_s)
    return response, 429
