"""Camunda Forms (form-js JSON, forms/*.form) on the server: prefill, render, read back, validate.

A form is shown from the job's variables; the staff member's answers come back as an HTML form
post and become the completion variables (the form's keys), as in Tasklist. Everything form-js
checks in the browser is checked here: required, min/max length, pattern, min/max, email, phone,
number and decimal digits, with form-js's messages in the page's language. `conditional.hide`
and FEEL `readonly`/`disabled` are evaluated with engine.feel on the job's variables merged with
the answers: a hidden field is neither shown, validated nor submitted.

Without JavaScript, a choice that reveals other fields takes effect on the next post: the page
comes back with the newly shown fields (and their errors), keeping everything typed. Dynamic
lists grow and shrink with "add"/"remove" buttons that post the form without completing it.

Public API: `FormState` (`from_variables`, `from_post`), `.view()` (nodes for the template),
`.validate() -> dict[name, message]`, `.submission()` (completion variables), `.action`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from engine import feel

KEYED = {"textfield", "textarea", "number", "datetime", "checkbox", "checklist", "radio", "select", "taglist"}
MULTI = {"checklist", "taglist"}
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
EMAIL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}$")
PHONE = re.compile(r"^\+[1-9]\d{1,14}$")  # form-js: an international number (E.164)
COUNT_SUFFIX = "__count"
Translate = Callable[..., str]


def _evaluate(expression: Any, context: Mapping[str, Any]) -> Any:
    """A FEEL expression (`=...`) or a plain value; a failing expression counts as null."""
    if isinstance(expression, str) and expression.startswith("="):
        try:
            return feel.evaluate(expression[1:], context)
        except feel.FeelError:
            return None
    return expression


def _is_hidden(component: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    hide = (component.get("conditional") or {}).get("hide")
    return bool(hide) and _evaluate(hide, context) is True


def _flag(value: Any, context: Mapping[str, Any]) -> bool:
    return _evaluate(value, context) is True


def _segments(path: str | None) -> list[str]:
    return [part for part in (path or "").split(".") if part]


def _get(data: Any, segments: list[str | int]) -> Any:
    for segment in segments:
        if isinstance(data, Mapping):
            data = data.get(segment)  # type: ignore[arg-type]
        elif isinstance(data, list) and isinstance(segment, int) and 0 <= segment < len(data):
            data = data[segment]
        else:
            return None
    return data


def _set(data: dict[str, Any], segments: list[str | int], value: Any) -> None:
    target: Any = data
    for position, segment in enumerate(segments[:-1]):
        following = segments[position + 1]
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(target, list):
            while len(target) <= segment:  # type: ignore[operator]
                target.append({})
            if not isinstance(target[segment], (dict, list)):  # type: ignore[index]
                target[segment] = empty  # type: ignore[index]
            target = target[segment]  # type: ignore[index]
        else:
            if not isinstance(target.get(segment), (dict, list)):
                target[segment] = empty
            target = target[segment]
    last = segments[-1]
    if isinstance(target, list):
        while len(target) <= last:  # type: ignore[operator]
            target.append({})
        target[last] = value  # type: ignore[index]
    else:
        target[last] = value


def field_name(segments: list[str | int]) -> str:
    return ".".join(str(s) for s in segments)


def _empty_value(component: Mapping[str, Any]) -> Any:
    kind = component["type"]
    if kind in ("textfield", "textarea"):
        return ""
    if kind == "checkbox":
        return False
    if kind in MULTI:
        return []
    return None


def _options(component: Mapping[str, Any], context: Mapping[str, Any]) -> list[tuple[Any, str]]:
    if component.get("valuesKey"):
        raw = _get(context, _segments(component["valuesKey"])) or []
    elif component.get("valuesExpression"):
        raw = _evaluate(component["valuesExpression"], context) or []
    else:
        raw = component.get("values") or []
    options = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping):
            options.append((item.get("value"), str(item.get("label", item.get("value")))))
        else:
            options.append((item, str(item)))
    return options


def _text_template(text: str, context: Mapping[str, Any]) -> str:
    """form-js templating in text components: `{{ expression }}` replaced by its value."""

    def value_of(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression.startswith(("#", "/")):
            return ""  # block helpers (#if, #loop) are not supported: drop the markers
        try:
            value = feel.evaluate(expression, context)
        except feel.FeelError:
            return ""
        if value is None:
            return ""
        if isinstance(value, (str, int, Decimal, float)):
            return str(value)
        return feel.to_text(value)

    return re.sub(r"\{\{(.+?)\}\}", value_of, text)


@dataclass
class Node:
    """One component ready for the template."""

    kind: str
    id: str
    label: str = ""
    description: str = ""
    name: str = ""
    value: Any = None
    options: list[tuple[str, str, bool]] = field(default_factory=list)
    required: bool = False
    readonly: bool = False
    error: str = ""
    subtype: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    items: list[tuple[str, list[Node]]] = field(default_factory=list)
    html: Any = None


class FormState:
    """A form with the values on it: the job's variables and whatever the user posted."""

    def __init__(self, schema: Mapping[str, Any], variables: Mapping[str, Any],
                 answers: dict[str, Any], translate: Translate, raw: dict[str, str] | None = None,
                 action: str = "") -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.answers = answers
        self.translate = translate
        self.raw = raw or {}  # what was typed into fields that did not parse (numbers, dates)
        self.action = action
        self.errors: dict[str, str] = {}

    # ----------------------------------------------------------------- building the state
    @classmethod
    def from_variables(cls, schema: Mapping[str, Any], variables: Mapping[str, Any],
                       translate: Translate) -> FormState:
        """Prefilled from the job's variables, defaults where a key has no value."""
        answers: dict[str, Any] = {}
        state = cls(schema, variables, answers, translate)
        state._prefill(schema.get("components") or [], [], variables)
        return state

    def _prefill(self, components: list[Mapping[str, Any]], prefix: list[str | int], source: Any) -> None:
        for component in components:
            kind = component.get("type")
            if kind in KEYED and component.get("key"):
                segments = prefix + _segments(component["key"])
                value = _get(source, segments)
                if value is None and "defaultValue" in component:
                    value = copy.deepcopy(component["defaultValue"])
                if value is None:
                    value = _empty_value(component)
                _set(self.answers, segments, value)
            elif kind == "group":
                self._prefill(component.get("components") or [], prefix + _segments(component.get("path")), source)
            elif kind == "dynamiclist" and component.get("path"):
                segments = prefix + _segments(component["path"])
                existing = _get(source, segments)
                count = len(existing) if isinstance(existing, list) else int(component.get("defaultRepetitions") or 0)
                _set(self.answers, segments, [{} for _ in range(count)])
                for index in range(count):
                    self._prefill(component.get("components") or [], segments + [index], source)

    @classmethod
    def from_post(cls, schema: Mapping[str, Any], variables: Mapping[str, Any], form: MultiDict,
                  translate: Translate) -> FormState:
        """What the user posted; an "add"/"remove" action on a dynamic list is applied."""
        answers: dict[str, Any] = {}
        state = cls(schema, variables, answers, translate, action=form.get("__action", ""))
        context = state.context()
        state._read(schema.get("components") or [], [], form, context)
        state._apply_list_action()
        return state

    def _read(self, components: list[Mapping[str, Any]], prefix: list[str | int], form: MultiDict,
              context: Mapping[str, Any]) -> None:
        for component in components:
            kind = component.get("type")
            if kind in KEYED and component.get("key"):
                segments = prefix + _segments(component["key"])
                name = field_name(segments)
                if _flag(component.get("disabled"), context) or _flag(component.get("readonly"), context):
                    value = _get(self.variables, segments)
                    _set(self.answers, segments, _empty_value(component) if value is None else value)
                    continue
                _set(self.answers, segments, self._parse(component, name, form))
            elif kind == "group":
                self._read(component.get("components") or [], prefix + _segments(component.get("path")), form, context)
            elif kind == "dynamiclist" and component.get("path"):
                segments = prefix + _segments(component["path"])
                posted = form.get(field_name(segments) + "." + COUNT_SUFFIX)
                try:  # a list that was hidden until now starts with its default repetitions
                    count = int(component.get("defaultRepetitions") or 0) if posted is None else int(posted)
                except ValueError:
                    count = 0
                count = max(0, min(count, 200))
                _set(self.answers, segments, [{} for _ in range(count)])
                for index in range(count):
                    self._read(component.get("components") or [], segments + [index], form, context)

    def _parse(self, component: Mapping[str, Any], name: str, form: MultiDict) -> Any:
        kind = component["type"]
        if kind == "checkbox":
            return form.get(name) in ("true", "on", "1")
        if kind in MULTI:
            by_text = {str(value): value for value, _ in _options(component, self.context())}
            return [by_text.get(v, v) for v in form.getlist(name)]
        text = form.get(name, "")
        if kind in ("radio", "select"):
            if text == "":
                return None
            by_text = {str(value): value for value, _ in _options(component, self.context())}
            return by_text.get(text, text)
        if kind == "number":
            text = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
            if text == "":
                return None
            try:
                number = Decimal(text)
            except InvalidOperation:
                self.raw[name] = form.get(name, "")
                return None
            if not number.is_finite():
                self.raw[name] = form.get(name, "")
                return None
            if component.get("serializeToString"):
                return str(number)
            return int(number) if number == number.to_integral_value() else float(number)
        if kind == "datetime":
            return self._parse_datetime(component, name, text.strip())
        return text

    def _parse_datetime(self, component: Mapping[str, Any], name: str, text: str) -> str | None:
        if not text:
            return None
        subtype = component.get("subtype") or "date"
        try:
            if subtype == "date":
                return date.fromisoformat(text).isoformat()
            if subtype == "time":
                moment = time.fromisoformat(text)
                return moment.strftime("%H:%M")
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.raw[name] = text
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LOCAL_ZONE)
        if component.get("timeSerializingFormat") == "no_timezone":
            return moment.replace(tzinfo=None).isoformat(timespec="minutes")
        if component.get("timeSerializingFormat") == "utc_normalized":
            return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%MZ")
        return moment.isoformat(timespec="minutes")

    def _apply_list_action(self) -> None:
        verb, _, target = self.action.partition(":")
        if verb not in ("add", "remove") or not target:
            return
        segments: list[str | int] = [int(p) if p.isdigit() else p for p in target.split(".")]
        if verb == "add":
            items = _get(self.answers, segments)
            if isinstance(items, list):
                items.append({})
        else:
            items = _get(self.answers, segments[:-1])
            index = segments[-1]
            if isinstance(items, list) and isinstance(index, int) and 0 <= index < len(items):
                del items[index]
                self.raw = {}  # positions moved: drop what did not parse

    # ----------------------------------------------------------------------- evaluating
    def context(self, local: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Variables for FEEL: the job's variables, the answers on top, a list item on top."""
        merged = {**self.variables, **self.answers}
        if local:
            merged.update(local)
        return merged

    def validate(self) -> dict[str, str]:
        self.errors = {}
        self._validate(self.schema.get("components") or [], [], None)
        return self.errors

    def _validate(self, components: list[Mapping[str, Any]], prefix: list[str | int],
                  local: Mapping[str, Any] | None) -> None:
        context = self.context(local)
        for component in components:
            if _is_hidden(component, context):
                continue
            kind = component.get("type")
            if kind in KEYED and component.get("key"):
                if _flag(component.get("disabled"), context) or _flag(component.get("readonly"), context):
                    continue
                segments = prefix + _segments(component["key"])
                message = self._check(component, field_name(segments), _get(self.answers, segments), context)
                if message:
                    self.errors[field_name(segments)] = message
            elif kind == "group":
                self._validate(component.get("components") or [], prefix + _segments(component.get("path")), local)
            elif kind == "dynamiclist" and component.get("path"):
                segments = prefix + _segments(component["path"])
                for index, item in enumerate(_get(self.answers, segments) or []):
                    self._validate(component.get("components") or [], segments + [index],
                                   {**(local or {}), **(item if isinstance(item, dict) else {})})

    def _check(self, component: Mapping[str, Any], name: str, value: Any,
               context: Mapping[str, Any]) -> str | None:
        t = self.translate
        rules = component.get("validate") or {}
        kind = component["type"]
        if name in self.raw:
            return t("form.error.date") if kind == "datetime" else t("form.error.number")
        missing = value is None or value == "" or value is False or value == []
        if missing:
            return t("form.error.required") if _flag(rules.get("required"), context) else None
        if kind in ("radio", "select") or kind in MULTI:
            allowed = {str(v) for v, _ in _options(component, context)}
            chosen = value if isinstance(value, list) else [value]
            if allowed and any(str(v) not in allowed for v in chosen):
                return t("form.error.option")
        if kind in ("textfield", "textarea"):
            text = str(value)
            min_length = _evaluate(rules.get("minLength"), context)
            max_length = _evaluate(rules.get("maxLength"), context)
            if min_length is not None and len(text.strip()) < int(min_length):
                return t("form.error.minLength", value=int(min_length))
            if max_length is not None and len(text) > int(max_length):
                return t("form.error.maxLength", value=int(max_length))
            if rules.get("pattern"):
                try:
                    matched = re.search(rules["pattern"], text) is not None
                except re.error:
                    matched = True
                if not matched:
                    return rules.get("patternErrorMessage") or t("form.error.pattern", value=rules["pattern"])
            if rules.get("validationType") == "email" and not EMAIL.match(text):
                return t("form.error.email")
            if rules.get("validationType") == "phone" and not PHONE.match(text.replace(" ", "")):
                return t("form.error.phone")
        if kind == "number":
            number = Decimal(str(value))
            digits = component.get("decimalDigits")
            if digits is not None and -number.as_tuple().exponent > int(digits):
                if int(digits) == 0:
                    return t("form.error.integer")
                return t("form.error.decimals", value=int(digits))
            low = _evaluate(rules.get("min"), context)
            high = _evaluate(rules.get("max"), context)
            if low is not None and number < Decimal(str(low)):
                return t("form.error.min", value=_plain(low))
            if high is not None and number > Decimal(str(high)):
                return t("form.error.max", value=_plain(high))
        return None

    def submission(self) -> dict[str, Any]:
        """The completion variables: every visible keyed field's value, nested by key and path."""
        result: dict[str, Any] = {}
        self._collect(self.schema.get("components") or [], [], None, result)
        return result

    def _collect(self, components: list[Mapping[str, Any]], prefix: list[str | int],
                 local: Mapping[str, Any] | None, result: dict[str, Any]) -> None:
        context = self.context(local)
        for component in components:
            if _is_hidden(component, context):
                continue
            kind = component.get("type")
            if kind in KEYED and component.get("key"):
                segments = prefix + _segments(component["key"])
                _set(result, segments, _get(self.answers, segments))
            elif kind == "group":
                self._collect(component.get("components") or [], prefix + _segments(component.get("path")),
                              local, result)
            elif kind == "dynamiclist" and component.get("path"):
                segments = prefix + _segments(component["path"])
                items = _get(self.answers, segments) or []
                _set(result, segments, [{} for _ in items])
                for index, item in enumerate(items):
                    self._collect(component.get("components") or [], segments + [index],
                                  {**(local or {}), **(item if isinstance(item, dict) else {})}, result)

    # ------------------------------------------------------------------------ rendering
    def view(self) -> list[Node]:
        return self._view(self.schema.get("components") or [], [], None)

    def _view(self, components: list[Mapping[str, Any]], prefix: list[str | int],
              local: Mapping[str, Any] | None) -> list[Node]:
        context = self.context(local)
        nodes = []
        for component in components:
            if _is_hidden(component, context):
                continue
            kind = component.get("type", "")
            node = Node(kind=kind, id=str(component.get("id", "")), label=str(component.get("label") or ""),
                        description=str(component.get("description") or ""))
            if kind == "text":
                node.html = _text_template(str(component.get("text") or ""), context)
            elif kind == "spacer":
                node.attrs["height"] = int(component.get("height") or 60)
            elif kind == "group":
                node.children = self._view(component.get("components") or [],
                                           prefix + _segments(component.get("path")), local)
            elif kind == "dynamiclist" and component.get("path"):
                segments = prefix + _segments(component["path"])
                node.name = field_name(segments)
                node.attrs["allow_add_remove"] = bool(component.get("allowAddRemove", True))
                node.attrs["count_name"] = node.name + "." + COUNT_SUFFIX
                for index, item in enumerate(_get(self.answers, segments) or []):
                    node.items.append((field_name(segments + [index]), self._view(
                        component.get("components") or [], segments + [index],
                        {**(local or {}), **(item if isinstance(item, dict) else {})})))
            elif kind in KEYED and component.get("key"):
                self._field_node(node, component, prefix + _segments(component["key"]), context)
            else:
                continue  # html, image, iframe, button…: not used by our forms
            nodes.append(node)
        return nodes

    def _field_node(self, node: Node, component: Mapping[str, Any], segments: list[str | int],
                    context: Mapping[str, Any]) -> None:
        rules = component.get("validate") or {}
        node.name = field_name(segments)
        node.required = _flag(rules.get("required"), context)
        node.readonly = _flag(component.get("disabled"), context) or _flag(component.get("readonly"), context)
        node.error = self.errors.get(node.name, "")
        value = _get(self.answers, segments)
        kind = component["type"]
        if kind in ("radio", "select") or kind in MULTI:
            chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v is not None}
            node.options = [(str(v), label, str(v) in chosen) for v, label in _options(component, context)]
        if node.name in self.raw:
            node.value = self.raw[node.name]
        elif kind == "datetime":
            node.subtype = component.get("subtype") or "date"
            node.value = _datetime_input(value, node.subtype)
        elif kind == "number":
            node.value = "" if value is None else _plain(value)
            for rule in ("min", "max"):
                bound = _evaluate(rules.get(rule), context)
                if bound is not None:
                    node.attrs[rule] = _plain(bound)
            digits = component.get("decimalDigits")
            node.attrs["step"] = "1" if digits == 0 else ("any" if digits is None else f"{Decimal(1).scaleb(-int(digits))}")
        else:
            node.value = value
        if kind in ("textfield", "textarea"):
            for rule, attr in (("minLength", "minlength"), ("maxLength", "maxlength")):
                bound = _evaluate(rules.get(rule), context)
                if bound is not None:
                    node.attrs[attr] = int(bound)
            if rules.get("validationType") == "email":
                node.attrs["type"] = "email"
            elif rules.get("validationType") == "phone":
                node.attrs["type"] = "tel"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = int(value)
    return str(value)


def _datetime_input(value: Any, subtype: str) -> str:
    if not value:
        return ""
    text = str(value)
    if subtype == "date":
        return text[:10]
    if subtype == "time":
        return text[:5]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_ZONE)
    return moment.strftime("%Y-%m-%dT%H:%M")
