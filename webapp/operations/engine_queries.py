"""The console's reading door to the engine: its HTTP query API (docs/engine-query-api.md).

Never the engine's tables and never `import engine`: the console reads what any HTTP client may.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import requests

DEFAULT_QUERY_URL = "http://127.0.0.1:8088"
CALL_TIMEOUT_S = 10


class QueryApiUnavailable(ConnectionError):
    """The query API cannot be reached or answered with an error of its own."""


class QueryRefused(ValueError):
    """The query API refused a request (HTTP 400): the console asked something it cannot answer."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int


class EngineQueries:
    def __init__(self, base_url: str, token: str | None = None,
                 timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EngineQueries:
        url = (config.get("ENGINE_QUERY_URL") or os.environ.get("MOTCUA_ENGINE_QUERY_URL")
               or DEFAULT_QUERY_URL)
        token = config.get("ENGINE_TOKEN") or os.environ.get("MOTCUA_ENGINE_TOKEN") or None
        return cls(url, token)

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        try:
            response = requests.request(method, self.base_url + path, json=body,
                                        headers=self._headers, timeout=self.timeout_s)
        except requests.RequestException as error:
            raise QueryApiUnavailable(f"{self.base_url}: {error}") from error
        if response.status_code == 400:
            raise QueryRefused(_detail(response))
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise QueryApiUnavailable(f"{self.base_url}{path}: HTTP {response.status_code} "
                                      f"{_detail(response)}")
        return response

    def search(self, resource: str, filter: dict[str, Any] | None = None,
               sort: list[dict[str, str]] | None = None, start: int = 0, limit: int = 100) -> Page:
        """`search("process-instances", {"hasIncident": True})` → the page of items and the total."""
        body: dict[str, Any] = {"filter": filter or {}, "page": {"from": start, "limit": limit}}
        if sort:
            body["sort"] = sort
        document = self._request("POST", f"/v2/{resource}/search", body).json()
        return Page(document["items"], document["page"]["totalItems"])

    def search_all(self, resource: str, filter: dict[str, Any] | None = None,
                   sort: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
        """Every item, page after page (for lists that are short by nature: one instance's)."""
        items: list[dict[str, Any]] = []
        while True:
            page = self.search(resource, filter, sort, start=len(items), limit=1000)
            items.extend(page.items)
            if not page.items or len(items) >= page.total:
                return items

    def get(self, resource: str, key: int) -> dict[str, Any] | None:
        """One item by key, or None when the engine knows no such key."""
        response = self._request("GET", f"/v2/{resource}/{key}")
        return None if response.status_code == 404 else response.json()

    def definition_xml(self, key: int) -> str | None:
        response = self._request("GET", f"/v2/process-definitions/{key}/xml")
        return None if response.status_code == 404 else response.text


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail") or response.reason)
    except ValueError:
        return response.text[:200] or str(response.reason)
