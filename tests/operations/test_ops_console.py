"""The operations console (/van-hanh) as an operator uses it: find the stuck dossier, see where and
why it stopped, retry it or cancel it. Against `python -m engine` over HTTP and gRPC."""

from __future__ import annotations

import html
import json
import re

import pytest
from pyzeebe.proto import gateway_pb2 as pb

pytestmark = pytest.mark.timeout(60)


def diagram_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="ops-diagram-data">(.*?)</script>', page, re.S)
    assert found, "the page carries the data the diagram's markers are drawn from"
    return json.loads(found.group(1))


def query_state(engine_process, key: int) -> dict:
    return engine_process.query(f"/v2/process-instances/{key}", method="GET").json()


def test_only_operators_and_admins_open_the_console(console_app, sign_in):
    anonymous = console_app.test_client().get("/van-hanh/tien-trinh")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    assert sign_in("tiepnhan").get("/van-hanh/tien-trinh").status_code == 403
    assert sign_in("tiepnhan").get("/van-hanh/").status_code == 403
    assert sign_in("vanhanh").get("/van-hanh/tien-trinh").status_code == 200
    assert sign_in("quantri").get("/van-hanh/").status_code == 200


def test_definitions_show_each_version_with_running_and_stuck_counts(engine_process, sign_in):
    page = sign_in("vanhanh").get("/van-hanh/").get_data(as_text=True)
    assert "Thẩm định thử nghiệm" in page and "ops-repair" in page and "v1" in page
    key = engine_process.definition_key
    running = re.search(rf'tien-trinh\?version={key}&amp;state=ACTIVE">(\d+)</a>', page)
    stuck = re.search(rf'tien-trinh\?version={key}&amp;incidents=1">(\d+)</a>', page)
    assert running and int(running.group(1)) >= 2
    assert stuck and int(stuck.group(1)) >= 1


def test_definition_page_draws_the_diagram_and_lists_its_instances(engine_process, sign_in):
    client = sign_in("vanhanh")
    page = client.get(f"/van-hanh/quy-trinh/{engine_process.definition_key}").get_data(as_text=True)
    assert "Thẩm định thử nghiệm" in page and "ops-repair.bpmn" in page
    for key in (engine_process.stuck, engine_process.running, engine_process.completed):
        assert f">{key}</a>" in page
    assert "SXD-OPS-003" in page
    assert diagram_data(page)["xmlUrl"].endswith(f"/quy-trinh/{engine_process.definition_key}/so-do.bpmn")


def test_instances_with_incidents_list_the_stuck_dossier_only(engine_process, sign_in):
    client = sign_in("vanhanh")
    page = client.get("/van-hanh/tien-trinh?incidents=1").get_data(as_text=True)
    assert f">{engine_process.stuck}</a>" in page
    assert f">{engine_process.running}</a>" not in page
    assert f">{engine_process.completed}</a>" not in page
    assert "Có sự cố" in page
    assert "SXD-OPS-001" in page and "SXD-OPS-002" not in page  # dossier codes beside the keys

    by_code = client.get("/van-hanh/tien-trinh?dossier=SXD-OPS-003").get_data(as_text=True)
    assert f">{engine_process.completed}</a>" in by_code and "Đã hoàn thành" in by_code
    assert "1 tiến trình" in by_code
    canceled = client.get("/van-hanh/tien-trinh?state=CANCELED&process=ops-repair").get_data(as_text=True)
    assert f">{engine_process.canceled}</a>" in canceled
    assert f">{engine_process.running}</a>" not in canceled
    nothing = client.get("/van-hanh/tien-trinh?dossier=SXD-KHONG-CO").get_data(as_text=True)
    assert "Không có tiến trình nào khớp bộ lọc." in nothing


