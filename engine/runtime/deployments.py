"""Deploying BPMN, DMN and forms: versions, validation, deletion, timer start events."""
from __future__ import annotations

from typing import Any

from . import definitions as defs
from .decisions import DecisionCommands
from .values import (
    Deployment,
    FormMetadata,
    ProcessMetadata,
    Rejection,
)


class Deployments(DecisionCommands):
    """Engine commands that manage deployed resources (mixed into `Engine`)."""

    # ==== deployment ===========================================================================
    def _deploy(self, resources: list[tuple[str, bytes]]) -> Deployment:
        if not resources:
            raise Rejection("CREATE", "INVALID_ARGUMENT", "Expected to deploy at least one resource, but none given")
        processes: list[tuple[str, bytes, defs.ParsedProcess]] = []
        forms: list[tuple[str, bytes, str]] = []
        graphs: list[tuple[str, bytes, Any]] = []
        for name, content in resources:
            lower = name.lower()
            try:
                if lower.endswith((".bpmn", ".xml")):
                    processes.extend((name, content, p) for p in defs.parse_bpmn(content, name))
                elif lower.endswith(".form"):
                    forms.append((name, content, defs.parse_form(content, name)))
                elif lower.endswith(".dmn"):
                    graphs.append((name, content, self._parse_dmn(name, content)))
                else:
                    raise defs.InvalidResource(
                        f"'{name}': expected a resource of type BPMN (.bpmn/.xml), DMN (.dmn) or form (.form)")
            except defs.InvalidResource as invalid:
                raise Rejection("CREATE", "INVALID_ARGUMENT",
                                f"Expected to deploy new resources, but encountered the following errors:\n{invalid}") from None
        try:
            self._check_unique_decisions(graphs)
        except defs.InvalidResource as invalid:
            raise Rejection("CREATE", "INVALID_ARGUMENT",
                            f"Expected to deploy new resources, but encountered the following errors:\n{invalid}") from None
        seen: set[str] = set()
        for _name, _content, parsed in processes:
            if parsed.bpmn_process_id in seen:
                raise Rejection("CREATE", "INVALID_ARGUMENT",
                                f"Expected to deploy new resources, but encountered the following errors:\n"
                                f"Duplicated process id in resources '{parsed.bpmn_process_id}'")
            seen.add(parsed.bpmn_process_id)
        deployment_key = self._keys.next()
        now = self._now()
        result = Deployment(deployment_key)
        for name, content, parsed in processes:
            checksum = defs.checksum(content)
            latest = self._latest(parsed.bpmn_process_id)
            if latest is not None and latest.checksum == checksum and latest.resource_name == name:
                result.processes.append(ProcessMetadata(latest.bpmn_process_id, latest.version, latest.key, name))
                continue
            version = max((d.version for d in self._definitions.values()
                           if d.bpmn_process_id == parsed.bpmn_process_id), default=0) + 1
            row = {"key": self._keys.next(), "bpmn_process_id": parsed.bpmn_process_id, "version": version,
                   "resource_name": name, "resource": content, "checksum": checksum,
                   "deployment_key": deployment_key, "deployed_at": now, "deleted": False}
            definition = self._definition(row, parsed)
            self._definitions[definition.key] = definition
            self._changes.definitions.append(row)
            self._record("PROCESS", "CREATED", definition.key, {
                "bpmnProcessId": definition.bpmn_process_id, "version": version,
                "processDefinitionKey": definition.key, "resourceName": name})
            result.processes.append(ProcessMetadata(definition.bpmn_process_id, version, definition.key, name))
            self._schedule_start_timers(definition, latest)
        for name, content, form_id in forms:
            checksum = defs.checksum(content)
            latest_form = max((f for f in self._forms.values() if f.form_id == form_id and not f.deleted),
                              key=lambda f: f.version, default=None)
            if latest_form is not None and latest_form.checksum == checksum:
                result.forms.append(FormMetadata(form_id, latest_form.version, latest_form.key, name))
                continue
            version = max((f.version for f in self._forms.values() if f.form_id == form_id), default=0) + 1
            form = defs.Form(self._keys.next(), form_id, version, name, content, checksum, deployment_key)
            self._forms[form.key] = form
            self._changes.forms.append({"key": form.key, "form_id": form_id, "version": version,
                                        "resource_name": name, "resource": content, "checksum": checksum,
                                        "deployment_key": deployment_key, "deleted": False})
            self._record("FORM", "CREATED", form.key, {"formId": form_id, "version": version,
                                                        "formKey": form.key, "resourceName": name})
            result.forms.append(FormMetadata(form_id, version, form.key, name))
        for name, content, graph in graphs:
            self._deploy_drg(name, content, graph, deployment_key, result)
        self._record("DEPLOYMENT", "CREATED", deployment_key, {
            "resources": [name for name, _ in resources],
            "processesMetadata": [{"bpmnProcessId": p.bpmn_process_id, "version": p.version,
                                   "processDefinitionKey": p.process_definition_key} for p in result.processes],
            "formMetadata": [{"formId": f.form_id, "version": f.version, "formKey": f.form_key}
                             for f in result.forms],
            "decisionRequirementsMetadata": [
                {"decisionRequirementsId": r.dmn_decision_requirements_id, "version": r.version,
                 "decisionRequirementsKey": r.decision_requirements_key, "resourceName": r.resource_name}
                for r in result.decision_requirements],
            "decisionsMetadata": [
                {"decisionId": d.dmn_decision_id, "version": d.version, "decisionKey": d.decision_key,
                 "decisionRequirementsKey": d.decision_requirements_key} for d in result.decisions]})
        return result

    def _latest(self, bpmn_process_id: str) -> defs.Definition | None:
        return max((d for d in self._definitions.values()
                    if d.bpmn_process_id == bpmn_process_id and not d.deleted),
                   key=lambda d: d.version, default=None)

    def _delete_resource(self, key: int) -> None:
        if key in self._definitions and not self._definitions[key].deleted:
            definition = self._definitions[key]
            if any(live.definition.key == key for live in self._live.values()):
                raise Rejection("DELETE", "INVALID_STATE",
                                f"Expected to delete resource with key '{key}', but there are still running "
                                "instances of this process definition")
            definition.deleted = True
            self._changes.definition_updates[key] = {"deleted": True}
            for timer_key, timer in list(self._timers.items()):
                if timer.get("definition_key") == key:
                    self._drop_timer(timer_key)
            self._record("PROCESS", "DELETED", key, {"bpmnProcessId": definition.bpmn_process_id,
                                                     "version": definition.version})
            return
        if key in self._forms and not self._forms[key].deleted:
            self._forms[key].deleted = True
            self._record("FORM", "DELETED", key, {"formId": self._forms[key].form_id})
            return
        if self._delete_drg(key):
            return
        raise Rejection("DELETE", "NOT_FOUND", f"Expected to delete resource but no resource found with key `{key}`")

    def _definition_view(self, d: defs.Definition) -> dict[str, Any]:
        return {"key": d.key, "bpmn_process_id": d.bpmn_process_id, "version": d.version,
                "resource_name": d.resource_name, "deployment_key": d.deployment_key, "deleted": d.deleted,
                "bpmn_xml": d.resource.decode("utf-8")}
