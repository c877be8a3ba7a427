"""Business rule tasks that call DMN decisions (`zeebe:calledDecision`), DMN deployments, versions,
incidents, records, and what survives an engine restart."""
from __future__ import annotations

import pytest

from engine.runtime import Rejection

from .conftest import chain, process, service
from .dmn_documents import dmn, literal, table


def fee_decision(small_fee: str = "75000") -> str:
    return dmn(table("permit-fee", ["kind", "area"], ["fee"], [
        (['"new"', ">= 250"], ["150000"]),
        (['"new"', "< 250"], [small_fee]),
        (['"repair"', "-"], ["50000"])], name="Permit fee"), drg_id="fees", name="Fees")


def rule_task(decision_id: str = "permit-fee", result: str = "fee", extra: str = "") -> str:
    return (f'<bpmn:businessRuleTask id="decide-fee"><bpmn:extensionElements>'
            f'<zeebe:calledDecision decisionId="{decision_id}" resultVariable="{result}"/>{extra}'
            f'</bpmn:extensionElements></bpmn:businessRuleTask>')


def fee_process(decision_id: str = "permit-fee", extra: str = "", result: str = "fee") -> str:
    return process("permit", '<bpmn:startEvent id="s"/>' + service("check", "dossier.check") + rule_task(
        decision_id, result, extra) + service("notify", "notify.sms") + '<bpmn:endEvent id="e"/>'
        + chain("s", "check", "decide-fee", "notify", "e"))


def test_business_rule_task_writes_the_decision_output_without_a_job(kit):
    kit.deploy_text("fees.dmn", fee_decision())
    kit.deploy_text("permit.bpmn", fee_process())
    dossier = kit.start("permit", kind="new", area=120)
    kit.complete_job("dossier.check")
    assert dossier.passed("decide-fee") and dossier.is_waiting_at("notify")
    assert dossier.variables["fee"] == 75000
    assert dossier.decision_outputs() == {"permit-fee": 75000}
    assert kit.jobs("permit-fee") == [] and not dossier.incidents()
    notify = kit.complete_job("notify.sms")
    assert notify["type"] == "notify.sms" and dossier.is_completed()


def test_decision_id_expression_and_io_mappings(kit):
    kit.deploy_text("fees.dmn", fee_decision())
    kit.deploy_text("permit.bpmn", fee_process("=decisionName", '<zeebe:ioMapping>'
                                               '<zeebe:input source="=floorArea" target="area"/>'
                                               '<zeebe:output source="=fee * 2" target="doubleFee"/>'
                                               '</zeebe:ioMapping>'))
    dossier = kit.start("permit", kind="new", floorArea=300, decisionName="permit-fee")
    kit.complete_job("dossier.check")
    # As in Zeebe: with output mappings, the result variable stays local to the task.
    assert dossier.variables == {"kind": "new", "floorArea": 300, "decisionName": "permit-fee", "doubleFee": 300000}
    assert dossier.decision_outputs() == {"permit-fee": 150000}


def test_engine_restart_between_deploy_and_evaluation_keeps_decisions(kit):
    kit.deploy_text("fees.dmn", fee_decision())
    kit.deploy_text("permit.bpmn", fee_process())
    dossier = kit.start("permit", kind="new", area=300)
    kit.restart()
    kit.complete_job("dossier.check")
    assert dossier.variables["fee"] == 150000
    assert kit.evaluate_decision("permit-fee", kind="repair") == 50000


def test_missing_decision_is_an_incident_resolved_after_deploying_it(kit):
    kit.deploy_text("permit.bpmn", fee_process())
    dossier = kit.start("permit", kind="new", area=120)
    kit.complete_job("dossier.check")
    [incident] = dossier.incidents()
    assert incident["type"] == "CALLED_DECISION_ERROR" and incident["element_id"] == "decide-fee"
    assert incident["message"] == ("Expected to evaluate decision 'permit-fee', but no decision found for id "
                                   "'permit-fee'")
    kit.restart()
    kit.deploy_text("fees.dmn", fee_decision())
    kit.resolve_incidents(dossier)
    assert not dossier.incidents() and dossier.is_waiting_at("notify")
    assert dossier.variables["fee"] == 75000


