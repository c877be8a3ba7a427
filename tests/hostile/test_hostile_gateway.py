"""Fuzzing the Zeebe gateway with hypothesis: random fields, huge and deeply nested variables,
invalid JSON, unknown keys, malformed diagrams and forms. Every answer is a clear gRPC status
(never UNKNOWN or INTERNAL, never a dead server), and the gateway keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.gateway import BackgroundGateway

CLEAR = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS,
         grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.RESOURCE_EXHAUSTED,
         grpc.StatusCode.OUT_OF_RANGE, grpc.StatusCode.DEADLINE_EXCEEDED}
PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="hostile">
  <bpmn:process id="hostile-fuzz" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="hostile.work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children,
                                                                     max_size=5),
    max_leaves=40)
huge = st.integers(min_value=100_000, max_value=6_000_000).map(lambda size: json.dumps({"x": "a" * size}))
variables = st.one_of(
    st.dictionaries(st.text(max_size=20), json_values, max_size=8).map(json.dumps),
    json_values.map(json.dumps),                       # a list, a number, a string: not an object
    st.text(max_size=200),                             # not JSON at all
    st.sampled_from(["", "{", "}", "null", "NaN", '{"a": NaN}', '{"a": Infinity}', "\ufeff{}",
                     '{"__proto__": {"x": 1}}', '{"a": 1, "a": 2}', "{'a': 1}", "\x00"]),
    huge)
# Nesting deeper than Python's recursion limit: its own tests below (found by this fuzzing).
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
DEEP_LIST = "[" * 5000 + "]" * 5000


@pytest.fixture(scope="module")
def hostile_gateway(tmp_path_factory) -> Iterator[GatewayStub]:
    from engine.runtime import Engine

    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('hostile-engine') / 'engine.db'}")
    engine.start()
    with BackgroundGateway(engine, "127.0.0.1:0") as serving, \
            grpc.insecure_channel(serving.address) as channel:
        stub = GatewayStub(channel)
        stub.raw_channel = channel
        stub.DeployResource(pb.DeployResourceRequest(
            resources=[pb.Resource(name="hostile-fuzz.bpmn", content=PROCESS)]))
        yield stub
    engine.close()


def answered_clearly(call) -> None:
    """The call succeeds or fails with a clear status; the gateway still answers afterwards."""
    try:
        call()
    except grpc.RpcError as error:
        assert error.code() in CLEAR, (error.code(), error.details())
        assert error.details(), "a refusal with no explanation"


def still_serving(stub: GatewayStub) -> None:
    stub.Topology(pb.TopologyRequest(), timeout=5)


def a_job(stub: GatewayStub) -> int:
    stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="hostile-fuzz", version=-1))
    for response in stub.ActivateJobs(pb.ActivateJobsRequest(
            type="hostile.work", worker="fuzz", timeout=60_000, maxJobsToActivate=1,
            requestTimeout=2000), timeout=10):
        for job in response.jobs:
            return job.key
    raise AssertionError("no job to complete")


@FUZZ
@given(process_id=st.sampled_from(["hostile-fuzz"]) | st.text(max_size=300), version=INT32,
       variables=variables)
def test_create_process_instance_with_hostile_fields(hostile_gateway, process_id, version, variables):
    stub = hostile_gateway
    answered_clearly(lambda: stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
        bpmnProcessId=process_id, version=version, variables=variables), timeout=20))
    still_serving(stub)


@FUZZ
@given(variables=variables, job_key=st.sampled_from([None]) | INT64)
def test_complete_job_with_hostile_variables(hostile_gateway, variables, job_key):
    stub = hostile_gateway
    key = a_job(stub) if job_key is None else job_key
    answered_clearly(lambda: stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=variables),
                                              timeout=20))
    still_serving(stub)


@FUZZ
@given(name=st.text(max_size=300), key=st.text(max_size=300), ttl=INT64, message_id=st.text(max_size=100),
       variables=variables)
def test_publish_message_with_hostile_fields(hostile_gateway, name, key, ttl, message_id, variables):
    stub = hostile_gateway
    answered_clearly(lambda: stub.PublishMessage(pb.PublishMessageRequest(
        name=name, correlationKey=key, timeToLive=ttl, messageId=message_id, variables=variables),
        timeout=20))
    still_serving(stub)


@FUZZ
@given(key=INT64, variables=variables, local=st.booleans())
def test_set_variables_and_other_keyed_commands_with_hostile_fields(hostile_gateway, key, variables, local):
    stub = hostile_gateway
    answered_clearly(lambda: stub.SetVariables(pb.SetVariablesRequest(
        elementInstanceKey=key, variables=variables, local=local), timeout=20))
    answered_clearly(lambda: stub.FailJob(pb.FailJobRequest(jobKey=key, retries=-1,
                                                            errorMessage=variables[:1000]), timeout=20))
    answered_clearly(lambda: stub.ThrowError(pb.ThrowErrorRequest(jobKey=key, errorCode=variables[:100]),
                                             timeout=20))
    answered_clearly(lambda: stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=key), timeout=20))
    answered_clearly(lambda: stub.CancelProcessInstance(pb.CancelProcessInstanceRequest(
        processInstanceKey=key), timeout=20))
    still_serving(stub)


@FUZZ
@given(job_type=st.text(max_size=300), worker=st.text(max_size=300), max_jobs=INT32, timeout=INT64,
       fetch=st.lists(st.text(max_size=50), max_size=20))
def test_activate_jobs_with_hostile_fields(hostile_gateway, job_type, worker, max_jobs, timeout, fetch):
    stub = hostile_gateway

    def activate() -> None:
        for _ in stub.ActivateJobs(pb.ActivateJobsRequest(
                type=job_type, worker=worker, timeout=timeout, maxJobsToActivate=max_jobs,
                fetchVariable=fetch, requestTimeout=100), timeout=5):
            pass
    answered_clearly(activate)
    still_serving(stub)


@FUZZ
@given(name=st.text(max_size=100) | st.sampled_from(["x.bpmn", "x.form", "x.dmn"]),
       content=st.binary(max_size=2000) | st.sampled_from([
           PROCESS.replace(b"</bpmn:definitions>", b""),               # truncated XML
           PROCESS.replace(b'sourceRef="work"', b'sourceRef="nowhere"'),  # dangling flow
           PROCESS.replace(b'id="hostile-fuzz"', b'id=""'),          # no process id
           b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>&e;"
           b"</bpmn:definitions>",                                       # external entity
           b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
           b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]><x>&e;&e;&e;&e;</x>',  # entity bomb
           b'{"components": "not a list", "id": 5}', b'{"type": "default"', b"[]", b"null",
       ]))
def test_deploying_malformed_diagrams_and_forms_is_refused_clearly(hostile_gateway, name, content):
    stub = hostile_gateway
    suffix = "" if "." in name else ".bpmn"
    try:
        stub.DeployResource(pb.DeployResourceRequest(
            resources=[pb.Resource(name=name + suffix, content=content)]), timeout=20)
    except grpc.RpcError as error:
        assert error.code() in CLEAR, (error.code(), error.details())
        assert error.details()
        assert "root:" not in error.details(), "the diagram read a local file"
    still_serving(stub)


@pytest.mark.parametrize("nested", [DEEP_OBJECT, DEEP_LIST], ids=["object", "list"])
def test_deeply_nested_variables_are_refused_as_invalid_argument(hostile_gateway, nested):
    """5,000 levels of JSON nesting: a clear INVALID_ARGUMENT, not INTERNAL from a RecursionError."""
    stub = hostile_gateway
    calls = {
        "CreateProcessInstance": lambda: stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
            bpmnProcessId="hostile-fuzz", version=-1, variables=nested), timeout=20),
        "CompleteJob": lambda: stub.CompleteJob(pb.CompleteJobRequest(
            jobKey=a_job(stub), variables=nested), timeout=20),
        "PublishMessage": lambda: stub.PublishMessage(pb.PublishMessageRequest(
            name="m", correlationKey="k", variables=nested), timeout=20),
    }
    answers = {}
    for name, call in calls.items():
        try:
            call()
            answers[name] = "OK"
        except grpc.RpcError as error:
            answers[name] = error.code().name
    still_serving(stub)
    assert answers == dict.fromkeys(calls, "INVALID_ARGUMENT")


def test_a_deployed_form_that_is_not_json_names_the_file(hostile_gateway):
    with pytest.raises(grpc.RpcError) as refused:
        hostile_gateway.DeployResource(pb.DeployResourceRequest(
            resources=[pb.Resource(name="tiep-nhan.form", content=b'{"components": [')]), timeout=20)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "tiep-nhan.form" in refused.value.details()


def test_a_bpmn_file_with_a_broken_flow_names_the_file(hostile_gateway):
    with pytest.raises(grpc.RpcError) as refused:
        hostile_gateway.DeployResource(pb.DeployResourceRequest(resources=[pb.Resource(
            name="hong.bpmn", content=PROCESS.replace(b"</bpmn:definitions>", b""))]), timeout=20)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "hong.bpmn" in refused.value.details()


def test_invalid_protobuf_bytes_do_not_stop_the_gateway(hostile_gateway):
    stub = hostile_gateway
    raw = stub.raw_channel.unary_unary("/gateway_protocol.Gateway/CreateProcessInstance",
                              request_serializer=lambda b: b, response_deserializer=lambda b: b)
    for garbage in (b"\xff" * 64, b"\x0a\xff\xff\xff\xff\x0f", bytes(range(256))):
        with pytest.raises(grpc.RpcError):
            raw(garbage, timeout=5)
    still_serving(stub)


