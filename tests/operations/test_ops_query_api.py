"""The engine's HTTP query API, as an operations tool reads it from `python -m engine`."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.timeout(60)


def keys_of(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["processInstanceKey"] for item in response.json()["items"]]


def test_deployed_process_is_listed_with_its_name_version_and_diagram(engine_process):
    found = engine_process.query("/v2/process-definitions/search",
                                 {"filter": {"bpmnProcessId": "ops-repair"}}).json()
    assert found["page"]["totalItems"] == 1
    [definition] = found["items"]
    assert definition == {
        "processDefinitionKey": engine_process.definition_key, "bpmnProcessId": "ops-repair",
        "name": "Thẩm định thử nghiệm", "version": 1, "resourceName": "ops-repair.bpmn",
        "deploymentKey": definition["deploymentKey"], "isLatest": True}

    one = engine_process.query(f"/v2/process-definitions/{engine_process.definition_key}",
                               method="GET")
    assert one.json() == definition
    xml = engine_process.query(f"/v2/process-definitions/{engine_process.definition_key}/xml",
                               method="GET")
    assert xml.headers["Content-Type"].startswith("text/xml")
    assert '<bpmn:serviceTask id="check-dossier" name="Kiểm tra hồ sơ">' in xml.text
    assert engine_process.query("/v2/process-definitions/search",
                                {"filter": {"bpmnProcessId": "no-such"}}).json()["items"] == []


def test_instances_filter_by_state_incident_and_dossier_code(engine_process):
    world = engine_process
    search = "/v2/process-instances/search"
    with_incident = keys_of(world.query(search, {"filter": {"hasIncident": True}}))
    assert world.stuck in with_incident
    assert world.running not in with_incident and world.completed not in with_incident

    assert world.completed in keys_of(world.query(search, {"filter": {"state": "COMPLETED"}}))
    canceled = keys_of(world.query(search, {"filter": {"state": "canceled"}}))
    assert world.canceled in canceled and world.running not in canceled
    active = keys_of(world.query(search, {"filter": {"state": "ACTIVE", "bpmnProcessId": "ops-repair"}}))
    assert {world.stuck, world.running} <= set(active)
    assert world.completed not in active and world.canceled not in active

    by_code = world.query(search, {"filter": {"variables": [
        {"name": "dossierCode", "value": json.dumps("SXD-OPS-002")}]}}).json()
    assert [i["processInstanceKey"] for i in by_code["items"]] == [world.running]
    [running] = by_code["items"]
    assert running["state"] == "ACTIVE" and running["hasIncident"] is False
    assert running["processDefinitionName"] == "Thẩm định thử nghiệm"
    assert running["startDate"].endswith("Z") and running["endDate"] is None

    completed = world.query(f"/v2/process-instances/{world.completed}", method="GET").json()
    assert completed["state"] == "COMPLETED" and completed["endDate"] is not None
    stuck = world.query(f"/v2/process-instances/{world.stuck}", method="GET").json()
    assert stuck["hasIncident"] is True


def test_pages_cut_a_sorted_list_without_gaps_or_repeats(engine_process):
    def page(start: int, limit: int) -> dict:
        return engine_process.query("/v2/process-instances/search", {
            "filter": {"bpmnProcessId": "ops-repair"},
            "sort": [{"field": "processInstanceKey", "order": "DESC"}],
            "page": {"from": start, "limit": limit}}).json()

    everything = page(0, 100)
    total = everything["page"]["totalItems"]
    assert total >= 4
    keys = [i["processInstanceKey"] for i in everything["items"]]
    assert keys == sorted(keys, reverse=True)
    pages = [page(start, 2) for start in range(0, total, 2)]
    assert all(p["page"]["totalItems"] == total for p in pages)
    assert [i["processInstanceKey"] for p in pages for i in p["items"]] == keys
    assert page(0, 0)["items"] == [] and page(0, 0)["page"]["totalItems"] == total


def test_stuck_instance_shows_where_and_why(engine_process):
    world = engine_process
    elements = world.query("/v2/element-instances/search",
                           {"filter": {"processInstanceKey": world.stuck}}).json()["items"]
    by_id = {e["elementId"]: e for e in elements}
    assert by_id["received"]["state"] == "COMPLETED"
    check = by_id["check-dossier"]
    assert check["state"] == "ACTIVE" and check["hasIncident"] is True
    assert check["elementName"] == "Kiểm tra hồ sơ" and check["type"] == "SERVICE_TASK"
    assert "send-result" not in by_id

    [incident] = world.query("/v2/incidents/search",
                             {"filter": {"processInstanceKey": world.stuck}}).json()["items"]
    assert incident["errorMessage"] == "Không kết nối được Cổng dịch vụ công quốc gia (HTTP 503)"
    assert incident["errorType"] == "JOB_NO_RETRIES"
    assert incident["elementId"] == "check-dossier" and incident["jobKey"]
    assert incident["elementInstanceKey"] == check["elementInstanceKey"] == \
        incident["elementInstanceKey"]
    assert check["incidentKey"] == incident["incidentKey"]
    one = world.query(f"/v2/incidents/{incident['incidentKey']}", method="GET").json()
    assert one == incident

    [job] = world.query("/v2/jobs/search", {"filter": {"processInstanceKey": world.stuck}}).json()["items"]
    assert job["jobKey"] == incident["jobKey"] and job["retries"] == 0 and job["state"] == "FAILED"

    variables = world.query("/v2/variables/search",
                            {"filter": {"processInstanceKey": world.stuck}}).json()["items"]
    assert {v["name"]: json.loads(v["value"]) for v in variables} == {"dossierCode": "SXD-OPS-001"}


def test_completed_instance_went_through_every_step(engine_process):
    world = engine_process
    elements = world.query("/v2/element-instances/search", {
        "filter": {"processInstanceKey": world.completed}}).json()["items"]
    assert [e["elementId"] for e in elements] == ["received", "check-dossier", "send-result", "done"]
    assert all(e["state"] == "COMPLETED" and e["endDate"] for e in elements)
    variables = world.query("/v2/variables/search", {
        "filter": {"processInstanceKey": world.completed, "name": "checked"}}).json()
    assert variables["items"][0]["value"] == "true"


@pytest.mark.parametrize(("path", "body", "says"), [
    ("/v2/process-instances/search", {"filter": {"stat": "ACTIVE"}}, "Unknown filter field(s) stat"),
    ("/v2/process-instances/search", {"filter": {"state": "RUNNING"}},
     "filter.state must be one of ACTIVE, COMPLETED, CANCELED"),
    ("/v2/process-instances/search", {"page": {"from": 0, "limit": 5000}}, "page.limit must be at most 1000"),
    ("/v2/process-instances/search", {"page": {"from": -1}}, "page.from must be a whole number"),
    ("/v2/process-instances/search", {"sort": [{"field": "dossierCode"}]}, "is not sortable"),
    ("/v2/process-instances/search", {"filter": {"hasIncident": "yes"}}, "filter.hasIncident must be true or false"),
    ("/v2/process-instances/search", {"filter": {"variables": [{"name": "dossierCode"}]}},
     "must be an object with exactly 'name' and 'value'"),
    ("/v2/process-instances/search", [], "must be a JSON object"),
    ("/v2/element-instances/search", {}, "filter.processInstanceKey is required"),
    ("/v2/variables/search", {"filter": {"processInstanceKey": "abc"}}, "must be a key"),
])
def test_bad_searches_are_refused_with_the_reason(engine_process, path, body, says):
    response = engine_process.query(path, body)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert says in response.json()["detail"]


def test_body_that_is_not_json_is_refused(engine_process):
    import requests

    response = requests.post(engine_process.query_url + "/v2/process-instances/search",
                             data="{filter:", headers={"Content-Type": "application/json"}, timeout=5)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize("path", [
    "/v2/process-instances/1234567",
    "/v2/process-definitions/1234567",
    "/v2/process-definitions/1234567/xml",
    "/v2/incidents/1234567",
    "/v2/no-such-thing",
])
def test_unknown_keys_are_not_found(engine_process, path):
    response = engine_process.query(path, method="GET")
    assert response.status_code == 404
    assert response.json()["title"] == "NOT_FOUND"


def test_searching_an_unknown_instance_is_not_found(engine_process):
    response = engine_process.query("/v2/variables/search", {"filter": {"processInstanceKey": 42}})
    assert response.status_code == 404
    assert "42" in response.json()["detail"]
