"""A small read-only HTTP query API of the embedded engine, shaped like Camunda's REST search
endpoints (`POST /v2/process-instances/search`, …). See docs/engine-query-api.md.

It answers what Operate shows: definitions, instances, element instances, variables, incidents,
jobs. It changes nothing: repairs go through the Zeebe gateway (UpdateJobRetries,
ResolveIncident, CancelProcessInstance), exactly as against a real Zeebe.
"""

from engine.query_api.app import QueryApi
from engine.query_api.server import DEFAULT_QUERY_ADDRESS, QueryServer

__all__ = ["DEFAULT_QUERY_ADDRESS", "QueryApi", "QueryServer"]
