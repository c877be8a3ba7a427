"""Evaluating a decision of a graph: required decisions first, then its table or expression.

The result keeps what Zeebe reports for every evaluated decision (inputs, matched rules with
their outputs), and on failure which decision failed and why, in Camunda's words:
"Expected to evaluate decision 'X', but ...".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine import feel
from engine.dmn.hit_policies import HitPolicyViolation, table_result
from engine.dmn.model import Decision, DecisionRequirements, DecisionTable, LiteralExpression
from engine.dmn.types import type_mismatch


@dataclass(frozen=True)
class EvaluatedInput:
    input_id: str
    input_name: str
    value: Any


@dataclass(frozen=True)
class EvaluatedOutput:
    output_id: str
    output_name: str
    value: Any


@dataclass(frozen=True)
class MatchedRule:
    rule_id: str
    rule_index: int
    outputs: tuple[EvaluatedOutput, ...]


@dataclass(frozen=True)
class EvaluatedDecision:
    decision_id: str
    decision_name: str
    decision_type: str  # DECISION_TABLE | LITERAL_EXPRESSION
    output: Any
    inputs: tuple[EvaluatedInput, ...] = ()
    matched_rules: tuple[MatchedRule, ...] = ()


@dataclass(frozen=True)
class DecisionResult:
    """The outcome of evaluating one decision; `evaluated` lists required decisions first."""

    decision_id: str
    output: Any
    evaluated: tuple[EvaluatedDecision, ...]
    failed_decision_id: str | None = None
    failure_message: str | None = None

    @property
    def failed(self) -> bool:
        return self.failed_decision_id is not None


class _Failed(Exception):
    def __init__(self, decision_id: str, reason: str) -> None:
        super().__init__(reason)
        self.decision_id = decision_id
        self.reason = reason


def evaluate(graph: DecisionRequirements, decision_id: str, variables: Mapping[str, Any]) -> DecisionResult:
    """Evaluate `decision_id` of `graph` with these variables (JSON values); never raises for a
    failing evaluation: the result says which decision failed and why."""
    if decision_id not in graph.decisions:
        raise KeyError(decision_id)
    evaluated: list[EvaluatedDecision] = []
    try:
        output = _decide(graph, graph.decisions[decision_id], dict(variables), {}, evaluated)
    except _Failed as failure:
        return DecisionResult(decision_id, None, tuple(evaluated), failure.decision_id,
                              f"Expected to evaluate decision '{decision_id}', but {failure.reason}")
    return DecisionResult(decision_id, output, tuple(evaluated))


def _decide(graph: DecisionRequirements, decision: Decision, variables: dict[str, Any],
            results: dict[str, Any], evaluated: list[EvaluatedDecision]) -> Any:
    context = dict(variables)
    for required in decision.required:
        if required not in results:
            results[required] = _decide(graph, graph.decisions[required], variables, results, evaluated)
        context[graph.decisions[required].result_name or required] = results[required]
    if isinstance(decision.logic, LiteralExpression):
        raw = _raw(decision, decision.logic.text, context)
        output = feel.to_variable(raw)
        evaluated.append(EvaluatedDecision(decision.decision_id, decision.name, decision.decision_type, output))
    else:
        raw = output = _decide_table(decision, decision.logic, context, evaluated)
    mismatch = type_mismatch(decision.result_type, raw)
    if mismatch:
        raise _Failed(decision.decision_id, mismatch)
    return output


def _decide_table(decision: Decision, table: DecisionTable, context: dict[str, Any],
                  evaluated: list[EvaluatedDecision]) -> Any:
    raw_inputs = [_raw(decision, i.expression, context) for i in table.inputs]
    inputs = tuple(EvaluatedInput(i.input_id, i.name, feel.to_variable(value))
                   for i, value in zip(table.inputs, raw_inputs, strict=True))
    matched: list[MatchedRule] = []
    for rule in table.rules:
        if all(_matches(decision, entry, value, context)
               for entry, value in zip(rule.input_entries, raw_inputs, strict=True)):
            outputs = tuple(
                EvaluatedOutput(o.output_id, o.name, _value(decision, entry, context) if entry else None)
                for o, entry in zip(table.outputs, rule.output_entries, strict=True))
            matched.append(MatchedRule(rule.rule_id, rule.index, outputs))
            if table.hit_policy == "FIRST":
                break  # the first hit is the answer: later rules are not even looked at
    if not matched:  # every hit policy: the default output entries, else null (as Camunda's engine)
        defaults = {o.name: _value(decision, o.default, context) for o in table.outputs if o.default}
        output = None if not defaults else next(iter(defaults.values())) if len(defaults) == 1 else defaults
        evaluated.append(EvaluatedDecision(decision.decision_id, decision.name, decision.decision_type,
                                           output, inputs))
        return output
    try:
        output = table_result(table, [[o.value for o in rule.outputs] for rule in matched])
    except HitPolicyViolation as violation:
        evaluated.append(EvaluatedDecision(decision.decision_id, decision.name, decision.decision_type,
                                           None, inputs, tuple(matched)))
        raise _Failed(decision.decision_id, str(violation)) from None
    evaluated.append(EvaluatedDecision(decision.decision_id, decision.name, decision.decision_type,
                                       output, inputs, tuple(matched)))
    return output


def _raw(decision: Decision, text: str, context: dict[str, Any]) -> Any:
    try:
        return feel.compile(text).evaluate(context)
    except feel.FeelError as error:
        raise _Failed(decision.decision_id, f"failed to evaluate expression '{text}': {error}") from None


def _value(decision: Decision, text: str, context: dict[str, Any]) -> Any:
    return feel.to_variable(_raw(decision, text, context))


def _matches(decision: Decision, entry: str, value: Any, context: dict[str, Any]) -> bool:
    try:
        return feel.compile_unary_tests(entry or "-").matches(value, context)
    except feel.FeelError as error:
        raise _Failed(decision.decision_id, f"failed to evaluate expression '{entry}': {error}") from None
