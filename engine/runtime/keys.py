"""Zeebe-shaped 64-bit keys: the partition id in the high bits, a counter below."""
from __future__ import annotations

import itertools
import threading

PARTITION_ID = 1
KEY_BITS = 51


def encode(counter: int, partition: int = PARTITION_ID) -> int:
    return (partition << KEY_BITS) + counter


class KeyGenerator:
    """Mints unique keys; resumes after the highest key already stored."""

    def __init__(self, last_key: int = 0) -> None:
        start = max(last_key - encode(0), 0) + 1
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return encode(next(self._counter))
