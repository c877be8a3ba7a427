"""Decisions in the query API, as Camunda 8.6's REST API names them: deployed decision
definitions (with their DRG's XML) and decision instances (every evaluation, alone or by a
business rule task), read from the engine's decisions and its DECISION_EVALUATION records."""

from __future__ import annotations

from typing import Any

from .search import (
    NotFound,
    answer,
    iso_time,
    key_value,
    matches,
    number_value,
    one_of,
    parse_search,
    text_value,
)

RECORDS_LIMIT = 1_000_000  # decision instances are read from the record log in one pass


class DecisionResources:
    """Mixed into `Resources`; `self.engine` is the engine facade."""

    engine: Any

    # ---- decision definitions ------------------------------------------------------------------
    def _decision_items(self) -> list[dict[str, Any]]:
        return [{"decisionKey": d["key"], "dmnDecisionId": d["decision_id"], "dmnDecisionName": d["name"],
                 "version": d["version"], "dmnDecisionRequirementsId": d["decision_requirements_id"],
                 "decisionRequirementsKey": d["decision_requirements_key"], "tenantId": "<default>"}
                for d in self.engine.decisions() if not d["deleted"]]

    def search_decision_definitions(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "decisionKey": key_value, "dmnDecisionId": text_value, "dmnDecisionName": text_value,
            "version": number_value, "dmnDecisionRequirementsId": text_value, "decisionRequirementsKey": key_value,
        }, sort_fields=("decisionKey", "dmnDecisionId", "dmnDecisionName", "version"),
            default_sort=(("dmnDecisionId", False), ("version", False)))
        return answer([i for i in self._decision_items() if matches(i, search.filter)], search)

    def decision_definition_xml(self, key: int) -> str:
        xml = self.engine.decision_requirements_xml(key)
        if xml is None:
            raise NotFound(f"No decision definition with key {key}")
        return xml

    # ---- decision instances --------------------------------------------------------------------
    def search_decision_instances(self, body: Any) -> dict[str, Any]:
        search = parse_search(body, filters={
            "decisionInstanceKey": key_value, "state": one_of("EVALUATED", "FAILED"),
            "processInstanceKey": key_value, "processDefinitionKey": key_value, "decisionKey": key_value,
            "dmnDecisionId": text_value, "decisionVersion": number_value,
        }, sort_fields=("decisionInstanceKey", "evaluationDate", "dmnDecisionId", "processInstanceKey"),
            default_sort=(("decisionInstanceKey", False),))
        records = self.engine.records(limit=RECORDS_LIMIT, value_type="DECISION_EVALUATION")
        items = [_instance_item(r) for r in records]
        return answer([i for i in items if matches(i, search.filter)], search)


def _instance_item(record: Any) -> dict[str, Any]:
    value = record.value
    top = next((d for d in reversed(value.get("evaluatedDecisions") or [])
                if d.get("decisionId") == value["decisionId"]), {})
    failed = record.intent == "FAILED"
    return {
        "decisionInstanceKey": record.key,
        "state": record.intent,
        "evaluationDate": iso_time(record.timestamp),
        "evaluationFailure": (value.get("evaluationFailureMessage") or None) if failed else None,
        "processDefinitionKey": _key_or_none(value.get("processDefinitionKey")),
        "processInstanceKey": _key_or_none(value.get("processInstanceKey")),
        "decisionKey": value["decisionKey"],
        "dmnDecisionId": value["decisionId"],
        "dmnDecisionName": value.get("decisionName"),
        "decisionVersion": value.get("decisionVersion"),
        "decisionType": top.get("decisionType"),
        "result": None if failed else value.get("decisionOutput"),
        "tenantId": "<default>",
    }


def _key_or_none(key: Any) -> int | None:
    return key if isinstance(key, int) and key > 0 else None


__all__ = ["DecisionResources"]
