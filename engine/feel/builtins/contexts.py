"""Context functions."""

from __future__ import annotations

from typing import Any

from engine.feel.builtins.registry import builtin


@builtin("get value(context: context, key: string)", "get value(m: context, key: string)")
def get_value(context: dict[str, Any], key: str) -> Any:
    return context.get(key)


@builtin("get value(context: context, keys: list)", "get value(m: context, keys: list)")
def get_value_at(context: dict[str, Any], keys: list[Any]) -> Any:
    value: Any = context
    if not keys:
        return None
    for key in keys:
        if type(value) is not dict or type(key) is not str:
            return None
        value = value.get(key)
    return value


@builtin("get entries(context: context)", "get entries(m: context)")
def get_entries(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in context.items()]


@builtin("context put(context: context, key: string, value: any)", "put(context: context, key: string, value: any)")
def context_put(context: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**context, key: value}


@builtin("context put(context: context, keys: list, value: any)", "put(context: context, keys: list, value: any)")
def context_put_at(context: dict[str, Any], keys: list[Any], value: Any) -> dict[str, Any] | None:
    if not keys or any(type(k) is not str for k in keys):
        return None
    head, rest = keys[0], keys[1:]
    if not rest:
        return {**context, head: value}
    inner = context.get(head)
    updated = context_put_at(inner if type(inner) is dict else {}, rest, value)
    return None if updated is None else {**context, head: updated}


@builtin("context merge(contexts: list)", "put all(contexts: list)")
def context_merge(contexts: list[Any]) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for context in contexts:
        if type(context) is not dict:
            return None
        result.update(context)
    return result


@builtin("context merge(...contexts: context)", "put all(...contexts: context)")
def context_merge_all(*contexts: dict[str, Any]) -> dict[str, Any] | None:
    return context_merge(list(contexts))
