"""Variables whose names FEEL cannot write plainly (`Date-Time2`, `values in a list`).

DMN lets a model name a variable with spaces, keywords and symbols; an expression refers to it
as written. Before compiling, such names are wrapped in backticks, so the lexer reads each one
as a single name instead of `Date - Time2`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`', re.S)


def needs_quoting(name: str) -> bool:
    return isinstance(name, str) and not name.isidentifier()


def quote_names(text: str, names: Iterable[str]) -> str:
    """The text with every occurrence of the given names (outside strings) in backticks."""
    wanted = tuple(sorted({n for n in names if n and "`" not in n and n in text}, key=len,
                          reverse=True))
    if not wanted:
        return text
    return _quote(text, wanted)


@lru_cache(maxsize=1024)
def _quote(text: str, names: tuple[str, ...]) -> str:
    pattern = re.compile(
        r"(?<![\w$`])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w$`])"
    )
    parts: list[str] = []
    position = 0
    for literal in _LITERAL.finditer(text):
        parts.append(pattern.sub(lambda m: f"`{m.group(0)}`", text[position : literal.start()]))
        parts.append(literal.group(0))
        position = literal.end()
    parts.append(pattern.sub(lambda m: f"`{m.group(0)}`", text[position:]))
    return "".join(parts)
