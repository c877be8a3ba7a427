"""What a DMN resource says, after parsing: a decision requirements graph of decisions."""

from __future__ import annotations

from dataclasses import dataclass, field

SINGLE_RESULT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY")
MULTI_RESULT_POLICIES = ("COLLECT", "RULE ORDER", "OUTPUT ORDER")
HIT_POLICIES = SINGLE_RESULT_POLICIES + MULTI_RESULT_POLICIES
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")


@dataclass(frozen=True)
class Input:
    input_id: str
    name: str  # the label (may be empty), as Zeebe reports the input
    expression: str


@dataclass(frozen=True)
class Output:
    output_id: str
    name: str  # the context key when a table has several outputs (may be empty for one output)
    label: str
    priorities: tuple = ()  # output values, highest priority first (PRIORITY, OUTPUT ORDER)
    default: str | None = None  # FEEL of the default output entry: the output when no rule matched


@dataclass(frozen=True)
class Rule:
    rule_id: str
    index: int  # 1-based, as Zeebe reports matched rules
    input_entries: tuple[str, ...]
    output_entries: tuple[str, ...]


@dataclass(frozen=True)
class DecisionTable:
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]

    @property
    def single_result(self) -> bool:
        return self.hit_policy in SINGLE_RESULT_POLICIES or self.aggregation is not None


@dataclass(frozen=True)
class LiteralExpression:
    text: str


@dataclass(frozen=True)
class Decision:
    decision_id: str
    name: str
    logic: DecisionTable | LiteralExpression
    required: tuple[str, ...] = ()
    version_tag: str | None = None  # zeebe:versionTag, for bindingType="versionTag"
    result_name: str = ""  # the name a dependent decision reads the result by: variable name, else id
    result_type: str | None = None  # the variable's typeRef: the result must be of it (or null)

    @property
    def decision_type(self) -> str:
        return "DECISION_TABLE" if isinstance(self.logic, DecisionTable) else "LITERAL_EXPRESSION"


@dataclass(frozen=True)
class DecisionRequirements:
    """One DMN file: its `definitions` element (id, name, namespace) and its decisions."""

    requirements_id: str
    name: str
    namespace: str
    decisions: dict[str, Decision] = field(default_factory=dict)
