"""The Flask webapp: staff inbox, reception, public tracking, reports, operations."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template

from motcua import settings as settings_module


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = settings_module.load()
    app.config.update(MOTCUA_SETTINGS=settings)
    if config:
        app.config.update(config)

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
