"""DMN XML (1.1 to 1.5, the namespaces Camunda Modeler writes) into `model` values.

Every FEEL text is compiled here, so a broken expression is refused at deployment with the
file, the decision and the element named, not discovered by the first dossier that needs it.
"""

from __future__ import annotations

from lxml import etree

from engine import feel
from engine.dmn.model import (
    AGGREGATIONS,
    HIT_POLICIES,
    Decision,
    DecisionRequirements,
    DecisionTable,
    Input,
    LiteralExpression,
    Output,
    Rule,
)

DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",  # 1.1
    "http://www.omg.org/spec/DMN/20180521/MODEL/",  # 1.2
    "https://www.omg.org/spec/DMN/20191111/MODEL/",  # 1.3
    "https://www.omg.org/spec/DMN/20211108/MODEL/",  # 1.4
    "https://www.omg.org/spec/DMN/20230324/MODEL/",  # 1.5
)

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MAX_DEPTH = 100  # levels of required decisions

# No DTDs, no entities, no network: a DMN file is data, never a way to read the server's files.
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def as_text(content: bytes) -> str:
    """A deployed (so well-formed) DMN resource as text, whatever its XML encoding."""
    return etree.tostring(etree.fromstring(content, _XML), encoding="unicode")


class InvalidDmn(Exception):
    """A DMN resource that cannot be deployed; the message names file, decision and problem."""


def parse_dmn(content: bytes, resource_name: str) -> DecisionRequirements:
    try:
        root = etree.fromstring(content, _XML)
    except etree.XMLSyntaxError as broken:
        raise InvalidDmn(f"'{resource_name}': the XML is not well formed: {broken}") from None
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "definitions" or namespace not in DMN_NAMESPACES:
        raise InvalidDmn(
            f"'{resource_name}': expected a DMN 'definitions' element in one of the namespaces "
            f"{', '.join(DMN_NAMESPACES)}, but found '{root.tag}'")
    return _Reader(resource_name, namespace).graph(root)


