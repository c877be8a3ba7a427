"""`python -m engine`: the embedded engine behind its Zeebe gateway, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

# This process never forks, so grpc's fork bookkeeping (a getpid() and more on every call) is
# pure cost: about 8 % of the process's CPU under the gRPC benchmark. Read when grpc is imported.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")

DEFAULT_ADDRESS = "127.0.0.1:26500"
DEFAULT_QUERY_ADDRESS = "127.0.0.1:8088"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m engine",
        description="Run the embedded Zeebe-compatible engine and its gRPC gateway.",
    )
    parser.add_argument(
        "--address",
        default=os.environ.get("ZEEBE_ADDRESS", DEFAULT_ADDRESS),
        help="HOST:PORT to serve gRPC on [default: $ZEEBE_ADDRESS or %(default)s]",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("var/engine"),
        help="directory of the engine's SQLite database [default: %(default)s]",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MOTCUA_ENGINE_DATABASE_URL"),
        help="SQLAlchemy URL instead of the SQLite file in --data "
        "[default: $MOTCUA_ENGINE_DATABASE_URL]",
    )
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain; enables TLS")
    parser.add_argument("--tls-key", type=Path, help="PEM private key for --tls-cert")
    parser.add_argument(
        "--token",
        default=os.environ.get("MOTCUA_ENGINE_TOKEN"),
        help="require 'authorization: Bearer TOKEN' on every call "
        "[default: $MOTCUA_ENGINE_TOKEN, none]",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=10.0,
        help="seconds in-flight calls get to finish on stop [default: %(default)s]",
    )
    parser.add_argument(
        "--query-address",
        default=os.environ.get("MOTCUA_ENGINE_QUERY_ADDRESS", DEFAULT_QUERY_ADDRESS),
        help="HOST:PORT of the read-only HTTP query API (docs/engine-query-api.md), 'off' for none "
        "[default: $MOTCUA_ENGINE_QUERY_ADDRESS or %(default)s]",
    )
    arguments = parser.parse_args(argv)
    if bool(arguments.tls_cert) != bool(arguments.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return arguments


async def serve(arguments: argparse.Namespace) -> None:
    from engine.gateway import GatewayServer, Tls
    from engine.runtime import Engine

    if arguments.database_url:
        database_url = arguments.database_url
    else:
        arguments.data.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{arguments.data.resolve() / 'engine.db'}"
    tls = Tls.from_files(arguments.tls_cert, arguments.tls_key) if arguments.tls_cert else None
    engine = Engine(database_url)
    engine.start()
    gateway = GatewayServer(engine, arguments.address, tls=tls, token=arguments.token)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop_requested.set)
    try:
        await gateway.start()
        print(f"engine: Zeebe gateway on {gateway.address}, data in {database_url}", flush=True)
        query_server = start_query_api(engine, arguments)
        await stop_requested.wait()
        print("engine: stopping", flush=True)
        if query_server is not None:
            query_server.stop()
        await gateway.stop(arguments.grace)
    finally:
        engine.close()


def start_query_api(engine, arguments: argparse.Namespace):
    """The read-only HTTP query API beside the gateway; a taken port costs only the API."""
    from engine.query_api import QueryServer

    if arguments.query_address.strip().lower() in ("", "off", "none"):
        return None
    server = QueryServer(engine, arguments.query_address, token=arguments.token)
    try:
        server.start()
    except (OSError, ValueError) as error:
        print(f"engine: query API not started on {arguments.query_address}: {error}",
              file=sys.stderr, flush=True)
        return None
    print(f"engine: query API on {server.url}", flush=True)
    return server


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(
        level=os.environ.get("MOTCUA_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(serve(arguments))
    except OSError as error:
        print(f"engine: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
