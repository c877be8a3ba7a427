"""SMS providers in a small registry; configuration (MOTCUA_SMS_PROVIDER) picks one by name."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import requests


@dataclass(frozen=True)
class SendReceipt:
    provider_message_id: str | None = None


class TemporaryFailure(Exception):
    """The provider could not take the message now (down, out of credit): try again later."""


class PermanentFailure(Exception):
    """The message can never be sent as is (invalid number, template refused): record it."""


class SmsProvider(Protocol):
    name: str

    def send(self, phone: str, text: str, request_id: str) -> SendReceipt: ...


PROVIDERS: dict[str, Callable[[Any], SmsProvider]] = {}


def register(name: str) -> Callable[[type], type]:
    """Class decorator: `@register("http")` makes the provider available under `name`."""
    def decorate(cls: type) -> type:
        cls.name = name
        PROVIDERS[name] = cls
        return cls
    return decorate


def provider_named(name: str, settings: Any) -> SmsProvider:
    try:
        factory = PROVIDERS[name]
    except KeyError:
        raise LookupError(f"no SMS provider {name!r}; known: {', '.join(sorted(PROVIDERS))}") from None
    return factory(settings)


@register("outbox")
class OutboxProvider:
    """Keeps the message in the SMS log only (the webapp shows it); nothing leaves the system."""

    name = "outbox"

    def __init__(self, settings: Any = None) -> None:
        pass

    def send(self, phone: str, text: str, request_id: str) -> SendReceipt:
        return SendReceipt(None)


# Result codes of eSMS-style brandname gateways (reference domain-vn.md §6).
_ACCEPTED = {"100"}
_DUPLICATE_REQUEST = {"124"}       # the gateway already has this RequestId: it was sent before
_PERMANENT = {"108": "invalid phone number", "146": "template not registered for this brandname"}


def request_id_for(key: str) -> str:
    """The gateway's RequestId (≤ 50 characters) for an idempotency key."""
    if len(key) <= 50:
        return key
    return key[:37] + "-" + hashlib.sha256(key.encode()).hexdigest()[:12]


@register("http")
class HttpGatewayProvider:
    """A JSON brandname gateway: `POST MOTCUA_SMS_HTTP_URL` with keys, brandname and a RequestId
    that the gateway uses to drop duplicates (a message re-sent after a crash is not sent twice)."""

    name = "http"

    def __init__(self, settings: Any) -> None:
        if not settings.sms_http_url:
            raise LookupError("MOTCUA_SMS_PROVIDER=http needs MOTCUA_SMS_HTTP_URL")
        self.url = settings.sms_http_url
        self.api_key = settings.sms_api_key
        self.secret_key = settings.sms_secret_key
        self.brandname = settings.sms_brandname
        self.timeout = settings.sms_timeout_s

    def send(self, phone: str, text: str, request_id: str) -> SendReceipt:
        body = {"ApiKey": self.api_key, "SecretKey": self.secret_key, "Phone": phone,
                "Content": text, "Brandname": self.brandname, "SmsType": "2", "IsUnicode": "0",
                "RequestId": request_id_for(request_id)}
        try:
            response = requests.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise TemporaryFailure(f"SMS gateway unreachable: {error}") from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise TemporaryFailure(f"SMS gateway answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise TemporaryFailure(f"SMS gateway answered HTTP {response.status_code} without JSON") from None
        code = str(answer.get("CodeResult", ""))
        if code in _ACCEPTED or code in _DUPLICATE_REQUEST:
            return SendReceipt(str(answer.get("SMSID") or "") or None)
        if code in _PERMANENT:
            raise PermanentFailure(f"{_PERMANENT[code]} (gateway code {code})")
        raise TemporaryFailure(f"SMS gateway refused the message: code {code or '?'} "
                               f"{answer.get('ErrorMessage', '')}".strip())
