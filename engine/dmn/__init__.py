"""DMN decisions as Camunda 8 evaluates them: decision tables and literal expressions in FEEL.

    >>> from engine import dmn
    >>> graph = dmn.parse_dmn(content, "fees.dmn")          # InvalidDmn names file, decision, problem
    >>> result = dmn.evaluate(graph, "fee", {"area": 120})
    >>> result.output, result.failed_decision_id

`parser` reads DMN 1.1–1.5 XML into the frozen values of `model` and checks every FEEL text
once; `evaluation` walks the required decisions first (each result is visible to the dependent
decision under the required decision's id) and `hit_policies` turns matched rules into the
decision's output: one value (or context, for several outputs), or a list for the multi-result
policies. Values come back JSON-ready, as Zeebe writes them into process variables.
"""

from __future__ import annotations

from engine.dmn.evaluation import DecisionResult, EvaluatedDecision, evaluate
from engine.dmn.model import Decision, DecisionRequirements
from engine.dmn.parser import InvalidDmn, as_text, parse_dmn

__all__ = [
    "Decision",
    "DecisionRequirements",
    "DecisionResult",
    "EvaluatedDecision",
    "InvalidDmn",
    "as_text",
    "evaluate",
    "parse_dmn",
]
