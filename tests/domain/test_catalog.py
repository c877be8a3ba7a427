"""The procedure catalog: the shipped procedures load, versions are chosen by date, and every
mistake an analyst can make in a YAML file is reported with its file, line and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from motcua.catalog import (
    CatalogError,
    CopyType,
    ProcedureNotFound,
    Requirement,
    load_catalog,
)
from motcua.deadlines import DeadlineUnit, Duration, SupplementClock
from motcua.settings import PROJECT_ROOT

# A valid procedure; the line numbers in the tests below refer to this text.
VALID = """\
code: "1.009986"
version: 1
name: {vi: Cấp điều chỉnh chứng chỉ hành nghề, en: Amend a practising certificate}
sector:
  code: hoat-dong-xay-dung
  name: {vi: Hoạt động xây dựng, en: Construction activities}
agency:
  code: "000.00.17.H06"
  name: {vi: Sở Xây dựng, en: Department of Construction}
process_id: cchn-dieu-chinh
effective_from: 2021-03-03
deadline: {value: 10, unit: days}
supplement_clock: pause
cases:
  - id: hang-ii
    name: Hạng II
components:
  - id: don-de-nghi
    name: Đơn đề nghị
    copy_type: original
    quantity: 1
    requirement: required
  - id: ban-goc
    name: Bản gốc chứng chỉ
    copy_type: [original, bản sao]
    quantity: 1
    requirement: conditional
    condition: Nếu còn giữ
    cases: [hang-ii]
steps:
  - {id: tiep-nhan, name: Tiếp nhận, hours: 4, role: reception}
fees:
  - {id: le-phi, name: Lệ phí, amount_vnd: 150000}
