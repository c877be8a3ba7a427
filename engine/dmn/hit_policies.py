"""From the outputs of the matched rules (at least one) to a decision table's result, per hit policy.

Each matched rule contributes its output values (one per output column). A rule's result is the
single value, or a context `{output name: value}` when the table has several outputs. Single-
result policies answer one result; RULE ORDER, OUTPUT ORDER and COLLECT answer a list, unless
COLLECT aggregates (SUM, MIN, MAX, COUNT) into one value. When no rule matched, the table answers
its default output entries instead (see `evaluation`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from engine.dmn.model import DecisionTable
from engine.feel import to_variable


class HitPolicyViolation(Exception):
    """The matched rules break the table's hit policy (e.g. two rules of a UNIQUE table)."""


def rule_result(table: DecisionTable, values: list[Any]) -> Any:
    if len(table.outputs) == 1:
        return values[0]
    return {output.name: value for output, value in zip(table.outputs, values, strict=True)}


def table_result(table: DecisionTable, matched: list[list[Any]]) -> Any:
    """The table's output for the matched rules' output values, in rule order."""
    results = [rule_result(table, values) for values in matched]
    policy = table.hit_policy
    if policy == "UNIQUE":
        if len(results) > 1:
            raise HitPolicyViolation(f"multiple values aren't allowed for UNIQUE hit policy. "
                                     f"found: '{_text(results)}'")
        return results[0] if results else None
    if policy == "FIRST":
        return results[0] if results else None
    if policy == "ANY":
        distinct = _distinct(results)
        if len(distinct) > 1:
            raise HitPolicyViolation(f"different values aren't allowed for ANY hit policy. "
                                     f"found: '{_text(distinct)}'")
        return distinct[0] if distinct else None
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        ordered = [rule_result(table, values) for values in sorted(matched, key=_priority(table))]
        if policy == "PRIORITY":
            return ordered[0] if ordered else None
        return ordered
    if policy == "COLLECT" and table.aggregation:
        return _aggregate(table.aggregation, [values[0] for values in matched])
    return results  # RULE ORDER, COLLECT


def _priority(table: DecisionTable):
    """Sort key: the position of each output value in its output's list of values, first output
    first (a value that is not listed ranks last). Python's sort is stable: ties keep rule order."""
    def key(values: list[Any]) -> tuple[int, ...]:
        ranks = []
        for output, value in zip(table.outputs, values, strict=True):
            listed = list(output.priorities)
            ranks.append(listed.index(value) if value in listed else len(listed))
        return tuple(ranks)
    return key


def _aggregate(aggregation: str, values: list[Any]) -> Any:
    if aggregation == "COUNT":
        return len(values)
    if not all(_is_number(v) for v in values):
        raise HitPolicyViolation(f"the {aggregation} aggregation expected numbers but found '{_text(values)}'")
    if aggregation == "SUM":  # in decimals, as FEEL counts: 0.1 + 0.2 is 0.3 here too
        return to_variable(sum((Decimal(str(v)) for v in values), Decimal(0)))
    return min(values) if aggregation == "MIN" else max(values)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _distinct(results: list[Any]) -> list[Any]:
    distinct: list[Any] = []
    for result in results:
        if result not in distinct:
            distinct.append(result)
    return distinct


def _text(values: Any) -> str:
    return json.dumps(values, ensure_ascii=False, default=str)
