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


# Tokens that can start an expression; when all are expected, the message says "an expression".
_EXPRESSION_START = {
    "LPAR", "MINUS", "LSQB", "RSQB", "LBRACE", "EVERY", "SOME", "FOR", "IF", "FUNCTION",
    "TRUE", "FALSE", "NULL", "NAME", "NUMBER", "STRING", "TEMPORAL",
}

_OPERAND_START = _EXPRESSION_START - {"EVERY", "SOME", "FOR", "IF", "FUNCTION"}


def _describe(terminal: str) -> str:
    return _SYMBOLS.get(terminal, f"'{terminal.lower()}'")


def _expected(terminals: set[str]) -> str:
    names = set(terminals)
    words = []
    if names >= _EXPRESSION_START:
        names -= _EXPRESSION_START
        words.append("an expression")
    elif names >= _OPERAND_START:
        names -= _OPERAND_START
        words.append("a value")
    words.extend(sorted({_describe(t) for t in names}))
    return ", ".join(words)


def parse(text: str, start: str = "start") -> Tree:
    """The parse tree of an expression (`start`) or of DMN unary tests (`unary_tests`)."""
    parser = _parser()
    try:
        with _lock:
            return parser.parse(text, start=start)
    except UnexpectedToken as error:
        expected = _expected(error.expected)
        found = "end of input" if error.token.type == "$END" else repr(str(error.token))
        where = _end(text) if error.token.type == "$END" else _where(text, error)
        raise FeelSyntaxError(
            f"syntax error in '{text}' at {where}: unexpected {found}, expected {expected}"
        ) from None
    except UnexpectedEOF as error:
        expected = _expected(set(error.expected))
        raise FeelSyntaxError(
            f"syntax error in '{text}' at end of input: expected {expected}"
        ) from None
    except (UnexpectedCharacters, UnexpectedInput) as error:
        raise FeelSyntaxError(f"syntax error in '{text}' at {_where(text, error)}") from None


def _end(text: str) -> str:
    lines = text.split("\n")
    return f"line {len(lines)}, column {len(lines[-1]) + 1}"


def _where(text: str, error: UnexpectedInput) -> str:
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if line is None or line < 0:
        lines = text.splitlines() or [""]
        return f"line {len(lines)}, column {len(lines[-1]) + 1}"
    return f"line {line}, column {column}"
