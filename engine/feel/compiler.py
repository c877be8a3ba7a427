"""Turns the lark parse tree into nested Python closures `(scope) -> value`.

Evaluation never walks the tree: each node becomes one closure over its children's closures.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lark import Token, Tree, v_args
from lark.visitors import Transformer_NonRecursive as Transformer

from engine.feel import builtins, operators, temporal, types
from engine.feel.errors import EvaluationFailure, FeelSyntaxError
from engine.feel.runtime import (
    Node,
    Test,
    any_test,
    filter_list,
    get_path,
    input_test,
    invoke,
    is_constant,
    iterable,
    loop,
    predicate,
    range_items,
    value_test,
)
from engine.feel.scope import MISSING, Scope
from engine.feel.values import FeelFunction, Range

# Built-ins whose result changes between calls: never folded at compile time.
_IMPURE = {"now", "today", "random number", "uuid"}


def constant(value: Any) -> Node:
    if type(value) in (list, dict):
        # Callers may change a result; each evaluation gets its own copy.
        def node(scope: Scope) -> Any:
            return copy.deepcopy(value)
    else:
        def node(scope: Scope) -> Any:
            return value

    node.feel_constant = value  # type: ignore[attr-defined]
    return node


def _nodes(children: list[Any]) -> list[Any]:
    """Children without the punctuation and keyword tokens."""
    return [c for c in children if not isinstance(c, Token) or c.type in ("NAME", "STRING")]


class Compiler(Transformer):
    """One method per grammar rule; each returns a closure."""

    def __init__(self) -> None:
        super().__init__()
        self.input_positions: list[int] = []  # where `?` (the unary-test input) is used
        self.partial_positions: list[int] = []  # where `partial` (for results so far) is used

    # ---- literals and names ------------------------------------------------------------

    def number(self, children: list[Token]) -> Node:
        return constant(Decimal(str(children[0])))

    def string(self, children: list[Token]) -> Node:
        return constant(str(children[0]))

    def true(self, _: list[Token]) -> Node:
        return constant(True)

    def false(self, _: list[Token]) -> Node:
        return constant(False)

    def null(self, _: list[Token]) -> Node:
        return constant(None)

    def temporal(self, children: list[Token]) -> Node:
        return constant(temporal.parse_temporal(str(children[0])))

    def name(self, children: list[Token]) -> Node:
        name = str(children[0])
        if name == "?":
            self.input_positions.append(children[0].start_pos)
        elif name == "partial":
            self.partial_positions.append(children[0].start_pos)

        def node(scope: Scope) -> Any:
            value = scope.lookup(name)
            if value is MISSING:
                return None
            return value

        if name == "?":

            def input_value(scope: Scope) -> Any:
                value = scope.lookup("?")
                if value is MISSING:
                    raise EvaluationFailure("'?' is only defined in unary tests")
                return value

            return input_value
        node.feel_name = name  # type: ignore[attr-defined]
        return node

    def start(self, children: list[Any]) -> Node:
        return children[0]

    def primary(self, children: list[Any]) -> Node:
        # Parenthesised expression.
        return _nodes(children)[0]

    def list(self, children: list[Any]) -> Node:
        items = [c for c in _nodes(children) if c is not None]
        if all(is_constant(i) for i in items):
            values = [i.feel_constant for i in items]  # type: ignore[attr-defined]
            return lambda scope: list(values)
        return lambda scope: [item(scope) for item in items]

    def context(self, children: list[Any]) -> Node:
        entries = [c for c in _nodes(children) if c is not None]

        def node(scope: Scope) -> Any:
            result: dict[str, Any] = {}
            inner = Scope(result, scope)  # later entries see earlier ones
            for key, value in entries:
                result[key] = value(inner)
            return result

        return node

    def entry(self, children: list[Any]) -> tuple[str, Node]:
        key, value = _nodes(children)
        return str(key), value

    def interval(self, children: list[Any]) -> Node:
        opening, start, _, end, closing = children
        start_in = opening.type == "LSQB"
        end_in = closing.type == "RSQB"
        return lambda scope: Range(start(scope), end(scope), start_in, end_in)

    # ---- operators ---------------------------------------------------------------------

    def _binary(self, children: list[Any], op: Callable[[Any, Any], Any]) -> Node:
        left, right = _nodes(children)
        if is_constant(right):
            value = right.feel_constant  # type: ignore[attr-defined]
            return lambda scope: op(left(scope), value)
        return lambda scope: op(left(scope), right(scope))

    def add(self, children: list[Any]) -> Node:
        return self._binary(children, operators.add)

    def sub(self, children: list[Any]) -> Node:
        return self._binary(children, operators.subtract)

    def mul(self, children: list[Any]) -> Node:
        return self._binary(children, operators.multiply)

    def div(self, children: list[Any]) -> Node:
        return self._binary(children, operators.divide)

    def pow(self, children: list[Any]) -> Node:
        return self._binary(children, operators.power)

    def neg(self, children: list[Any]) -> Node:
        (operand,) = _nodes(children)
        if is_constant(operand):
            return constant(operators.negate(operand.feel_constant))  # type: ignore[attr-defined]
        return lambda scope: operators.negate(operand(scope))

    def comparator(self, children: list[Token]) -> str:
        return str(children[0])

    def compare(self, children: list[Any]) -> Node:
        left, op, right = children
        return predicate(self._binary([left, right], operators.COMPARATORS[op]))

    def between(self, children: list[Any]) -> Node:
        value, low, high = _nodes(children)

        def node(scope: Scope) -> Any:
            v = value(scope)
            above = operators.greater_equal(v, low(scope))
            below = operators.less_equal(v, high(scope))
            if above is None or below is None:
                return None
            return above and below

        return predicate(node)

    def or_(self, children: list[Any]) -> Node:
        left, right = _nodes(children)

        def node(scope: Scope) -> Any:
            a = left(scope)
            if a is True:
                return True
            b = right(scope)
            if b is True:
                return True
            if a is False and b is False:
                return False
            return None

        return predicate(node)

    def and_(self, children: list[Any]) -> Node:
        left, right = _nodes(children)

        def node(scope: Scope) -> Any:
            a = left(scope)
            if a is False:
                return False
            b = right(scope)
            if b is True and a is True:
                return True
            if b is False:
                return False
            return None

        return predicate(node)

    # ---- unary tests -------------------------------------------------------------------

    @v_args(meta=True)
    def test_value(self, meta: Any, children: list[Any]) -> Test:
        expression = _nodes(children)[0]
        start, end = getattr(meta, "start_pos", None), getattr(meta, "end_pos", None)
        if start is not None and any(start <= p < end for p in self.input_positions):
            return input_test(expression)
        return value_test(expression)

    def comparison_test(self, children: list[Any]) -> Test:
        op, expression = [c for c in children if not isinstance(c, Token)]
        compare = operators.COMPARATORS[op]
        return lambda value, scope: compare(value, expression(scope))

    def input_comparison_test(self, children: list[Any]) -> Test:
        return input_test(self.compare(children))

    def test_list(self, children: list[Any]) -> Test:
        return any_test([c for c in children if not isinstance(c, Token)])

    def in_tests(self, children: list[Any]) -> Test:
        return _nodes(children)[0]

    def in_(self, children: list[Any]) -> Node:
        value, test = _nodes(children)
        return predicate(lambda scope: test(value(scope), scope))

    def unary_tests(self, children: list[Any]) -> Test:
        return any_test([c for c in children if not isinstance(c, Token)])

    # ---- paths, filters, calls ---------------------------------------------------------

    def path(self, children: list[Any]) -> Node:
        target, key = _nodes(children)
        key = str(key)
        return lambda scope: get_path(target(scope), key)

    def filter(self, children: list[Any]) -> Node:
        target, condition = _nodes(children)
        return lambda scope: filter_list(target(scope), condition, scope)

    def argument(self, children: list[Any]) -> tuple[str | None, Node]:
        return None, _nodes(children)[0]

    def named_argument(self, children: list[Any]) -> tuple[str | None, Node]:
        name, value = _nodes(children)
        return str(name), value

    def call(self, children: list[Any]) -> Node:
        callee, *arguments = _nodes(children)
        arguments = [a for a in arguments if a is not None]
        names = [n for n, _ in arguments]
        values = [v for _, v in arguments]
        named = any(n is not None for n in names)
        if named and not all(n is not None for n in names):
            raise FeelSyntaxError("positional and named arguments cannot be mixed")
        function_name = getattr(callee, "feel_name", None)
        if function_name is not None:
            builtin = builtins.lookup(" ".join(function_name.split()))
            if (
                builtin is not None
                and builtin.name not in _IMPURE
                and all(is_constant(v) for v in values)
            ):
                # Fold `duration("P1D")` and the like once, at compile time.
                args = [v.feel_constant for v in values]  # type: ignore[attr-defined]
                try:
                    if named:
                        return constant(builtin.invoke_named(dict(zip(names, args, strict=True))))
                    return constant(builtin.invoke(args))
                except EvaluationFailure:
                    pass  # e.g. assert(): fail when evaluated, not when compiled

            def node(scope: Scope) -> Any:
                function = scope.lookup(function_name)
                args = [v(scope) for v in values]
                if type(function) is FeelFunction:
                    return invoke(function, args, names if named else None)
                if builtin is None:
                    return None
                if named:
                    return builtin.invoke_named(dict(zip(names, args, strict=True)))
                return builtin.invoke(args)

            return predicate(node)

        def dynamic(scope: Scope) -> Any:
            function = callee(scope)
            if type(function) is not FeelFunction:
                return None
            return invoke(function, [v(scope) for v in values], names if named else None)

        return predicate(dynamic)

    # ---- control -----------------------------------------------------------------------

    def if_expr(self, children: list[Any]) -> Node:
        condition, then, otherwise = _nodes(children)
        return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)

    def iteration(self, children: list[Any]) -> tuple[str, Node]:
        parts = _nodes(children)
        name = str(parts[0])
        if len(parts) == 3:
            start, end = parts[1], parts[2]
            return name, lambda scope: range_items(start(scope), end(scope))
        source = parts[1]
        return name, lambda scope: iterable(source(scope))

    @v_args(meta=True)
    def for_expr(self, meta: Any, children: list[Any]) -> Node:
        *iterations, body = _nodes(children)
        start, end = getattr(meta, "start_pos", 0), getattr(meta, "end_pos", 0)
        uses_partial = any(start <= p < end for p in self.partial_positions)

        def node(scope: Scope) -> Any:
            results: list[Any] = []
            if not loop(iterations, 0, scope, {}, body, results, uses_partial):
                return None
            return results

        return node

    def quantifier(self, children: list[Any]) -> tuple[str, Node]:
        return self.iteration(children)

    def quantified(self, children: list[Any]) -> Node:
        every = children[0].type == "EVERY"
        *iterations, condition = _nodes(children)

        def node(scope: Scope) -> Any:
            outcomes: list[Any] = []
            if not loop(iterations, 0, scope, {}, condition, outcomes):
                return None
            if every:
                if all(o is True for o in outcomes):
                    return True
                return False if any(o is False for o in outcomes) else None
            if any(o is True for o in outcomes):
                return True
            return False if all(o is False for o in outcomes) else None

        return node

    def function_def(self, children: list[Any]) -> Node:
        *parameters, body = _nodes(children)
        names = tuple(p for p in parameters if p is not None)

        def node(scope: Scope) -> Any:
            def call(*args: Any) -> Any:
                values = dict(zip(names, args, strict=False))
                for missing in names[len(args):]:
                    values[missing] = None
                return body(Scope(values, scope))

            return FeelFunction("anonymous function", names, call)

        return node

    def parameter(self, children: list[Any]) -> str:
        return str(_nodes(children)[0])

    # ---- types -------------------------------------------------------------------------

    def instance_of(self, children: list[Any]) -> Node:
        value, check = _nodes(children)
        return predicate(lambda scope: check(value(scope)))

    def type(self, children: list[Any]) -> Callable[[Any], bool]:
        return types.named(str(children[0]))

    def generic_type(self, children: list[Any]) -> Callable[[Any], bool]:
        name, inner = _nodes(children)
        return types.generic(str(name), inner)

    def context_type(self, children: list[Any]) -> Callable[[Any], bool]:
        name, *entries = _nodes(children)
        return types.context_of(str(name), dict(entries))

    def type_entry(self, children: list[Any]) -> tuple[str, Callable[[Any], bool]]:
        name, check = _nodes(children)
        return str(name), check

    def function_type(self, children: list[Any]) -> Callable[[Any], bool]:
        return types.named("function")


def compile_tree(tree: Tree) -> Any:
    return Compiler().transform(tree)
