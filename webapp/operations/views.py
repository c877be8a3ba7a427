"""The operations console (`/van-hanh`), for operators: what Operate shows for the embedded engine.

Reads come from the engine's HTTP query API, repairs go over the Zeebe gateway (gRPC). Every page
shows its data as plain HTML tables; the BPMN diagram (bpmn-js) is drawn on top when JavaScript
runs.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from motcua.roles import OPERATES
from webapp.auth import needs_role
from webapp.i18n import current_language, translate
from webapp.office import office

from .engine_queries import EngineQueries, QueryApiUnavailable, QueryRefused
from .repairs import IncidentToRetry, RepairRefused, cancel_instance, retry_incident

bp = Blueprint("operations", __name__, url_prefix="/van-hanh", template_folder="templates")

OPERATORS = tuple(OPERATES)
INSTANCE_STATES = ("ACTIVE", "COMPLETED", "CANCELED")
PAGE_SIZE = 50
DOSSIER_CODE_VARIABLE = "dossierCode"
EXTENSION = "motcua.operations.queries"


@bp.record_once
def _install(state) -> None:
    state.app.extensions[EXTENSION] = EngineQueries.from_config(state.app.config)


def queries() -> EngineQueries:
    return current_app.extensions[EXTENSION]


def t(key: str, **values: Any) -> str:
    return translate(key, current_language(), **values)


@bp.errorhandler(QueryApiUnavailable)
def _unavailable(error: QueryApiUnavailable):
    current_app.logger.warning("engine query API unavailable: %s", error)
    return render_template("operations/unavailable.html", url=queries().base_url), 503


@bp.errorhandler(QueryRefused)
def _refused(error: QueryRefused):
    return render_template("error.html", code=400, message=str(error)), 400


# ---- process definitions ------------------------------------------------------------------------
@bp.get("/")
@needs_role(*OPERATORS)
def definitions():
    """Each process with its versions, newest first, and how many of their instances run or are stuck."""
    found = queries().search_all("process-definitions",
                                 sort=[{"field": "bpmnProcessId"}, {"field": "version", "order": "DESC"}])
    processes: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for definition in found:
        key = definition["processDefinitionKey"]
        definition["active"] = queries().search(
            "process-instances", {"processDefinitionKey": key, "state": "ACTIVE"}, limit=0).total
        definition["incidents"] = queries().search(
            "process-instances", {"processDefinitionKey": key, "hasIncident": True}, limit=0).total
        processes.setdefault(definition["bpmnProcessId"], []).append(definition)
    return render_template("operations/definitions.html", processes=processes)


@bp.get("/quy-trinh/<int:key>")
@needs_role(*OPERATORS)
def definition(key: int):
    found = queries().get("process-definitions", key)
    if found is None:
        abort(404)
    instances = queries().search("process-instances", {"processDefinitionKey": key},
                                 sort=[{"field": "startDate", "order": "DESC"}], limit=PAGE_SIZE)
    _add_dossier_codes(instances.items)
    return render_template("operations/definition.html", definition=found, instances=instances,
                           diagram={"xmlUrl": url_for(".diagram", key=key), "elements": []})


@bp.get("/quy-trinh/<int:key>/so-do.bpmn")
@needs_role(*OPERATORS)
def diagram(key: int):
    xml = queries().definition_xml(key)
    if xml is None:
        abort(404)
    return Response(xml, mimetype="text/xml")


# ---- process instances --------------------------------------------------------------------------
def _instance_filter(args) -> tuple[dict[str, Any], dict[str, str]]:
    """The query API filter from the list's form fields, and the fields as the form shows them."""
    shown = {name: args.get(name, "").strip()
             for name in ("process", "version", "state", "incidents", "dossier")}
    search: dict[str, Any] = {}
    if shown["process"]:
        search["bpmnProcessId"] = shown["process"]
    if shown["version"].isdigit():
        search["processDefinitionKey"] = int(shown["version"])
    else:
        shown["version"] = ""
    if shown["state"] in INSTANCE_STATES:
        search["state"] = shown["state"]
    else:
        shown["state"] = ""
    if shown["incidents"]:
        search["hasIncident"] = True
    if shown["dossier"]:
        search["variables"] = [{"name": DOSSIER_CODE_VARIABLE, "value": json.dumps(shown["dossier"])}]
    return search, shown