def test_instance_page_shows_the_incident_its_step_and_the_diagram_markers(engine_process, sign_in):
    response = sign_in("vanhanh").get(f"/van-hanh/tien-trinh/{engine_process.stuck}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.escape("Không kết nối được Cổng dịch vụ công quốc gia (HTTP 503)") in page
    assert ">Thử lại</button>" in page and ">Hủy tiến trình</button>" in page
    assert "SXD-OPS-001" in page  # the dossier code, from the instance's variables
    # Without JavaScript the steps are a table: the stuck one is marked.
    assert re.search(r'<tr data-element-id="check-dossier" data-state="ACTIVE" class="ops-has-incident"', page)
    assert re.search(r'<tr data-element-id="received" data-state="COMPLETED"', page)
    markers = diagram_data(page)
    assert {"elementId": "check-dossier", "state": "ACTIVE", "incident": True} in markers["elements"]
    assert {"elementId": "received", "state": "COMPLETED", "incident": False} in markers["elements"]
    assert "bpmn-navigated-viewer.production.min.js" in page and "operations.js" in page

    diagram = sign_in("vanhanh").get(markers["xmlUrl"])
    assert diagram.status_code == 200 and diagram.mimetype == "text/xml"
    assert 'id="check-dossier"' in diagram.get_data(as_text=True)


def test_completed_instance_page_has_no_repair_buttons(engine_process, sign_in):
    page = sign_in("vanhanh").get(f"/van-hanh/tien-trinh/{engine_process.completed}").get_data(as_text=True)
    assert "Đã hoàn thành" in page and "Không có sự cố." in page
    assert ">Thử lại</button>" not in page and ">Hủy tiến trình</button>" not in page
    states = {e["elementId"]: e["state"] for e in diagram_data(page)["elements"]}
    assert states == {"received": "COMPLETED", "check-dossier": "COMPLETED",
                      "send-result": "COMPLETED", "done": "COMPLETED"}


def test_retry_gives_the_job_back_to_the_workers_and_resolves_the_incident(
        engine_process, sign_in, csrf_token):
    key = engine_process.stuck_instance("SXD-OPS-010", "Hết thời gian chờ dịch vụ ký số")
    client = sign_in("vanhanh")
    page = client.get(f"/van-hanh/tien-trinh/{key}").get_data(as_text=True)
    assert "Hết thời gian chờ dịch vụ ký số" in page
    [incident] = engine_process.query("/v2/incidents/search",
                                      {"filter": {"processInstanceKey": key}}).json()["items"]

    response = client.post(f"/van-hanh/tien-trinh/{key}/su-co/{incident['incidentKey']}/thu-lai",
                           data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    after = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã thử lại bước check-dossier" in after
    assert "Không có sự cố." in after and "Hết thời gian chờ dịch vụ ký số" not in after
    assert query_state(engine_process, key)["hasIncident"] is False

    job = engine_process.job_of(key)  # activatable again: a worker gets it
    assert job.retries == 1 and job.elementId == "check-dossier"
    engine_process.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    moved_on = client.get(f"/van-hanh/tien-trinh/{key}").get_data(as_text=True)
    assert re.search(r'<tr data-element-id="send-result" data-state="ACTIVE"', moved_on)


def test_retry_of_an_incident_already_resolved_says_so(engine_process, sign_in, csrf_token):
    key = engine_process.stuck_instance("SXD-OPS-011")
    client = sign_in("vanhanh")
    page = client.get(f"/van-hanh/tien-trinh/{key}").get_data(as_text=True)
    [incident] = engine_process.query("/v2/incidents/search",
                                      {"filter": {"processInstanceKey": key}}).json()["items"]
    url = f"/van-hanh/tien-trinh/{key}/su-co/{incident['incidentKey']}/thu-lai"
    client.post(url, data={"csrf_token": csrf_token(page)})
    again = client.post(url, data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Sự cố này đã được xử lý trước đó." in again.get_data(as_text=True)


def test_retry_without_the_form_token_changes_nothing(engine_process, sign_in):
    key = engine_process.stuck_instance("SXD-OPS-012")
    [incident] = engine_process.query("/v2/incidents/search",
                                      {"filter": {"processInstanceKey": key}}).json()["items"]
    response = sign_in("vanhanh").post(
        f"/van-hanh/tien-trinh/{key}/su-co/{incident['incidentKey']}/thu-lai")
    assert response.status_code == 400
    assert query_state(engine_process, key)["hasIncident"] is True


def test_reception_cannot_retry_or_cancel(engine_process, sign_in, csrf_token):
    key = engine_process.stuck_instance("SXD-OPS-013")
    client = sign_in("tiepnhan")
    token = csrf_token(client.get("/inbox/").get_data(as_text=True))
    [incident] = engine_process.query("/v2/incidents/search",
                                      {"filter": {"processInstanceKey": key}}).json()["items"]
    assert client.post(f"/van-hanh/tien-trinh/{key}/su-co/{incident['incidentKey']}/thu-lai",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"/van-hanh/tien-trinh/{key}/huy", data={"csrf_token": token}).status_code == 403
    state = query_state(engine_process, key)
    assert state["state"] == "ACTIVE" and state["hasIncident"] is True


def test_cancel_ends_the_instance(engine_process, sign_in, csrf_token):
    key = engine_process.stuck_instance("SXD-OPS-020")
    client = sign_in("quantri")
    page = client.get(f"/van-hanh/tien-trinh/{key}").get_data(as_text=True)
    assert 'data-confirm="Hủy tiến trình' in page
    response = client.post(f"/van-hanh/tien-trinh/{key}/huy", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    after = response.get_data(as_text=True)
    assert f"Đã hủy tiến trình {key}." in after
    assert ">Hủy tiến trình</button>" not in after and ">Thử lại</button>" not in after
    assert query_state(engine_process, key)["state"] == "CANCELED"
    listed = client.get("/van-hanh/tien-trinh?dossier=SXD-OPS-020&state=CANCELED").get_data(as_text=True)
    assert f">{key}</a>" in listed

    twice = client.post(f"/van-hanh/tien-trinh/{key}/huy", data={"csrf_token": csrf_token(page)},
                        follow_redirects=True)
    assert "Bộ máy quy trình từ chối hủy" in twice.get_data(as_text=True)


def test_console_speaks_english(engine_process, sign_in):
    page = sign_in("vanhanh").get(f"/van-hanh/tien-trinh/{engine_process.stuck}?lang=en").get_data(as_text=True)
    assert ">Retry</button>" in page and "Error message" in page and "Running" in page


def test_unknown_instance_is_not_found(engine_process, sign_in):
    assert sign_in("vanhanh").get("/van-hanh/tien-trinh/987654321").status_code == 404
    assert sign_in("vanhanh").get("/van-hanh/quy-trinh/987654321").status_code == 404


def test_engine_query_api_down_is_explained(engine_process, sign_in, console_app, monkeypatch):
    from webapp.operations.engine_queries import EngineQueries

    monkeypatch.setitem(console_app.extensions, "motcua.operations.queries",
                        EngineQueries("http://127.0.0.1:9"))
    response = sign_in("vanhanh").get("/van-hanh/tien-trinh")
    assert response.status_code == 503
    assert "http://127.0.0.1:9" in response.get_data(as_text=True)


def test_dossier_stuck_in_a_called_process_is_found_and_retried_from_its_parent(
        engine_process, sign_in, csrf_token):
    stub = engine_process.stub
    parent = stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
        bpmnProcessId="ops-parent", version=-1,
        variables=json.dumps({"dossierCode": "SXD-OPS-030"}))).processInstanceKey
    [child] = engine_process.query("/v2/process-instances/search", {
        "filter": {"parentProcessInstanceKey": parent}}).json()["items"]
    job = engine_process.job_of(child["processInstanceKey"])
    stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="Thiếu bản vẽ mặt bằng"))

    client = sign_in("vanhanh")
    listed = client.get("/van-hanh/tien-trinh?incidents=1&dossier=SXD-OPS-030").get_data(as_text=True)
    assert f">{parent}</a>" in listed  # found by the dossier code, stuck below
    page = client.get(f"/van-hanh/tien-trinh/{parent}").get_data(as_text=True)
    assert "Thiếu bản vẽ mặt bằng" in page and "Quy trình con được gọi" in page
    assert f'href="/van-hanh/tien-trinh/{child["processInstanceKey"]}"' in page
    assert re.search(r'<tr data-element-id="appraisal" data-state="ACTIVE"', page)

    child_page = client.get(f"/van-hanh/tien-trinh/{child['processInstanceKey']}").get_data(as_text=True)
    assert f'href="/van-hanh/tien-trinh/{parent}"' in child_page  # back to the parent
    assert {"elementId": "check-dossier", "state": "ACTIVE", "incident": True} in \
        diagram_data(child_page)["elements"]

    [incident] = engine_process.query("/v2/incidents/search",
                                      {"filter": {"processInstanceKey": parent}}).json()["items"]
    client.post(f"/van-hanh/tien-trinh/{parent}/su-co/{incident['incidentKey']}/thu-lai",
                data={"csrf_token": csrf_token(page)})
    assert query_state(engine_process, parent)["hasIncident"] is False
    assert engine_process.job_of(child["processInstanceKey"]).retries == 1
