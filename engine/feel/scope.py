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


class ItemScope(Scope):
    """The scope of a filter condition: the item's entries, then `item`, then the outer scope."""

    __slots__ = ("item",)

    def __init__(self, item: Any, parent: Scope) -> None:
        super().__init__(item if type(item) is dict else _EMPTY, parent)
        self.item = item

    def lookup(self, name: str) -> Any:
        values = self.values
        if name in values:
            return values[name]
        if name == "item":
            return self.item
        return self.parent.lookup(name)  # type: ignore[union-attr]


_EMPTY: dict[str, Any] = {}
