"""Search requests as Camunda's REST API takes them: `{"filter": {…}, "sort": […], "page": {…}}`.

Every resource says which filter fields it knows and of what kind, and which fields it sorts on;
anything else is refused with a sentence that names the field, so a typo never silently
matches everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class InvalidRequest(ValueError):
    """The request cannot be answered as asked (HTTP 400); the message says why."""


class NotFound(LookupError):
    """No such key (HTTP 404)."""


@dataclass(frozen=True)
class VariableCondition:
    name: str
    value: Any  # the decoded JSON value to compare with


@dataclass(frozen=True)
class SearchRequest:
    filter: dict[str, Any]
    sort: tuple[tuple[str, bool], ...]  # (field, descending)
    start: int
    limit: int


# What a filter field accepts: a function that checks and converts the JSON value.
FilterKind = Callable[[str, Any], Any]


def key_value(field: str, value: Any) -> int:
    """A Zeebe key: a JSON number, or its digits as a string."""
    if isinstance(value, bool):
        raise InvalidRequest(f"filter.{field} must be a key (a number), not {json.dumps(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise InvalidRequest(f"filter.{field} must be a key (a number), not {json.dumps(value)}")


def text_value(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"filter.{field} must be a string, not {json.dumps(value)}")
    return value


def number_value(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"filter.{field} must be a whole number, not {json.dumps(value)}")
    return value


def flag_value(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequest(f"filter.{field} must be true or false, not {json.dumps(value)}")
    return value


def one_of(*choices: str) -> FilterKind:
    def check(field: str, value: Any) -> str:
        if not isinstance(value, str) or value.upper() not in choices:
            raise InvalidRequest(f"filter.{field} must be one of {', '.join(choices)}, "
                                 f"not {json.dumps(value)}")
        return value.upper()
    return check


def variable_conditions(field: str, value: Any) -> tuple[VariableCondition, ...]:
    """`[{"name": "dossierCode", "value": "\\"SXD-1\\""}]`: values are JSON text, as in Camunda's
    API; text that is not JSON is taken as a plain string."""
    if not isinstance(value, list):
        raise InvalidRequest(f"filter.{field} must be a list of {{name, value}} objects")
    conditions = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"name", "value"}:
            raise InvalidRequest(f"filter.{field}[{index}] must be an object with exactly "
                                 "'name' and 'value'")
        name, text = item["name"], item["value"]
        if not isinstance(name, str) or not name:
            raise InvalidRequest(f"filter.{field}[{index}].name must be a variable name")
        if not isinstance(text, str):
            raise InvalidRequest(f"filter.{field}[{index}].value must be the value as JSON text, "
                                 f'e.g. "\\"SXD-1\\"" or "42"')
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = text
        conditions.append(VariableCondition(name, decoded))
    return tuple(conditions)


def parse_search(body: Any, *, filters: dict[str, FilterKind], sort_fields: Iterable[str],
                 default_sort: tuple[tuple[str, bool], ...], required: Iterable[str] = ()) -> SearchRequest:
    """Check a search body against what the resource knows; raise InvalidRequest otherwise."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object: {\"filter\", \"sort\", \"page\"}")
    unknown = set(body) - {"filter", "sort", "page"}
    if unknown:
        raise InvalidRequest(f"Unknown field(s) {', '.join(sorted(unknown))}; a search takes "
                             "'filter', 'sort' and 'page'")
    raw_filter = body.get("filter") or {}
    if not isinstance(raw_filter, dict):
        raise InvalidRequest("'filter' must be a JSON object")
    unknown = set(raw_filter) - set(filters)
    if unknown:
        raise InvalidRequest(f"Unknown filter field(s) {', '.join(sorted(unknown))}; known: "
                             f"{', '.join(sorted(filters))}")
    checked = {name: filters[name](name, value) for name, value in raw_filter.items()
               if value is not None}
    for name in required:
        if name not in checked:
            raise InvalidRequest(f"filter.{name} is required")
    return SearchRequest(checked, _sort(body.get("sort"), tuple(sort_fields), default_sort),
                         *_page(body.get("page")))


def _sort(raw: Any, fields: tuple[str, ...],
          default: tuple[tuple[str, bool], ...]) -> tuple[tuple[str, bool], ...]:
    if raw is None:
        return default
    if not isinstance(raw, list):
        raise InvalidRequest("'sort' must be a list of {\"field\", \"order\"} objects")
    sort = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "field" not in item or set(item) - {"field", "order"}:
            raise InvalidRequest(f"sort[{index}] must be an object with 'field' and optional 'order'")
        if item["field"] not in fields:
            raise InvalidRequest(f"sort[{index}].field {json.dumps(item['field'])} is not sortable; "
                                 f"sortable: {', '.join(fields)}")
        order = item.get("order", "ASC")
        if not isinstance(order, str) or order.upper() not in ("ASC", "DESC"):
            raise InvalidRequest(f"sort[{index}].order must be ASC or DESC, not {json.dumps(order)}")
        sort.append((item["field"], order.upper() == "DESC"))
    return tuple(sort) + default


def _page(raw: Any) -> tuple[int, int]:
    if raw is None:
        return 0, DEFAULT_LIMIT
    if not isinstance(raw, dict) or set(raw) - {"from", "limit"}:
        raise InvalidRequest("'page' must be an object with 'from' and 'limit'")
    start, limit = raw.get("from", 0), raw.get("limit", DEFAULT_LIMIT)
    for name, value in (("from", start), ("limit", limit)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidRequest(f"page.{name} must be a whole number ≥ 0, not {json.dumps(value)}")
    if limit > MAX_LIMIT:
        raise InvalidRequest(f"page.limit must be at most {MAX_LIMIT}, not {limit}")
    return start, limit


def matches(item: dict[str, Any], conditions: dict[str, Any]) -> bool:
    """Plain equality of an item's fields with the filter's (other conditions are handled by
    the resource before)."""
    return all(item.get(name) == value for name, value in conditions.items())


def answer(items: list[dict[str, Any]], search: SearchRequest) -> dict[str, Any]:
    """Sort, cut the page, and wrap as Camunda does: `{"items": […], "page": {"totalItems": n}}`."""
    for field, descending in reversed(search.sort):
        present = [i for i in items if i.get(field) is not None]
        absent = [i for i in items if i.get(field) is None]
        present.sort(key=lambda i: i[field], reverse=descending)
        items = present + absent  # missing values last, whatever the order
    page = items[search.start:search.start + search.limit]
    return {"items": page, "page": {"totalItems": len(items), "from": search.start,
                                    "limit": search.limit}}


def iso_time(epoch_ms: int | None) -> str | None:
    """Engine times (epoch milliseconds) as Camunda writes them: ISO 8601 in UTC."""
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