"""


def write(directory: Path, text: str, name: str = "procedure.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> list[str]:
    write(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    prefix = f"{tmp_path / 'procedure.yaml'}:"
    return [str(p).removeprefix(prefix) for p in caught.value.problems]


def test_shipped_catalog_has_six_construction_procedures():
    catalog = load_catalog(PROJECT_ROOT / "catalog")
    assert len(catalog.codes()) >= 6
    permit = catalog.get("1.009994", on=date(2026, 2, 13))
    assert permit.name.vi.startswith("Cấp giấy phép xây dựng mới")
    assert permit.agency.code == "000.00.17.H06"
    assert permit.duration() == Duration(20, DeadlineUnit.DAYS)
    assert permit.duration("nha-o-rieng-le") == Duration(15, DeadlineUnit.DAYS)
    assert permit.completeness_check == Duration(7, DeadlineUnit.WORKING_DAYS)
    assert permit.supplement_clock is SupplementClock.PAUSE
    drawings = next(c for c in permit.components if c.id == "ban-ve-thiet-ke")
    assert drawings.quantity == 2 and drawings.copy_types == (CopyType.ORIGINAL,)
    # the project-approval paper only concerns works that belong to a project
    assert "quyet-dinh-phe-duyet-du-an" not in [c.id for c in permit.components_for("nha-o-rieng-le")]
    appraisal = catalog.get("SXD.TDDA-01", on=date(2026, 2, 13))
    assert appraisal.duration("nhom-a") == Duration(35, DeadlineUnit.DAYS)
    assert appraisal.supplement_clock is SupplementClock.RESTART
    # every catalog entry runs one of the process families in bpmn/
    deployed = {path.stem for path in (PROJECT_ROOT / "bpmn").glob("*.bpmn")}
    assert {p.process_id for p in catalog.procedures} <= deployed
    certificates = catalog.for_process("practising-certificate", on=date(2026, 2, 13))
    assert {p.code for p in certificates} == {"SXD.CCHN-01", "1.009986", "SXD.CCNL-03"}


def test_valid_file_reads_every_field(tmp_path):
    write(tmp_path, VALID)
    procedure = load_catalog(tmp_path).get("1.009986", on=date(2026, 1, 5))
    assert procedure.name.in_language("en") == "Amend a practising certificate"
    assert procedure.components[1].copy_types == (CopyType.ORIGINAL, CopyType.CERTIFIED_COPY)
    assert procedure.components[1].requirement is Requirement.CONDITIONAL
    assert procedure.components[1].condition.vi == "Nếu còn giữ"
    assert procedure.steps[0].hours == 4.0 and procedure.steps[0].role == "reception"
    assert procedure.fees[0].amount_vnd == 150000
    assert procedure.process_id == "cchn-dieu-chinh"
    assert procedure.source_file == tmp_path / "procedure.yaml"


def test_version_in_force_on_the_day_of_receipt(tmp_path):
    old = VALID.replace("process_id: cchn-dieu-chinh", "process_id: cchn-dieu-chinh\neffective_to: 2024-12-29")
    new = VALID.replace("version: 1", "version: 2").replace(
        "effective_from: 2021-03-03", "effective_from: 2024-12-30").replace(
        "value: 10", "value: 7")
    write(tmp_path, old, "v1.yaml")
    write(tmp_path, new, "v2.yaml")
    catalog = load_catalog(tmp_path)
    assert catalog.get("1.009986", on=date(2024, 12, 29)).version == 1
    assert catalog.get("1.009986", on=date(2024, 12, 30)).version == 2
    assert catalog.get("1.009986", on=date(2024, 12, 30)).duration().value == 7
    assert catalog.version("1.009986", 1).duration().value == 10
    assert [p.version for p in catalog.for_process("cchn-dieu-chinh", on=date(2023, 1, 1))] == [1]
    with pytest.raises(ProcedureNotFound, match="not in force on 2020-01-01"):
        catalog.get("1.009986", on=date(2020, 1, 1))
    with pytest.raises(ProcedureNotFound, match="no procedure 9.999999"):
        catalog.get("9.999999")


def test_overlapping_versions_are_refused(tmp_path):
    write(tmp_path, VALID, "v1.yaml")
    write(tmp_path, VALID.replace("version: 1", "version: 2").replace("2021-03-03", "2024-12-30"), "v2.yaml")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{tmp_path / 'v2.yaml'}:11: effective_from: version 2 of 1.009986 starts 2024-12-30, "
        f"while version 1 ({tmp_path / 'v1.yaml'}) is still in force; give that version an "
        "effective_to before this date")


def test_same_version_twice_is_refused(tmp_path):
    write(tmp_path, VALID.replace("process_id: cchn-dieu-chinh", "process_id: a\neffective_to: 2022-01-01"), "a.yaml")
    write(tmp_path, VALID.replace("2021-03-03", "2023-01-01"), "b.yaml")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'b.yaml'}:2: version: procedure 1.009986 version 1 is also defined in {tmp_path / 'a.yaml'}"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("code: \"1.009986\"\n", "", "1: code: is required"),
    ("code: \"1.009986\"", "code: 1.0099", "1: code: '1.0099' is not a national procedure code like 1.009994 or a local code like SXD.CCHN-01"),
    ("code: \"1.009986\"", "code: [1]", "1: code: expected text, got a list"),
    ("code: \"1.009986\"", "code: \"  \"", "1: code: must not be empty"),
    ("version: 1", "version: one", "2: version: expected a whole number, got 'one'"),
    ("version: 1", "version: 0", "2: version: must be at least 1, got 0"),
    ("name: {vi: Cấp điều chỉnh chứng chỉ hành nghề, en: Amend a practising certificate}",
     "name: Cấp điều chỉnh", "3: name: needs both languages, written as {vi: ..., en: ...}"),
    ("en: Amend a practising certificate}", "english: x}", "3: name.english: unknown field; expected one of: en, vi"),
    ("en: Amend a practising certificate}", "vi: x}", "3: name.vi: appears twice"),
    ("  code: hoat-dong-xay-dung", "  code: Hoạt động", "5: sector.code: 'Hoạt động' is not a lower-case identifier like hoat-dong-xay-dung"),
    ("sector:\n", "sector: xay-dung\nx:\n", "4: sector: expected a mapping of keys to values, got 'xay-dung'"),
    ("  code: \"000.00.17.H06\"", "  code: H06", "8: agency.code: 'H06' is not an agency identifier like 000.00.17.H06"),
    ("process_id: cchn-dieu-chinh", "process_id: 1 bad id", "10: process_id: '1 bad id' is not a BPMN process id (letters, digits, _ . -)"),
    ("effective_from: 2021-03-03", "effective_from: 03/03/2021", "11: effective_from: expected a date written YYYY-MM-DD, got '03/03/2021'"),
    ("effective_from: 2021-03-03", "effective_from: 2021-03-03\neffective_to: 2020-01-01",
     "12: effective_to: 2020-01-01 is before effective_from 2021-03-03"),
    ("deadline: {value: 10, unit: days}", "deadline: {value: 10, unit: weeks}",
     "12: deadline.unit: expected one of: days, ngày, working_days, ngày làm việc; got 'weeks'"),
    ("deadline: {value: 10, unit: days}", "deadline: {value: 10}", "12: deadline.unit: is required"),
    ("deadline: {value: 10, unit: days}", "deadline: {value: 10, unit: days, online_value: 0}",
     "12: deadline.online_value: must be at least 1, got 0"),
    ("deadline: {value: 10, unit: days}", "deadline: 10", "12: deadline: expected a mapping of keys to values, got 10"),
    ("supplement_clock: pause", "supplement_clock: stop", "13: supplement_clock: expected one of: pause, restart; got 'stop'"),
    ("supplement_clock: pause", "supplement_clock: pause\ncolour: blue", "14: colour: unknown field; expected one of: "),
    ("  - id: hang-ii\n    name: Hạng II", "  - id: hang-ii\n    name: Hạng II\n  - id: hang-ii\n    name: Lại",
     "17: cases[1].id: 'hang-ii' is used twice"),
    ("components:\n  - id: don-de-nghi", "components: []\nx:\n  - id: don-de-nghi", "17: components: must list at least one item"),
    ("components:\n  - id: don-de-nghi", "components: don\nx:\n  - id: don-de-nghi", "17: components: expected a list, got 'don'"),
    ("    copy_type: original", "    copy_type: scan", "20: components[0].copy_type: expected one of: original, bản chính, certified_copy, bản sao, photocopy, bản chụp; got 'scan'"),
    ("[original, bản sao]", "[]", "25: components[1].copy_type: must name at least one copy type"),
    ("[original, bản sao]", "[original, 3]", "25: components[1].copy_type[1]: expected one of: "),
    ("    quantity: 1\n    requirement: required", "    quantity: 1.5\n    requirement: required",
     "21: components[0].quantity: expected a whole number, got 1.5"),
    ("    requirement: required", "    requirement: optional", "22: components[0].requirement: expected one of: required, conditional; got 'optional'"),
    ("    condition: Nếu còn giữ\n", "", "23: components[1].condition: is required"),
    ("    cases: [hang-ii]", "    cases: [hang-iii]", "29: components[1].cases[0]: no case 'hang-iii' in this procedure's cases"),
    ("    cases: [hang-ii]", "    cases: [7]", "29: components[1].cases[0]: expected text, got 7"),
    ("  - id: ban-goc", "  - id: don-de-nghi", "23: components[1].id: 'don-de-nghi' is used twice"),
    ("  - id: ban-goc\n", "  - id: ban-goc\n    colour: red\n", "24: components[1].colour: unknown field; expected one of: "),
    ("hours: 4", "hours: 0", "31: steps[0].hours: expected a positive number of hours, got 0"),
    ("role: reception", "role: clerk", "31: steps[0].role: expected one of: reception, specialist, head, leader, operator, admin; got 'clerk'"),
    ("  - {id: tiep-nhan, name: Tiếp nhận, hours: 4, role: reception}",
     "  - {id: tiep-nhan, name: Tiếp nhận, hours: 4, role: reception}\n  - {id: tiep-nhan, name: Lại, hours: 1}",
     "32: steps[1].id: 'tiep-nhan' is used twice"),
    ("  - {id: tiep-nhan, name: Tiếp nhận, hours: 4, role: reception}", "  - tiep-nhan",
     "31: steps[0]: expected a mapping of keys to values, got 'tiep-nhan'"),
    ("  - {id: tiep-nhan, name: Tiếp nhận, hours: 4, role: reception}",
     "  - {id: tiep-nhan, name: \"\", hours: 4, role: reception}", "31: steps[0].name: must not be empty"),
    ("{id: le-phi, name: Lệ phí, amount_vnd: 150000}", "{id: le-phi, name: Lệ phí}",
     "33: fees[0].amount_vnd: give amount_vnd, or basis naming the text that sets the amount"),
])
def test_every_mistake_names_file_line_and_field(tmp_path, old, new, expected):
    assert old in VALID
    problems = problems_for(tmp_path, VALID.replace(old, new, 1))
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_are_reported_at_once(tmp_path):
    text = VALID.replace("version: 1", "version: x").replace("hours: 4", "hours: -1")
    assert problems_for(tmp_path, text) == [
        "2: version: expected a whole number, got 'x'",
        "31: steps[0].hours: expected a positive number of hours, got -1",
    ]


def test_broken_yaml_and_encoding(tmp_path):
    assert problems_for(tmp_path, "code: [unclosed\n") == [
        "2: (file): is not valid YAML: expected ',' or ']', but got '<stream end>'"]
    (tmp_path / "procedure.yaml").write_bytes("name: Sở\n".encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(CatalogError, match=r"procedure.yaml:1: \(file\): is not UTF-8 text"):
        load_catalog(tmp_path)
    assert problems_for(tmp_path, "- a list\n") == [
        "1: (file): expected a mapping of keys to values, got a list"]


def test_missing_directory(tmp_path):
    with pytest.raises(CatalogError, match=r"missing:0: \(directory\): does not exist"):
        load_catalog(tmp_path / "missing")
