"""The Flask webapp: staff inbox, reception, public tracking, reports, operations."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
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
        WTF_CSRF_TIME_LIMIT=None,
    )
    if config:
        app.config.update(config)
    csrf.init_app(app)
    i18n.init_app(app, settings.language)
    _register_errors(app)
    _register_security_headers(app)

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


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
