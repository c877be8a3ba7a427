"""SetVariables over the Zeebe gateway on element instance scopes, as Zeebe answers it."""
from __future__ import annotations

import json

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.gateway import BackgroundGateway

from .conftest import chain, flow, process, service

SUBPROCESS = process("grpc-scope", f"""
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>{service("after", "grpc.after")}
    <bpmn:subProcess id="inner"><bpmn:extensionElements><zeebe:ioMapping>
        <zeebe:input source="=&quot;first&quot;" target="draft"/></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:startEvent id="is"/>{service("write", "grpc.write")}<bpmn:endEvent id="ie"/>
      {flow("is", "write")}{flow("write", "ie")}
    </bpmn:subProcess>""" + chain("s", "inner", "after", "e"))


def set_variables(stub: GatewayStub, key: int, variables: dict, local: bool) -> None:
    stub.SetVariables(pb.SetVariablesRequest(elementInstanceKey=key, variables=json.dumps(variables), local=local))


@pytest.mark.parametrize("restart", [False, True])
def test_set_variables_on_an_element_instance_over_grpc(kit, restart):
    kit.deploy_text("grpc-scope.bpmn", SUBPROCESS)
    instance = kit.start("grpc-scope")
    [inner] = [e["key"] for e in instance._elements() if e["element_id"] == "inner"]
    [job] = kit.activate("grpc.write")
    if restart:
        kit.restart()
    with BackgroundGateway(kit.engine, "127.0.0.1:0") as gateway, grpc.insecure_channel(gateway.address) as channel:
        stub = GatewayStub(channel)
        set_variables(stub, job.element_instance_key, {"draft": "second", "note": "n"}, local=False)
        set_variables(stub, job.element_instance_key, {"mine": True}, local=True)
        assert kit.engine.variables(instance.key, inner) == {"draft": "second"}
        assert kit.engine.variables(instance.key, job.element_instance_key) == {"mine": True}
        assert instance.variables == {"note": "n"}
        kit.engine.complete_job(job.key, {})
        for key in (job.element_instance_key, inner, 987654321):
            with pytest.raises(grpc.RpcError) as refused:
                set_variables(stub, key, {"late": 1}, local=False)
            assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    assert instance.variables == {"note": "n"}
