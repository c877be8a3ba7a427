"""The OpenAPI 3 description of `/api/v1`."""

from __future__ import annotations

from typing import Any


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = {"$ref": "#/components/schemas/Error"}
ERRORS = {"401": _json(ERROR, "no or unknown Bearer token"), "403": _json(ERROR, "the user's roles do not allow it")}


def document() -> dict[str, Any]:
    task_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "the task id (the user-task job key)"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "motcua — Một cửa điện tử API", "version": "1",
                 "description": "Procedures, dossiers and the staff task inbox. Authenticate with "
                                "`Authorization: Bearer <token>` (`motcua token create USER`; a consulted "
                                "agency's system: `motcua token create --agency CODE`, for "
                                "`/interagency/replies` only)."},
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
                               "dossier; staff tokens are refused. An agency token opens no other route.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["dossierCode", "requestId", "agreed", "opinion"],
                    "properties": {"dossierCode": {"type": "string"}, "requestId": {"type": "string"},
                                   "agencyCode": {"type": "string",
                                                  "description": "optional; if given, the token's agency"},
                                   "agencyName": {"type": "string"},
                                   "agreed": {"type": "boolean"}, "opinion": {"type": "string"},
                                   "documentNumber": {"type": "string"},
                                   "repliedAt": {"type": "string", "format": "date-time"}}}}}},
                "responses": {"202": _json({"type": "object"}, "handed to the waiting process"),
                              "422": _json(ERROR, "a required field is missing, or another dossier's request"),
                              **ERRORS,
                              "403": _json(ERROR, "not a consulted agency's token, or not sent to this agency"),
                              "404": _json(ERROR, "no consultation request with this requestId"),
                              "409": _json(ERROR, "the consultation already has a different answer, or it is "
                                           "over (closed unanswered at its deadline): a late reply"),
                              "503": _json(ERROR, "the engine is not reachable")}}},
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
                    "type": "array", "items": {"$ref": "#/components/schemas/Task"}}}}, "tasks"), **ERRORS}}},
            "/tasks/{id}/claim": {"post": {
                "summary": "Claim a task", "parameters": [task_id],
                "responses": {"200": _json({"$ref": "#/components/schemas/Task"}, "claimed"),
                              "404": _json(ERROR, "no such task"),
                              "409": _json(ERROR, "claimed by someone else, or already done"), **ERRORS}}},
            "/tasks/{id}/complete": {"post": {
                "summary": "Complete a task with its form's values (validated like the page)",
                "parameters": [task_id],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"variables": {"type": "object"}}}}}},
                "responses": {"200": _json({"type": "object"}, "completed"),
                              "404": _json(ERROR, "no such task"),
                              "409": _json(ERROR, "completed elsewhere or claimed by someone else"),
                              "422": _json(ERROR, "the form's checks failed; `fields` names them"), **ERRORS}}},
        },
    }
