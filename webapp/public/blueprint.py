"""The public blueprint and what its pages share: database, catalog, clock, rate limits."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from sqlalchemy.orm import Session, sessionmaker

from motcua.catalog import Catalog, Procedure, ProcedureNotFound, load_catalog
from motcua.db import Dossier, session_factory, transaction
from motcua.db.base import LOCAL_ZONE
from motcua.public_lookup import PublicFacts
from motcua.rate_limits import Decision, RateLimiter, shared_counters
from webapp import i18n
from webapp.public.view_cache import DEFAULT_TTL_S, PublicViewCache

bp = Blueprint("public", __name__, template_folder="templates", static_folder="static",
               static_url_path="/public-static")

_DEFAULTS = {
    "PUBLIC_LOOKUPS_PER_MINUTE": 30,
    "PUBLIC_FAILURES_PER_15_MIN": 10,
    "PUBLIC_FACTOR_FAILURES_PER_DAY": 20,
    "SMS_LOOKUPS_PER_HOUR": 5,
    "SMS_REPLIES_PER_HOUR": 300,
}


def _setting(name: str) -> int:
    value = current_app.config.get(name) or os.environ.get(f"MOTCUA_{name}", "").strip()
    return int(value) if value else _DEFAULTS[name]


@dataclass
class PublicSide:
    """One per app, built on first use."""

    sessions: sessionmaker[Session]
    catalog: Catalog
    lookups: RateLimiter
    failures: RateLimiter
    factor_failures: RateLimiter
    sms_senders: RateLimiter
    sms_replies: RateLimiter
    views: PublicViewCache
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """A plain connection for Core reads (the lean queries of the tracking page)."""
        with self.sessions.kw["bind"].connect() as connection:
            yield connection

    def today(self) -> date:
        return self.clock().astimezone(LOCAL_ZONE).date()

    def procedure_of(self, dossier: Dossier | PublicFacts) -> Procedure | None:
        try:
            return self.catalog.version(dossier.procedure_code, dossier.procedure_version)
        except ProcedureNotFound:
            return None


def side() -> PublicSide:
    app = current_app
    existing = app.extensions.get("motcua.public")
    if existing is not None:
        return existing
    settings = app.config["MOTCUA_SETTINGS"]
    office = app.extensions.get("motcua.office")
    if office is not None:
        sessions, catalog = office.sessions, office.catalog
    else:
        sessions = session_factory(app.config.get("DATABASE_URL") or settings.database_url)
        catalog = load_catalog(Path(app.config.get("CATALOG_DIR") or settings.catalog_dir))
    counters = shared_counters(settings.data_dir)  # every web process counts in one place

    def limiter(name: str, window_s: float) -> RateLimiter:
        return RateLimiter(_setting(name), window_s, store=counters, name=name.lower())

    created = PublicSide(
        sessions=sessions, catalog=catalog,
        lookups=limiter("PUBLIC_LOOKUPS_PER_MINUTE", 60),
        failures=limiter("PUBLIC_FAILURES_PER_15_MIN", 15 * 60),
        factor_failures=limiter("PUBLIC_FACTOR_FAILURES_PER_DAY", 24 * 3600),
        sms_senders=limiter("SMS_LOOKUPS_PER_HOUR", 3600),
        sms_replies=limiter("SMS_REPLIES_PER_HOUR", 3600),
        views=_view_cache(app.config),
    )
    if "PUBLIC_CLOCK" in app.config:
        created.clock = app.config["PUBLIC_CLOCK"]
    app.extensions["motcua.public"] = created
    return created


def _view_cache(config: dict[str, Any]) -> PublicViewCache:
    ttl = config.get("PUBLIC_VIEW_CACHE_SECONDS")
    if ttl is None:
        ttl = os.environ.get("MOTCUA_PUBLIC_VIEW_CACHE_SECONDS", "").strip() or DEFAULT_TTL_S
    if "PUBLIC_VIEW_CACHE_CLOCK" in config:  # tests move time on
        return PublicViewCache(float(ttl), clock=config["PUBLIC_VIEW_CACHE_CLOCK"])
    return PublicViewCache(float(ttl))


def client_key() -> str:
    """Who is asking: the client address (put ProxyFix in front when behind a reverse proxy)."""
    return request.remote_addr or "unknown"


def lookup_allowed() -> Decision:
    """One more tracking lookup for this client? Failures past their budget block lookups too."""
    public = side()
    key = client_key()
    failed = public.failures.check(key)
    if not failed.allowed:
        return failed
    return public.lookups.allow(key)


def record_failure() -> None:
    side().failures.record(client_key())


def too_many(decision: Decision, as_json: bool = False):
    message = t("public.limited")
    if as_json:
        response = current_app.response_class(
            current_app.json.dumps({"error": message, "status": 429}), status=429,
            mimetype="application/json")
    else:
        response = current_app.make_response(
            (render_template("public/limited.html", retry_after=decision.retry_after_s), 429))
    response.headers["Retry-After"] = str(decision.retry_after_s)
    return response


def t(key: str, **values: Any) -> str:
    return i18n.translate(key, i18n.current_language(), **values)


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def local_moment(value: datetime | None) -> str:
    if value is None:
        return ""
    moment = value.astimezone(LOCAL_ZONE) if value.tzinfo else value
    return moment.strftime("%H:%M %d/%m/%Y")


def in_language(text: Any) -> str:
    """A catalog `Text` in the reader's language (Vietnamese when no translation is given)."""
    if text is None:
        return ""
    return text.in_language(i18n.current_language()) if hasattr(text, "in_language") else str(text)


@bp.app_template_filter("public_date")
def _vn_date(value: date | datetime | None) -> str:
    return local_date(value)


@bp.app_template_filter("public_moment")
def _vn_moment(value: datetime | None) -> str:
    return local_moment(value)


@bp.app_template_filter("public_text")
def _in_language(value: Any) -> str:
    return in_language(value)


@bp.app_template_filter("public_vnd")
def _vnd(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}".replace(",", ".") + " đ"
