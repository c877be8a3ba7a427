"""DMN over the Zeebe gateway protocol: deploying decisions and evaluating them with pyzeebe and
zbctl, and a business rule task deciding a fee inside a process."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from gateway_paths import PROCESSES
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.errors import DecisionNotFoundError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

DECISIONS = str(PROCESSES / "gateway-permit-fee.dmn")
PROCESS = str(PROCESSES / "gateway-permit-fee.bpmn")
ROOT = Path(__file__).resolve().parents[2]


def with_client(address: str, scenario: Callable[[ZeebeClient], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        channel = create_insecure_channel(address)
        try:
            return await asyncio.wait_for(scenario(ZeebeClient(channel, max_connection_retries=1)), 60)
        finally:
            await channel.close()

    return asyncio.run(run())


def test_pyzeebe_deploys_decisions_and_evaluates_them_by_id_and_key(gateway):
    async def scenario(client: ZeebeClient) -> Any:
        deployment = await client.deploy_resource(DECISIONS)
        by_id = await client.evaluate_decision(None, "gateway-fee-notice", {"kind": "new", "area": 120})
        fee_key = next(d.decision_key for d in deployment.deployments
                       if getattr(d, "dmn_decision_id", "") == "gateway-permit-fee")
        by_key = await client.evaluate_decision(fee_key, None, {"kind": "repair", "area": 10})
        with pytest.raises(DecisionNotFoundError):
            await client.evaluate_decision(None, "no-such-decision", {})
        return deployment, by_id, by_key

    deployment, by_id, by_key = with_client(gateway.address, scenario)
    [requirements] = [d for d in deployment.deployments if hasattr(d, "dmn_decision_requirements_name")]
    assert (requirements.dmn_decision_requirements_id, requirements.version) == ("gateway-fees", 1)
    assert requirements.dmn_decision_requirements_name == "Construction permit fees"
    assert requirements.resource_name.endswith("gateway-permit-fee.dmn")
    decisions = {d.dmn_decision_id: d for d in deployment.deployments if hasattr(d, "dmn_decision_id")}
    assert set(decisions) == {"gateway-permit-fee", "gateway-fee-notice", "gateway-strict-fee"}
    assert {d.decision_requirements_key for d in decisions.values()} == {requirements.decision_requirements_key}
    assert decisions["gateway-permit-fee"].dmn_decision_name == "Permit fee"

    assert by_id.decision_output == "Lệ phí: 75000 đồng"
    assert (by_id.decision_id, by_id.decision_version, by_id.decision_requirements_id) == (
        "gateway-fee-notice", 1, "gateway-fees")
    assert by_id.failed_decision_id == "" and by_id.failure_message == ""
    fee, notice = by_id.evaluated_decisions
    assert (fee.decision_id, fee.decision_type, notice.decision_type) == (
        "gateway-permit-fee", "DECISION_TABLE", "LITERAL_EXPRESSION")
    assert fee.decision_output == {"fee": 75000, "band": "small"}
    assert [(i.input_name, i.input_value) for i in fee.evaluated_inputs] == [
        ("Kind of work", "new"), ("Floor area (m²)", 120)]
    [rule] = fee.matched_rules
    assert (rule.rule_id, rule.rule_index) == ("rule-small", 2)
    assert [(o.output_name, o.output_value) for o in rule.evaluated_outputs] == [("fee", 75000), ("band", "small")]
    assert by_key.decision_output == {"fee": 50000, "band": "repair"}


def test_a_failing_evaluation_answers_with_the_failed_decision_and_why(gateway, stub):
    stub.DeployResource(pb.DeployResourceRequest(resources=[
        pb.Resource(name="gateway-permit-fee.dmn", content=Path(DECISIONS).read_bytes())]))
    answer = stub.EvaluateDecision(pb.EvaluateDecisionRequest(decisionId="gateway-strict-fee",
                                                              variables='{"area": 120}'))
    assert answer.failedDecisionId == "gateway-strict-fee"
    assert answer.failureMessage == ("Expected to evaluate decision 'gateway-strict-fee', but multiple values "
                                     "aren't allowed for UNIQUE hit policy. found: '[1, 2]'")
    assert json.loads(answer.decisionOutput) is None
    assert [r.ruleId for r in answer.evaluatedDecisions[0].matchedRules] == ["strict-over-100", "strict-over-50"]
    both = stub.EvaluateDecision(pb.EvaluateDecisionRequest(decisionId="gateway-permit-fee", decisionKey=123,
                                                            variables='{"kind": "repair"}'))
    assert (both.decisionId, json.loads(both.decisionOutput)) == ("gateway-permit-fee", {"fee": 50000, "band": "repair"})


@pytest.mark.parametrize(("request_", "details"), [
    (pb.EvaluateDecisionRequest(decisionId="missing"),
     "Expected to evaluate decision 'missing', but no decision found for id 'missing'"),
    (pb.EvaluateDecisionRequest(decisionKey=123),
     "Expected to evaluate decision '123', but no decision found for key '123'"),
    (pb.EvaluateDecisionRequest(),
     "Expected either a decision id or a valid decision key, but none provided"),
    (pb.EvaluateDecisionRequest(decisionId="x", variables="[1]"), "as a JSON object at the root"),
])
def test_evaluate_decision_refusals_are_invalid_argument_as_before_zeebe_8_8(stub, request_, details):
    with pytest.raises(grpc.RpcError) as refused:
        stub.EvaluateDecision(request_)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details in refused.value.details()


def test_broken_dmn_is_refused_naming_the_file_and_the_decision(stub):
    broken = Path(DECISIONS).read_text(encoding="utf-8").replace("<text>&gt;= 250</text>", "<text>&gt;= &gt;=</text>")
    with pytest.raises(grpc.RpcError) as refused:
        stub.DeployResource(pb.DeployResourceRequest(resources=[
            pb.Resource(name="fees.dmn", content=broken.encode("utf-8"))]))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "'fees.dmn' decision 'gateway-permit-fee': the FEEL unary tests '>= >=' of 'rule-large' are invalid" in (
        refused.value.details())


def test_a_business_rule_task_decides_the_fee_in_a_process(gateway):
    async def scenario(client: ZeebeClient) -> Any:
        await client.deploy_resource(PROCESS, DECISIONS)
        return await client.run_process_with_result("gateway-permit-fee", {"kind": "new", "area": 300},
                                                    timeout=10_000)

    result = with_client(gateway.address, scenario)
    assert result.variables["feeNotice"] == "Lệ phí: 150000 đồng"


def test_zbctl_deploys_a_dmn_file_and_evaluates_a_decision(zbctl):
    deployed = zbctl.json("deploy", "resource", DECISIONS)
    assert {d["decision"]["dmnDecisionId"] for d in deployed["deployments"] if "decision" in d} == {
        "gateway-permit-fee", "gateway-fee-notice", "gateway-strict-fee"}
    evaluated = zbctl.json("evaluate", "decision", "gateway-permit-fee", "--variables",
                           '{"kind": "new", "area": 300}')
    assert json.loads(evaluated["decisionOutput"]) == {"fee": 150000, "band": "large"}
    assert evaluated["evaluatedDecisions"][0]["matchedRules"][0]["ruleId"] == "rule-large"
    missing = zbctl("evaluate", "decision", "no-such-decision", check=False)
    assert missing.returncode != 0 and "no decision found for id 'no-such-decision'" in missing.stderr


def test_bpmnlint_accepts_the_business_rule_task_diagram():
    binary = ROOT / "node_modules" / ".bin" / "bpmnlint"
    if not binary.exists() or shutil.which("node") is None:
        pytest.skip("bpmnlint is installed by `make test` (npm ci)")
    result = subprocess.run([str(binary), PROCESS], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def engine_process(address: str, data: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "engine", "--address", address, "--data", str(data)],
                               cwd=ROOT, env={**os.environ, "MOTCUA_LOG_LEVEL": "WARNING"})
    with grpc.insecure_channel(address) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
    return process


def test_deployed_decisions_survive_a_killed_engine(tmp_path, free_port):
    address, data = f"127.0.0.1:{free_port}", tmp_path / "engine"
    first = engine_process(address, data)
    try:
        with grpc.insecure_channel(address) as channel:
            GatewayStub(channel).DeployResource(pb.DeployResourceRequest(resources=[
                pb.Resource(name="gateway-permit-fee.dmn", content=Path(DECISIONS).read_bytes()),
                pb.Resource(name="gateway-permit-fee.bpmn", content=Path(PROCESS).read_bytes())]))
    finally:
        first.kill()  # no clean shutdown: what was acknowledged must be on disk
        first.wait()
    second = engine_process(address, data)
    try:
        with grpc.insecure_channel(address) as channel:
            stub = GatewayStub(channel)
            answer = stub.EvaluateDecision(pb.EvaluateDecisionRequest(
                decisionId="gateway-fee-notice", variables='{"kind": "repair"}'), timeout=10)
            assert json.loads(answer.decisionOutput) == "Lệ phí: 50000 đồng"
            finished = stub.CreateProcessInstanceWithResult(pb.CreateProcessInstanceWithResultRequest(
                request=pb.CreateProcessInstanceRequest(bpmnProcessId="gateway-permit-fee", version=-1,
                                                        variables='{"kind": "new", "area": 90}')), timeout=10)
            assert json.loads(finished.variables)["feeNotice"] == "Lệ phí: 75000 đồng"
    finally:
        second.terminate()
        second.wait(timeout=30)
