"""Deploying process models and forms to a Zeebe gateway (embedded engine or real Zeebe)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

import grpc
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.errors import PyZeebeError


class DeploymentRejected(Exception):
    pass


def collect(paths: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """Files with a deployable suffix, directories searched recursively, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in suffixes and p.is_file()))
        elif path.suffix in suffixes:
            files.append(path)
    return files


def _reason(error: BaseException) -> str:
    """The gateway's own sentence (pyzeebe keeps the gRPC error as the cause)."""
    for candidate in (error, error.__cause__, error.__context__):
        if isinstance(candidate, grpc.aio.AioRpcError):
            return f"{candidate.code().name}: {candidate.details()}"
    return str(error) or type(error).__name__


def deploy(address: str, files: list[Path]) -> list[str]:
    """Deploy all files in one deployment; returns one human-readable line per deployed resource."""
    return asyncio.run(_deploy(address, files))


async def _deploy(address: str, files: list[Path]) -> list[str]:
    channel = create_insecure_channel(grpc_address=address)
    try:
        client = ZeebeClient(channel)
        try:
            result = await client.deploy_resource(*[str(f) for f in files])
        except (PyZeebeError, grpc.aio.AioRpcError) as error:
            raise DeploymentRejected(f"deployment to {address} rejected: {_reason(error)}") from None
    finally:
        await channel.close()
    lines = []
    for item in result.deployments:
        if hasattr(item, "bpmn_process_id"):
            lines.append(f"process {item.bpmn_process_id} version {item.version} "
                         f"(key {item.process_definition_key}) from {item.resource_name}")
        elif hasattr(item, "form_id"):
            lines.append(f"form {item.form_id} version {item.version} (key {item.form_key}) "
                         f"from {item.resource_name}")
        elif hasattr(item, "dmn_decision_id"):  # a decision has no resource name: its DRG has
            lines.append(f"decision {item.dmn_decision_id} version {item.version} (key {item.decision_key}) "
                         f"in {item.dmn_decision_requirements_id}")
        elif hasattr(item, "dmn_decision_requirements_id"):
            lines.append(f"decisions {item.dmn_decision_requirements_id} version {item.version} "
                         f"(key {item.decision_requirements_key}) from {item.resource_name}")
    return lines
