"""The Camunda Forms in forms/: schema checks in the spirit of Camunda's form linter, and their fit with the BPMN."""

from __future__ import annotations

import re

import pytest
from process_assets import FORMS_DIR, NS, forms, models

KEY_PATTERN = re.compile(r"^\w+(\.\w+)*$")
KEYED = {
    "textfield",
    "textarea",
    "number",
    "datetime",
    "checkbox",
    "checklist",
    "radio",
    "select",
    "taglist",
}
OPTIONS = {"checklist", "radio", "select", "taglist"}
CONTAINERS = {"group", "dynamiclist"}
PRESENTATION = {"text", "separator", "spacer"}
TYPES = KEYED | CONTAINERS | PRESENTATION

COMMON = {
    "id",
    "type",
    "label",
    "description",
    "layout",
    "conditional",
    "properties",
    "readonly",
    "disabled",
}
ALLOWED = {
    "textfield": COMMON | {"key", "validate", "defaultValue", "appearance"},
    "textarea": COMMON | {"key", "validate", "defaultValue"},
    "number": COMMON
    | {
        "key",
        "validate",
        "defaultValue",
        "appearance",
        "decimalDigits",
        "increment",
        "serializeToString",
    },
    "datetime": COMMON
    | {
        "key",
        "validate",
        "subtype",
        "dateLabel",
        "timeLabel",
        "use24h",
        "timeInterval",
        "timeSerializingFormat",
        "disallowPassedDates",
    },
    "checkbox": COMMON | {"key", "validate", "defaultValue"},
    "checklist": COMMON
    | {"key", "validate", "values", "valuesKey", "valuesExpression", "defaultValue"},
    "radio": COMMON
    | {"key", "validate", "values", "valuesKey", "valuesExpression", "defaultValue"},
    "select": COMMON
    | {"key", "validate", "values", "valuesKey", "valuesExpression", "defaultValue", "searchable"},
    "taglist": COMMON
    | {"key", "validate", "values", "valuesKey", "valuesExpression", "defaultValue"},
    "text": COMMON | {"text"},
    "separator": COMMON,
    "spacer": COMMON | {"height"},
    "group": COMMON | {"components", "path", "showOutline"},
    "dynamiclist": COMMON
    | {
        "components",
        "path",
        "showOutline",
        "isRepeating",
        "allowAddRemove",
        "defaultRepetitions",
        "disableCollapse",
        "nonCollapsedItems",
    },
}
VALIDATE_KEYS = {
    "required",
    "minLength",
    "maxLength",
    "min",
    "max",
    "pattern",
    "patternErrorMessage",
    "validationType",
}

FORMS = forms()
FORM_IDS = sorted(FORMS)


def walk(components, scope=""):
    """(component, data scope) for every component, descending into groups and dynamic lists."""
    for c in components:
        yield c, scope
        if c.get("type") in CONTAINERS:
            inner = f"{scope}{c['path']}." if c.get("path") else scope
            yield from walk(c.get("components", []), inner)


