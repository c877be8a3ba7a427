"""FEEL tokenizer, fed to lark's LALR parser.

FEEL names may contain spaces (`string length`, `first name`), which no regular lexer can
express, so tokens are cut here by hand: adjacent words that are not keywords join into one
name, and built-in names that contain a keyword (`date and time`) are matched first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token
from lark.lexer import Lexer

from engine.feel.errors import FeelSyntaxError

KEYWORDS = {
    "if": "IF",
    "then": "THEN",
    "else": "ELSE",
    "for": "FOR",
    "in": "IN",
    "return": "RETURN",
    "some": "SOME",
    "every": "EVERY",
    "satisfies": "SATISFIES",
    "and": "AND",
    "or": "OR",
    "between": "BETWEEN",
    "function": "FUNCTION",
    "true": "TRUE",
    "false": "FALSE",
    "null": "NULL",
}

# Built-in function and type names that would otherwise be cut at a keyword.
NAMES_WITH_KEYWORDS = (
    "years and months duration",
    "days and time duration",
    "date and time",
    "get or else",
)
_NAME_WITH_KEYWORD = re.compile(
    "|".join(r"\s+".join(map(re.escape, n.split())) + r"(?![\w$])" for n in NAMES_WITH_KEYWORDS)
)

PUNCTUATION = [
    ("..", "DOTDOT"),
    ("**", "POW"),
    ("->", "ARROW"),
    ("!=", "NE"),
    ("<=", "LE"),
    (">=", "GE"),
    ("<", "LT"),
    (">", "GT"),
    ("=", "EQ"),
    ("+", "PLUS"),
    ("-", "MINUS"),
    ("*", "STAR"),
    ("/", "SLASH"),
    ("(", "LPAR"),
    (")", "RPAR"),
    ("[", "LSQB"),
    ("]", "RSQB"),
    ("{", "LBRACE"),
    ("}", "RBRACE"),
    (",", "COMMA"),
    (":", "COLON"),
    (".", "DOT"),
]

_WHITESPACE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.S)
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_WORD = re.compile(r"[^\W\d][\w$]*|\?|\$[\w$]*")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_BACKTICK = re.compile(r"`([^`]+)`")
_GAP = re.compile(r"[ \t]+")
_INSTANCE_OF = re.compile(r"instance\s+of(?![\w$])")
# Tokens after which `and` / `or` are operators.
_OPERAND_ENDS = {"NAME", "NUMBER", "STRING", "TEMPORAL", "TRUE", "FALSE", "NULL", "RPAR", "RSQB", "OPEN_END",
                 "RBRACE"}
_SYMBOL_KEY = re.compile(
    r"(?=[^\"{}:,\[\]`()]*?[^\w\s\"{}:,\[\]`()])([^\"{}:,\[\]`()\s\d.][^\"{}:,\[\]`()]*?)\s*:"
)
_ENDS_INTERVAL = re.compile(r"\s*(?:$|[,)}]|(?:and|or|then|else|return|satisfies)(?![\w$]))")
# As feel-scala: other escapes (`\\d`, `\\u269D`) stay as written, so regex patterns need no
# doubled backslashes.
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "b": "\b", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\.", re.S)


def unescape(raw: str) -> str:
    """Resolve FEEL string escapes (`\\n`, `\\"`, `\\\\`, ...)."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0)[1], m.group(0)), raw)


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _error(text: str, pos: int, message: str) -> FeelSyntaxError:
    line, column = _position(text, pos)
    return FeelSyntaxError(f"{message} at line {line}, column {column} of '{text}'")


def tokenize(text: str) -> Iterator[Token]:
    """Yield lark tokens for a FEEL text."""
    pos, end = 0, len(text)
    previous = ""  # kind of the previous token
    while pos < end:
        ws = _WHITESPACE.match(text, pos)
        if ws:
            pos = ws.end()
            continue
        if text.startswith("/*", pos):
            raise _error(text, pos, "unterminated comment")
        start = pos
        char = text[pos]
        kind: str
        value: str
        if char == '"':
            match = _STRING.match(text, pos)
            if not match:
                raise _error(text, pos, "unterminated string")
            kind, value, pos = "STRING", unescape(match.group(1)), match.end()
        elif char == "@" and text.startswith('"', pos + 1):
            match = _STRING.match(text, pos + 1)
            if not match:
                raise _error(text, pos, "unterminated string")
            kind, value, pos = "TEMPORAL", unescape(match.group(1)), match.end()
        elif previous in ("LBRACE", "COMMA") and (key := _SYMBOL_KEY.match(text, pos)):
            # A context key with symbols, e.g. {friend+of+mine: 2} (as feel-scala allows).
            kind, value, pos = "NAME", key.group(1).strip(), key.end(1)
        elif char == "`":
            match = _BACKTICK.match(text, pos)
            if not match:
                raise _error(text, pos, "unterminated name")
            kind, value, pos = "NAME", match.group(1), match.end()
        elif char.isdigit() or (char == "." and pos + 1 < end and text[pos + 1].isdigit()):
            match = _NUMBER.match(text, pos)
            assert match is not None
            kind, value, pos = "NUMBER", match.group(0), match.end()
        else:
            word = _WORD.match(text, pos)
            if word:
                kind, value, pos = _word_token(text, pos)
                if kind in ("AND", "OR") and previous not in _OPERAND_ENDS:
                    # `and(list)` / `or(list)`: the built-in functions, not the operators.
                    kind = "NAME"
            else:
                for symbol, name in PUNCTUATION:
                    if text.startswith(symbol, pos):
                        kind, value, pos = name, symbol, pos + len(symbol)
                        break
                else:
                    raise _error(text, pos, f"unexpected character {char!r}")
                if kind == "LSQB" and previous in _OPERAND_ENDS and _ENDS_INTERVAL.match(text, pos):
                    # `]2..5[`: a `[` that closes an open interval cannot start a filter here.
                    kind = "OPEN_END"
        previous = kind
        line, column = _position(text, start)
        yield Token(kind, value, start, line, column, end_pos=pos)


def _word_token(text: str, pos: int) -> tuple[str, str, int]:
    """A keyword, or a name made of one or more words."""
    special = _NAME_WITH_KEYWORD.match(text, pos)
    if special:
        return "NAME", " ".join(special.group(0).split()), special.end()
    instance_of = _INSTANCE_OF.match(text, pos)
    if instance_of:
        return "INSTANCE_OF", "instance of", instance_of.end()
    word = _WORD.match(text, pos)
    assert word is not None
    if word.group(0) in KEYWORDS:
        return KEYWORDS[word.group(0)], word.group(0), word.end()
    start = pos
    pos = word.end()
    # Join following words that continue the name (not keywords, not `instance of`).
    while True:
        gap = _GAP.match(text, pos)
        if not gap:
            break
        nxt = _WORD.match(text, gap.end())
        if (
            not nxt
            or nxt.group(0) in KEYWORDS
            or nxt.group(0) == "?"
            or _INSTANCE_OF.match(text, gap.end())
            or _NAME_WITH_KEYWORD.match(text, gap.end())
        ):
            break
        pos = nxt.end()
    return "NAME", text[start:pos], pos


class FeelLexer(Lexer):
    """Adapter so lark's LALR parser consumes `tokenize`."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        yield from tokenize(data)
