"""Range functions (DMN 1.4+): before, after, meets, overlaps, includes, ...

A point compares like the range [point..point]; mismatched types give null.
"""

from __future__ import annotations

from typing import Any

from engine.feel.builtins.registry import builtin
from engine.feel.values import Range, compare


def _order(a: Any, b: Any) -> int:
    order = compare(a, b)
    if order is None:
        raise TypeError("values do not compare")
    return order


def _lt(a: Any, b: Any) -> bool:
    return _order(a, b) < 0


def _eq(a: Any, b: Any) -> bool:
    return _order(a, b) == 0


def _point(value: Any) -> Range:
    return Range(value, value, True, True)


@builtin(
    "before(point1: point, point2: point)",
    "before(point: point, range: range)",
    "before(range: range, point: point)",
    "before(range1: range, range2: range)",
)
def before(a: Any, b: Any) -> bool:
    a = a if type(a) is Range else _point(a)
    b = b if type(b) is Range else _point(b)
    return _lt(a.end, b.start) or (
        (not a.end_included or not b.start_included) and _eq(a.end, b.start)
    )


@builtin(
    "after(point1: point, point2: point)",
    "after(point: point, range: range)",
    "after(range: range, point: point)",
    "after(range1: range, range2: range)",
)
def after(a: Any, b: Any) -> bool:
    return before(b, a)


@builtin("meets(range1: range, range2: range)")
def meets(a: Range, b: Range) -> bool:
    return a.end_included and b.start_included and _eq(a.end, b.start)


@builtin("met by(range1: range, range2: range)")
def met_by(a: Range, b: Range) -> bool:
    return meets(b, a)


@builtin("overlaps(range1: range, range2: range)")
def overlaps(a: Range, b: Range) -> bool:
    return (
        _lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_included and b.start_included)
    ) and (
        _lt(a.start, b.end) or (_eq(a.start, b.end) and a.start_included and b.end_included)
    )


@builtin("overlaps before(range1: range, range2: range)")
def overlaps_before(a: Range, b: Range) -> bool:
    return (
        (_lt(a.start, b.start) or (_eq(a.start, b.start) and a.start_included and not b.start_included))
        and (_lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_included and b.start_included))
        and (_lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_included or b.end_included)))
    )


@builtin("overlaps after(range1: range, range2: range)")
def overlaps_after(a: Range, b: Range) -> bool:
    return overlaps_before(b, a)


@builtin("finishes(point: point, range: range)", "finishes(range1: range, range2: range)")
def finishes(a: Any, b: Range) -> bool:
    if type(a) is not Range:
        return b.end_included and _eq(b.end, a)
    return (
        a.end_included == b.end_included
        and _eq(a.end, b.end)
        and (_lt(b.start, a.start) or (_eq(a.start, b.start) and (not a.start_included or b.start_included)))
    )


@builtin("finished by(range: range, point: point)", "finished by(range1: range, range2: range)")
def finished_by(a: Range, b: Any) -> bool:
    return finishes(b, a)


@builtin("includes(range: range, point: point)", "includes(range1: range, range2: range)")
def includes(a: Range, b: Any) -> bool:
    if type(b) is not Range:
        return (_lt(a.start, b) or (_eq(a.start, b) and a.start_included)) and (
            _lt(b, a.end) or (_eq(a.end, b) and a.end_included)
        )
    return (
        _lt(a.start, b.start) or (_eq(a.start, b.start) and (a.start_included or not b.start_included))
    ) and (_lt(b.end, a.end) or (_eq(a.end, b.end) and (a.end_included or not b.end_included)))


@builtin("during(point: point, range: range)", "during(range1: range, range2: range)")
def during(a: Any, b: Range) -> bool:
    return includes(b, a)


@builtin("starts(point: point, range: range)", "starts(range1: range, range2: range)")
def starts(a: Any, b: Range) -> bool:
    if type(a) is not Range:
        return b.start_included and _eq(b.start, a)
    return (
        _eq(a.start, b.start)
        and a.start_included == b.start_included
        and (_lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_included or b.end_included)))
    )


@builtin("started by(range: range, point: point)", "started by(range1: range, range2: range)")
def started_by(a: Range, b: Any) -> bool:
    return starts(b, a)


@builtin("coincides(point1: point, point2: point)", "coincides(range1: range, range2: range)")
def coincides(a: Any, b: Any) -> bool:
    if type(a) is not Range:
        return _eq(a, b)
    return (
        _eq(a.start, b.start)
        and a.start_included == b.start_included
        and _eq(a.end, b.end)
        and a.end_included == b.end_included
    )
