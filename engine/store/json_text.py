"""Compact JSON text for what the engine writes (records, state rows, snapshots).

The same text as `json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode`, through one
C encoder kept per thread: the standard `encode` builds a new one for every call, which costs
about a third of encoding a record's small value.
"""
from __future__ import annotations

import json
import threading
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

_fallback = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_local = threading.local()


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _new_encoder():
    # markers (a dict) catch circular references, as json.dumps does
    return c_make_encoder({}, _refuse, encode_basestring, None, ":", ",", False, False, True)


def dumps(value: Any) -> str:
    encoder = getattr(_local, "encoder", None)
    if encoder is None:
        if c_make_encoder is None:  # a Python without the C accelerator
            return _fallback(value)
        encoder = _local.encoder = _new_encoder()
    try:
        return "".join(encoder(value, 0))
    except BaseException:
        _local.encoder = None  # its circular-reference markers may keep entries of the failed call
        raise
