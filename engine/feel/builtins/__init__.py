"""Camunda's built-in FEEL functions (and Zeebe's `cycle`), by kind; importing registers all."""

from __future__ import annotations

from engine.feel.builtins import (  # noqa: F401  (imported to register)
    boolean,
    contexts,
    conversion,
    lists,
    numeric,
    ranges,
    strings,
    temporal,
    zeebe,
)
from engine.feel.builtins.registry import BUILTINS, Builtin


def lookup(name: str) -> Builtin | None:
    """The built-in function of that name, if any."""
    return BUILTINS.get(name)
