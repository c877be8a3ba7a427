"""The Zeebe gateway (gRPC, `gateway_protocol.Gateway`) in front of the embedded engine.

Only protocol translation lives here: request checks, engine calls, status codes, long polling.
"""

from engine.gateway.server import BackgroundGateway, GatewayServer, Tls

__all__ = ["BackgroundGateway", "GatewayServer", "Tls"]
