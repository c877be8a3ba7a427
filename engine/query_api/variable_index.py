"""Which process instances have a root variable with a given value, for `variables` filters.

Fed from the engine's record log (VARIABLE records), the way Zeebe's exporter feeds Operate: each
search first reads the records written since the last one, so it never misses an acknowledged
change and never rescans the whole log. Only short scalar values are kept (strings up to
MAX_TEXT characters, numbers, booleans, null): those are what an operator searches by.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Any, Protocol

MAX_TEXT = 256
BATCH = 5000


class RecordSource(Protocol):
    def records(self, after_position: int = 0, limit: int = 1000, value_type: str | None = None,
                process_instance_key: int | None = None) -> list[Any]: ...


def _token(value: Any) -> str | None:
    """A hashable form of a searchable value, or None when the value is not searchable."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return json.dumps(value, ensure_ascii=False)
    return None


class VariableIndex:
    def __init__(self, source: RecordSource) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._position = 0
        self._current: dict[tuple[int, str], str] = {}  # (instance, name) -> token
        self._holders: dict[tuple[str, str], set[int]] = defaultdict(set)  # (name, token) -> instances

    def instances_with(self, name: str, value: Any) -> set[int]:
        """Keys of the process instances whose root variable `name` equals `value` now."""
        token = _token(value)
        with self._lock:
            self._catch_up()
            return set(self._holders.get((name, token), ())) if token is not None else set()

    def _catch_up(self) -> None:
        while True:
            records = self._source.records(after_position=self._position, limit=BATCH,
                                           value_type="VARIABLE")
            for record in records:
                self._position = record.position
                value = record.value
                instance = value.get("processInstanceKey", record.process_instance_key)
                if instance is not None and value.get("scopeKey", instance) == instance:
                    self._set(int(instance), str(value.get("name")), value.get("value"))
            if len(records) < BATCH:
                return

    def _set(self, instance: int, name: str, value: Any) -> None:
        previous = self._current.pop((instance, name), None)
        if previous is not None:
            holders = self._holders[(name, previous)]
            holders.discard(instance)
            if not holders:
                del self._holders[(name, previous)]
        token = _token(value)
        if token is not None:
            self._current[(instance, name)] = token
            self._holders[(name, token)].add(instance)
