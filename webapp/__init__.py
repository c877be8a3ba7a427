"""The Flask webapp: staff inbox, reception, public tracking, reports, operations."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from motcua import settings as settings_module
from webapp import i18n

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
csrf = CSRFProtect()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = settings_module.load()
    app.config.update(
        MOTCUA_SETTINGS=settings,
        SECRET_KEY=settings.secret_key(),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,
    )
    lease_hours = float(os.environ.get("MOTCUA_INBOX_LEASE_HOURS", "").strip() or 24)
    app.config.setdefault("INBOX_JOB_TIMEOUT_MS", int(lease_hours * 3_600_000))
    if config:
        app.config.update(config)
    csrf.init_app(app)
    i18n.init_app(app, settings.language)
    _register_errors(app)
    _register_security_headers(app)
    _register_staff_area(app, settings)
    from webapp import public
    public.init_app(app)  # citizens: tracking, catalog, rating, SMS lookup

    @app.get("/")
    def home():
        from webapp.auth import current_user

        if current_user() is not None:
            return redirect(url_for("inbox.index"))
        return render_template("home.html")

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _register_staff_area(app: Flask, settings: settings_module.Settings) -> None:
    """The database (migrated on start), the engine's gateway and the staff blueprints."""
    from motcua.db import migrate
    from webapp import (
        admin,
        api,
        auth,
        consultations,
        dossiers,
        inbox,
        markdown,
        operations,
        reception,
        reports,
    )
    from webapp.inbox.collector import TaskCollector
    from webapp.office import build_office

    office = build_office(settings, app.config)
    if app.config.get("MIGRATE_ON_START", True):
        migrate(str(office.sessions.kw["bind"].url.render_as_string(hide_password=False)))
    app.extensions["motcua.office"] = office
    app.extensions["motcua.collector"] = TaskCollector(
        office, timeout_ms=app.config["INBOX_JOB_TIMEOUT_MS"])
    auth.init_app(app)
    for blueprint in (auth.bp, admin.bp, inbox.bp, reception.bp, dossiers.bp, api.bp, reports.bp,
                      consultations.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(operations.bp)  # /van-hanh: the engine's query API, repairs over gRPC
    csrf.exempt(api.bp)  # machine clients authenticate with Bearer tokens, not cookies
    app.jinja_env.globals["markdown"] = markdown.render
    app.jinja_env.filters["merge_arg"] = lambda args, key, value: urlencode({**args, key: value})
    app.jinja_env.filters["local_time"] = _local_time


def _local_time(moment, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A moment as the desk reads it: Vietnam time."""
    from datetime import date, datetime

    from motcua.db.base import LOCAL_ZONE

    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
    if isinstance(moment, datetime):
        return (moment.astimezone(LOCAL_ZONE) if moment.tzinfo else moment).strftime(pattern)
    if isinstance(moment, date):
        return moment.strftime("%d/%m/%Y")
    return str(moment)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _register_errors(app: Flask) -> None:
    """Every error a person can meet gets a page (or JSON on the API) in their language."""

    def render_error(code: int, message_key: str):
        message = i18n.translate(message_key, i18n.current_language())
        if _wants_json():
            return jsonify(error=message, status=code), code
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return render_error(400, "error.csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        key = f"error.{error.code}"
        known = key in i18n.messages(i18n.DEFAULT_LANGUAGE)
        return render_error(error.code or 500, key if known else "error.400")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500, "error.500")


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
