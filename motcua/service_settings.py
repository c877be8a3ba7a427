"""Settings of the services that act on dossiers (SMS, portal, consultations, time limits).

Read from environment variables with working defaults; shared by the job workers and the webapp.

| variable | default | meaning |
|---|---|---|
| `MOTCUA_TRACKING_URL` | `{web_url}/t/{code}` | the short tracking link in SMS and the receipt QR code; `{code}` is the dossier code |
| `MOTCUA_SMS_SENDER` | `So Xay dung` | who the SMS says it is from (plain ASCII) |
| `MOTCUA_SMS_HTTP_URL` | (none) | the JSON SMS gateway endpoint (provider `http`) |
| `MOTCUA_SMS_HTTP_API_KEY` / `MOTCUA_SMS_HTTP_SECRET_KEY` | (none) | the gateway's keys |
| `MOTCUA_SMS_BRANDNAME` | `SOXAYDUNG` | the registered brandname (≤ 11 characters) |
| `MOTCUA_SMS_HTTP_TIMEOUT_S` | `10` | seconds before a gateway call counts as failed |
| `MOTCUA_PORTAL_URL` | (none: reports stay queued) | the provincial portal's sync API base URL |
| `MOTCUA_PORTAL_TOKEN` | (none) | Bearer token for the portal |
| `MOTCUA_PORTAL_RETRY_S` | `30` | first wait before re-sending a report; doubles up to 1 hour |
| `MOTCUA_AGENCY_ENDPOINTS` | (none) | consulted agencies: `CODE=URL` pairs separated by commas or a JSON object |
| `MOTCUA_CONSULTATION_WORKING_DAYS` | `10` | how long an agency has to answer a consultation |
| `MOTCUA_CONSULTATION_REMIND_WORKING_DAYS` | `5` | the reminder goes this many working days before that |
| `MOTCUA_SUPPLEMENT_DAYS` | `30` | calendar days the applicant has to hand in a supplement |
| `MOTCUA_RESCHEDULE_WORKING_DAYS` | `5` | the one new return date is this many working days after the old one |
| `MOTCUA_JOB_RETRY_BACKOFF_MS` | `5000` | first back-off after a failed job; doubles with each retry (at most 10 min) |
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _agency_endpoints() -> dict[str, str]:
    text = _env("MOTCUA_AGENCY_ENDPOINTS")
    if not text:
        return {}
    if text.startswith("{"):
        return {str(k): str(v) for k, v in json.loads(text).items()}
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {code.strip(): url.strip() for code, url in pairs}


@dataclass(frozen=True)
class ServiceSettings:
    tracking_url: str = field(default_factory=lambda: _env("MOTCUA_TRACKING_URL"))
    sms_sender: str = field(default_factory=lambda: _env("MOTCUA_SMS_SENDER", "So Xay dung"))
    sms_http_url: str = field(default_factory=lambda: _env("MOTCUA_SMS_HTTP_URL"))
    sms_api_key: str = field(default_factory=lambda: _env("MOTCUA_SMS_HTTP_API_KEY"))
    sms_secret_key: str = field(default_factory=lambda: _env("MOTCUA_SMS_HTTP_SECRET_KEY"))
    sms_brandname: str = field(default_factory=lambda: _env("MOTCUA_SMS_BRANDNAME", "SOXAYDUNG"))
    sms_timeout_s: float = field(default_factory=lambda: float(_env("MOTCUA_SMS_HTTP_TIMEOUT_S", "10")))
    portal_url: str = field(default_factory=lambda: _env("MOTCUA_PORTAL_URL"))
    portal_token: str = field(default_factory=lambda: _env("MOTCUA_PORTAL_TOKEN"))
    portal_retry_s: float = field(default_factory=lambda: float(_env("MOTCUA_PORTAL_RETRY_S", "30")))
    agency_endpoints: dict[str, str] = field(default_factory=_agency_endpoints)
    consultation_working_days: int = field(
        default_factory=lambda: int(_env("MOTCUA_CONSULTATION_WORKING_DAYS", "10")))
    consultation_remind_working_days: int = field(
        default_factory=lambda: int(_env("MOTCUA_CONSULTATION_REMIND_WORKING_DAYS", "5")))
    supplement_days: int = field(default_factory=lambda: int(_env("MOTCUA_SUPPLEMENT_DAYS", "30")))
    reschedule_working_days: int = field(
        default_factory=lambda: int(_env("MOTCUA_RESCHEDULE_WORKING_DAYS", "5")))
    retry_backoff_ms: int = field(default_factory=lambda: int(_env("MOTCUA_JOB_RETRY_BACKOFF_MS", "5000")))

    def tracking_link(self, web_url: str, dossier_code: str) -> str:
        template = self.tracking_url or web_url.rstrip("/") + "/t/{code}"
        return template.replace("{code}", dossier_code)