def test_failed_evaluation_is_a_decision_evaluation_incident(kit):
    kit.deploy_text("fees.dmn", dmn(table("permit-fee", ["area"], ["fee"], [([">= 100"], ["1"]), ([">= 50"], ["2"])])))
    kit.deploy_text("permit.bpmn", fee_process())
    dossier = kit.start("permit", area=120)
    kit.complete_job("dossier.check")
    [incident] = dossier.incidents()
    assert incident["type"] == "DECISION_EVALUATION_ERROR"
    assert incident["message"].startswith("Expected to evaluate decision 'permit-fee', but multiple values")
    failed = kit.engine.records(value_type="DECISION_EVALUATION", process_instance_key=dossier.key)
    assert [(r.intent, r.value["failedDecisionId"], r.value["elementId"]) for r in failed] == [
        ("FAILED", "permit-fee", "decide-fee")]
    kit.engine.set_variables(dossier.key, {"area": 60})
    kit.resolve_incidents(dossier)
    assert dossier.variables["fee"] == 2 and dossier.is_waiting_at("notify")


def test_a_new_version_only_when_the_dmn_changed_and_the_latest_is_evaluated(kit):
    first = kit.deploy_text("fees.dmn", fee_decision())
    again = kit.deploy_text("fees.dmn", fee_decision())
    changed = kit.deploy_text("fees.dmn", fee_decision(small_fee="80000"))
    assert [(d.dmn_decision_id, d.version) for d in first.decisions] == [("permit-fee", 1)]
    assert again.decisions == first.decisions
    assert again.decision_requirements == first.decision_requirements
    assert [(d.version, d.dmn_decision_requirements_id) for d in changed.decisions] == [(2, "fees")]
    assert changed.decision_requirements[0].version == 2
    assert changed.decision_requirements[0].dmn_decision_requirements_name == "Fees"
    assert kit.evaluate_decision("permit-fee", kind="new", area=1) == 80000
    older = kit.engine.evaluate_decision(decision_key=first.decisions[0].decision_key,
                                         variables={"kind": "new", "area": 1})
    assert older.result.output == 75000 and older.decision.version == 1
    kit.engine.delete_resource(changed.decision_requirements[0].decision_requirements_key)
    kit.restart()
    assert kit.evaluate_decision("permit-fee", kind="new", area=1) == 75000


def test_records_of_a_dmn_deployment(kit):
    deployment = kit.deploy_text("fees.dmn", dmn(literal("surcharge", "0.1"), literal("fee", "100 * (1 + surcharge)",
                                                 required=("surcharge",)), drg_id="fees", name="Fees"))
    kinds = [(r.value_type, r.intent) for r in kit.engine.records() if r.value_type != "PROCESS"]
    assert kinds == [("DECISION_REQUIREMENTS", "CREATED"), ("DECISION", "CREATED"), ("DECISION", "CREATED"),
                     ("DEPLOYMENT", "CREATED")]
    [deployed] = [r for r in kit.engine.records(value_type="DEPLOYMENT")]
    assert [d["decisionId"] for d in deployed.value["decisionsMetadata"]] == ["surcharge", "fee"]
    assert {d.dmn_decision_id: d.decision_requirements_key for d in deployment.decisions} == {
        "surcharge": deployment.decision_requirements[0].decision_requirements_key,
        "fee": deployment.decision_requirements[0].decision_requirements_key}
    assert kit.evaluate_decision("fee") == 110


def test_a_rejected_deployment_keeps_nothing(kit):
    with pytest.raises(Rejection) as refused:
        kit.engine.deploy([("fees.dmn", fee_decision().encode()), ("permit.bpmn", fee_process().encode()),
                           ("broken.dmn", dmn(literal("x", "1 +"), drg_id="broken").encode())])
    assert "'broken.dmn' decision 'x'" in refused.value.reason
    assert kit.engine.decisions() == [] and kit.engine.process_definitions() == []
    with pytest.raises(Rejection) as duplicated:
        kit.engine.deploy([("a.dmn", fee_decision().encode()),
                           ("b.dmn", fee_decision().replace('id="fees"', 'id="other"').encode())])
    assert ("Expected the decision ids to be unique within a deployment but found a duplicated id 'permit-fee' "
            "in the resources 'a.dmn' and 'b.dmn'.") in duplicated.value.reason
    assert kit.engine.decisions() == []


def test_unknown_decision_is_refused_by_id_and_by_key(kit):
    with pytest.raises(Rejection) as by_id:
        kit.engine.evaluate_decision(decision_id="permit-fee")
    assert by_id.value.code == "INVALID_ARGUMENT"
    assert by_id.value.reason == "Expected to evaluate decision 'permit-fee', but no decision found for id 'permit-fee'"
    with pytest.raises(Rejection) as by_key:
        kit.engine.evaluate_decision(decision_key=123)
    assert by_key.value.reason == "Expected to evaluate decision '123', but no decision found for key '123'"


