"""DMN decisions as Camunda 8 evaluates them: every hit policy, literal expressions, required
decisions, and the messages a modeller reads when a DMN file cannot be deployed."""
from __future__ import annotations

import pytest

from engine import dmn as decisions
from engine.runtime import Rejection

from .dmn_documents import dmn, literal, table

# The fee for a construction permit dossier, by kind of work and floor area (m²).
FEE_RULES = [
    (['"new"', ">= 250"], ["150000", '"large"']),
    (['"new"', "< 250"], ["75000", '"small"']),
    (['"repair"', "-"], ["50000", '"repair"']),
    (["-", "> 1000"], ["300000", '"special"']),
]


def fee_table(hit_policy: str, aggregation: str | None = None, outputs=("fee", "band"), **options) -> str:
    rules = [(entries, results[: len(outputs)]) for entries, results in FEE_RULES]
    return dmn(table("permit-fee", ["kind", "area"], list(outputs), rules, hit_policy=hit_policy,
                     aggregation=aggregation, **options))


def decide(document: str, decision_id: str = "permit-fee", **variables):
    return decisions.evaluate(decisions.parse_dmn(document.encode(), "fees.dmn"), decision_id, variables)


def output(document: str, decision_id: str = "permit-fee", **variables):
    result = decide(document, decision_id, **variables)
    assert not result.failed, result.failure_message
    return result.output


def test_unique_gives_the_one_matching_rule_as_a_context_of_the_outputs():
    assert output(fee_table("UNIQUE"), kind="new", area=120) == {"fee": 75000, "band": "small"}
    assert output(fee_table("UNIQUE"), kind="demolition", area=50) is None


def test_unique_with_two_matching_rules_fails_naming_the_decision_and_the_values():
    result = decide(fee_table("UNIQUE", outputs=("fee",)), kind="new", area=2000)
    assert result.failed and result.failed_decision_id == "permit-fee"
    assert result.failure_message == ("Expected to evaluate decision 'permit-fee', but multiple values aren't "
                                      "allowed for UNIQUE hit policy. found: '[150000, 300000]'")


def test_first_takes_the_first_matching_rule_in_table_order():
    assert output(fee_table("FIRST", outputs=("fee",)), kind="new", area=2000) == 150000
    assert output(fee_table("FIRST", outputs=("fee",)), kind="other", area=2000) == 300000


def test_any_accepts_several_rules_only_when_they_agree():
    agreeing = dmn(table("permit-fee", ["area"], ["fee"], [([">= 100"], ["10"]), ([">= 200"], ["10"])],
                         hit_policy="ANY"))
    assert output(agreeing, area=300) == 10
    result = decide(fee_table("ANY", outputs=("fee",)), kind="new", area=2000)
    assert result.failure_message.endswith("different values aren't allowed for ANY hit policy. "
                                           "found: '[150000, 300000]'")


def test_priority_takes_the_rule_whose_output_comes_first_in_the_output_values():
    document = fee_table("PRIORITY", output_values={"band": '"special","large","small","repair"'})
    assert output(document, kind="new", area=2000) == {"fee": 300000, "band": "special"}
    assert output(document, kind="new", area=300) == {"fee": 150000, "band": "large"}


def test_output_order_lists_all_matches_by_output_priority():
    document = fee_table("OUTPUT ORDER", outputs=("fee",), output_values={"fee": "300000, 150000, 75000"})
    assert output(document, kind="new", area=2000) == [300000, 150000]
    assert output(document, kind="demolition", area=10) is None  # no match: null, as Camunda's engine


def test_rule_order_lists_all_matches_in_table_order():
    assert output(fee_table("RULE ORDER", outputs=("fee",)), kind="new", area=2000) == [150000, 300000]


def test_collect_lists_matches_and_aggregates_with_sum_min_max_count():
    assert output(fee_table("COLLECT"), kind="new", area=2000) == [
        {"fee": 150000, "band": "large"}, {"fee": 300000, "band": "special"}]
    assert output(fee_table("COLLECT", "SUM", outputs=("fee",)), kind="new", area=2000) == 450000
    assert output(fee_table("COLLECT", "MIN", outputs=("fee",)), kind="new", area=2000) == 150000
    assert output(fee_table("COLLECT", "MAX", outputs=("fee",)), kind="new", area=2000) == 300000
    assert output(fee_table("COLLECT", "COUNT", outputs=("fee",)), kind="new", area=2000) == 2
    assert output(fee_table("COLLECT", "COUNT", outputs=("fee",)), kind="none", area=1) is None
    assert output(fee_table("COLLECT", "SUM", outputs=("fee",)), kind="none", area=1) is None
    refused = decide(dmn(table("permit-fee", ["area"], ["band"], [(["-"], ['"large"'])], hit_policy="COLLECT",
                               aggregation="MAX")), area=1)
    assert refused.failure_message.endswith("the MAX aggregation expected numbers but found '[\"large\"]'")


