"""The little Markdown that Camunda Forms text components use, rendered safely on the server:
headings (#…######), **bold**, *italic* / _italic_, `code`, [links](https://…), bullet and
numbered lists, paragraphs, and line breaks (two trailing spaces or a backslash). Everything else
is escaped text."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"__(.+?)__"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"), r'<a href="\2" rel="noopener">\1</a>'),
]


def _inline(text: str) -> str:
    html = str(escape(text))
    for pattern, replacement in _INLINE:
        html = pattern.sub(replacement, html)
    return html


def render(text: str | None) -> Markup:
    if not text:
        return Markup("")
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            lines = []
            for line in paragraph:
                hard = line.endswith("  ") or line.endswith("\\")
                body = _inline(line.rstrip().rstrip("\\"))
                lines.append(body + ("<br>" if hard else ""))
            blocks.append("<p>" + "\n".join(lines).removesuffix("<br>") + "</p>")
            paragraph.clear()
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = ""

    for raw in text.splitlines():
        line = raw.rstrip("\n")
        heading = re.match(r"^(#{1,6})\s+(.*)$", line.strip())
        bullet = re.match(r"^\s*[-*+]\s+(.*)$", line)
        numbered = re.match(r"^\s*\d+[.)]\s+(.*)$", line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = min(len(heading.group(1)) + 1, 6)  # the page's own title is the h1
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            items.append(_inline((bullet or numbered).group(1)))
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return Markup("\n".join(blocks))
