"""Deploying process models and forms to a Zeebe gateway (embedded engine or real Zeebe)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

import grpc
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.errors import ZeebeError


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


def deploy(address: str, files: list[Path]) -> list[str]:
    """Deploy all files in one deployment; returns one human-readable line per deployed resource."""
    return asyncio.run(_deploy(address, files))


async def _deploy(address: str, files: list[Path]) -> list[str]:
    channel = create_insecure_channel(grpc_address=address)
    try:
        client = ZeebeClient(channel)
        try:
            result = await client.deploy_resource(*[str(f) for f in files])
        except (ZeebeError, grpc.aio.AioRpcError) as error:
            raise DeploymentRejected(f"deployment to {address} rejected: {error}") from None
    finally:
        await channel.close()
    lines = [f"process {p.bpmn_process_id} version {p.version} (key {p.process_definition_key}) from {p.resource_name}"
             for p in result.processes]
    lines += [f"form {f.form_id} version {f.version} (key {f.form_key}) from {f.resource_name}"
              for f in result.forms]
    lines += [f"decision {d.dmn_decision_id} version {d.version} from {d.resource_name}"
              for d in result.decisions]
    return lines
