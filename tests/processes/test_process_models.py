"""The diagrams in bpmn/: Camunda's own lint rules, Modeler-ready layout, and the contract in docs/processes.md."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from process_assets import (
    BPMN_DIR,
    CONTRACT,
    NS,
    ROOT,
    feel_expressions,
    forms,
    local,
    message_names,
    models,
    q,
)

FAMILIES = {"construction-permit", "practising-certificate", "design-appraisal"}
CALLED = {"dossier-intake", "interagency-consultation", "result-return"}
CANDIDATE_GROUPS = {"reception", "specialist", "head", "leader"}
SMS_EVENTS = {
    "received",
    "supplement-requested",
    "refused",
    "result-ready",
    "returned",
    "late-apology",
}
NATIONAL_STATUS_CODES = set(range(1, 11))

MODELS = models()
IDS = [m.process_id for m in MODELS]


def contract_text() -> str:
    return CONTRACT.read_text(encoding="utf-8")


def test_every_family_and_called_process_is_there():
    assert {m.process_id for m in MODELS} == FAMILIES | CALLED
    for m in MODELS:
        assert m.path.name == f"{m.process_id}.bpmn"


def test_bpmnlint_with_camunda_8_6_rules_reports_nothing():
    binary = ROOT / "node_modules" / ".bin" / "bpmnlint"
    if not binary.exists() or shutil.which("node") is None:
        pytest.skip("bpmnlint is installed by `make test` (npm ci)")
    files = sorted(str(p.relative_to(ROOT)) for p in BPMN_DIR.glob("*.bpmn"))
    result = subprocess.run(
        [str(binary), *files], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout and "warning" not in result.stdout, result.stdout


def test_lint_really_reads_zeebe_extensions(tmp_path):
    """A diagram with a blank job type must fail: proves the moddle descriptor is wired in."""
    binary = ROOT / "node_modules" / ".bin" / "bpmnlint"
    if not binary.exists() or shutil.which("node") is None:
        pytest.skip("bpmnlint is installed by `make test` (npm ci)")
    broken = (BPMN_DIR / "result-return.bpmn").read_text(encoding="utf-8")
    broken = broken.replace('type="dossier.record-rating"', 'type=""')
    path = tmp_path / "broken.bpmn"
    path.write_text(broken, encoding="utf-8")
    result = subprocess.run(
        [str(binary), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "zeebe:TaskDefinition" in result.stdout


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_opens_in_camunda_modeler_for_8_6(model):
    root = model.tree.getroot()
    assert root.get(q("modeler:executionPlatform")) == "Camunda Cloud"
    assert root.get(q("modeler:executionPlatformVersion")) == "8.6.0"
    assert model.process.get("isExecutable") == "true"
    assert model.process.get("name")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_is_valid_against_the_bpmn_2_0_schema(model):
    parser = pytest.importorskip("SpiffWorkflow.bpmn.parser.BpmnParser")
    etree = pytest.importorskip("lxml.etree")
    parser.BpmnValidator().validate(etree.parse(str(model.path)), str(model.path))


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_every_element_and_flow_is_laid_out(model):
    plane = model.tree.getroot().find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == model.process_id
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    assert set(model.nodes) <= set(shapes), set(model.nodes) - set(shapes)
    assert set(model.flows) <= set(edges), set(model.flows) - set(edges)
    for shape in shapes.values():
        b = shape.find("dc:Bounds", NS)
        assert float(b.get("x")) >= 0 and float(b.get("y")) >= 0
        assert float(b.get("width")) > 0 and float(b.get("height")) > 0
    for edge in edges.values():
        assert len(edge.findall("di:waypoint", NS)) >= 2


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_service_tasks_have_namespaced_job_types_listed_in_the_contract(model):
    contract = contract_text()
    for task in model.of_type("serviceTask"):
        job_type = model.job_type(task)
        assert job_type and re.fullmatch(r"[a-z]+\.[a-z-]+", job_type), task.get("id")
        assert f"`{job_type}`" in contract, f"{job_type} is not documented in docs/processes.md"


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_user_tasks_are_job_worker_tasks_with_form_group_and_due_date(model):
    contract = contract_text()
    for task in model.of_type("userTask"):
        ext = task.find("bpmn:extensionElements", NS)
        tid = task.get("id")
        assert ext.find("zeebe:userTask", NS) is None, f"{tid}: must be a job-worker user task"
        form = ext.find("zeebe:formDefinition", NS)
        assert form is not None and form.get("formId") in forms(), f"{tid}: unknown form"
        assert f"`{form.get('formId')}`" in contract
        groups = ext.find("zeebe:assignmentDefinition", NS).get("candidateGroups").split(",")
        assert groups and set(groups) <= CANDIDATE_GROUPS, f"{tid}: {groups}"
        due = ext.find("zeebe:taskSchedule", NS).get("dueDate")
        assert due and due.startswith("="), tid


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_call_activities_call_existing_processes_with_explicit_mappings(model):
    for call in model.of_type("callActivity"):
        called = call.find("bpmn:extensionElements/zeebe:calledElement", NS)
        assert called.get("processId") in CALLED
        assert called.get("propagateAllChildVariables") == "false"
        assert called.get("propagateAllParentVariables") == "false"
        mapping = call.find("bpmn:extensionElements/zeebe:ioMapping", NS)
        assert mapping.findall("zeebe:input", NS) and mapping.findall("zeebe:output", NS)
        assert "dossierCode" in model.inputs(call)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_messages_are_correlated_by_dossier_code_and_documented(model):
    """A consultation reply answers one request, not the dossier: a later consultation of the same
    dossier must never take it (docs/processes.md, Messages)."""
    contract = contract_text()
    for msg_id, name in message_names(model).items():
        assert f"`{name}`" in contract, name
        sub = model.tree.getroot().find(
            f"bpmn:message[@id='{msg_id}']/bpmn:extensionElements/zeebe:subscription", NS
        )
        key = "=consultationRequestId" if name == "interagency-reply" else "=dossierCode"
        assert sub.get("correlationKey") == key


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_every_status_change_is_reported_to_the_portal(model):
    for task in model.of_type("serviceTask"):
        if model.job_type(task) != "dossier.set-status":
            continue
        status = model.inputs(task)["status"]
        assert int(status.lstrip("=")) in NATIONAL_STATUS_CODES
        after = model.successors(task.get("id"))
        assert len(after) == 1 and model.job_type(after[0]) == "portal.report", task.get("id")
        assert model.inputs(after[0]) == model.inputs(task)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_citizen_messages_use_the_known_sms_events(model):
    for task in model.of_type("serviceTask"):
        if model.job_type(task) == "notify.sms":
            event = model.inputs(task)["event"]
            assert event.startswith('="') and event[2:-1] in SMS_EVENTS, event


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_timers_are_dates_from_variables_set_in_python(model):
    for timer in model.process.iter(q("bpmn:timerEventDefinition")):
        date = timer.find("bpmn:timeDate", NS)
        assert date is not None and re.fullmatch(r"=[a-zA-Z]+", date.text.strip()), date.text


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_feel_expressions_compile(model):
    feel = pytest.importorskip("engine.feel")
    for where, expression in feel_expressions(model):
        try:
            feel.compile(expression)
        except feel.FeelSyntaxError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{model.process_id} {where}: {expression!r}: {exc}")


@pytest.mark.parametrize("process_id", sorted(FAMILIES))
def test_family_warns_a_day_before_and_apologises_once_at_the_due_date(process_id):
    model = next(m for m in MODELS if m.process_id == process_id)
    sub = model.nodes["SubProcess_Processing"]
    boundary = {
        b.find("bpmn:timerEventDefinition/bpmn:timeDate", NS).text: b
        for b in model.of_type("boundaryEvent")
        if b.get("attachedToRef") == sub.get("id")
    }
    assert set(boundary) == {"=warnAt", "=dueAt"}
    assert all(b.get("cancelActivity") == "false" for b in boundary.values())
    reschedule = model.successors(boundary["=dueAt"].get("id"))[0]
    assert model.job_type(reschedule) == "dossier.reschedule"
    guard = model.successors(reschedule.get("id"))[0]
    assert local(guard.tag) == "exclusiveGateway"
    flows = [f for f in model.flows.values() if f.get("sourceRef") == guard.get("id")]
    conditions = [f.find("bpmn:conditionExpression", NS) for f in flows]
    assert [c.text for c in conditions if c is not None] == ["=rescheduled = true"]
    default = next(f for f in flows if f.get("id") == guard.get("default"))
    assert local(model.nodes[default.get("targetRef")].tag) == "endEvent"


def test_contract_names_nothing_the_models_do_not_use():
    used = set()
    for m in MODELS:
        used |= {m.job_type(t) for t in m.of_type("serviceTask")}
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", contract_text(), flags=re.M))
    assert documented == used
