"""The OpenAPI 3 description of `/api/v1`, served at `/api/v1/openapi.json`.

docs/openapi.yaml is this document written out (`python -m webapp.openapi > docs/openapi.yaml`);
tests/hostile/test_hostile_api.py checks that the two agree and fuzzes the API against it.
"""

from __future__ import annotations

from typing import Any


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = {"$ref": "#/components/schemas/Error"}
# Any route: a body the server cannot read (400) or one over the size limit (413).
ANY = {"400": _json(ERROR, "not JSON, or malformed"), "413": _json(ERROR, "the request body is too large")}
ERRORS = {"401": _json(ERROR, "no or unknown Bearer token"), "403": _json(ERROR, "the user's roles do not allow it"),
          **ANY}
ENGINE_DOWN = {"503": _json(ERROR, "the engine is not reachable")}


def document() -> dict[str, Any]:
    task_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "the task id (the user-task job key)"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "motcua — Một cửa điện tử API", "version": "1",
                 "description": "Procedures, dossiers and the staff task inbox. Authenticate with "
                                "`Authorization: Bearer <token>` (`motcua token create USER`; a consulted "
                                "agency's system: `motcua token create --agency CODE`, for "
                                "`/interagency/replies` only). Also the public tracking JSON (no token) "
                                "and the period report. This document is written out as docs/openapi.yaml, "
                                "which schemathesis tests the API against."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "status"], "properties": {
                    "error": {"type": "string"}, "status": {"type": "integer"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "Applicant": {"type": "object", "required": ["fullName", "idNumber", "phone", "address"],
                              "properties": {"kind": {"type": "string", "enum": ["person", "organisation"]},
                                             "fullName": {"type": "string"}, "idNumber": {"type": "string"},
                                             "phone": {"type": "string"}, "email": {"type": "string"},
                                             "address": {"type": "string"}}},
                "Component": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"}, "copyType": {"type": "string",
                                                           "enum": ["original", "certified_copy", "photocopy"]},
                    "quantity": {"type": "integer", "minimum": 1}}},
                "Task": {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "elementId": {"type": "string"},
                    "processId": {"type": "string"}, "formId": {"type": "string", "nullable": True},
                    "candidateGroups": {"type": "array", "items": {"type": "string"}},
                    "claimedBy": {"type": "string", "nullable": True},
                    "dueAt": {"type": "string", "format": "date-time", "nullable": True},
                    "overdue": {"type": "boolean"}, "state": {"type": "string"},
                    "dossierCode": {"type": "string", "nullable": True}}},
            },
        },
        "paths": {
            "/procedures": {"get": {"summary": "Procedures in force", "responses": {
                "200": _json({"type": "object"}, "the catalog"), **ERRORS}}},
            "/procedures/{code}": {"get": {
                "summary": "One procedure with its components for the version in force",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object"}, "the procedure"),
                              "404": _json(ERROR, "unknown procedure"), **ERRORS}}},
            "/dossiers": {"post": {
                "summary": "Register a dossier (online or counter) and start its process",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["procedureCode", "applicant", "components"],
                    "properties": {"procedureCode": {"type": "string"}, "caseId": {"type": "string"},
                                   "channel": {"type": "string", "enum": ["online", "counter", "post"]},
                                   "applicant": {"$ref": "#/components/schemas/Applicant"},
                                   "components": {"type": "array",
                                                  "items": {"$ref": "#/components/schemas/Component"}},
                                   "summary": {"type": "string"}}}}}},
                "responses": {"201": _json({"type": "object", "properties": {
                    "code": {"type": "string"}, "appointmentDate": {"type": "string", "format": "date",
                                                                    "nullable": True},
                    "complete": {"type": "boolean"}}}, "registered"),
                    "422": _json(ERROR, "invalid applicant data or a component the catalog does not list"),
                    "503": _json(ERROR, "the engine is not reachable"), **ERRORS}}},
            "/dossiers/{code}": {"get": {
                "summary": "A dossier with its timeline",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object"}, "the dossier"),
                              "404": _json(ERROR, "unknown dossier"), **ERRORS}}},
            "/interagency/replies": {"post": {
                "summary": "A consulted agency's answer to a consultation (liên thông); a repeat counts once",
                "description": "Only with a consulted agency's own token (`motcua token create --agency "
                               "CODE`), and only for a consultation request sent to that agency about that "
                               "dossier. Staff tokens are refused (403): an officer cannot answer for another "
                               "agency. `agencyCode` may be left out (the token says which agency speaks); if "
                               "given it must be the token's. An agency token opens no other route (403). A "
                               "consultation is over at its deadline, answered or not, even if its process "
                               "was cancelled: a later reply is refused (409).",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["dossierCode", "requestId", "agreed", "opinion"],
                    "properties": {"dossierCode": {"type": "string"}, "requestId": {"type": "string"},
                                   "agencyCode": {"type": "string",
                                                  "description": "optional; if given, the token's agency"},
                                   "agencyName": {"type": "string"},
                                   "agreed": {"type": "boolean"}, "opinion": {"type": "string"},
                                   "documentNumber": {"type": "string"},
                                   "repliedAt": {"type": "string", "format": "date-time"}}}}}},
                "responses": {"202": _json({"type": "object", "required": ["accepted", "duplicate"],
                                            "properties": {"accepted": {"type": "boolean"},
                                                           "duplicate": {"type": "boolean"}}},
                                           "handed to the waiting process (`duplicate`: the same reply "
                                           "was taken before)"),
                              **ERRORS,
                              "422": _json(ERROR, "not a JSON object, a required field missing or of the "
                                           "wrong type, or the request is about another dossier"),
                              "403": _json(ERROR, "not a consulted agency's token (staff cannot answer for "
                                           "an agency), or the consultation was not sent to this agency"),
                              "404": _json(ERROR, "no consultation request with this requestId"),
                              "409": _json(ERROR, "the consultation already has a different answer, or it is "
                                           "over (past its deadline unanswered): a late reply"),
                              **ENGINE_DOWN}}},
            "/tasks": {"get": {
                "summary": "Open user tasks visible to the caller",
                "parameters": [
                    {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["mine", "groups", "all"]}},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                        "open", "unclaimed", "claimed", "overdue", "completed"]}},
                    {"name": "procedure", "in": "query", "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"},
                     "description": "dossier code or applicant"}],
                "responses": {"200": _json({"type": "object", "properties": {"tasks": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Task"}}}}, "tasks"), **ERRORS,
                    **ENGINE_DOWN}}},
            "/tasks/{id}/claim": {"post": {
                "summary": "Claim a task", "parameters": [task_id],
                "responses": {"200": _json({"$ref": "#/components/schemas/Task"}, "claimed"),
                              "404": _json(ERROR, "no such task"),
                              "409": _json(ERROR, "claimed by someone else, or already done"), **ERRORS,
                              **ENGINE_DOWN}}},
            "/tasks/{id}/complete": {"post": {
                "summary": "Complete a task with its form's values (validated like the page)",
                "parameters": [task_id],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"variables": {"type": "object"}}}}}},
                "responses": {"200": _json({"type": "object"}, "completed"),
                              "404": _json(ERROR, "no such task"),
                              "409": _json(ERROR, "completed elsewhere or claimed by someone else"),
                              "422": _json(ERROR, "the form's checks failed; `fields` names them"), **ERRORS,
                              **ENGINE_DOWN}}},
            "/public/dossiers/{code}": {"get": {
                "summary": "A dossier as the public tracking page shows it (no sign-in)",
                "security": [],
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                     "description": "the dossier code (mã hồ sơ)"},
                    {"name": "X-Second-Factor", "in": "header", "required": False, "schema": {"type": "string"},
                     "description": "last 4 digits of the applicant's phone or ID number: adds the applicant"}],
                "responses": {"200": _json({"type": "object"}, "the dossier's progress"),
                              "403": _json(ERROR, "wrong second factor, or too many wrong ones"),
                              "404": _json(ERROR, "no such dossier"),
                              "429": _json(ERROR, "too many lookups from this address"), **ANY}}},
            "/reports/period": {"get": {
                "summary": "Biểu 06: the period report as JSON",
                "parameters": [
                    {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                    {"name": "sector", "in": "query", "schema": {"type": "string"}},
                    {"name": "procedure", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object"}, "the report"), **ERRORS,
                              "400": _json(ERROR, "no period, or not a date")}}},
            "/openapi.json": {"get": {
                "summary": "This API's OpenAPI document", "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3"), **ANY}}},
        },
    }


if __name__ == "__main__":
    import sys

    import yaml

    sys.stdout.write("# The OpenAPI 3 description of the JSON API under /api/v1, written out from webapp/openapi.py\n"
                     "# (`python -m webapp.openapi > docs/openapi.yaml`; edit that file, not this one).\n"
                     "# tests/hostile/test_hostile_api.py checks that the two agree, that the document names every\n"
                     "# /api/v1 route, and fuzzes the API against it with schemathesis.\n")
    class Plain(yaml.SafeDumper):  # each response written out in full, no &anchors
        def ignore_aliases(self, data: Any) -> bool:
            return True

    yaml.dump(document(), sys.stdout, Dumper=Plain, allow_unicode=True, sort_keys=False, width=110)
