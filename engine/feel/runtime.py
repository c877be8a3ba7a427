"""What compiled closures call at evaluation time: paths, filters, unary tests, loops, calls."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.feel.properties import property_of
from engine.feel.scope import ItemScope, Scope
from engine.feel.values import FeelFunction, Range, feel_equal, range_contains

Node = Callable[[Scope], Any]
Test = Callable[[Any, Scope], Any]


def is_constant(node: Node) -> bool:
    """Whether a compiled node always gives the same value (see compiler.constant)."""
    return hasattr(node, "feel_constant")


def get_path(value: Any, key: str) -> Any:
    """`value.key`: a context entry, a property, or a projection over a list."""
    if type(value) is dict:
        return value.get(key)
    if type(value) is list:
        return [get_path(item, key) for item in value]
    if value is None:
        return None
    return property_of(value, key)


def filter_list(value: Any, condition: Node, scope: Scope) -> Any:
    """`value[condition]`: an index (1-based, negative from the end) or a boolean filter."""
    if type(value) is not list:
        return None
    if is_constant(condition):
        index = condition.feel_constant  # type: ignore[attr-defined]
        if type(index) is Decimal:
            return _at_index(value, index)
    elif not hasattr(condition, "feel_predicate"):
        # As feel-scala: a condition that gives a number without the item is an index.
        index = condition(scope)
        if type(index) is Decimal:
            return _at_index(value, index)
    # A context item's entries are names in the condition, and so is `item` itself.
    return [item for item in value if condition(ItemScope(item, scope)) is True]


def predicate(node: Node) -> Node:
    """Mark a node that gives a boolean (a comparison, a call...): never a list index."""
    node.feel_predicate = True  # type: ignore[attr-defined]
    return node


def _at_index(items: list[Any], index: Decimal) -> Any:
    position = int(index)
    if position > 0 and position <= len(items):
        return items[position - 1]
    if position < 0 and -position <= len(items):
        return items[position]
    return None


def value_test(expression: Node) -> Test:
    """A positive unary test made of an expression: equality, membership or a boolean."""

    def test(value: Any, scope: Scope) -> Any:
        expected = expression(scope)
        if type(expected) is bool and value is not None and type(value) is not bool:
            return expected
        return matches(value, expected)

    return test


def input_test(expression: Node) -> Test:
    """A unary test that uses `?`: it must evaluate to a boolean."""

    def test(value: Any, scope: Scope) -> Any:
        outcome = expression(Scope({"?": value}, scope))
        return outcome if type(outcome) is bool else None

    return test


def matches(value: Any, expected: Any) -> Any:
    if type(expected) is Range:
        return range_contains(expected, value)
    if type(expected) is list:
        if type(value) is list and feel_equal(value, expected) is True:
            return True
        for element in expected:
            if type(element) is Range:
                if range_contains(element, value) is True:
                    return True
            elif feel_equal(element, value) is True:
                return True
        return False
    return feel_equal(value, expected)


def any_test(tests: list[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]

    def test(value: Any, scope: Scope) -> Any:
        unknown = False
        for one in tests:
            outcome = one(value, scope)
            if outcome is True:
                return True
            if outcome is not False:
                unknown = True
        return None if unknown else False

    return test


def iterable(value: Any) -> list[Any] | None:
    if type(value) is list:
        return value
    if type(value) is Range:
        return range_items(value.start, value.end, value.start_included, value.end_included)
    return None


def range_items(start: Any, end: Any, start_in: bool = True, end_in: bool = True) -> list[Any] | None:
    if type(start) is not Decimal or type(end) is not Decimal:
        return None
    if start == start.to_integral_value() and end == end.to_integral_value():
        first, last = int(start), int(end)
        step = 1 if last >= first else -1
        items = [Decimal(i) for i in range(first, last + step, step)]
    else:  # steps of one from the start, as feel-scala's ranges of decimals
        count = int(abs(end - start)) + 1
        step = Decimal(1) if end >= start else Decimal(-1)
        items = [start + step * i for i in range(count)]
    if not start_in and items:
        items = items[1:]
    if not end_in and items:
        items = items[:-1]
    return items


def loop(
    iterations: list[tuple[str, Node]],
    depth: int,
    scope: Scope,
    bound: dict[str, Any],
    body: Node,
    results: list[Any],
    partial: bool = False,
) -> bool:
    """Run body over the cartesian product of the iterations; False if one is not a list."""
    name, source = iterations[depth]
    items = source(Scope(dict(bound), scope))
    if items is None:
        return False
    last = depth == len(iterations) - 1
    for item in items:
        bound[name] = item
        if last:
            if partial:
                bound["partial"] = list(results)
            results.append(body(Scope(dict(bound), scope)))
        elif not loop(iterations, depth + 1, scope, bound, body, results, partial):
            return False
    return True


def invoke(function: FeelFunction, args: list[Any], names: list[Any] | None) -> Any:
    """Call a function value with positional or named arguments."""
    if names is not None:
        by_name = dict(zip(names, args, strict=True))
        if set(by_name) - set(function.parameters):
            return None
        args = [by_name.get(p) for p in function.parameters]  # missing ones are null
    elif len(args) != len(function.parameters):
        return None  # no function with that many parameters
    return function.call(*args)