def test_each_file_is_named_after_its_form_id():
    for path in FORMS_DIR.glob("*.form"):
        assert path.stem in FORMS and FORMS[path.stem]["id"] == path.stem


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form_root_is_a_camunda_8_6_form(form_id):
    form = FORMS[form_id]
    assert form["type"] == "default"
    assert form["executionPlatform"] == "Camunda Cloud"
    assert form["executionPlatformVersion"] == "8.6.0"
    assert isinstance(form["schemaVersion"], int) and 1 <= form["schemaVersion"] <= 16
    assert isinstance(form["components"], list) and form["components"]


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_components_are_well_formed(form_id):
    ids, keys = set(), set()
    for c, scope in walk(FORMS[form_id]["components"]):
        kind = c.get("type")
        where = f"{form_id}:{c.get('id')}"
        assert kind in TYPES, where
        assert c.get("id") and c["id"] not in ids, f"{where}: id missing or repeated"
        ids.add(c["id"])
        assert set(c) <= ALLOWED[kind], f"{where}: unknown properties {set(c) - ALLOWED[kind]}"
        assert isinstance(c.get("layout", {}).get("row", ""), str)
        if kind in KEYED:
            assert KEY_PATTERN.match(c.get("key", "")), f"{where}: bad key"
            assert f"{scope}{c['key']}" not in keys, f"{where}: key {c['key']} bound twice"
            keys.add(f"{scope}{c['key']}")
            assert c.get("label"), f"{where}: a field needs a label"
        if kind in OPTIONS:
            sources = [p for p in ("values", "valuesKey", "valuesExpression") if p in c]
            assert len(sources) == 1, f"{where}: exactly one options source"
            if "values" in c:
                values = [v["value"] for v in c["values"]]
                assert values and len(values) == len(set(values)), where
                assert all(v.get("label") for v in c["values"]), where
        if kind == "text":
            assert c.get("text"), where
        if kind in CONTAINERS:
            assert isinstance(c.get("components"), list) and c["components"], where
        if kind == "dynamiclist":
            assert KEY_PATTERN.match(c.get("path", "")), where
        if kind == "datetime":
            assert c.get("subtype") in ("date", "time", "datetime"), where
        validate = c.get("validate", {})
        assert set(validate) <= VALIDATE_KEYS, where
        if "pattern" in validate:
            re.compile(validate["pattern"])
        if "minLength" in validate and "maxLength" in validate:
            assert validate["minLength"] <= validate["maxLength"], where
        if "min" in validate and "max" in validate:
            assert validate["min"] <= validate["max"], where
        hide = c.get("conditional", {}).get("hide")
        if hide is not None:
            assert hide.startswith("="), f"{where}: conditions are FEEL expressions"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_conditions_are_valid_feel(form_id):
    feel = pytest.importorskip("engine.feel")
    for c, _ in walk(FORMS[form_id]["components"]):
        hide = c.get("conditional", {}).get("hide")
        if hide:
            feel.compile(hide[1:])


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_labels_are_vietnamese(form_id):
    labels = [c.get("label", "") + c.get("text", "") for c, _ in walk(FORMS[form_id]["components"])]
    assert any(re.search(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", s, re.I) for s in labels)


def test_phone_and_id_numbers_are_validated():
    patterns = {}
    for form in FORMS.values():
        for c, _ in walk(form["components"]):
            if "pattern" in c.get("validate", {}):
                patterns[c["key"]] = re.compile(c["validate"]["pattern"])
    phone, id_number = patterns["receiverPhone"], patterns["receiverIdNumber"]
    assert phone.match("0912345678") and phone.match("+84912345678")
    assert not phone.match("12345") and not phone.match("0212345678")
    assert id_number.match("012345678901") and id_number.match("123456789")
    assert not id_number.match("12345678901")


def test_every_form_is_used_and_every_used_form_exists():
    used = set()
    for m in models():
        for task in m.of_type("userTask"):
            used.add(task.find("bpmn:extensionElements/zeebe:formDefinition", NS).get("formId"))
    assert used == set(FORMS)


def test_gateway_conditions_only_use_values_the_forms_offer_and_require():
    """`=intakeDecision = "accept"` needs an option with value "accept" on the field intakeDecision."""
    offered: dict[str, set] = {}
    required = set()
    for form in FORMS.values():
        for c, scope in walk(form["components"]):
            if c.get("validate", {}).get("required"):
                required.add(scope + c.get("key", ""))
            if c.get("type") in OPTIONS and "values" in c:
                offered.setdefault(scope + c["key"], set()).update(v["value"] for v in c["values"])
    checked = 0
    for m in models():
        for flow in m.flows.values():
            cond = flow.find("bpmn:conditionExpression", NS)
            if cond is None:
                continue
            for key, value in re.findall(r'(\w+) = "([^"]+)"', cond.text):
                if key in offered:
                    assert value in offered[key], (
                        f"{m.process_id} {flow.get('id')}: {key} = {value!r}"
                    )
                    assert key in required, f"{key} decides a gateway: the form must require it"
                    checked += 1
    assert checked >= 10


def visible_fields(form_id: str, data: dict) -> set[str]:
    """Keys of the fields a person sees, hiding what `conditional.hide` (FEEL) hides."""
    feel = pytest.importorskip("engine.feel")

    def shown(components, scope=""):
        for c in components:
            hide = c.get("conditional", {}).get("hide")
            if hide and feel.evaluate(hide[1:], data) is True:
                continue
            if c.get("type") in KEYED:
                yield scope + c["key"]
            if c.get("type") in CONTAINERS:
                inner = f"{scope}{c['path']}." if c.get("path") else scope
                yield from shown(c["components"], inner)

    return set(shown(FORMS[form_id]["components"]))


def test_reception_check_asks_only_what_the_decision_needs():
    assert visible_fields("reception-check", {}) == {"intakeDecision", "receptionNote"}
    supplement = visible_fields("reception-check", {"intakeDecision": "supplement"})
    assert {"missingItems.name", "missingItems.detail", "contactPhone"} <= supplement
    assert "refusalReason" not in supplement
    refuse = visible_fields("reception-check", {"intakeDecision": "refuse"})
    assert "refusalReason" in refuse and "contactPhone" not in refuse


def test_appraisal_shows_consultation_fields_only_when_consulting():
    assert "consultAgency" not in visible_fields(
        "permit-appraisal", {"appraisalOutcome": "propose"}
    )
    consulting = visible_fields("permit-appraisal", {"appraisalOutcome": "consult"})
    assert {"consultAgency", "consultQuestion"} <= consulting and "recommendation" not in consulting
    assert "recommendation" in visible_fields(
        "certificate-appraisal", {"appraisalOutcome": "propose"}
    )
    site = visible_fields("permit-appraisal", {"siteInspected": True})
    assert "inspectionDate" in site and "inspectionDate" not in visible_fields(
        "permit-appraisal", {}
    )


def test_leader_confirms_the_signature_only_when_approving():
    approve = visible_fields("leader-sign", {"leaderDecision": "approve"})
    assert "signatureConfirmed" in approve and "leaderRefusalReason" not in approve
    refuse = visible_fields("leader-sign", {"leaderDecision": "refuse"})
    assert "leaderRefusalReason" in refuse and "signatureConfirmed" not in refuse


def test_return_form_follows_the_delivery_method():
    counter = visible_fields("return-result", {"deliveryMethod": "counter"})
    assert {"receiverName", "receiverIdNumber"} <= counter and "postTrackingNumber" not in counter
    assert "authorisationDocument" not in counter
    proxy = visible_fields(
        "return-result", {"deliveryMethod": "counter", "authorisedReceiver": True}
    )
    assert "authorisationDocument" in proxy
    post = visible_fields("return-result", {"deliveryMethod": "post"})
    assert "postTrackingNumber" in post and "receiverIdNumber" not in post


def test_rating_criteria_are_skipped_when_the_citizen_declines():
    assert "ratingCriteria.time" in visible_fields(
        "satisfaction-rating", {"satisfaction": "satisfied"}
    )
    declined = visible_fields("satisfaction-rating", {"satisfaction": "declined"})
    assert declined == {"satisfaction"}
