"""The resources of the query API: engine answers reshaped as Camunda's REST search endpoints
answer (camelCase fields, keys as numbers, ISO 8601 times, `bpmnProcessId` for the process id).

Everything here only reads: the engine's query methods run on its writer thread and so see
exactly the acknowledged state.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from engine.runtime.values import Rejection

from .decision_resources import DecisionResources
from .diagram import DiagramNames, read_names
from .search import (
    InvalidRequest,
    NotFound,
    SearchRequest,
    answer,
    flag_value,
    iso_time,
    key_value,
    matches,
    number_value,
    one_of,
    parse_search,
    text_value,
    variable_conditions,
)
from .variable_index import VariableIndex

# The engine says TERMINATED for a canceled process instance; Operate and Camunda's API say CANCELED.
INSTANCE_STATES = {"ACTIVE": "ACTIVE", "COMPLETED": "COMPLETED", "TERMINATED": "CANCELED"}
ENGINE_INSTANCE_STATE = {shown: engine for engine, shown in INSTANCE_STATES.items()}


class EngineQueries(Protocol):
    """The read-only part of `engine.runtime.Engine` this API uses."""

    def process_definitions(self) -> list[dict[str, Any]]: ...
    def process_instances(self, *, bpmn_process_id: str | None = None, state: str | None = None,
                          has_incident: bool | None = None) -> list[dict[str, Any]]: ...
    def process_instances_by_keys(self, keys: list[int]) -> list[dict[str, Any]]: ...
    def element_instances(self, process_instance_key: int) -> list[dict[str, Any]]: ...
    def variables(self, process_instance_key: int, scope_key: int | None = None) -> dict[str, Any]: ...
    def incidents(self, *, process_instance_key: int | None = None) -> list[dict[str, Any]]: ...
    def jobs(self, *, job_type: str | None = None,
             process_instance_key: int | None = None) -> list[dict[str, Any]]: ...
    def records(self, after_position: int = 0, limit: int = 1000, value_type: str | None = None,
                process_instance_key: int | None = None) -> list[Any]: ...
    def decisions(self) -> list[dict[str, Any]]: ...
    def decision_requirements_xml(self, decision_key: int) -> str | None: ...


class Resources(DecisionResources):
    def __init__(self, engine: EngineQueries) -> None:
        self.engine = engine
        self.variable_index = VariableIndex(engine)
        self._names: dict[int, DiagramNames] = {}
        self._names_lock = threading.Lock()

    # ---- process definitions ------------------------------------------------------------------
    def _definitions(self) -> dict[int, dict[str, Any]]:
        return {d["key"]: d for d in self.engine.process_definitions()}

    def _names_of(self, definition: dict[str, Any] | None) -> DiagramNames:
        if definition is None:
            return DiagramNames()
        with self._names_lock:
            if definition["key"] not in self._names:
                self._names[definition["key"]] = read_names(definition["bpmn_xml"])
            return self._names[definition["key"]]

    def _definition_item(self, definition: dict[str, Any], latest: dict[str, int]) -> dict[str, Any]:
        process_id = definition["bpmn_process_id"]
        return {
            "processDefinitionKey": definition["key"],
            "bpmnProcessId": process_id,
            "name": self._names_of(definition).processes.get(process_id),
            "version": definition["version"],
            "resourceName": definition["resource_name"],
            "deploymentKey": definition["deployment_key"],
            "isLatest": latest.get(process_id) == definition["version"],
        }

    @staticmethod
    def _latest_versions(definitions: dict[int, dict[str, Any]]) -> dict[str, int]:
        latest: dict[str, int] = {}
        for d in definitions.values():
            if not d["deleted"]:
                latest[d["bpmn_process_id"]] = max(latest.get(d["bpmn_process_id"], 0), d["version"])
        return latest

    def search_process_definitions(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "processDefinitionKey": key_value, "bpmnProcessId": text_value, "name": text_value,
            "version": number_value, "resourceName": text_value, "isLatest": flag_value,
        }, sort_fields=("processDefinitionKey", "bpmnProcessId", "name", "version", "resourceName"),
            default_sort=(("bpmnProcessId", False), ("version", False)))
        definitions = self._definitions()
        latest = self._latest_versions(definitions)
        items = [self._definition_item(d, latest) for d in definitions.values() if not d["deleted"]]
        return answer([i for i in items if matches(i, search.filter)], search)

    def process_definition(self, key: int) -> dict[str, Any]:
        definitions = self._definitions()
        if key not in definitions:
            raise NotFound(f"No process definition with key {key}")
        return self._definition_item(definitions[key], self._latest_versions(definitions))

    def process_definition_xml(self, key: int) -> str:
        definition = self._definitions().get(key)
        if definition is None:
            raise NotFound(f"No process definition with key {key}")
        return definition["bpmn_xml"]

    # ---- process instances --------------------------------------------------------------------
    def _instance_item(self, row: dict[str, Any], definitions: dict[int, dict[str, Any]],
                       has_incident: bool) -> dict[str, Any]:
        definition = definitions.get(row["definition_key"])
        parent = row.get("parent_key")
        return {
            "processInstanceKey": row["key"],
            "processDefinitionKey": row["definition_key"],
            "bpmnProcessId": row["bpmn_process_id"],
            "processDefinitionName": self._names_of(definition).processes.get(row["bpmn_process_id"]),
            "processDefinitionVersion": row["version"],
            "state": INSTANCE_STATES.get(row["state"], row["state"]),
            "hasIncident": has_incident,
            "startDate": iso_time(row.get("started_at")),
            "endDate": iso_time(row.get("ended_at")),
            "parentProcessInstanceKey": parent if parent is not None and parent >= 0 else None,
        }

    def search_process_instances(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "processInstanceKey": key_value, "processDefinitionKey": key_value,
            "bpmnProcessId": text_value, "processDefinitionVersion": number_value,
            "state": one_of("ACTIVE", "COMPLETED", "CANCELED"), "hasIncident": flag_value,
            "parentProcessInstanceKey": key_value, "variables": variable_conditions,
        }, sort_fields=("processInstanceKey", "processDefinitionKey", "bpmnProcessId",
                        "processDefinitionVersion", "state", "startDate", "endDate"),
            default_sort=(("processInstanceKey", False),))
        conditions = dict(search.filter)
        variables = conditions.pop("variables", ())
        rows = self.engine.process_instances(
            bpmn_process_id=conditions.get("bpmnProcessId"),
            state=ENGINE_INSTANCE_STATE.get(conditions.get("state", "")),
            has_incident=conditions.get("hasIncident"))
        for condition in variables:
            holders = self.variable_index.instances_with(condition.name, condition.value)
            rows = [r for r in rows if r["key"] in holders]
        definitions = self._definitions()
        items = [self._instance_item(r, definitions, r["has_incident"]) for r in rows]
        return answer([i for i in items if matches(i, conditions)], search)

    def process_instance(self, key: int) -> dict[str, Any]:
        rows = self.engine.process_instances_by_keys([key])
        if not rows:
            raise NotFound(f"No process instance with key {key}")
        has_incident = bool(self.engine.incidents(process_instance_key=key))
        return self._instance_item(rows[0], self._definitions(), has_incident)

    # ---- element instances --------------------------------------------------------------------
    def search_element_instances(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "processInstanceKey": key_value, "elementInstanceKey": key_value, "elementId": text_value,
            "type": text_value, "state": one_of("ACTIVE", "COMPLETED", "TERMINATED"),
            "hasIncident": flag_value,
        }, sort_fields=("elementInstanceKey", "elementId", "type", "state", "startDate", "endDate"),
            default_sort=(("startDate", False),), required=("processInstanceKey",))
        instance = self.process_instance(search.filter["processInstanceKey"])
        definition = self._definitions().get(instance["processDefinitionKey"])
        names = self._names_of(definition)
        times = self._element_times(instance["processInstanceKey"])
        incidents = {i["element_instance_key"]: i["key"]
                     for i in self.engine.incidents(process_instance_key=instance["processInstanceKey"])}
        items = []
        for row in self.engine.element_instances(instance["processInstanceKey"]):
            started, ended = times.get(row["key"], (None, None))
            items.append({
                "elementInstanceKey": row["key"],
                "processInstanceKey": instance["processInstanceKey"],
                "processDefinitionKey": instance["processDefinitionKey"],
                "bpmnProcessId": instance["bpmnProcessId"],
                "elementId": row["element_id"],
                "elementName": names.elements.get(row["element_id"]),
                "type": row["element_type"],
                "state": row["state"],
                "hasIncident": bool(row.get("incident")),
                "incidentKey": incidents.get(row["key"]),
                "startDate": iso_time(started),
                "endDate": iso_time(ended),
            })
        return answer([i for i in items if matches(i, search.filter)], search)

    def _element_times(self, process_instance_key: int) -> dict[int, tuple[int | None, int | None]]:
        times: dict[int, tuple[int | None, int | None]] = {}
        for record in self.engine.records(0, 1_000_000, "PROCESS_INSTANCE", process_instance_key):
            started, ended = times.get(record.key, (None, None))
            if record.intent == "ELEMENT_ACTIVATED":
                times[record.key] = (record.timestamp, ended)
            elif record.intent in ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED"):
                times[record.key] = (started, record.timestamp)
        return times

    # ---- variables ----------------------------------------------------------------------------
    def search_variables(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "processInstanceKey": key_value, "scopeKey": key_value, "name": text_value,
        }, sort_fields=("name",), default_sort=(("name", False),), required=("processInstanceKey",))
        instance_key = search.filter["processInstanceKey"]
        if not self.engine.process_instances_by_keys([instance_key]):
            raise NotFound(f"No process instance with key {instance_key}")
        scope_key = search.filter.get("scopeKey")
        try:  # with a scope: the variables that scope holds (Zeebe keeps each in one scope)
            values = self.engine.variables(instance_key, scope_key)
        except Rejection:
            values = {}  # an element instance that is unknown or over holds none any more
        items = [{"name": name, "value": json.dumps(value, ensure_ascii=False),
                  "processInstanceKey": instance_key, "scopeKey": scope_key or instance_key}
                 for name, value in values.items()]
        conditions = {k: v for k, v in search.filter.items() if k == "name"}
        return answer([i for i in items if matches(i, conditions)], search)

    # ---- incidents ----------------------------------------------------------------------------
    def _incident_item(self, row: dict[str, Any], definition_keys: dict[int, int]) -> dict[str, Any]:
        return {
            "incidentKey": row["key"],
            "processInstanceKey": row["process_instance_key"],
            "processDefinitionKey": definition_keys.get(row["process_instance_key"]),
            "bpmnProcessId": row["bpmn_process_id"],
            "errorType": row["type"],
            "errorMessage": row["message"],
            "elementId": row["element_id"],
            "elementInstanceKey": row["element_instance_key"],
            "jobKey": row["job_key"],
            "state": row["state"],
            "creationTime": iso_time(row.get("created_at")),
        }

    def _incident_items(self, process_instance_key: int | None) -> list[dict[str, Any]]:
        rows = self.engine.incidents(process_instance_key=process_instance_key)
        owners = self.engine.process_instances_by_keys(sorted({r["process_instance_key"] for r in rows}))
        definition_keys = {o["key"]: o["definition_key"] for o in owners}
        return [self._incident_item(r, definition_keys) for r in rows]

    def search_incidents(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "incidentKey": key_value, "processInstanceKey": key_value, "processDefinitionKey": key_value,
            "bpmnProcessId": text_value, "errorType": text_value, "elementId": text_value,
            "elementInstanceKey": key_value, "jobKey": key_value, "state": one_of("ACTIVE"),
        }, sort_fields=("incidentKey", "processInstanceKey", "bpmnProcessId", "errorType",
                        "elementId", "creationTime"),
            default_sort=(("incidentKey", False),))
        conditions = dict(search.filter)
        # Incidents of an instance include those of the instances it called (call activities).
        instance_key = conditions.pop("processInstanceKey", None)
        items = self._incident_items(instance_key)
        return answer([i for i in items if matches(i, conditions)], search)

    def incident(self, key: int) -> dict[str, Any]:
        for item in self._incident_items(None):
            if item["incidentKey"] == key:
                return item
        raise NotFound(f"No open incident with key {key}")

    # ---- jobs ---------------------------------------------------------------------------------
    def search_jobs(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "jobKey": key_value, "type": text_value, "processInstanceKey": key_value,
            "elementId": text_value, "elementInstanceKey": key_value, "worker": text_value,
            "state": one_of("ACTIVATABLE", "ACTIVATED", "BACKOFF", "FAILED", "ERROR_THROWN"),
        }, sort_fields=("jobKey", "type", "processInstanceKey", "elementId", "retries"),
            default_sort=(("jobKey", False),))
        conditions = dict(search.filter)
        rows = self.engine.jobs(job_type=conditions.pop("type", None),
                                process_instance_key=conditions.pop("processInstanceKey", None))
        items = [{
            "jobKey": j["key"], "type": j["type"], "state": j["state"], "retries": j["retries"],
            "worker": j.get("worker") or None, "errorMessage": j.get("error_message") or None,
            "elementId": j["element_id"], "elementInstanceKey": j["element_instance_key"],
            "processInstanceKey": j["process_instance_key"], "bpmnProcessId": j["bpmn_process_id"],
            "processDefinitionKey": j["process_definition_key"],
            "deadline": iso_time(j["deadline"]) if j.get("deadline") else None,
            "customHeaders": j.get("custom_headers") or {},
        } for j in rows]
        return answer([i for i in items if matches(i, conditions)], search)


__all__ = ["InvalidRequest", "NotFound", "Resources", "SearchRequest"]
