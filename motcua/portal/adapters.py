"""Portal adapters in a small registry: `http` (JSON over HTTPS) is the one in use today."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import requests


class TemporaryFailure(Exception):
    """The portal is down or busy: the report stays queued and is tried again later."""


class PermanentFailure(Exception):
    """The portal refused the report itself (4xx): retrying would not help."""


class PortalAdapter(Protocol):
    name: str

    def send(self, operation: str, payload: dict[str, Any], key: str) -> None: ...


ADAPTERS: dict[str, Callable[[Any], PortalAdapter]] = {}


def register(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        cls.name = name
        ADAPTERS[name] = cls
        return cls
    return decorate


def adapter_named(name: str, settings: Any) -> PortalAdapter:
    try:
        return ADAPTERS[name](settings)
    except KeyError:
        raise LookupError(f"no portal adapter {name!r}; known: {', '.join(sorted(ADAPTERS))}") from None


def adapter_for(settings: Any) -> PortalAdapter | None:
    """The configured adapter, or None when no portal is configured (reports stay queued)."""
    return adapter_named("http", settings) if settings.portal_url else None


@register("http")
class HttpPortal:
    """`POST {MOTCUA_PORTAL_URL}/{operation}` with the payload; `Idempotency-Key` lets the portal
    drop a report it already has (a 409 answer counts as delivered)."""

    name = "http"

    def __init__(self, settings: Any, timeout_s: float = 10.0) -> None:
        self.url = settings.portal_url.rstrip("/")
        self.token = settings.portal_token
        self.timeout = timeout_s

    def send(self, operation: str, payload: dict[str, Any], key: str) -> None:
        headers = {"Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = requests.post(f"{self.url}/{operation}", json=payload, headers=headers,
                                     timeout=self.timeout)
        except requests.RequestException as error:
            raise TemporaryFailure(f"portal unreachable: {error}") from error
        if response.status_code < 300 or response.status_code == 409:
            return
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            raise TemporaryFailure(f"portal answered HTTP {response.status_code}")
        raise PermanentFailure(f"portal refused the report: HTTP {response.status_code} "
                               f"{response.text[:200]}")
