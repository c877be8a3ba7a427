"""Engine values → gateway protocol messages (no behaviour, only field mapping)."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from pyzeebe.proto import gateway_pb2 as pb

DEFAULT_TENANT = "<default>"


def activated_job(job: Any) -> pb.ActivatedJob:
    return pb.ActivatedJob(
        key=job.key,
        type=job.type,
        processInstanceKey=job.process_instance_key,
        bpmnProcessId=job.bpmn_process_id,
        processDefinitionVersion=job.process_definition_version,
        processDefinitionKey=job.process_definition_key,
        elementId=job.element_id,
        elementInstanceKey=job.element_instance_key,
        customHeaders=json.dumps(job.custom_headers or {}),
        worker=job.worker,
        retries=job.retries,
        deadline=job.deadline,
        variables=json.dumps(job.variables or {}),
        tenantId=job.tenant_id or DEFAULT_TENANT,
    )


def process_metadata(process: Any) -> pb.ProcessMetadata:
    return pb.ProcessMetadata(
        bpmnProcessId=process.bpmn_process_id,
        version=process.version,
        processDefinitionKey=process.process_definition_key,
        resourceName=process.resource_name,
        tenantId=DEFAULT_TENANT,
    )


def deployment_entries(deployment: Any) -> list[pb.Deployment]:
    """Every deployed thing of a deployment, in Zeebe's one-of shape."""
    entries = [pb.Deployment(process=process_metadata(p)) for p in deployment.processes]
    for requirements in getattr(deployment, "decision_requirements", ()) or ():
        entries.append(
            pb.Deployment(
                decisionRequirements=pb.DecisionRequirementsMetadata(
                    dmnDecisionRequirementsId=requirements.dmn_decision_requirements_id,
                    dmnDecisionRequirementsName=getattr(
                        requirements, "dmn_decision_requirements_name", ""
                    ),
                    version=requirements.version,
                    decisionRequirementsKey=requirements.decision_requirements_key,
                    resourceName=requirements.resource_name,
                    tenantId=DEFAULT_TENANT,
                )
            )
        )
    for decision in getattr(deployment, "decisions", ()) or ():
        entries.append(
            pb.Deployment(
                decision=pb.DecisionMetadata(
                    dmnDecisionId=decision.dmn_decision_id,
                    dmnDecisionName=getattr(decision, "dmn_decision_name", ""),
                    version=decision.version,
                    decisionKey=decision.decision_key,
                    dmnDecisionRequirementsId=getattr(decision, "dmn_decision_requirements_id", ""),
                    decisionRequirementsKey=getattr(decision, "decision_requirements_key", 0),
                    tenantId=DEFAULT_TENANT,
                )
            )
        )
    for form in getattr(deployment, "forms", ()) or ():
        entries.append(
            pb.Deployment(
                form=pb.FormMetadata(
                    formId=form.form_id,
                    version=form.version,
                    formKey=form.form_key,
                    resourceName=form.resource_name,
                    tenantId=DEFAULT_TENANT,
                )
            )
        )
    return entries


def decision_evaluation(evaluation: Any) -> pb.EvaluateDecisionResponse:
    """An engine `DecisionEvaluation` as EvaluateDecision answers it. A failed evaluation is still
    an answer, as in Zeebe: `failedDecisionId` and `failureMessage` say which decision and why."""
    decision, requirements, result = evaluation.decision, evaluation.requirements, evaluation.result
    return pb.EvaluateDecisionResponse(
        decisionKey=decision.key,
        decisionId=decision.decision_id,
        decisionName=decision.name,
        decisionVersion=decision.version,
        decisionRequirementsId=requirements.requirements_id,
        decisionRequirementsKey=requirements.key,
        decisionOutput=json.dumps(result.output),
        evaluatedDecisions=[
            json_format.ParseDict(value, pb.EvaluatedDecision(), ignore_unknown_fields=True)
            for value in evaluation.evaluated
        ],
        failedDecisionId=result.failed_decision_id or "",
        failureMessage=result.failure_message or "",
        tenantId=DEFAULT_TENANT,
        decisionInstanceKey=evaluation.evaluation_key,
    )


def topology(host: str, port: int, gateway_version: str) -> pb.TopologyResponse:
    """One broker leading one partition: what the embedded engine is."""
    partition = pb.Partition(partitionId=1, role=pb.Partition.LEADER, health=pb.Partition.HEALTHY)
    broker = pb.BrokerInfo(
        nodeId=0, host=host, port=port, partitions=[partition], version=gateway_version
    )
    return pb.TopologyResponse(
        brokers=[broker],
        clusterSize=1,
        partitionsCount=1,
        replicationFactor=1,
        gatewayVersion=gateway_version,
    )