class _Reader:
    def __init__(self, resource_name: str, namespace: str) -> None:
        self.resource_name = resource_name
        self.ns = {"dmn": namespace}
        self.decision_id: str | None = None  # the decision being read, for messages

    def fail(self, decision_id: str | None, problem: str) -> InvalidDmn:
        where = f" decision '{decision_id}'" if decision_id else ""
        return InvalidDmn(f"'{self.resource_name}'{where}: {problem}")

    def graph(self, root) -> DecisionRequirements:
        requirements_id = root.get("id")
        if not requirements_id:
            raise self.fail(None, "the 'definitions' element has no id")
        decisions: dict[str, Decision] = {}
        for node in root.findall("dmn:decision", self.ns):
            decision = self.decision(node)
            if decision.decision_id in decisions:
                raise self.fail(decision.decision_id, "the decision id is used twice in this file")
            decisions[decision.decision_id] = decision
        if not decisions:
            raise self.fail(None, "the file contains no decision")
        for decision in decisions.values():
            for required in decision.required:
                if required not in decisions:
                    raise self.fail(decision.decision_id,
                                    f"the required decision '{required}' is not in this file")
        _check_acyclic(decisions, self)
        return DecisionRequirements(requirements_id, root.get("name") or requirements_id,
                                    root.get("namespace") or "", decisions)

    def decision(self, node) -> Decision:
        decision_id = node.get("id")
        self.decision_id = decision_id
        if not decision_id:
            raise self.fail(None, f"a decision has no id (name '{node.get('name', '')}')")
        required = tuple(
            (ref.get("href") or "").lstrip("#")
            for ref in node.findall("dmn:informationRequirement/dmn:requiredDecision", self.ns))
        table = node.find("dmn:decisionTable", self.ns)
        literal = node.find("dmn:literalExpression", self.ns)
        if table is not None:
            logic: DecisionTable | LiteralExpression = self.table(decision_id, table)
        elif literal is not None:
            text = self.text(literal)
            if not text:
                raise self.fail(decision_id, "the literal expression is empty")
            self.expression(decision_id, literal.get("id") or decision_id, text)
            logic = LiteralExpression(text)
        else:
            raise self.fail(decision_id, "expected a decision table or a literal expression, "
                                         "but the decision has neither")
        tag = node.find(f"dmn:extensionElements/{{{ZEEBE_NS}}}versionTag", self.ns)
        version_tag = ((tag.get("value") or "").strip() or None) if tag is not None else None
        variable = node.find("dmn:variable", self.ns)
        result_name = (variable.get("name") if variable is not None else None) or decision_id
        result_type = (variable.get("typeRef") if variable is not None else None) or None
        return Decision(decision_id, node.get("name") or decision_id, logic, required, version_tag, result_name,
                        result_type)

    def table(self, decision_id: str, node) -> DecisionTable:
        hit_policy = (node.get("hitPolicy") or "UNIQUE").strip().upper()
        if hit_policy not in HIT_POLICIES:
            raise self.fail(decision_id, f"unknown hit policy '{hit_policy}', expected one of "
                                         f"{', '.join(HIT_POLICIES)}")
        aggregation = node.get("aggregation")
        if aggregation is not None:
            aggregation = aggregation.strip().upper()
            if hit_policy != "COLLECT":
                raise self.fail(decision_id, f"the aggregation '{aggregation}' is only allowed with "
                                             f"the hit policy COLLECT, not {hit_policy}")
            if aggregation not in AGGREGATIONS:
                raise self.fail(decision_id, f"unknown aggregation '{aggregation}', expected one of "
                                             f"{', '.join(AGGREGATIONS)}")
        inputs = tuple(self.input(decision_id, n) for n in node.findall("dmn:input", self.ns))
        outputs = tuple(self.output(decision_id, n) for n in node.findall("dmn:output", self.ns))
        if not outputs:
            raise self.fail(decision_id, "the decision table has no output")
        if len(outputs) > 1:
            unnamed = [o.output_id for o in outputs if not o.name]
            if unnamed:
                raise self.fail(decision_id, f"the output '{unnamed[0]}' has no name; a table with "
                                             "several outputs needs a name for each")
            if aggregation:
                raise self.fail(decision_id, f"the aggregation {aggregation} needs exactly one output, "
                                             f"but the table has {len(outputs)}")
        rules = tuple(self.rule(decision_id, n, index, len(inputs), len(outputs))
                      for index, n in enumerate(node.findall("dmn:rule", self.ns), start=1))
        return DecisionTable(hit_policy, aggregation, inputs, outputs, rules)

    def input(self, decision_id: str, node) -> Input:
        input_id = node.get("id") or ""
        expression_node = node.find("dmn:inputExpression", self.ns)
        text = self.text(expression_node) if expression_node is not None else ""
        if not text:
            raise self.fail(decision_id, f"the input '{input_id}' has no input expression")
        self.expression(decision_id, input_id, text)
        values = node.find("dmn:inputValues", self.ns)
        if values is not None and self.text(values):
            self.unary_tests(decision_id, input_id, self.text(values))
        return Input(input_id, node.get("label") or "", text)

    def output(self, decision_id: str, node) -> Output:
        output_id = node.get("id") or ""
        priorities: tuple = ()
        values = node.find("dmn:outputValues", self.ns)
        if values is not None and self.text(values):
            text = self.text(values)
            try:
                listed = feel.evaluate(f"[{text}]")
            except feel.FeelError as error:
                raise self.fail(decision_id, f"the output values of '{output_id}' are not a FEEL "
                                             f"list of values: {error}") from None
            priorities = tuple(feel.to_variable(v) for v in listed)
        default = node.find("dmn:defaultOutputEntry", self.ns)
        default_text = self.text(default) if default is not None else ""
        if default_text:
            self.expression(decision_id, output_id, default_text)
        name = node.get("name") or ""
        return Output(output_id, name, node.get("label") or name or output_id, priorities, default_text or None)

    def rule(self, decision_id: str, node, index: int, inputs: int, outputs: int) -> Rule:
        rule_id = node.get("id") or f"rule {index}"
        entries = [self.text(n) for n in node.findall("dmn:inputEntry", self.ns)]
        results = [self.text(n) for n in node.findall("dmn:outputEntry", self.ns)]
        if len(entries) != inputs or len(results) != outputs:
            raise self.fail(decision_id, f"the rule '{rule_id}' has {len(entries)} input entries and "
                                         f"{len(results)} output entries, but the table has {inputs} "
                                         f"inputs and {outputs} outputs")
        for entry in entries:
            self.unary_tests(decision_id, rule_id, entry)
        for result in results:
            if result:
                self.expression(decision_id, rule_id, result)
        return Rule(rule_id, index, tuple(entries), tuple(results))

    def text(self, node) -> str:
        language = node.get("expressionLanguage")
        if language and not _is_feel(language):
            raise self.fail(self.decision_id, f"the expression language '{language}' of "
                                              f"'{node.get('id') or etree.QName(node).localname}' is not "
                                              "supported: Camunda 8 evaluates FEEL only")
        text = node.find("dmn:text", self.ns)
        return (text.text or "").strip() if text is not None else ""

    def expression(self, decision_id: str, element_id: str, text: str) -> None:
        try:
            feel.compile(text)
        except feel.FeelError as error:
            raise self.fail(decision_id, f"the FEEL expression '{text}' of '{element_id}' is "
                                         f"invalid: {error}") from None

    def unary_tests(self, decision_id: str, element_id: str, text: str) -> None:
        try:
            feel.compile_unary_tests(text or "-")
        except feel.FeelError as error:
            raise self.fail(decision_id, f"the FEEL unary tests '{text}' of '{element_id}' are "
                                         f"invalid: {error}") from None


def _is_feel(language: str) -> bool:
    """`feel`, or one of the FEEL namespaces of DMN 1.1-1.5 (1.5 names its own model namespace)."""
    lowered = language.strip().lower()
    return lowered == "feel" or "/feel/" in lowered or lowered.rstrip("/").endswith("/feel") or (
        lowered == DMN_NAMESPACES[-1].lower())


def _check_acyclic(decisions: dict[str, Decision], reader: _Reader) -> None:
    """Required decisions must form a graph without cycles (a decision cannot wait on itself), and
    not nest deeper than MAX_DEPTH (evaluation walks them recursively). Iterative: a hostile file
    with a very long chain must not exhaust Python's stack here."""
    depth: dict[str, int] = {}
    for start in decisions:
        if start in depth:
            continue
        path: list[str] = [start]
        pending: list[list[str]] = [list(decisions[start].required)]
        while path:
            if pending[-1]:
                nxt = pending[-1].pop()
                if nxt in path:
                    cycle = path[path.index(nxt):] + [nxt]
                    raise reader.fail(nxt, f"the required decisions form a cycle: {' -> '.join(cycle)}")
                if nxt not in depth:
                    path.append(nxt)
                    pending.append(list(decisions[nxt].required))
                continue
            done = path.pop()
            pending.pop()
            depth[done] = 1 + max((depth[r] for r in decisions[done].required), default=0)
            if depth[done] > MAX_DEPTH:
                raise reader.fail(done, f"the required decisions nest deeper than {MAX_DEPTH} levels")