@bp.get("/tien-trinh")
@needs_role(*OPERATORS)
def instances():
    search, shown = _instance_filter(request.args)
    page_number = max(request.args.get("page", 1, type=int) or 1, 1)
    found = queries().search("process-instances", search,
                             sort=[{"field": "startDate", "order": "DESC"}],
                             start=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    _add_dossier_codes(found.items)
    process_ids = sorted({d["bpmnProcessId"] for d in queries().search_all("process-definitions")})
    pages = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("operations/instances.html", instances=found, shown=shown,
                           process_ids=process_ids, states=INSTANCE_STATES, page=page_number,
                           pages=pages)


@bp.get("/tien-trinh/<int:key>")
@needs_role(*OPERATORS)
def instance(key: int):
    found = queries().get("process-instances", key)
    if found is None:
        abort(404)
    elements = queries().search_all("element-instances", {"processInstanceKey": key})
    incidents = queries().search_all("incidents", {"processInstanceKey": key})
    variables = queries().search_all("variables", {"processInstanceKey": key})
    called = queries().search_all("process-instances", {"parentProcessInstanceKey": key},
                                  sort=[{"field": "startDate"}])
    for variable in variables:
        variable["shown"] = _readable(variable["value"])
    dossier_code = next((json.loads(v["value"]) for v in variables
                         if v["name"] == DOSSIER_CODE_VARIABLE), None)
    names = {e["elementId"]: e.get("elementName") for e in elements}
    for incident in incidents:
        incident["elementName"] = names.get(incident["elementId"])
    diagram = {
        "xmlUrl": url_for(".diagram", key=found["processDefinitionKey"]),
        "elements": [{"elementId": e["elementId"], "state": e["state"], "incident": e["hasIncident"]}
                     for e in elements],
    }
    return render_template("operations/instance.html", instance=found, elements=elements,
                           incidents=incidents, variables=variables, diagram=diagram, called=called,
                           dossier_code=dossier_code if isinstance(dossier_code, str) else None,
                           has_dossier_page="dossiers.show" in current_app.view_functions)


def _add_dossier_codes(items: list[dict[str, Any]]) -> None:
    for item in items:
        item["dossierCode"] = _dossier_code(item["processInstanceKey"])


def _dossier_code(instance_key: int) -> str | None:
    """The dossier code of an instance: its root variable `dossierCode`, when it has one."""
    found = queries().search("variables", {"processInstanceKey": instance_key,
                                           "name": DOSSIER_CODE_VARIABLE}, limit=1)
    if not found.items:
        return None
    value = json.loads(found.items[0]["value"])
    return value if isinstance(value, str) else None


def _readable(json_text: str) -> str:
    try:
        value = json.loads(json_text)
    except ValueError:
        return json_text
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1 if isinstance(value, dict | list) else None)


# ---- repairs (over gRPC) ------------------------------------------------------------------------
@bp.post("/tien-trinh/<int:key>/su-co/<int:incident_key>/thu-lai")
@needs_role(*OPERATORS)
def retry(key: int, incident_key: int):
    incident = queries().get("incidents", incident_key)
    if incident is None:
        flash(t("ops.retry.gone"), "warning")
        return redirect(url_for(".instance", key=key))
    try:
        retry_incident(office().gateway.stub, IncidentToRetry(incident_key, incident.get("jobKey")))
    except RepairRefused as refused:
        flash(t("ops.retry.refused", reason=refused.reason or refused.code), "error")
    else:
        current_app.logger.info("operator retried incident %s of instance %s", incident_key, key)
        flash(t("ops.retry.done", element=incident.get("elementId", "")), "success")
    return redirect(url_for(".instance", key=key))


@bp.post("/tien-trinh/<int:key>/huy")
@needs_role(*OPERATORS)
def cancel(key: int):
    try:
        cancel_instance(office().gateway.stub, key)
    except RepairRefused as refused:
        flash(t("ops.cancel.refused", reason=refused.reason or refused.code), "error")
    else:
        current_app.logger.info("operator canceled process instance %s", key)
        flash(t("ops.cancel.done", number=key), "success")
    return redirect(url_for(".instance", key=key))
