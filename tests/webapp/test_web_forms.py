"""Camunda Forms on the server: what a staff member sees and which answers are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from webapp.camunda_forms import FormState
from webapp.i18n import translate
from webapp.markdown import render as markdown

FORMS = sorted((Path(__file__).resolve().parents[2] / "forms").glob("*.form"))


def vi(key, **values):
    return translate(key, "vi", **values)


def en(key, **values):
    return translate(key, "en", **values)


def form(*components, **extra):
    return {"type": "default", "id": "test", "components": list(components), **extra}


def post(schema, variables=None, translate_=vi, **fields):
    data = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(name if name == "__action" else name.replace("__", "."), item)
    return FormState.from_post(schema, variables or {}, data, translate_)


DECISION = {"type": "radio", "key": "decision", "label": "Quyết định", "validate": {"required": True},
            "values": [{"label": "Đồng ý", "value": "approve"}, {"label": "Từ chối", "value": "refuse"}]}
REASON = {"type": "textarea", "key": "reason", "label": "Lý do", "validate": {"required": True, "minLength": 10},
          "conditional": {"hide": '=decision != "refuse"'}}


def test_a_missing_required_answer_is_explained_in_the_page_language():
    assert post(form(DECISION)).validate() == {"decision": "Trường này là bắt buộc."}
    assert post(form(DECISION), translate_=en).validate() == {"decision": "Field is required."}


def test_a_hidden_field_is_neither_shown_checked_nor_submitted():
    state = post(form(DECISION, REASON), decision="approve", reason="ignored")
    assert state.validate() == {}
    assert state.submission() == {"decision": "approve"}
    assert [n.name for n in state.view()] == ["decision"]
    refused = post(form(DECISION, REASON), decision="refuse", reason="ngắn")
    assert refused.validate() == {"reason": "Cần nhập ít nhất 10 ký tự."}
    assert [n.name for n in refused.view()] == ["decision", "reason"]


def test_an_answer_outside_the_options_is_refused():
    assert post(form(DECISION), decision="maybe").validate() == {"decision": "Lựa chọn không hợp lệ."}


def test_text_rules_pattern_length_email_and_phone():
    phone = {"type": "textfield", "key": "phone", "validate": {
        "pattern": "^0[0-9]{9}$", "patternErrorMessage": "Số điện thoại không hợp lệ"}}
    code = {"type": "textfield", "key": "code", "validate": {"pattern": "^[A-Z]+$", "maxLength": 3}}
    mail = {"type": "textfield", "key": "mail", "validate": {"validationType": "email"}}
    intl = {"type": "textfield", "key": "intl", "validate": {"validationType": "phone"}}
    errors = post(form(phone, code, mail, intl), phone="12345", code="abc", mail="a@b", intl="0912").validate()
    assert errors == {"phone": "Số điện thoại không hợp lệ", "code": "Giá trị phải khớp mẫu ^[A-Z]+$.",
                      "mail": "Địa chỉ email không hợp lệ.",
                      "intl": "Số điện thoại quốc tế không hợp lệ (ví dụ +84912345678)."}
    assert post(form(code), code="ABCD").validate() == {"code": "Chỉ được nhập tối đa 3 ký tự."}
    assert post(form(phone, mail, intl), phone="0912345678", mail="a@so.gov.vn", intl="+84912345678").validate() == {}


def test_numbers_keep_what_was_typed_when_it_is_not_a_number():
    floors = {"type": "number", "key": "floors", "label": "Số tầng", "decimalDigits": 0,
              "validate": {"min": 1, "max": 200}}
    area = {"type": "number", "key": "area", "validate": {"min": 0}}
    state = post(form(floors, area), floors="chín", area="1250,5")
    assert state.validate() == {"floors": "Giá trị không phải là số."}
    assert state.view()[0].value == "chín"
    assert state.submission()["area"] == 1250.5
    assert post(form(floors), floors="2.5").validate() == {"floors": "Giá trị phải là số nguyên."}
    assert post(form(floors), floors="500").validate() == {"floors": "Giá trị lớn nhất là 200."}
    assert post(form(floors), floors="9").submission() == {"floors": 9}


def test_dates_and_date_times_are_sent_as_zeebe_reads_them():
    day = {"type": "datetime", "key": "day", "subtype": "date"}
    moment = {"type": "datetime", "key": "at", "subtype": "datetime"}
    state = post(form(day, moment), day="2026-11-24", at="2026-11-24T09:30")
    assert state.submission() == {"day": "2026-11-24", "at": "2026-11-24T09:30+07:00"}
    assert post(form(day), day="24/11/2026").validate() == {"day": "Ngày giờ không hợp lệ."}


def test_checkbox_checklist_select_and_taglist():
    confirm = {"type": "checkbox", "key": "confirm", "validate": {"required": True}}
    papers = {"type": "checklist", "key": "papers", "values": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]}
    level = {"type": "select", "key": "level", "values": [{"label": "I", "value": "I"}]}
    tags = {"type": "taglist", "key": "tags", "valuesKey": "knownTags"}
    schema = form(confirm, papers, level, tags)
    assert post(schema, {"knownTags": ["x", "y"]}).validate() == {"confirm": "Trường này là bắt buộc."}
    state = post(schema, {"knownTags": ["x", "y"]}, confirm="true", papers=["a", "b"], level="I", tags=["y"])
    assert state.validate() == {}
    assert state.submission() == {"confirm": True, "papers": ["a", "b"], "level": "I", "tags": ["y"]}


def test_groups_with_a_path_nest_their_values():
    group = {"type": "group", "label": "Tiêu chí", "path": "criteria", "components": [
        {"type": "radio", "key": "time", "values": [{"label": "Tốt", "value": "2"}], "validate": {"required": True}}]}
    assert post(form(group)).validate() == {"criteria.time": "Trường này là bắt buộc."}
    assert post(form(group), criteria__time="2").submission() == {"criteria": {"time": "2"}}


def test_dynamic_list_rows_are_added_and_removed_without_losing_answers():
    items = {"type": "dynamiclist", "path": "items", "isRepeating": True, "allowAddRemove": True,
             "defaultRepetitions": 1, "components": [
                 {"type": "textfield", "key": "name", "validate": {"required": True}}]}
    state = FormState.from_variables(form(items), {}, vi)
    assert state.answers == {"items": [{"name": ""}]}
    def rows(*names, action=""):
        data = MultiDict([("items.__count", str(len(names))), ("__action", action)])
        for index, name in enumerate(names):
            data.add(f"items.{index}.name", name)
        return FormState.from_post(form(items), {}, data, vi)

    assert rows("Bản vẽ", action="add:items").answers["items"] == [{"name": "Bản vẽ"}, {}]
    assert rows("Bản vẽ", "Sổ đỏ", action="remove:items.0").answers["items"] == [{"name": "Sổ đỏ"}]
    assert rows("Bản vẽ", "").validate() == {"items.1.name": "Trường này là bắt buộc."}
    assert rows("Bản vẽ").submission() == {"items": [{"name": "Bản vẽ"}]}


def test_prefilled_from_the_job_and_defaults():
    note = {"type": "textfield", "key": "applicant.fullName"}
    level = {"type": "select", "key": "level", "defaultValue": "I", "values": [{"label": "I", "value": "I"}]}
    state = FormState.from_variables(form(note, level), {"applicant": {"fullName": "Đào"}}, vi)
    assert state.answers == {"applicant": {"fullName": "Đào"}, "level": "I"}


def test_text_is_templated_and_rendered_as_safe_markdown():
    text = {"type": "text", "text": "### Hồ sơ {{dossierCode}}\n**Người nộp:** {{applicant.fullName}}"}
    [node] = FormState.from_variables(form(text), {"dossierCode": "H06-0001",
                                                   "applicant": {"fullName": "<script>x</script>"}}, vi).view()
    html = str(markdown(node.html))
    assert "<h4>Hồ sơ H06-0001</h4>" in html and "<strong>Người nộp:</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.stem)
def test_every_form_of_the_project_renders_and_asks_for_its_required_answers(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    variables = {"dossierCode": "000.00.17.H06-261124-0001", "procedureName": "Cấp giấy phép xây dựng",
                 "applicant": {"fullName": "Nguyễn Thị Hồng Đào", "phone": "0912345678"},
                 "checklistComplete": True, "unknownComponents": [], "recommendation": "approve"}
    state = FormState.from_variables(schema, variables, vi)
    assert state.view()
    assert state.validate()  # every form has at least one required decision
    assert set(state.validate().values()) <= {"Trường này là bắt buộc."}
