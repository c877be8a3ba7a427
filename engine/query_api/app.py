"""The WSGI application of the query API: routes, JSON in and out, problem answers for errors.

Errors follow Camunda's REST API: `application/problem+json` with `title`, `status`, `detail`.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as NoRoute
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .resources import EngineQueries, Resources
from .search import InvalidRequest, NotFound

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024

ROUTES = Map([
    Rule("/v2/status", methods=["GET"], endpoint="status"),
    Rule("/v2/process-definitions/search", methods=["POST"], endpoint="search_process_definitions"),
    Rule("/v2/process-definitions/<int:key>", methods=["GET"], endpoint="process_definition"),
    Rule("/v2/process-definitions/<int:key>/xml", methods=["GET"], endpoint="process_definition_xml"),
    Rule("/v2/process-instances/search", methods=["POST"], endpoint="search_process_instances"),
    Rule("/v2/process-instances/<int:key>", methods=["GET"], endpoint="process_instance"),
    Rule("/v2/element-instances/search", methods=["POST"], endpoint="search_element_instances"),
    Rule("/v2/variables/search", methods=["POST"], endpoint="search_variables"),
    Rule("/v2/incidents/search", methods=["POST"], endpoint="search_incidents"),
    Rule("/v2/incidents/<int:key>", methods=["GET"], endpoint="incident"),
    Rule("/v2/jobs/search", methods=["POST"], endpoint="search_jobs"),
    Rule("/v2/decision-definitions/search", methods=["POST"], endpoint="search_decision_definitions"),
    Rule("/v2/decision-definitions/<int:key>/xml", methods=["GET"], endpoint="decision_definition_xml"),
    Rule("/v2/decision-instances/search", methods=["POST"], endpoint="search_decision_instances"),
], strict_slashes=False)


class QueryApi:
    """`QueryApi(engine)` is a WSGI application; `token` requires `Authorization: Bearer TOKEN`."""

    def __init__(self, engine: EngineQueries, token: str | None = None) -> None:
        self.resources = Resources(engine)
        self.token = token

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        try:
            if self.token and not self._authorised(request):
                return problem(401, "UNAUTHENTICATED", "Expected 'Authorization: Bearer <token>'")
            endpoint, arguments = ROUTES.bind_to_environ(request.environ).match()
            return self._dispatch(endpoint, arguments, request)
        except InvalidRequest as error:
            return problem(400, "INVALID_ARGUMENT", str(error))
        except NotFound as error:
            return problem(404, "NOT_FOUND", str(error))
        except NoRoute:
            return problem(404, "NOT_FOUND", f"No such endpoint: {request.method} {request.path}")
        except MethodNotAllowed as error:
            response = problem(405, "METHOD_NOT_ALLOWED",
                               f"{request.method} is not allowed on {request.path}")
            response.headers["Allow"] = ", ".join(error.valid_methods or ())
            return response
        except HTTPException as error:
            return problem(error.code or 500, error.name, error.description or "")
        except Exception:
            log.exception("query API failed on %s %s", request.method, request.path)
            return problem(500, "INTERNAL", "The engine could not answer this query; see its log")

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _dispatch(self, endpoint: str, arguments: dict[str, str], request: Request) -> Response:
        resources = self.resources
        if endpoint == "status":
            return Response(status=204)
        if "key" in arguments:
            key = arguments["key"]
            if endpoint in ("process_definition_xml", "decision_definition_xml"):
                return Response(getattr(resources, endpoint)(key), mimetype="text/xml")
            return as_json(getattr(resources, endpoint)(key))
        return as_json(getattr(resources, endpoint)(_json_body(request)))


def _json_body(request: Request) -> Any:
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        raise InvalidRequest(f"The request body is larger than {MAX_BODY_BYTES} bytes")
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    if request.mimetype not in ("application/json", "") and not request.mimetype.endswith("+json"):
        raise InvalidRequest(f"Expected a JSON body (Content-Type: application/json), "
                             f"not {request.mimetype}")
    try:
        return json.loads(raw)
    except ValueError as error:
        raise InvalidRequest(f"The request body is not valid JSON: {error}") from None


def as_json(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), status=status,
                    mimetype="application/json")


def problem(status: int, title: str, detail: str) -> Response:
    response = as_json({"type": "about:blank", "title": title, "status": status, "detail": detail},
                       status)
    response.mimetype = "application/problem+json"
    return response
