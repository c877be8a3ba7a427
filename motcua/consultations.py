"""Inter-agency consultation (liên thông): the request we send, the reply we receive.

Public API
----------
- `ConsultationRequest(request_id, dossier_code, agency_code, procedure_name, question, due_at,
  reply_url)` with `.as_json()`; `send_to_agency(endpoint, body, timeout_s=10)` raises
  `AgencyUnreachable` when the agency does not take it (the job retries).
- `ConsultationReply.from_json(body)` (raises `ValueError` naming the bad field) and
  `.as_variables()` — the `consultationReply` payload of the `interagency-reply` message.
- `publish_reply(client, reply)` — PublishMessage `interagency-reply` correlated by dossier code,
  with a message id per request so a reply posted twice counts once (for the webapp endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

REPLY_MESSAGE = "interagency-reply"
REPLY_TTL_MS = 24 * 3600 * 1000


class AgencyUnreachable(Exception):
    pass


@dataclass(frozen=True)
class ConsultationRequest:
    request_id: str
    dossier_code: str
    agency_code: str
    procedure_name: str
    question: str
    due_at: datetime
    reply_url: str
    kind: str = "request"  # or "reminder"

    def as_json(self) -> dict[str, Any]:
        return {"type": self.kind, "requestId": self.request_id, "dossierCode": self.dossier_code,
                "agencyCode": self.agency_code, "procedureName": self.procedure_name,
                "question": self.question, "replyBy": self.due_at.isoformat(timespec="seconds"),
                "replyUrl": self.reply_url}


def send_to_agency(endpoint: str, body: dict[str, Any], timeout_s: float = 10) -> None:
    try:
        response = requests.post(endpoint, json=body, timeout=timeout_s,
                                 headers={"Idempotency-Key": f"{body['requestId']}:{body['type']}"})
    except requests.RequestException as error:
        raise AgencyUnreachable(f"agency {body['agencyCode']} unreachable: {error}") from error
    if response.status_code >= 300 and response.status_code != 409:
        raise AgencyUnreachable(f"agency {body['agencyCode']} answered HTTP {response.status_code}")


@dataclass(frozen=True)
class ConsultationReply:
    dossier_code: str
    request_id: str
    agency_code: str
    agency_name: str
    agreed: bool
    opinion: str
    document_number: str | None
    replied_at: str

    @classmethod
    def from_json(cls, body: Any) -> ConsultationReply:
        if not isinstance(body, dict):
            raise ValueError("the reply must be a JSON object")
        for name in ("dossierCode", "requestId", "agencyCode", "agreed", "opinion"):
            if body.get(name) in (None, ""):
                raise ValueError(f"{name} is required")
        if not isinstance(body["agreed"], bool):
            raise ValueError("agreed must be true or false")
        return cls(str(body["dossierCode"]), str(body["requestId"]), str(body["agencyCode"]),
                   str(body.get("agencyName") or body["agencyCode"]), body["agreed"],
                   str(body["opinion"]), body.get("documentNumber"),
                   str(body.get("repliedAt") or datetime.now().astimezone().isoformat(timespec="seconds")))

    def as_variables(self) -> dict[str, Any]:
        return {"consultationReply": {
            "agencyCode": self.agency_code, "agencyName": self.agency_name, "agreed": self.agreed,
            "opinion": self.opinion, "documentNumber": self.document_number,
            "repliedAt": self.replied_at}}


async def publish_reply(client: Any, reply: ConsultationReply) -> None:
    """Let the waiting consultation go on (pyzeebe `ZeebeClient`)."""
    await client.publish_message(REPLY_MESSAGE, reply.dossier_code, reply.as_variables(),
                                 time_to_live_in_milliseconds=REPLY_TTL_MS,
                                 message_id=f"{reply.dossier_code}:reply:{reply.request_id}")
