"""`gateway_protocol.Gateway` on the embedded engine: each RPC checks its request, calls the engine
off the event loop, and translates the answer. No process semantics live here."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayServicer

from engine.gateway import arguments, translate
from engine.gateway.engine_calls import EngineCalls
from engine.gateway.engine_commands import EngineCommands
from engine.gateway.errors import GatewayError, from_rejection, invalid_argument, unimplemented
from engine.gateway.job_signals import JobSignals

log = logging.getLogger(__name__)

GATEWAY_VERSION = "8.6.6"  # the gateway.proto level of pyzeebe's stubs
DEFAULT_LONG_POLL_S = 10.0  # Zeebe's longPolling.timeout
DEFAULT_RESULT_TIMEOUT_S = 15.0  # Zeebe's gateway→broker request timeout
DEADLINE_MARGIN_S = 0.2  # answer a long poll before the client's own deadline cuts it off
RESPONSE_BUDGET = 3 * 1024 * 1024  # clients refuse messages over 4 MiB by default
STREAM_BATCH = 8  # jobs a stream activates at once; small, so a vanished client strands few

T = TypeVar("T")
Handler = Callable[..., Awaitable[Any]]


def _is_rejection(error: Exception) -> bool:
    return hasattr(error, "intent") and hasattr(error, "code") and hasattr(error, "reason")


async def _abort(context: grpc.aio.ServicerContext, rpc: str, error: Exception) -> None:
    if isinstance(error, GatewayError):
        await context.abort(error.code, error.details)
    log.exception("%s failed unexpectedly", rpc, exc_info=error)
    await context.abort(
        grpc.StatusCode.INTERNAL,
        f"Unexpected error in the embedded engine while handling {rpc}: {error!r}",
    )


def unary(method: Handler) -> Handler:
    @functools.wraps(method)
    async def handle(self: Gateway, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await method(self, request, context)
        except Exception as error:
            await _abort(context, method.__name__, error)

    return handle


def streaming(method: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    @functools.wraps(method)
    async def handle(
        self: Gateway, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Any]:
        try:
            async for message in method(self, request, context):
                yield message
        except Exception as error:
            await _abort(context, method.__name__, error)

    return handle


class Gateway(GatewayServicer):
    def __init__(
        self,
        engine: Any,
        signals: JobSignals,
        *,
        host: str,
        port: int,
        commands: EngineCommands,
        waits: EngineCalls,
    ) -> None:
        self._engine = engine
        self._signals = signals
        self._host, self._port = host, port
        self._commands = commands  # engine commands, answered after their commit
        self._waits = waits  # CreateProcessInstanceWithResult: may wait for a long time

    async def _run(self, command: str, *args: Any, **kwargs: Any) -> Any:
        """`engine.<command>(...)`, awaited; a `Rejection` becomes the status Zeebe would give."""
        try:
            return await self._commands(command, *args, **kwargs)
        except Exception as error:
            if _is_rejection(error):
                raise from_rejection(error) from None
            raise

    # -- cluster ---------------------------------------------------------------------------------

    @unary
    async def Topology(self, request: pb.TopologyRequest, context: Any) -> pb.TopologyResponse:
        return translate.topology(self._host, self._port, GATEWAY_VERSION)

    # -- deployments -----------------------------------------------------------------------------

    @unary
    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: Any
    ) -> pb.DeployResourceResponse:
        if not request.resources:
            raise invalid_argument("Expected to deploy at least one resource, but none given")
        deployment = await self._run("deploy", [(r.name, r.content) for r in request.resources])
        return pb.DeployResourceResponse(
            key=deployment.key,
            deployments=translate.deployment_entries(deployment),
            tenantId=translate.DEFAULT_TENANT,
        )

    @unary
    async def DeployProcess(
        self, request: pb.DeployProcessRequest, context: Any
    ) -> pb.DeployProcessResponse:
        if not request.processes:
            raise invalid_argument("Expected to deploy at least one process, but none given")
        deployment = await self._run("deploy", [(p.name, p.definition) for p in request.processes])
        return pb.DeployProcessResponse(
            key=deployment.key,
            processes=[translate.process_metadata(p) for p in deployment.processes],
        )

    @unary
    async def DeleteResource(
        self, request: pb.DeleteResourceRequest, context: Any
    ) -> pb.DeleteResourceResponse:
        await self._run("delete_resource", request.resourceKey)
        return pb.DeleteResourceResponse()

    # -- process instances -----------------------------------------------------------------------

    async def _create(self, request: pb.CreateProcessInstanceRequest, rpc: str) -> Any:
        variables = arguments.variables(request.variables, rpc=rpc)
        if not request.processDefinitionKey:
            arguments.not_blank(request.bpmnProcessId, rpc=rpc, field="bpmnProcessId")
        return await self._run(
            "create_process_instance",
            bpmn_process_id=request.bpmnProcessId or None,
            version=request.version,
            process_definition_key=request.processDefinitionKey or None,
            variables=variables,
            start_instructions=tuple(i.elementId for i in request.startInstructions),
        )

    @unary
    async def CreateProcessInstance(
        self, request: pb.CreateProcessInstanceRequest, context: Any
    ) -> pb.CreateProcessInstanceResponse:
        created = await self._create(request, "CreateProcessInstance")
        return pb.CreateProcessInstanceResponse(
            processDefinitionKey=created.process_definition_key,
            bpmnProcessId=created.bpmn_process_id,
            version=created.version,
            processInstanceKey=created.process_instance_key,
            tenantId=translate.DEFAULT_TENANT,
        )

    @unary
    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateProcessInstanceWithResultResponse:
        rpc = "CreateProcessInstanceWithResult"
        timeout_s = (
            request.requestTimeout / 1000
            if request.requestTimeout > 0
            else DEFAULT_RESULT_TIMEOUT_S
        )
        client_left = context.time_remaining()
        if client_left is not None:
            timeout_s = max(0.0, min(timeout_s, client_left - DEADLINE_MARGIN_S))
        created = await self._create(request.request, rpc)
        key = created.process_instance_key
        result = self._waits.submit(
            functools.partial(
                self._engine.await_result,
                key,
                timeout_s,
                arguments.fetch_variables(request.fetchVariables),
            )
        )
        stopping = asyncio.ensure_future(self._signals.stopping.wait())
        try:
            await asyncio.wait({result, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not result.done():  # a wait is released like a long poll, not held up to the grace
            raise GatewayError(
                grpc.StatusCode.UNAVAILABLE,
                f"The gateway is stopping; process instance {key} keeps running and continues "
                "when the engine starts again, but this request no longer waits for its result",
            )
        try:
            variables = result.result()
        except TimeoutError:
            raise GatewayError(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"Expected process instance {key} to complete within {int(timeout_s * 1000)} ms, "
                "but it is still running (it keeps running; only the wait ended)",
            ) from None
        except Exception as error:
            if _is_rejection(error):
                raise from_rejection(error) from None
            raise
        return pb.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=created.process_definition_key,
            bpmnProcessId=created.bpmn_process_id,
            version=created.version,
            processInstanceKey=key,
            variables=json.dumps(variables),
            tenantId=translate.DEFAULT_TENANT,
        )

    @unary
    async def CancelProcessInstance(
        self, request: pb.CancelProcessInstanceRequest, context: Any
    ) -> pb.CancelProcessInstanceResponse:
        await self._run("cancel_process_instance", request.processInstanceKey)
        return pb.CancelProcessInstanceResponse()

    @unary
    async def SetVariables(
        self, request: pb.SetVariablesRequest, context: Any
    ) -> pb.SetVariablesResponse:
        variables = arguments.variables(request.variables, rpc="SetVariables")
        key = await self._run(
            "set_variables", request.elementInstanceKey, variables, local=request.local
        )
        return pb.SetVariablesResponse(key=key)

    @unary
    async def ResolveIncident(
        self, request: pb.ResolveIncidentRequest, context: Any
    ) -> pb.ResolveIncidentResponse:
        await self._run("resolve_incident", request.incidentKey)
        return pb.ResolveIncidentResponse()

    @unary
    async def ModifyProcessInstance(self, request: Any, context: Any) -> Any:
        raise unimplemented(
            "ModifyProcessInstance",
            "activating or terminating single elements of a "
            "running instance is not available; cancel it and start a new one",
        )

    @unary
    async def MigrateProcessInstance(self, request: Any, context: Any) -> Any:
        raise unimplemented(
            "MigrateProcessInstance",
            "running instances stay on the process version they started with",
        )

    # -- messages, signals, decisions ------------------------------------------------------------

    @unary
    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: Any
    ) -> pb.PublishMessageResponse:
        arguments.not_blank(request.name, rpc="PublishMessage", field="name")
        variables = arguments.variables(request.variables, rpc="PublishMessage")
        key = await self._run(
            "publish_message",
            request.name,
            correlation_key=request.correlationKey,
            time_to_live_ms=request.timeToLive,
            message_id=request.messageId,
            variables=variables,
        )
        return pb.PublishMessageResponse(key=key, tenantId=translate.DEFAULT_TENANT)

    @unary
    async def BroadcastSignal(
        self, request: pb.BroadcastSignalRequest, context: Any
    ) -> pb.BroadcastSignalResponse:
        arguments.not_blank(request.signalName, rpc="BroadcastSignal", field="signalName")
        variables = arguments.variables(request.variables, rpc="BroadcastSignal")
        key = await self._run("broadcast_signal", request.signalName, variables=variables)
        return pb.BroadcastSignalResponse(key=key, tenantId=translate.DEFAULT_TENANT)

    @unary
    async def EvaluateDecision(
        self, request: pb.EvaluateDecisionRequest, context: Any
    ) -> pb.EvaluateDecisionResponse:
        variables = arguments.variables(request.variables, rpc="EvaluateDecision")
        evaluation = await self._run(
            "evaluate_decision",
            decision_id=request.decisionId,  # the id wins when both are given
            decision_key=request.decisionKey,
            variables=variables,
        )
        return translate.decision_evaluation(evaluation)

    # -- jobs ------------------------------------------------------------------------------------

    async def _activate(
        self, job_type: str, worker: str, timeout_ms: int, max_jobs: int, fetch: list[str] | None
    ) -> list[Any]:
        """Activate jobs; if the client leaves while the engine works, hand them straight back
        instead of leaving them locked until their timeout."""
        activation = self._commands(
            "activate_jobs",
            job_type=job_type,
            worker=worker,
            timeout_ms=timeout_ms,
            max_jobs=max_jobs,
            fetch_variables=fetch,
        )
        try:
            return await asyncio.shield(activation)
        except asyncio.CancelledError:
            activation.add_done_callback(
                lambda done: None if done.exception() else self._hand_back(done.result())
            )
            raise
        except Exception as error:
            if _is_rejection(error):
                raise from_rejection(error) from None
            raise

    async def _activate_unless_empty(
        self, job_type: str, worker: str, timeout_ms: int, max_jobs: int, fetch: list[str] | None
    ) -> list[Any]:
        """Activate jobs, unless the engine is known to have none of this type (no job became
        activatable since it last ran out); remember when it runs out."""
        version = self._signals.version(job_type)
        if self._signals.known_empty(job_type):
            return []
        jobs = await self._activate(job_type, worker, timeout_ms, max_jobs, fetch)
        if len(jobs) < max_jobs:
            self._signals.drained(job_type, version)
        return jobs

    def _hand_back(self, jobs: list[Any]) -> None:
        """Jobs activated for a client that is gone: end their lock now (Zeebe's job yield), so
        the engine offers them again at once."""
        for job in jobs:
            returned = self._commands("update_job_timeout", job.key, 0)
            # completed or failed meanwhile: nothing to give back, nothing to report
            returned.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _deliver(self, batches: list[tuple[Any, list[Any]]]) -> AsyncIterator[Any]:
        """Yield each message of (message, jobs it carries); if the client is gone before all went
        out, the jobs not sent are handed back rather than locked for a worker that never sees them."""
        sent = 0
        try:
            for message, _ in batches:
                yield message
                sent += 1
        finally:
            unsent = [job for _, jobs in batches[sent:] for job in jobs]
            if unsent:
                self._hand_back(unsent)

    @streaming
    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        rpc = "ActivateJobs"
        job_type = arguments.not_blank(request.type, rpc=rpc, field="type")
        worker = arguments.not_blank(request.worker, rpc=rpc, field="worker")
        arguments.at_least(request.timeout, 1, rpc=rpc, field="timeout")
        arguments.at_least(request.maxJobsToActivate, 1, rpc=rpc, field="maxJobsToActivate")
        fetch = arguments.fetch_variables(request.fetchVariable)
        activate = functools.partial(
            self._activate_unless_empty,
            job_type,
            worker,
            request.timeout,
            request.maxJobsToActivate,
            fetch,
        )
        if request.requestTimeout < 0:  # long polling disabled: answer with what there is now
            jobs = await activate()
            async for response in self._deliver(job_responses(jobs)):
                yield response
            return
        hold_s = (
            request.requestTimeout / 1000 if request.requestTimeout > 0 else DEFAULT_LONG_POLL_S
        )
        client_left = context.time_remaining()
        if client_left is not None:
            hold_s = min(hold_s, client_left - DEADLINE_MARGIN_S)
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + hold_s
        with self._signals.waiting_for(job_type) as job_ready:
            while True:
                job_ready.clear()  # before looking, so a job that appears meanwhile wakes us again
                jobs = await activate()
                if jobs:
                    async for response in self._deliver(job_responses(jobs)):
                        yield response
                    return
                left = give_up_at - loop.time()
                if left <= 0 or self._signals.closed:
                    return
                try:
                    await asyncio.wait_for(job_ready.wait(), left)
                except TimeoutError:
                    return

    @streaming
    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ActivatedJob]:
        rpc = "StreamActivatedJobs"
        job_type = arguments.not_blank(request.type, rpc=rpc, field="type")
        worker = arguments.not_blank(request.worker, rpc=rpc, field="worker")
        arguments.at_least(request.timeout, 1, rpc=rpc, field="timeout")
        fetch = arguments.fetch_variables(request.fetchVariable)
        with self._signals.waiting_for(job_type) as job_ready:
            while not self._signals.closed:
                job_ready.clear()
                jobs = await self._activate_unless_empty(
                    job_type, worker, request.timeout, STREAM_BATCH, fetch
                )
                async for message in self._deliver(
                    [(translate.activated_job(j), [j]) for j in jobs]
                ):
                    yield message
                if len(jobs) < STREAM_BATCH:
                    await job_ready.wait()

    @unary
    async def CompleteJob(
        self, request: pb.CompleteJobRequest, context: Any
    ) -> pb.CompleteJobResponse:
        variables = arguments.variables(request.variables, rpc="CompleteJob")
        await self._run("complete_job", request.jobKey, variables)
        return pb.CompleteJobResponse()

    @unary
    async def FailJob(self, request: pb.FailJobRequest, context: Any) -> pb.FailJobResponse:
        variables = arguments.variables(request.variables, rpc="FailJob")
        await self._run(
            "fail_job",
            request.jobKey,
            request.retries,
            error_message=request.errorMessage,
            retry_backoff_ms=request.retryBackOff,
            variables=variables,
        )
        return pb.FailJobResponse()

    @unary
    async def ThrowError(
        self, request: pb.ThrowErrorRequest, context: Any
    ) -> pb.ThrowErrorResponse:
        arguments.not_blank(request.errorCode, rpc="ThrowError", field="errorCode")
        variables = arguments.variables(request.variables, rpc="ThrowError")
        await self._run(
            "throw_error",
            request.jobKey,
            request.errorCode,
            error_message=request.errorMessage,
            variables=variables,
        )
        return pb.ThrowErrorResponse()

    @unary
    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: Any
    ) -> pb.UpdateJobRetriesResponse:
        arguments.at_least(request.retries, 1, rpc="UpdateJobRetries", field="retries")
        await self._run("update_job_retries", request.jobKey, request.retries)
        return pb.UpdateJobRetriesResponse()

    @unary
    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: Any
    ) -> pb.UpdateJobTimeoutResponse:
        await self._run("update_job_timeout", request.jobKey, request.timeout)
        return pb.UpdateJobTimeoutResponse()


def job_responses(jobs: list[Any]) -> list[tuple[pb.ActivateJobsResponse, list[Any]]]:
    """Activated jobs in as few responses as fit a client's message limit, as Zeebe splits them;
    each response with the jobs it carries."""
    responses: list[tuple[pb.ActivateJobsResponse, list[Any]]] = []
    current, carried, size = pb.ActivateJobsResponse(), [], 0
    for job in jobs:
        message = translate.activated_job(job)
        if current.jobs and size + message.ByteSize() > RESPONSE_BUDGET:
            responses.append((current, carried))
            current, carried, size = pb.ActivateJobsResponse(), [], 0
        current.jobs.append(message)
        carried.append(job)
        size += message.ByteSize()
    if current.jobs:
        responses.append((current, carried))
    return responses