def test_business_rule_task_needs_decision_id_and_result_variable(kit):
    with pytest.raises(Rejection) as refused:
        kit.deploy_text("permit.bpmn", fee_process(result=""))
    assert "Attribute 'resultVariable' of 'zeebe:calledDecision' must be present and not empty" in refused.value.reason


def binding_process(binding: str) -> str:
    return process("permit", '<bpmn:startEvent id="s"/>' + (
        f'<bpmn:businessRuleTask id="decide-fee"><bpmn:extensionElements>'
        f'<zeebe:calledDecision decisionId="permit-fee" resultVariable="fee" {binding}/>'
        f'</bpmn:extensionElements></bpmn:businessRuleTask>') + '<bpmn:endEvent id="e"/>'
        + chain("s", "decide-fee", "e"))


def test_binding_type_deployment_uses_the_decision_deployed_with_the_process(kit):
    kit.engine.deploy([("fees.dmn", dmn(literal("permit-fee", "1")).encode()),
                       ("permit.bpmn", binding_process('bindingType="deployment"').encode())])
    kit.deploy_text("fees.dmn", dmn(literal("permit-fee", "2")))
    assert kit.evaluate_decision("permit-fee") == 2
    assert kit.start("permit").variables["fee"] == 1
    kit.deploy_text("other.bpmn", binding_process('bindingType="deployment"').replace('id="permit"', 'id="other"'))
    [incident] = kit.start("other").incidents()
    assert incident["type"] == "CALLED_DECISION_ERROR"
    assert incident["message"].startswith("Expected to evaluate decision 'permit-fee' with binding type "
                                          "'deployment', but no such decision found in the deployment with key")


def test_binding_type_version_tag_uses_the_tagged_version(kit):
    kit.deploy_text("fees.dmn", dmn(literal("permit-fee", "1", version_tag="2026")))
    kit.deploy_text("fees.dmn", dmn(literal("permit-fee", "2", version_tag="2027")))
    kit.deploy_text("permit.bpmn", binding_process('bindingType="versionTag" versionTag="2026"'))
    assert kit.start("permit").variables["fee"] == 1
    kit.deploy_text("later.bpmn", binding_process('bindingType="versionTag" versionTag="2028"').replace(
        'id="permit"', 'id="later"'))
    [incident] = kit.start("later").incidents()
    assert incident["message"] == ("Expected to evaluate decision with id 'permit-fee' and version tag '2028', "
                                   "but no such decision found. To resolve this incident, deploy a decision with "
                                   "the given id and version tag.")


def test_a_decision_id_expression_that_gives_no_text_is_an_incident_until_the_variable_is_set(kit):
    kit.deploy_text("fees.dmn", fee_decision())
    kit.deploy_text("permit.bpmn", fee_process("=decisionName"))
    dossier = kit.start("permit", kind="repair")
    kit.complete_job("dossier.check")
    [incident] = dossier.incidents()
    assert (incident["type"], incident["message"]) == (
        "EXTRACT_VALUE_ERROR", "Expected result of the expression 'decisionName' to be 'STRING', but was 'NULL'.")
    kit.engine.set_variables(dossier.key, {"decisionName": "permit-fee"})
    kit.resolve_incidents(dossier)
    assert dossier.variables["fee"] == 50000


def test_a_dmn_file_in_another_xml_encoding_survives_a_restart(kit):
    document = dmn(literal("greeting", '"Chào " + name'), drg_id="greetings").replace(
        'encoding="UTF-8"', 'encoding="UTF-16"')
    kit.engine.deploy([("greetings.dmn", document.encode("utf-16"))])
    kit.restart()
    assert kit.evaluate_decision("greeting", name="Lan") == "Chào Lan"


def test_a_multi_instance_business_rule_task_decides_once_per_item(kit):
    kit.deploy_text("fees.dmn", dmn(literal("floor-fee", "floor.area * 2")))
    kit.deploy_text("floors.bpmn", process("floors", (
        '<bpmn:startEvent id="s"/><bpmn:businessRuleTask id="per-floor"><bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=floors" inputElement="floor" '
        'outputCollection="fees" outputElement="=fee"/></bpmn:extensionElements>'
        '</bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>'
        '<zeebe:calledDecision decisionId="floor-fee" resultVariable="fee"/></bpmn:extensionElements>'
        '</bpmn:businessRuleTask><bpmn:endEvent id="e"/>') + chain("s", "per-floor", "e")))
    dossier = kit.start("floors", floors=[{"area": 10}, {"area": 25}])
    assert dossier.is_completed() and dossier.variables["fees"] == [20, 50]
    evaluations = kit.engine.records(value_type="DECISION_EVALUATION", process_instance_key=dossier.key)
    assert len({r.value["elementInstanceKey"] for r in evaluations}) == 2
