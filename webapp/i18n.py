"""One translation mechanism for the webapp: message keys looked up in translations/<area>.<lang>.json.

Each area of the webapp (common, auth, inbox, tracking, reports, …) keeps its own file per
language, so areas grow independently; a key defined in two files is an error.

Vietnamese is the default and the reference: every key exists in vi.json; English falls back to
Vietnamese for a key it lacks, so a missing translation shows Vietnamese text, never a raw key.
The language comes from `?lang=` (remembered in the session), else the browser's
Accept-Language, else MOTCUA_LANGUAGE.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Flask, g, request, session

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_DIR = Path(__file__).parent / "translations"


@cache
def messages(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(_DIR.glob(f"*.{language}.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"translation key {key!r} defined twice ({path.name})")
            merged[key] = text
    return merged


def translate(key: str, language: str, **values: object) -> str:
    text = messages(language).get(key) or messages(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no translation for {key!r}")
    return text.format(**values) if values else text


def current_language() -> str:
    return getattr(g, "language", DEFAULT_LANGUAGE)


def _pick_language(default: str) -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES, default=default) if request.accept_languages else default


def init_app(app: Flask, default_language: str) -> None:
    default = default_language if default_language in LANGUAGES else DEFAULT_LANGUAGE

    @app.before_request
    def choose_language() -> None:
        g.language = _pick_language(default)

    @app.context_processor
    def template_helpers() -> dict[str, object]:
        def _(key: str, **values: object) -> str:
            return translate(key, current_language(), **values)

        return {"_": _, "current_language": current_language(), "languages": LANGUAGES}
