"""Deployed DMN decisions: versions per decision id, evaluation on its own (EvaluateDecision) and
from business rule tasks (`zeebe:calledDecision`), DECISION* records, recovery after a restart.

A DMN file is one decision requirements graph (DRG). Like Zeebe, a DRG gets a new version only
when its content (or resource name) changed, and then every decision in it gets a new version;
the latest version of a decision id is the one evaluated.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from engine import dmn
from engine.dialect.expressions import ExpressionFailure, value_of

from . import definitions as defs
from .record_values import checked_variables
from .values import DecisionMetadata, DecisionRequirementsMetadata, Deployment, Rejection

TABLE = "decision_requirements"  # row table of the store: one JSON row per deployed DRG


@dataclass
class DeployedDecision:
    key: int
    decision_id: str
    name: str
    version: int
    requirements_key: int
    deleted: bool = False


@dataclass
class DeployedRequirements:
    key: int
    requirements_id: str
    name: str
    version: int
    resource_name: str
    resource: bytes
    checksum: str
    deployment_key: int
    graph: dmn.DecisionRequirements
    decision_keys: dict[str, int] = field(default_factory=dict)  # decision id -> key
    deleted: bool = False


@dataclass(frozen=True)
class DecisionEvaluation:
    """What EvaluateDecision answers: the decision evaluated and everything evaluated for it."""

    decision: DeployedDecision
    requirements: DeployedRequirements
    evaluation_key: int
    result: dmn.DecisionResult
    evaluated: list[dict[str, Any]]  # Zeebe's evaluatedDecisions, JSON-shaped


class DecisionCommands:
    """Engine commands and hooks for DMN (mixed into `Engine` through `Deployments`)."""

    # ==== facade ===============================================================================
    def evaluate_decision(self, *, decision_id: str = "", decision_key: int = 0,
                          variables: dict | None = None) -> DecisionEvaluation:
        """Evaluate the latest decision with this id (the id wins), or the decision with this key."""
        variables = checked_variables("EVALUATE", variables)
        return self._submit(lambda: self._evaluate_decision(decision_id, decision_key, variables), "EVALUATE")

    def decisions(self) -> list[dict[str, Any]]:
        """Every deployed decision version (deleted ones flagged)."""
        def query():
            return [{"key": d.key, "decision_id": d.decision_id, "name": d.name, "version": d.version,
                     "decision_requirements_key": d.requirements_key,
                     "decision_requirements_id": self._drgs[d.requirements_key].requirements_id,
                     "deleted": d.deleted} for d in self._decisions.values()]
        return self._submit(query, None)

    def decision_requirements_xml(self, decision_key: int) -> str | None:
        """The DMN XML of the DRG a decision belongs to (None if no such decision)."""
        def query():
            decision = self._decisions.get(decision_key)
            if decision is None or decision.deleted:
                return None
            return dmn.as_text(self._drgs[decision.requirements_key].resource)
        return self._submit(query, None)

    # ==== state ================================================================================
    def _recover_decisions(self, loaded: dict[str, Any]) -> None:
        self._drgs: dict[int, DeployedRequirements] = {}
        self._decisions: dict[int, DeployedDecision] = {}
        graphs: dict[str, dmn.DecisionRequirements] = {}
        for key, row in sorted((loaded.get(TABLE) or {}).items()):
            resource = base64.b64decode(row["resource"])
            if row["checksum"] not in graphs:
                graphs[row["checksum"]] = dmn.parse_dmn(resource, row["resource_name"])
            drg = DeployedRequirements(key, row["requirements_id"], row["name"], row["version"],
                                       row["resource_name"], resource, row["checksum"], row["deployment_key"],
                                       graphs[row["checksum"]], deleted=row["deleted"])
            self._drgs[key] = drg
            for item in row["decisions"]:
                drg.decision_keys[item["decision_id"]] = item["key"]
                self._decisions[item["key"]] = DeployedDecision(
                    item["key"], item["decision_id"], item["name"], item["version"], key, row["deleted"])

    def _persist_drg(self, drg: DeployedRequirements) -> None:
        self._changes.put(TABLE, drg.key, {
            "key": drg.key, "requirements_id": drg.requirements_id, "name": drg.name, "version": drg.version,
            "resource_name": drg.resource_name, "resource": base64.b64encode(drg.resource).decode("ascii"),  # any XML encoding
            "checksum": drg.checksum, "deployment_key": drg.deployment_key, "deleted": drg.deleted,
            "decisions": [{"key": d.key, "decision_id": d.decision_id, "name": d.name, "version": d.version}
                          for d in self._decisions.values() if d.requirements_key == drg.key]})

    def _latest_decision(self, decision_id: str) -> DeployedDecision | None:
        return max((d for d in self._decisions.values() if d.decision_id == decision_id and not d.deleted),
                   key=lambda d: d.version, default=None)

    def _latest_drg(self, requirements_id: str) -> DeployedRequirements | None:
        return max((r for r in self._drgs.values() if r.requirements_id == requirements_id and not r.deleted),
                   key=lambda r: r.version, default=None)

    # ==== deployment ===========================================================================
    @staticmethod
    def _parse_dmn(name: str, content: bytes) -> dmn.DecisionRequirements:
        try:
            return dmn.parse_dmn(content, name)
        except dmn.InvalidDmn as invalid:
            raise defs.InvalidResource(str(invalid)) from None

    @staticmethod
    def _check_unique_decisions(graphs: list[tuple[str, bytes, dmn.DecisionRequirements]]) -> None:
        """Zeebe's rule: within one deployment, DRG ids and decision ids are unique."""
        drg_seen: dict[str, str] = {}
        decision_seen: dict[str, str] = {}
        for name, _content, graph in graphs:
            if graph.requirements_id in drg_seen:
                raise defs.InvalidResource(
                    "Expected the decision requirements ids to be unique within a deployment but found a "
                    f"duplicated id '{graph.requirements_id}' in the resources '{drg_seen[graph.requirements_id]}' "
                    f"and '{name}'.")
            drg_seen[graph.requirements_id] = name
            for decision_id in graph.decisions:
                if decision_id in decision_seen:
                    raise defs.InvalidResource(
                        "Expected the decision ids to be unique within a deployment but found a duplicated id "
                        f"'{decision_id}' in the resources '{decision_seen[decision_id]}' and '{name}'.")
                decision_seen[decision_id] = name

    def _deploy_drg(self, name: str, content: bytes, graph: dmn.DecisionRequirements,
                    deployment_key: int, result: Deployment) -> None:
        checksum = defs.checksum(content)
        latest = self._latest_drg(graph.requirements_id)
        unchanged = (latest is not None and latest.checksum == checksum and latest.resource_name == name
                     and all(getattr(self._latest_decision(d), "requirements_key", None) == latest.key
                             for d in graph.decisions))
        if unchanged:
            drg = latest
        else:
            drg = DeployedRequirements(self._keys.next(), graph.requirements_id, graph.name,
                                       (latest.version if latest else 0) + 1, name, content, checksum,
                                       deployment_key, graph)
            self._drgs[drg.key] = drg
            self._record("DECISION_REQUIREMENTS", "CREATED", drg.key, self._drg_value(drg))
            for decision in graph.decisions.values():
                version = max((d.version for d in self._decisions.values()
                               if d.decision_id == decision.decision_id), default=0) + 1
                deployed = DeployedDecision(self._keys.next(), decision.decision_id, decision.name, version, drg.key)
                self._decisions[deployed.key] = deployed
                drg.decision_keys[decision.decision_id] = deployed.key
                self._record("DECISION", "CREATED", deployed.key, self._decision_value(deployed))
            self._persist_drg(drg)
        result.decision_requirements.append(DecisionRequirementsMetadata(
            drg.requirements_id, drg.name, drg.version, drg.key, drg.resource_name))
        for decision_id in graph.decisions:
            deployed = self._decisions[drg.decision_keys[decision_id]]
            result.decisions.append(DecisionMetadata(deployed.decision_id, deployed.name, deployed.version,
                                                     deployed.key, drg.requirements_id, drg.key))

    def _delete_drg(self, key: int) -> bool:
        """DeleteResource of a DRG key: the DRG and its decisions; earlier versions become latest."""
        drg = self._drgs.get(key)
        if drg is None or drg.deleted:
            return False
        drg.deleted = True
        for decision in self._decisions.values():
            if decision.requirements_key == key:
                decision.deleted = True
                self._record("DECISION", "DELETED", decision.key, self._decision_value(decision))
        self._record("DECISION_REQUIREMENTS", "DELETED", key, self._drg_value(drg))
        self._persist_drg(drg)
        return True

    def _drg_value(self, drg: DeployedRequirements) -> dict[str, Any]:
        return {"decisionRequirementsId": drg.requirements_id, "decisionRequirementsName": drg.name,
                "decisionRequirementsVersion": drg.version, "decisionRequirementsKey": drg.key,
                "namespace": drg.graph.namespace, "resourceName": drg.resource_name, "checksum": drg.checksum,
                "tenantId": "<default>"}

    def _decision_value(self, decision: DeployedDecision) -> dict[str, Any]:
        return {"decisionId": decision.decision_id, "decisionName": decision.name, "version": decision.version,
                "decisionKey": decision.key, "decisionRequirementsId": self._drgs[decision.requirements_key].requirements_id,
                "decisionRequirementsKey": decision.requirements_key, "tenantId": "<default>"}

    # ==== evaluation ===========================================================================
    def _find_decision(self, decision_id: str, decision_key: int) -> DeployedDecision:
        if decision_id:
            found = self._latest_decision(decision_id)
            if found is None:
                raise Rejection("EVALUATE", "INVALID_ARGUMENT",
                                f"Expected to evaluate decision '{decision_id}', but no decision found for id "
                                f"'{decision_id}'")
            return found
        if decision_key and decision_key > 0:
            found = self._decisions.get(decision_key)
            if found is None or found.deleted:
                raise Rejection("EVALUATE", "INVALID_ARGUMENT",
                                f"Expected to evaluate decision '{decision_key}', but no decision found for key "
                                f"'{decision_key}'")
            return found
        raise Rejection("EVALUATE", "INVALID_ARGUMENT",
                        "Expected either a decision id or a valid decision key, but none provided")

    def _evaluate(self, decision: DeployedDecision, variables: dict[str, Any],
                  process: dict[str, Any] | None = None) -> tuple[DecisionEvaluation, tuple]:
        """Evaluate a deployed decision; also the DECISION_EVALUATION record to write (the caller
        decides when: a business rule task records it after the element's activation)."""
        drg = self._drgs[decision.requirements_key]
        result = dmn.evaluate(drg.graph, decision.decision_id, variables)
        evaluated = [self._evaluated_value(drg, e) for e in result.evaluated]
        key = self._keys.next()
        value = {**self._decision_value(decision), "decisionOutput": json.dumps(result.output),
                 "decisionVersion": decision.version, "variables": variables,
                 "evaluatedDecisions": evaluated,
                 "evaluationFailureMessage": result.failure_message or "",
                 "failedDecisionId": result.failed_decision_id or ""}
        value.pop("version")
        value.update(process or {"processInstanceKey": -1, "elementInstanceKey": -1, "elementId": "",
                                 "bpmnProcessId": "", "processDefinitionKey": -1})
        intent = "FAILED" if result.failed else "EVALUATED"
        pik = process["processInstanceKey"] if process else None
        return (DecisionEvaluation(decision, drg, key, result, evaluated),
                ("DECISION_EVALUATION", intent, key, value, pik))

    def _evaluated_value(self, drg: DeployedRequirements, evaluated: dmn.EvaluatedDecision) -> dict[str, Any]:
        decision = self._decisions[drg.decision_keys[evaluated.decision_id]]
        return {
            "decisionId": evaluated.decision_id, "decisionName": evaluated.decision_name,
            "decisionKey": decision.key, "decisionVersion": decision.version,
            "decisionType": evaluated.decision_type, "decisionOutput": json.dumps(evaluated.output),
            "evaluatedInputs": [{"inputId": i.input_id, "inputName": i.input_name, "inputValue": json.dumps(i.value)}
                                for i in evaluated.inputs],
            "matchedRules": [{"ruleId": r.rule_id, "ruleIndex": r.rule_index, "evaluatedOutputs": [
                {"outputId": o.output_id, "outputName": o.output_name, "outputValue": json.dumps(o.value)}
                for o in r.outputs]} for r in evaluated.matched_rules],
            "tenantId": "<default>",
        }

    def _evaluate_decision(self, decision_id: str, decision_key: int,
                           variables: dict[str, Any]) -> DecisionEvaluation:
        evaluation, record = self._evaluate(self._find_decision(decision_id, decision_key), variables)
        self._record(*record)
        return evaluation

    # ---- hook called by the business rule task spec (engine.dialect.specs) -----------------------
    def evaluate_called_decision(self, task, called: dict[str, str]) -> Any:
        """The output of the decision a business rule task calls, with the variables it sees;
        a missing decision or a failed evaluation is an incident, as in Zeebe."""
        live = self._current
        # What the task sees (LiveInstance keeps this in step with the engine's scope model).
        variables = live.visible_variables(task)
        decision_id = _decision_id(called.get("decisionId") or "", variables, task)
        scope = live.scope_of(task, self._definitions)
        decision = self._called_decision(decision_id, called, scope.definition_key, task)
        process = {"processInstanceKey": scope.process_instance_key, "bpmnProcessId": scope.bpmn_process_id,
                   "processDefinitionKey": scope.definition_key, "elementId": task.task_spec.bpmn_id,
                   "elementInstanceKey": self._ensure_element(live, task, record=False)}
        evaluation, record = self._evaluate(decision, variables, process)
        # Recorded after the element's activation, which `_observe` records once the step is done.
        self._deferred.setdefault(str(task.id), []).append(record)
        if evaluation.result.failed:
            raise ExpressionFailure(evaluation.result.failure_message, "DECISION_EVALUATION_ERROR", task)
        return evaluation.result.output

    def _called_decision(self, decision_id: str, called: dict[str, str], definition_key: int,
                         task) -> DeployedDecision:
        """The decision version a business rule task binds to: the latest (default), the one
        deployed together with the process, or the one with a version tag."""
        binding = (called.get("bindingType") or "latest").strip()
        candidates = [d for d in self._decisions.values() if d.decision_id == decision_id and not d.deleted]
        if binding == "deployment":
            definition = self._definitions.get(definition_key)
            deployment_key = definition.deployment_key if definition else -1
            candidates = [d for d in candidates if self._drgs[d.requirements_key].deployment_key == deployment_key]
            problem = (f"Expected to evaluate decision '{decision_id}' with binding type 'deployment', but no such "
                       f"decision found in the deployment with key {deployment_key} which contained the current "
                       "process. To resolve this incident, migrate the process instance to a process definition "
                       "that is deployed together with the intended decision to evaluate.")
        elif binding == "versionTag":
            tag = called.get("versionTag") or ""
            candidates = [d for d in candidates if self._version_tag(d) == tag]
            problem = (f"Expected to evaluate decision with id '{decision_id}' and version tag '{tag}', but no "
                       "such decision found. To resolve this incident, deploy a decision with the given id and "
                       "version tag.")
        else:
            problem = f"Expected to evaluate decision '{decision_id}', but no decision found for id '{decision_id}'"
        decision = max(candidates, key=lambda d: d.version, default=None)
        if decision is None:
            raise ExpressionFailure(problem, "CALLED_DECISION_ERROR", task)
        return decision

    def _version_tag(self, decision: DeployedDecision) -> str | None:
        graph = self._drgs[decision.requirements_key].graph
        return graph.decisions[decision.decision_id].version_tag


def _decision_id(text: str, variables: dict[str, Any], task) -> str:
    """The called decision's id: the attribute, or the text its FEEL expression gives."""
    value = value_of(text, variables)
    if isinstance(value, str):
        return value
    kind = {type(None): "NULL", bool: "BOOLEAN", int: "NUMBER", float: "NUMBER", list: "ARRAY",
            dict: "OBJECT"}.get(type(value), type(value).__name__.upper())
    raise ExpressionFailure(f"Expected result of the expression '{text.strip()[1:]}' to be 'STRING', but was "
                            f"'{kind}'.", "EXTRACT_VALUE_ERROR", task)