def test_no_matching_rule_gives_the_default_output_entries_for_every_hit_policy():
    for policy in ("UNIQUE", "FIRST", "RULE ORDER", "COLLECT"):
        document = fee_table(policy, defaults={"fee": "area * 100"})
        assert output(document, kind="demolition", area=12) == 1200, policy
    both = fee_table("UNIQUE", defaults={"fee": "0", "band": '"none"'})
    assert output(both, kind="demolition", area=12) == {"fee": 0, "band": "none"}
    assert output(both, kind="repair", area=12) == {"fee": 50000, "band": "repair"}


def test_literal_expression_and_required_decisions_by_their_id():
    document = dmn(
        table("permit-fee", ["kind", "area"], ["fee"], [(e, r[:1]) for e, r in FEE_RULES], hit_policy="FIRST"),
        literal("surcharge", 'if urgent then 0.5 else 0'),
        literal("total-fee", "permit-fee * (1 + surcharge)", required=("permit-fee", "surcharge")),
    )
    result = decide(document, "total-fee", kind="new", area=120, urgent=True)
    assert result.output == 112500
    assert [(d.decision_id, d.decision_type, d.output) for d in result.evaluated] == [
        ("permit-fee", "DECISION_TABLE", 75000), ("surcharge", "LITERAL_EXPRESSION", 0.5),
        ("total-fee", "LITERAL_EXPRESSION", 112500)]
    fee = result.evaluated[0]
    assert [(i.input_name, i.value) for i in fee.inputs] == [("kind", "new"), ("area", 120)]
    assert [(r.rule_id, r.rule_index, r.outputs[0].value) for r in fee.matched_rules] == [("permit-fee-r2", 2, 75000)]


def test_a_failing_required_decision_is_named_as_the_failed_one():
    document = dmn(table("band", ["area"], ["band"], [([">= 1"], ['"a"']), ([">= 2"], ['"b"'])]),
                   literal("label", '"band " + band', required=("band",)))
    result = decide(document, "label", area=5)
    assert result.failed_decision_id == "band"
    assert result.failure_message.startswith("Expected to evaluate decision 'label', but multiple values")


def test_input_entries_use_question_mark_lists_ranges_and_negation():
    document = dmn(table("channel", ["phone", "age"], ["channel"], [
        (['starts with(?, "09")', "[18..60]"], ['"sms"']),
        (["-", "not([18..60])"], ['"post"']),
        (["-", "-"], ['"counter"'])], hit_policy="FIRST"))
    assert output(document, "channel", phone="0912", age=30) == "sms"
    assert output(document, "channel", phone="0912", age=70) == "post"
    assert output(document, "channel", phone="0212", age=30) == "counter"


