"""Every word of the operations console exists in Vietnamese and English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import webapp

WEBAPP = Path(webapp.__file__).parent
TRANSLATIONS = WEBAPP / "translations"


def _file(language: str) -> dict[str, str]:
    return json.loads((TRANSLATIONS / f"operations.{language}.json").read_text(encoding="utf-8"))


def test_both_languages_have_the_same_keys():
    assert set(_file("vi")) == set(_file("en"))
    assert all(key.startswith("ops.") for key in _file("vi"))


def test_every_key_the_console_uses_is_translated():
    used = set()
    for source in [*(WEBAPP / "operations").rglob("*.html"), *(WEBAPP / "operations").rglob("*.py")]:
        used |= set(re.findall(r"""\b_?t?\(\s*["'](ops\.[\w.]+)["']""", source.read_text(encoding="utf-8")))
    assert len(used) > 50
    families = {key for key in used if key.endswith(".")}  # _("ops.state." ~ state)
    states = {"ACTIVE", "COMPLETED", "CANCELED"}
    assert {f"ops.state.{s}" for s in states} <= set(_file("vi"))
    assert {f"ops.element_state.{s}" for s in ("ACTIVE", "COMPLETED", "TERMINATED")} <= set(_file("vi"))
    assert (used - families) - set(_file("vi")) == set()
