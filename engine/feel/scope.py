"""Variable scopes for evaluation: the caller's variables at the root, FEEL values below."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.feel.values import to_feel

MISSING = object()
_PLAIN = (str, bool)


class Scope:
    """A chain of name → value mappings; inner scopes shadow outer ones."""

    __slots__ = ("values", "parent", "converted")

    def __init__(self, values: Mapping[str, Any], parent: Scope | None = None) -> None:
        self.values = values
        self.parent = parent
        # Only the root holds caller values, converted to FEEL once per evaluation.
        self.converted: dict[str, Any] | None = None

    @classmethod
    def root(cls, variables: Mapping[str, Any]) -> Scope:
        scope = cls(variables)
        scope.converted = {}
        return scope

    def lookup(self, name: str) -> Any:
        """The value of a name, or MISSING."""
        scope: Scope | None = self
        while scope is not None:
            values = scope.values
            if name in values:
                value = values[name]
                converted = scope.converted
                if converted is None or value is None or type(value) in _PLAIN:
                    return value
                cached = converted.get(name, MISSING)
                if cached is MISSING:
                    cached = converted[name] = to_feel(value)
                return cached
            scope = scope.parent
        return MISSING

    def child(self, values: Mapping[str, Any]) -> Scope:
        return Scope(values, self)