@pytest.mark.parametrize("namespace", [
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd", "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/", "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/"])
def test_every_dmn_version_camunda_accepts_is_read(namespace):
    assert output(dmn(literal("answer", "6 * 7"), namespace=namespace), "answer") == 42


@pytest.mark.parametrize(("document", "message"), [
    (dmn(table("permit-fee", ["area"], ["fee"], [([">= 100"], ["1"])], hit_policy="BIGGEST")),
     "'fees.dmn' decision 'permit-fee': unknown hit policy 'BIGGEST'"),
    (dmn(table("permit-fee", ["area +"], ["fee"], [([">= 100"], ["1"])])),
     "'fees.dmn' decision 'permit-fee': the FEEL expression 'area +' of 'in-0' is invalid"),
    (dmn(table("permit-fee", ["area"], ["fee"], [([">= >= 100"], ["1"])])),
     "'fees.dmn' decision 'permit-fee': the FEEL unary tests '>= >= 100' of 'permit-fee-r1' are invalid"),
    (dmn(table("permit-fee", ["area"], ["fee"], [([">= 100"], ["1 +"])])),
     "'fees.dmn' decision 'permit-fee': the FEEL expression '1 +' of 'permit-fee-r1' is invalid"),
    (dmn(literal("a", "b", required=("b",)), literal("b", "a", required=("a",))),
     "'fees.dmn' decision 'a': the required decisions form a cycle: a -> b -> a"),
    (dmn(literal("d0", "1"), *[literal(f"d{i}", f"d{i - 1} + 1", required=(f"d{i - 1}",)) for i in range(1, 2000)]),
     "'fees.dmn' decision 'd100': the required decisions nest deeper than 100 levels"),
    (dmn(literal("a", "b", required=("b",))),
     "'fees.dmn' decision 'a': the required decision 'b' is not in this file"),
    (dmn(table("permit-fee", ["area"], ["fee", "band"], [([">= 100"], ["1", "2"])], hit_policy="COLLECT",
               aggregation="SUM")),
     "'fees.dmn' decision 'permit-fee': the aggregation SUM needs exactly one output"),
    (dmn(table("permit-fee", ["area", "kind"], ["fee"], [([">= 100"], ["1"])])),
     "'fees.dmn' decision 'permit-fee': the rule 'permit-fee-r1' has 1 input entries"),
    (dmn(literal("permit-fee", "fee > 1")).replace('<literalExpression id="permit-fee-expr">',
                                                  '<literalExpression id="permit-fee-expr" expressionLanguage="juel">'),
     "'fees.dmn' decision 'permit-fee': the expression language 'juel' of 'permit-fee-expr' is not supported"),
    ("<definitions", "'fees.dmn': the XML is not well formed"),
    ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="x"/>',
     "'fees.dmn': expected a DMN 'definitions' element"),
])
def test_invalid_dmn_is_refused_naming_file_decision_and_problem(kit, document, message):
    with pytest.raises(Rejection) as refused:
        kit.deploy_text("fees.dmn", document)
    assert refused.value.code == "INVALID_ARGUMENT"
    assert message in refused.value.reason
    assert refused.value.reason.startswith("Expected to deploy new resources, but encountered the following errors:")


def test_collect_sum_counts_in_decimals_like_feel():
    document = dmn(table("surcharge", ["urgent", "night"], ["rate"], [
        (["true", "-"], ["0.1"]), (["-", "true"], ["0.2"])], hit_policy="COLLECT", aggregation="SUM"))
    assert output(document, "surcharge", urgent=True, night=True) == 0.3


def test_a_required_literal_decision_is_read_by_its_variable_name():
    document = dmn(
        literal("base-fee", "1000").replace('name="base-fee"/>', 'name="baseFee"/>'),
        literal("fee", "baseFee * 2", required=("base-fee",)))
    assert output(document, "fee") == 2000


def test_inputs_without_label_and_outputs_are_reported_as_zeebe_does():
    document = dmn(table("band", ["area"], ["band"], [([">= 100"], ['"large"'])]).replace(' label="area"', ""))
    [evaluated] = decide(document, "band", area=120).evaluated
    assert [(i.input_id, i.input_name, i.value) for i in evaluated.inputs] == [("in-0", "", 120)]
    assert [(o.output_id, o.output_name, o.value) for o in evaluated.matched_rules[0].outputs] == [
        ("out-0", "band", "large")]


def test_the_result_must_be_of_the_decision_variables_type():
    def typed(expression: str, type_ref: str) -> str:
        return dmn(literal("fee", expression).replace('name="fee"/>', f'name="fee" typeRef="{type_ref}"/>'))

    assert output(typed("1500", "number"), "fee") == 1500
    assert output(typed("null", "number"), "fee") is None
    assert output(typed('date("2026-03-02")', "date"), "fee") == "2026-03-02"
    refused = decide(typed('"1500"', "number"), "fee")
    assert refused.failure_message == "Expected to evaluate decision 'fee', but expected 'number' but found '\"1500\"'"
    assert decide(typed("1500", "string"), "fee").failure_message.endswith("expected 'string' but found '1500'")


def test_a_decision_required_twice_is_evaluated_once():
    document = dmn(literal("base", "100"), literal("tax", "base * 0.1", required=("base",)),
                   literal("total", "base + tax", required=("base", "tax")))
    result = decide(document, "total")
    assert result.output == 110
    assert [d.decision_id for d in result.evaluated] == ["base", "tax", "total"]
