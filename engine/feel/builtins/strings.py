"""String functions."""

from __future__ import annotations

import base64
import re
import uuid as uuid_module
from decimal import Decimal
from typing import Any

from engine.feel.builtins.registry import builtin


@builtin("substring(string: string, start position: number, length?: number)")
def substring(text: str, start: Decimal, length: Decimal | None = None) -> str | None:
    # 1-based; a start of 0 or below counts from the end (0 is just past the end), as feel-scala.
    begin = int(start)
    index = begin - 1 if begin > 0 else len(text) + begin
    if not 0 <= index <= len(text):
        return None
    if length is None:
        return text[index:]
    if length < 0:
        return None
    return text[index : index + int(length)]


@builtin("string length(string: string)")
def string_length(text: str) -> Decimal:
    return Decimal(len(text))


@builtin("upper case(string: string)")
def upper_case(text: str) -> str:
    return text.upper()


@builtin("lower case(string: string)")
def lower_case(text: str) -> str:
    return text.lower()


@builtin("substring before(string: string, match: string)")
def substring_before(text: str, match: str) -> str:
    index = text.find(match)
    return "" if index < 0 else text[:index]


@builtin("substring after(string: string, match: string)")
def substring_after(text: str, match: str) -> str:
    index = text.find(match)
    if index < 0:
        return ""
    return text[index + len(match) :]


@builtin("contains(string: string, match: string)")
def contains(text: str, match: str) -> bool:
    return match in text


@builtin("starts with(string: string, match: string)")
def starts_with(text: str, match: str) -> bool:
    return text.startswith(match)


@builtin("ends with(string: string, match: string)")
def ends_with(text: str, match: str) -> bool:
    return text.endswith(match)


_FLAGS = {"i": re.I, "s": re.S, "m": re.M, "x": re.X}


def _regex(pattern: str, flags: str | None = None) -> re.Pattern[str]:
    """An XML Schema / Java regex as a Python pattern."""
    options = 0
    for flag in flags or "":
        options |= _FLAGS.get(flag, 0)  # other letters are ignored, as feel-scala does
    if flags and "q" in flags:
        pattern = re.escape(pattern)
    pattern = re.sub(r"\\p\{L\}", r"[^\\W\\d_]", pattern)
    pattern = re.sub(r"\\p\{Lu\}", "[A-Z]", pattern)
    pattern = re.sub(r"\\p\{Ll\}", "[a-z]", pattern)
    pattern = re.sub(r"\\p\{N\}|\\p\{Nd\}", r"\\d", pattern)
    return re.compile(pattern, options)


@builtin("matches(input: string, pattern: string, flags?: string?)")
def matches(text: str, pattern: str, flags: str | None = None) -> bool:
    return _regex(pattern, flags).search(text) is not None


@builtin("replace(input: string, pattern: string, replacement: string, flags?: string?)")
def replace(text: str, pattern: str, replacement: str, flags: str | None = None) -> str:
    # Java and XPath write group references as $1; Python as \g<1>.
    python_replacement = re.sub(
        r"\\(.)|\$(\d+)|\\",
        lambda m: (
            m.group(1).replace("\\", "\\\\") if m.group(1) is not None
            else (f"\\g<{m.group(2)}>" if m.group(2) else "\\\\")
        ),
        replacement,
    )
    return _regex(pattern, flags).sub(python_replacement, text)


@builtin("split(string: string, delimiter: string)")
def split(text: str, delimiter: str) -> list[str]:
    parts = _regex(delimiter).split(text) if delimiter else list(text)
    return [p for p in parts if p is not None]


@builtin("extract(input: string, pattern: string)")
def extract(text: str, pattern: str) -> list[str]:
    return [m.group(0) for m in _regex(pattern).finditer(text)]


@builtin("trim(string: string)")
def trim(text: str) -> str:
    return text.strip()


@builtin("uuid()")
def uuid() -> str:
    return str(uuid_module.uuid4())


@builtin("to base64(value: string)")
def to_base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


@builtin("from base64(value: string)")
def from_base64(text: str) -> str:
    return base64.b64decode(text.encode("ascii"), validate=True).decode()


@builtin("is blank(string: string)")
def is_blank(text: str) -> bool:
    return text.strip() == ""


@builtin(
    "string join(list: list)",
    "string join(list: list, delimiter: string?)",
    "string join(list: list, delimiter: string?, prefix: string?, suffix: string?)",
)
def string_join(
    items: list[Any], delimiter: str | None = None, prefix: str | None = None,
    suffix: str | None = None,
) -> str | None:
    if any(type(i) is not str for i in items if i is not None):
        return None
    joined = (delimiter or "").join(i for i in items if i is not None)
    return (prefix or "") + joined + (suffix or "")
