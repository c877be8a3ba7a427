"""Decisions in the engine's query API: what an operator finds after deploying and evaluating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.test import Client

from engine.query_api.app import QueryApi
from engine.testkit import ProcessTestEngine

FEES = Path(__file__).resolve().parents[1] / "gateway" / "processes" / "gateway-permit-fee.dmn"
PERMIT = Path(__file__).resolve().parents[1] / "gateway" / "processes" / "gateway-permit-fee.bpmn"


@pytest.fixture
def office(tmp_path):
    with ProcessTestEngine(tmp_path) as kit:
        yield kit, Client(QueryApi(kit.engine))


def search(client: Client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_deployed_decisions_are_listed_with_their_drg_xml(office):
    kit, client = office
    deployment = kit.deploy(FEES)
    found = search(client, "/v2/decision-definitions/search", {"filter": {"dmnDecisionId": "gateway-permit-fee"}})
    [decision] = found["items"]
    key = next(d.decision_key for d in deployment.decisions if d.dmn_decision_id == "gateway-permit-fee")
    assert decision == {"decisionKey": key, "dmnDecisionId": "gateway-permit-fee", "dmnDecisionName": "Permit fee",
                        "version": 1, "dmnDecisionRequirementsId": "gateway-fees",
                        "decisionRequirementsKey": deployment.decision_requirements[0].decision_requirements_key,
                        "tenantId": "<default>"}
    every = search(client, "/v2/decision-definitions/search", {})
    assert [d["dmnDecisionId"] for d in every["items"]] == [
        "gateway-fee-notice", "gateway-permit-fee", "gateway-strict-fee"]
    xml = client.get(f"/v2/decision-definitions/{key}/xml")
    assert xml.headers["Content-Type"].startswith("text/xml")
    assert '<decision id="gateway-permit-fee" name="Permit fee">' in xml.get_data(as_text=True)
    assert client.get("/v2/decision-definitions/1/xml").status_code == 404


def test_evaluations_are_decision_instances_evaluated_or_failed(office):
    kit, client = office
    kit.deploy(FEES, PERMIT)
    dossier = kit.start("gateway-permit-fee", kind="new", area=300)
    kit.engine.evaluate_decision(decision_id="gateway-strict-fee", variables={"area": 120})
    by_process = search(client, "/v2/decision-instances/search", {"filter": {"processInstanceKey": dossier.key}})
    [instance] = by_process["items"]
    assert instance["state"] == "EVALUATED" and instance["dmnDecisionId"] == "gateway-fee-notice"
    assert instance["decisionType"] == "LITERAL_EXPRESSION" and instance["decisionVersion"] == 1
    assert json.loads(instance["result"]) == "Lệ phí: 150000 đồng"
    assert instance["evaluationDate"].endswith("Z") and instance["evaluationFailure"] is None
    [failed] = search(client, "/v2/decision-instances/search", {"filter": {"state": "FAILED"}})["items"]
    assert failed["dmnDecisionId"] == "gateway-strict-fee" and failed["processInstanceKey"] is None
    assert failed["evaluationFailure"].startswith("Expected to evaluate decision 'gateway-strict-fee', but multiple")
    assert failed["result"] is None
    refused = client.post("/v2/decision-instances/search", json={"filter": {"state": "MAYBE"}})
    assert refused.status_code == 400
