"""Parses FEEL text with lark's LALR parser; syntax errors name position and expectation."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from engine.feel.errors import FeelSyntaxError
from engine.feel.lexer import FeelLexer

_SYMBOLS = {
    "DOTDOT": "'..'", "POW": "'**'", "ARROW": "'->'", "NE": "'!='", "LE": "'<='", "GE": "'>='",
    "LT": "'<'", "GT": "'>'", "EQ": "'='", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'",
    "SLASH": "'/'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'",
    "LBRACE": "'{'", "OPEN_END": "'['", "RBRACE": "'}'", "COMMA": "','", "COLON": "':'", "DOT": "'.'",
    "NUMBER": "a number", "STRING": "a string", "NAME": "a name", "TEMPORAL": "a temporal literal",
    "INSTANCE_OF": "'instance of'", "$END": "end of input",
}
_lock = threading.Lock()


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "feel.lark").read_text(encoding="utf-8")
    return Lark(
        grammar, parser="lalr", lexer=FeelLexer, start=["start", "unary_tests"],
        propagate_positions=True,
    )


def _describe(terminal: str) -> str:
    return _SYMBOLS.get(terminal, f"'{terminal.lower()}'")


def parse(text: str, start: str = "start") -> Tree:
    """The parse tree of an expression (`start`) or of DMN unary tests (`unary_tests`)."""
    parser = _parser()
    try:
        with _lock:
            return parser.parse(text, start=start)
    except UnexpectedToken as error:
        expected = ", ".join(sorted({_describe(t) for t in error.expected}))
        found = "end of input" if error.token.type == "$END" else repr(str(error.token))
        where = _where(text, error)
        raise FeelSyntaxError(
            f"syntax error in '{text}' at {where}: unexpected {found}, expected {expected}"
        ) from None
    except UnexpectedEOF as error:
        expected = ", ".join(sorted({_describe(t) for t in error.expected}))
        raise FeelSyntaxError(
            f"syntax error in '{text}' at end of input: expected {expected}"
        ) from None
    except (UnexpectedCharacters, UnexpectedInput) as error:
        raise FeelSyntaxError(f"syntax error in '{text}' at {_where(text, error)}") from None


def _where(text: str, error: UnexpectedInput) -> str:
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if line is None or line < 0:
        lines = text.splitlines() or [""]
        return f"line {len(lines)}, column {len(lines[-1]) + 1}"
    return f"line {line}, column {column}"
