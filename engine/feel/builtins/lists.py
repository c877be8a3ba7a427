"""List functions."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from functools import cmp_to_key
from typing import Any

from engine.feel.builtins.registry import builtin
from engine.feel.values import DECIMAL_CONTEXT as CTX
from engine.feel.values import FeelFunction, compare, feel_equal


def _contains(items: list[Any], value: Any) -> bool:
    return any(feel_equal(item, value) is True for item in items)


@builtin("list contains(list: list, element: any)")
def list_contains(items: list[Any], element: Any) -> bool:
    return _contains(items, element)


@builtin("count(list: list)")
def count(items: list[Any]) -> Decimal:
    return Decimal(len(items))


def _extreme(items: list[Any], sign: int) -> Any:
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = compare(item, best)
        if order is None:
            return None
        if order * sign > 0:
            best = item
    if compare(best, best) is None:
        return None
    return best


@builtin("min(list: list)", "min(...items: any)")
def minimum(*args: Any) -> Any:
    items = args[0] if len(args) == 1 and type(args[0]) is list else list(args)
    return _extreme(items, -1)


@builtin("max(list: list)", "max(...items: any)")
def maximum(*args: Any) -> Any:
    items = args[0] if len(args) == 1 and type(args[0]) is list else list(args)
    return _extreme(items, 1)


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    items = args[0] if len(args) == 1 and type(args[0]) is list else list(args)
    if any(type(i) is not Decimal for i in items):
        return None
    return items


@builtin("sum(list: list)", "sum(...items: any)")
def total(*args: Any) -> Decimal | None:
    items = _numbers(args)
    if items is None or not items:
        return None
    result = Decimal(0)
    for item in items:
        result = CTX.add(result, item)
    return result


@builtin("product(list: list)", "product(...items: any)")
def product(*args: Any) -> Decimal | None:
    items = _numbers(args)
    if not items:
        return None
    result = Decimal(1)
    for item in items:
        result = CTX.multiply(result, item)
    return result


@builtin("mean(list: list)", "mean(...items: any)")
def mean(*args: Any) -> Decimal | None:
    items = _numbers(args)
    if not items:
        return None
    return CTX.divide(total(items), Decimal(len(items)))


@builtin("median(list: list)", "median(...items: any)")
def median(*args: Any) -> Decimal | None:
    items = _numbers(args)
    if not items:
        return None
    ordered = sorted(items)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return CTX.divide(CTX.add(ordered[middle - 1], ordered[middle]), Decimal(2))


@builtin("stddev(list: list)", "stddev(...items: any)")
def stddev(*args: Any) -> Decimal | None:
    items = _numbers(args)
    if not items or len(items) < 2:
        return None
    average = mean(items)
    squares = sum((CTX.power(i - average, 2) for i in items), Decimal(0))
    return Decimal(repr(math.sqrt(float(CTX.divide(squares, Decimal(len(items) - 1))))))


@builtin("mode(list: list)", "mode(...items: any)")
def mode(*args: Any) -> list[Decimal] | None:
    items = _numbers(args)
    if items is None:
        return None
    if not items:
        return []
    found = statistics.multimode(items)
    return sorted(found)


def _booleans(args: tuple[Any, ...]) -> list[Any] | None:
    items = args[0] if len(args) == 1 and type(args[0]) is list else list(args)
    return items


@builtin("and(list: list)", "and(...items: any)", "all(list: list)", "all(...items: any)")
def all_true(*args: Any) -> bool | None:
    items = _booleans(args)
    if any(i is False for i in items):
        return False
    return True if all(i is True for i in items) else None


@builtin("or(list: list)", "or(...items: any)", "any(list: list)", "any(...items: any)")
def any_true(*args: Any) -> bool | None:
    items = _booleans(args)
    if any(i is True for i in items):
        return True
    return False if all(i is False for i in items) else None


def _index(items: list[Any], position: Decimal) -> int:
    """A 1-based position (negative from the end) as a 0-based index, as feel-scala counts."""
    number = int(position)
    return number - 1 if number > 0 else len(items) + number


def _slice(items: list[Any], start: int, end: int) -> list[Any]:
    # Lenient like Scala's slice: out-of-range bounds are clamped, never an error.
    return items[max(start, 0) : max(end, 0)]


@builtin(
    "sublist(list: list, start position: number, length?: number)",
    "sublist(list: list, start: number, length?: number)",
)
def sublist(items: list[Any], start: Decimal, length: Decimal | None = None) -> list[Any] | None:
    if int(start) == 0:
        return None
    index = _index(items, start)
    end = len(items) if length is None else index + int(length)
    return _slice(items, index, end)


@builtin("append(list: list, ...items?: any)")
def append(items: list[Any], *more: Any) -> list[Any]:
    return [*items, *more]


@builtin("concatenate(...lists: any)")
def concatenate(*lists: Any) -> list[Any]:
    result: list[Any] = []
    for part in lists:
        # A value that is not a list joins as one item, as feel-scala does.
        result.extend(part if type(part) is list else [part])
    return result


@builtin("insert before(list: list, position: number, newItem: any)")
def insert_before(items: list[Any], position: Decimal, item: Any) -> list[Any] | None:
    if int(position) == 0:
        return None
    index = max(_index(items, position), 0)
    return [*items[:index], item, *items[index:]]


@builtin("remove(list: list, position: number)")
def remove(items: list[Any], position: Decimal) -> list[Any] | None:
    if int(position) == 0:
        return None
    index = _index(items, position)
    if not 0 <= index < len(items):
        return list(items)
    return [*items[:index], *items[index + 1 :]]


@builtin("reverse(list: list)")
def reverse(items: list[Any]) -> list[Any]:
    return items[::-1]


@builtin("index of(list: list, match: any)")
def index_of(items: list[Any], match: Any) -> list[Decimal]:
    return [Decimal(i + 1) for i, item in enumerate(items) if feel_equal(item, match) is True]


def _distinct(items: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if not _contains(result, item):
            result.append(item)
    return result


@builtin("union(...lists: any)")
def union(*lists: Any) -> list[Any]:
    return _distinct(concatenate(*lists))


@builtin("distinct values(list: list)")
def distinct_values(items: list[Any]) -> list[Any]:
    return _distinct(items)


@builtin("duplicate values(list: list)")
def duplicate_values(items: list[Any]) -> list[Any]:
    # In the order of their first occurrence.
    return [
        item for index, item in enumerate(_distinct(items))
        if sum(1 for other in items if feel_equal(other, item) is True) > 1
    ]


@builtin("flatten(list: list)")
def flatten(items: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if type(item) is list:
            result.extend(flatten(item))
        else:
            result.append(item)
    return result


@builtin("sort(list: list, precedes: function)")
def sort(items: list[Any], precedes: FeelFunction) -> list[Any] | None:
    if len(precedes.parameters) != 2:
        return None

    def order(a: Any, b: Any) -> int:
        before, after = precedes(a, b), precedes(b, a)
        if type(before) is not bool or type(after) is not bool:
            raise TypeError("precedes must give a boolean")  # the call gives null
        return -1 if before else (1 if after else 0)

    return sorted(items, key=cmp_to_key(order))


@builtin("is empty(list: list)")
def is_empty(items: list[Any]) -> bool:
    return not items


@builtin("partition(list: list, size: number)")
def partition(items: list[Any], size: Decimal) -> list[list[Any]] | None:
    step = int(size)
    if step <= 0:
        return None
    return [items[i : i + step] for i in range(0, len(items), step)]
