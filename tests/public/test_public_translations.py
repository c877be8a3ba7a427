"""Every text of the public pages exists in Vietnamese and English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import webapp.public
from webapp import i18n

TEMPLATES = Path(webapp.public.__file__).parent / "templates"
TRANSLATIONS = Path(i18n.__file__).parent / "translations"


def test_every_public_template_key_is_translated():
    used, prefixes = set(), set()
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"""_\(\s*["']([\w.-]+)["']\s*[,)]""", source))
        prefixes |= set(re.findall(r"""_\(\s*["']([\w.-]+\.)["']\s*~""", source))
    vi, en = i18n.messages("vi"), i18n.messages("en")
    assert used and used - vi.keys() == set() and used - en.keys() == set()
    for prefix in prefixes:  # keys built from a value (status, unit…) exist in both languages
        assert any(k.startswith(prefix) for k in vi), prefix
        assert {k for k in vi if k.startswith(prefix)} == {k for k in en if k.startswith(prefix)}


def test_public_files_have_the_same_keys():
    vi = json.loads((TRANSLATIONS / "public.vi.json").read_text(encoding="utf-8"))
    en = json.loads((TRANSLATIONS / "public.en.json").read_text(encoding="utf-8"))
    assert vi.keys() == en.keys()
    assert all(key.startswith("public.") for key in vi)


def test_every_status_and_next_step_has_plain_words():
    from motcua.public_lookup import NextAction
    from motcua.statuses import DossierStatus

    for language in i18n.LANGUAGES:
        for status in DossierStatus:
            assert i18n.translate(f"public.status.{int(status)}", language)
        for action in NextAction:
            assert i18n.translate(f"public.next.{action.value}", language)
