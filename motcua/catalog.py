"""The procedure catalog: what each administrative procedure requires, as data in `catalog/*.yaml`.

Each YAML file is one version of one procedure (schema: docs/catalog.md). Versions of the same
procedure share its `code` and differ by `version` and by the period they are in force; a dossier
keeps the version in force on the day it was received.

Public API
----------
- `load_catalog(directory) -> Catalog` — reads and validates every `*.yaml` file; raises
  `CatalogError` listing every problem as ``file:line: field: message``.
- `Catalog` — `.procedures` (every version, sorted), `.codes()`, `.get(code, on=None)` (the
  version in force on `on`, default today), `.version(code, version)`, `.versions(code)`,
  `.for_process(process_id, on=None) -> tuple`, `len()`, iteration over the versions in force today.
- `Procedure` — `code`, `version`, `name`, `sector`, `agency`, `process_id`, `effective_from`,
  `effective_to`, `deadline` (`DeadlineRule`), `completeness_check`, `supplement_clock`, `cases`,
  `components`, `steps`, `fees`, `result`, `legal_basis`, `sources`, `notes`, `source_file`;
  `.in_force_on(day)`, `.case(case_id)`, `.components_for(case_id=None)`,
  `.duration(case_id=None, online=False) -> Duration`.
- Values: `Text(vi, en)`, `Agency`, `Sector`, `DeadlineRule`, `CaseVariant`,
  `ComponentRequirement`, `CopyType`, `Requirement`, `ProcedureStep`, `Fee`.
- `CatalogError(problems)`, `CatalogProblem(file, line, field, message)`, `ProcedureNotFound`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from motcua.deadlines import DeadlineUnit, Duration, SupplementClock
from motcua.roles import StaffRole

# --------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Text:
    """A user-facing text in Vietnamese, with an English translation when one is given."""

    vi: str
    en: str | None = None

    def in_language(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.vi

    def __str__(self) -> str:
        return self.vi


class CopyType(enum.StrEnum):
    """The form a submitted paper must take."""

    ORIGINAL = "original"
    CERTIFIED_COPY = "certified_copy"
    PHOTOCOPY = "photocopy"

    @property
    def label_vi(self) -> str:
        return {"original": "bản chính", "certified_copy": "bản sao",
                "photocopy": "bản chụp"}[self.value]

    @property
    def label_en(self) -> str:
        return {"original": "original", "certified_copy": "certified copy",
                "photocopy": "photocopy"}[self.value]


class Requirement(enum.StrEnum):
    REQUIRED = "required"
    CONDITIONAL = "conditional"


@dataclass(frozen=True)
class Agency:
    """The agency that decides (e.g. Sở Xây dựng) with its identifier code (`000.00.17.H06`)."""

    code: str
    name: Text


@dataclass(frozen=True)
class Sector:
    """The field (lĩnh vực) a procedure belongs to, e.g. `hoat-dong-xay-dung`."""

    code: str
    name: Text


@dataclass(frozen=True)
class DeadlineRule:
    """The legal processing time, with a different value for online dossiers when the law says so."""

    duration: Duration
    online: Duration | None = None

    def for_channel(self, online: bool) -> Duration:
        return self.online if online and self.online is not None else self.duration


@dataclass(frozen=True)
class CaseVariant:
    """A case (trường hợp) of a procedure, possibly with its own processing time."""

    id: str
    name: Text
    deadline: DeadlineRule | None = None


@dataclass(frozen=True)
class ComponentRequirement:
    """One paper of the dossier (thành phần hồ sơ)."""

    id: str
    name: Text
    copy_types: tuple[CopyType, ...]
    quantity: int
    requirement: Requirement
    condition: Text | None = None
    template: str | None = None
    notes: str | None = None
    cases: tuple[str, ...] = ()

    @property
    def is_required(self) -> bool:
        return self.requirement is Requirement.REQUIRED

    def applies_to(self, case_id: str | None) -> bool:
        return not self.cases or case_id is None or case_id in self.cases


@dataclass(frozen=True)
class ProcedureStep:
    """One step of the internal workflow (quy trình nội bộ), with its time budget in hours."""

    id: str
    name: Text
    hours: float
    role: str | None = None


@dataclass(frozen=True)
class Fee:
    """A fee or charge (phí, lệ phí); `amount_vnd` is None when another text sets it."""

    id: str
    name: Text
    amount_vnd: int | None = None
    basis: str | None = None


@dataclass(frozen=True)
class Procedure:
    """One version of an administrative procedure (thủ tục hành chính)."""

    code: str
    version: int
    name: Text
    sector: Sector
    agency: Agency
    process_id: str
    effective_from: date
    effective_to: date | None
    deadline: DeadlineRule
    supplement_clock: SupplementClock
    components: tuple[ComponentRequirement, ...]
    steps: tuple[ProcedureStep, ...] = ()
    cases: tuple[CaseVariant, ...] = ()
    fees: tuple[Fee, ...] = ()
    completeness_check: Duration | None = None
    result: Text | None = None
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str | None = None
    source_file: Path | None = None

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def case(self, case_id: str) -> CaseVariant:
        for variant in self.cases:
            if variant.id == case_id:
                return variant
        raise KeyError(f"procedure {self.code} has no case {case_id!r}")

    def components_for(self, case_id: str | None = None) -> tuple[ComponentRequirement, ...]:
        """The papers to check at the desk for this case (all of them when no case is given)."""
        if case_id is not None:
            self.case(case_id)
        return tuple(c for c in self.components if c.applies_to(case_id))

    def duration(self, case_id: str | None = None, online: bool = False) -> Duration:
        """The processing time for the case and channel; a case without its own uses the default."""
        rule = self.deadline
        if case_id is not None:
            rule = self.case(case_id).deadline or rule
        return rule.for_channel(online)


class ProcedureNotFound(LookupError):
    pass


class Catalog:
    """Every version of every procedure, looked up by code and date."""

    def __init__(self, procedures: list[Procedure] | tuple[Procedure, ...]) -> None:
        self.procedures: tuple[Procedure, ...] = tuple(
            sorted(procedures, key=lambda p: (p.code, p.version)))

    def __len__(self) -> int:
        return len(self.procedures)

    def __iter__(self) -> Iterator[Procedure]:
        today = date.today()
        return iter([p for p in self.procedures if p.in_force_on(today)])

    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.code for p in self.procedures))

    def versions(self, code: str) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.code == code)

    def version(self, code: str, version: int) -> Procedure:
        """The exact version a dossier recorded, whether or not it is still in force."""
        for procedure in self.versions(code):
            if procedure.version == version:
                return procedure
        raise ProcedureNotFound(f"no version {version} of procedure {code} in the catalog")

    def get(self, code: str, on: date | None = None) -> Procedure:
        """The version of procedure `code` in force on `on` (default: today)."""
        day = on or date.today()
        versions = self.versions(code)
        if not versions:
            raise ProcedureNotFound(f"no procedure {code} in the catalog")
        for procedure in versions:
            if procedure.in_force_on(day):
                return procedure
        raise ProcedureNotFound(f"procedure {code} is not in force on {day.isoformat()}")

    def for_process(self, process_id: str, on: date | None = None) -> tuple[Procedure, ...]:
        """The procedure versions in force on `on` whose BPMN process is `process_id` (one
        process family may run several procedures, e.g. every practising-certificate case)."""
        day = on or date.today()
        return tuple(p for p in self.procedures if p.process_id == process_id and p.in_force_on(day))


# ------------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class CatalogProblem:
    file: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class CatalogError(ValueError):
    """The catalog cannot be loaded; `problems` lists every problem found, in file order."""

    def __init__(self, problems: list[CatalogProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the procedure catalog:\n{lines}")


# ------------------------------------------------------------------------ YAML with line numbers


class _Mapping(dict):
    line: int = 0
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class _Sequence(list):
    line: int = 0
    lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember the line of every value."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    mapping.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            mapping.duplicates.append((key, key_node.start_mark.line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = value_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(item, deep=True) for item in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.lines = [item.start_mark.line + 1 for item in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# ------------------------------------------------------------------------------------ the reader

NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
LOCAL_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:[.-][A-Z0-9]+)+$")
IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
AGENCY_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}$")

_COPY_TYPES = {
    "original": CopyType.ORIGINAL, "bản chính": CopyType.ORIGINAL,
    "certified_copy": CopyType.CERTIFIED_COPY, "bản sao": CopyType.CERTIFIED_COPY,
    "photocopy": CopyType.PHOTOCOPY, "bản chụp": CopyType.PHOTOCOPY,
}
_UNITS = {"days": DeadlineUnit.DAYS, "ngày": DeadlineUnit.DAYS,
          "working_days": DeadlineUnit.WORKING_DAYS, "ngày làm việc": DeadlineUnit.WORKING_DAYS}

PROCEDURE_KEYS = {"code", "version", "name", "sector", "agency", "process_id", "effective_from",
                  "effective_to", "deadline", "completeness_check", "supplement_clock", "cases",
                  "components", "steps", "fees", "result", "legal_basis", "sources", "notes"}


class _Missing:
    pass


_MISSING = _Missing()


class _FileReader:
    """Reads one catalog file into a `Procedure`, recording every problem instead of stopping."""

    def __init__(self, path: Path, problems: list[CatalogProblem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(CatalogProblem(self.path, line, field, message))

    # -- generic accessors: each returns the value or None after recording a problem ----------

    def mapping(self, value: Any, line: int, field: str) -> _Mapping | None:
        if not isinstance(value, _Mapping):
            self.problem(line, field, f"expected a mapping of keys to values, got {_describe(value)}")
            return None
        for key, key_line in value.duplicates:
            self.problem(key_line, _join(field, key), "appears twice")
        return value

    def check_keys(self, mapping: _Mapping, field: str, allowed: set[str]) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(mapping.lines[key], _join(field, key),
                             f"unknown field; expected one of: {', '.join(sorted(allowed))}")

    def get(self, mapping: _Mapping, key: str, field: str, required: bool = True) -> Any:
        if key not in mapping or mapping[key] is None:
            if required:
                self.problem(mapping.line, _join(field, key), "is required")
            return _MISSING
        return mapping[key]

    def line_of(self, mapping: _Mapping, key: str) -> int:
        return mapping.lines.get(key, mapping.line)

    def string(self, mapping: _Mapping, key: str, field: str, required: bool = True,
               pattern: re.Pattern[str] | None = None, hint: str = "") -> str | None:
        value = self.get(mapping, key, field, required)
        if value is _MISSING:
            return None
        where = _join(field, key)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(self.line_of(mapping, key), where, f"expected text, got {_describe(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.problem(self.line_of(mapping, key), where, "must not be empty")
            return None
        if pattern is not None and not pattern.match(text):
            self.problem(self.line_of(mapping, key), where, f"{text!r} is not {hint}")
            return None
        return text

    def integer(self, mapping: _Mapping, key: str, field: str, required: bool = True,
                minimum: int = 0) -> int | None:
        value = self.get(mapping, key, field, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(self.line_of(mapping, key), _join(field, key),
                         f"expected a whole number, got {_describe(value)}")
            return None
        if value < minimum:
            self.problem(self.line_of(mapping, key), _join(field, key),
                         f"must be at least {minimum}, got {value}")
            return None
        return value

    def number(self, mapping: _Mapping, key: str, field: str) -> float | None:
        value = self.get(mapping, key, field)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.problem(self.line_of(mapping, key), _join(field, key),
                         f"expected a positive number of hours, got {_describe(value)}")
            return None
        return float(value)

    def day(self, mapping: _Mapping, key: str, field: str, required: bool = True) -> date | None:
        value = self.get(mapping, key, field, required)
        if value is _MISSING:
            return None
        if not isinstance(value, date):
            self.problem(self.line_of(mapping, key), _join(field, key),
                         f"expected a date written YYYY-MM-DD, got {_describe(value)}")
            return None
        return value

    def choice(self, mapping: _Mapping, key: str, field: str, choices: dict[str, Any],
               required: bool = True) -> Any:
        value = self.get(mapping, key, field, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or value.strip() not in choices:
            self.problem(self.line_of(mapping, key), _join(field, key),
                         f"expected one of: {', '.join(choices)}; got {_describe(value)}")
            return None
        return choices[value.strip()]

    def text(self, mapping: _Mapping, key: str, field: str, required: bool = True,
             need_english: bool = False) -> Text | None:
        """A text given as a plain string (Vietnamese) or as `{vi: ..., en: ...}`."""
        value = self.get(mapping, key, field, required)
        if value is _MISSING:
            return None
        where = _join(field, key)
        if isinstance(value, str):
            if need_english:
                self.problem(self.line_of(mapping, key), where,
                             "needs both languages, written as {vi: ..., en: ...}")
                return None
            return Text(value.strip()) if value.strip() else self._empty(mapping, key, where)
        inner = self.mapping(value, self.line_of(mapping, key), where)
        if inner is None:
            return None
        self.check_keys(inner, where, {"vi", "en"})
        vi = self.string(inner, "vi", where)
        en = self.string(inner, "en", where, required=need_english)
        return Text(vi, en) if vi else None

    def _empty(self, mapping: _Mapping, key: str, where: str) -> None:
        self.problem(self.line_of(mapping, key), where, "must not be empty")
        return None

    def sequence(self, mapping: _Mapping, key: str, field: str,
                 required: bool = True) -> list[tuple[int, Any, int]]:
        """(index, item, line) for every item of a list field."""
        value = self.get(mapping, key, field, required)
        if value is _MISSING:
            return []
        if not isinstance(value, _Sequence):
            self.problem(self.line_of(mapping, key), _join(field, key),
                         f"expected a list, got {_describe(value)}")
            return []
        if required and not value:
            self.problem(self.line_of(mapping, key), _join(field, key), "must list at least one item")
        return [(i, item, value.lines[i]) for i, item in enumerate(value)]

    def strings(self, mapping: _Mapping, key: str, field: str) -> tuple[str, ...]:
        result = []
        for index, item, line in self.sequence(mapping, key, field, required=False):
            if not isinstance(item, str) or not item.strip():
                self.problem(line, f"{_join(field, key)}[{index}]", f"expected text, got {_describe(item)}")
            else:
                result.append(item.strip())
        return tuple(result)

    # -- the schema ---------------------------------------------------------------------------

    def duration(self, mapping: _Mapping, field: str, value_key: str = "value") -> Duration | None:
        value = self.integer(mapping, value_key, field, minimum=1)
        unit = self.choice(mapping, "unit", field, _UNITS)
        if value is None or unit is None:
            return None
        return Duration(value, unit)

    def deadline(self, value: Any, line: int, field: str) -> DeadlineRule | None:
        mapping = self.mapping(value, line, field)
        if mapping is None:
            return None
        self.check_keys(mapping, field, {"value", "unit", "online_value"})
        duration = self.duration(mapping, field)
        online_value = self.integer(mapping, "online_value", field, required=False, minimum=1)
        if duration is None:
            return None
        online = Duration(online_value, duration.unit) if online_value is not None else None
        return DeadlineRule(duration, online)

    def procedure(self, document: Any) -> Procedure | None:
        root = self.mapping(document, 1, "(file)")
        if root is None:
            return None
        self.check_keys(root, "", PROCEDURE_KEYS)
        code = self.string(root, "code", "", pattern=_CODE, hint=(
            "a national procedure code like 1.009994 or a local code like SXD.CCHN-01"))
        version = self.integer(root, "version", "", minimum=1)
        name = self.text(root, "name", "", need_english=True)
        sector = self._sector(root)
        agency = self._agency(root)
        process_id = self.string(root, "process_id", "", pattern=PROCESS_ID,
                                 hint="a BPMN process id (letters, digits, _ . -)")
        effective_from = self.day(root, "effective_from", "")
        effective_to = self.day(root, "effective_to", "", required=False)
        if effective_from and effective_to and effective_to < effective_from:
            self.problem(self.line_of(root, "effective_to"), "effective_to",
                         f"{effective_to.isoformat()} is before effective_from "
                         f"{effective_from.isoformat()}")
        deadline = None
        if self.get(root, "deadline", "") is not _MISSING:
            deadline = self.deadline(root["deadline"], self.line_of(root, "deadline"), "deadline")
        completeness = None
        if self.get(root, "completeness_check", "", required=False) is not _MISSING:
            check = self.mapping(root["completeness_check"], self.line_of(root, "completeness_check"),
                                 "completeness_check")
            if check is not None:
                self.check_keys(check, "completeness_check", {"value", "unit"})
                completeness = self.duration(check, "completeness_check")
        clock = self.choice(root, "supplement_clock", "",
                            {"pause": SupplementClock.PAUSE, "restart": SupplementClock.RESTART})
        cases = self._cases(root)
        components = self._components(root, {c.id for c in cases})
        steps = self._steps(root)
        fees = self._fees(root)
        result = self.text(root, "result", "", required=False)
        legal_basis = self.strings(root, "legal_basis", "")
        sources = self.strings(root, "sources", "")
        notes = self.string(root, "notes", "", required=False)
        needed = (code, version, name, sector, agency, process_id, effective_from, deadline, clock)
        if any(v is None for v in needed) or not components:
            return None
        return Procedure(
            code=code, version=version, name=name, sector=sector, agency=agency,
            process_id=process_id, effective_from=effective_from, effective_to=effective_to,
            deadline=deadline, supplement_clock=clock, components=tuple(components),
            steps=tuple(steps), cases=tuple(cases), fees=tuple(fees),
            completeness_check=completeness, result=result, legal_basis=legal_basis,
            sources=sources, notes=notes, source_file=self.path)

    def _sector(self, root: _Mapping) -> Sector | None:
        value = self.get(root, "sector", "")
        if value is _MISSING:
            return None
        mapping = self.mapping(value, self.line_of(root, "sector"), "sector")
        if mapping is None:
            return None
        self.check_keys(mapping, "sector", {"code", "name"})
        code = self.string(mapping, "code", "sector", pattern=IDENTIFIER,
                           hint="a lower-case identifier like hoat-dong-xay-dung")
        name = self.text(mapping, "name", "sector", need_english=True)
        return Sector(code, name) if code and name else None

    def _agency(self, root: _Mapping) -> Agency | None:
        value = self.get(root, "agency", "")
        if value is _MISSING:
            return None
        mapping = self.mapping(value, self.line_of(root, "agency"), "agency")
        if mapping is None:
            return None
        self.check_keys(mapping, "agency", {"code", "name"})
        code = self.string(mapping, "code", "agency", pattern=AGENCY_CODE,
                           hint="an agency identifier like 000.00.17.H06")
        name = self.text(mapping, "name", "agency", need_english=True)
        return Agency(code, name) if code and name else None

    def _cases(self, root: _Mapping) -> list[CaseVariant]:
        cases: list[CaseVariant] = []
        seen: set[str] = set()
        for index, item, line in self.sequence(root, "cases", "", required=False):
            field = f"cases[{index}]"
            mapping = self.mapping(item, line, field)
            if mapping is None:
                continue
            self.check_keys(mapping, field, {"id", "name", "deadline"})
            case_id = self.string(mapping, "id", field, pattern=IDENTIFIER,
                                  hint="a lower-case identifier like nha-o-rieng-le")
            name = self.text(mapping, "name", field)
            deadline = None
            if self.get(mapping, "deadline", field, required=False) is not _MISSING:
                deadline = self.deadline(mapping["deadline"], self.line_of(mapping, "deadline"),
                                         f"{field}.deadline")
            if case_id in seen:
                self.problem(self.line_of(mapping, "id"), f"{field}.id", f"{case_id!r} is used twice")
                continue
            if case_id and name:
                seen.add(case_id)
                cases.append(CaseVariant(case_id, name, deadline))
        return cases

    def _components(self, root: _Mapping, case_ids: set[str]) -> list[ComponentRequirement]:
        components: list[ComponentRequirement] = []
        seen: set[str] = set()
        for index, item, line in self.sequence(root, "components", ""):
            field = f"components[{index}]"
            mapping = self.mapping(item, line, field)
            if mapping is None:
                continue
            self.check_keys(mapping, field, {"id", "name", "copy_type", "quantity", "requirement",
                                             "condition", "template", "notes", "cases"})
            component_id = self.string(mapping, "id", field, pattern=IDENTIFIER,
                                       hint="a lower-case identifier like don-de-nghi")
            name = self.text(mapping, "name", field)
            copy_types = self._copy_types(mapping, field)
            quantity = self.integer(mapping, "quantity", field, minimum=1)
            requirement = self.choice(mapping, "requirement", field,
                                      {"required": Requirement.REQUIRED,
                                       "conditional": Requirement.CONDITIONAL})
            condition = self.text(mapping, "condition", field,
                                  required=requirement is Requirement.CONDITIONAL)
            template = self.string(mapping, "template", field, required=False)
            notes = self.string(mapping, "notes", field, required=False)
            cases = self.strings(mapping, "cases", field)
            for case_index, case_id in enumerate(cases):
                if case_id not in case_ids:
                    sequence = mapping["cases"]
                    self.problem(sequence.lines[case_index], f"{field}.cases[{case_index}]",
                                 f"no case {case_id!r} in this procedure's cases")
            if component_id in seen:
                self.problem(self.line_of(mapping, "id"), f"{field}.id",
                             f"{component_id!r} is used twice")
                continue
            if None in (component_id, name, copy_types, quantity, requirement):
                continue
            seen.add(component_id)
            components.append(ComponentRequirement(
                component_id, name, copy_types, quantity, requirement, condition, template, notes,
                cases))
        return components

    def _copy_types(self, mapping: _Mapping, field: str) -> tuple[CopyType, ...] | None:
        value = self.get(mapping, "copy_type", field)
        if value is _MISSING:
            return None
        items = list(value) if isinstance(value, list) else [value]
        lines = value.lines if isinstance(value, _Sequence) else [self.line_of(mapping, "copy_type")]
        result = []
        for index, item in enumerate(items):
            if not isinstance(item, str) or item.strip() not in _COPY_TYPES:
                where = _join(field, "copy_type") + (f"[{index}]" if isinstance(value, list) else "")
                self.problem(lines[index], where,
                             f"expected one of: {', '.join(_COPY_TYPES)}; got {_describe(item)}")
                return None
            result.append(_COPY_TYPES[item.strip()])
        if not result:
            self.problem(self.line_of(mapping, "copy_type"), _join(field, "copy_type"),
                         "must name at least one copy type")
            return None
        return tuple(dict.fromkeys(result))

    def _steps(self, root: _Mapping) -> list[ProcedureStep]:
        steps: list[ProcedureStep] = []
        seen: set[str] = set()
        for index, item, line in self.sequence(root, "steps", "", required=False):
            field = f"steps[{index}]"
            mapping = self.mapping(item, line, field)
            if mapping is None:
                continue
            self.check_keys(mapping, field, {"id", "name", "hours", "role"})
            step_id = self.string(mapping, "id", field, pattern=IDENTIFIER,
                                  hint="a lower-case identifier like tham-dinh")
            name = self.text(mapping, "name", field)
            hours = self.number(mapping, "hours", field)
            role = self.choice(mapping, "role", field, {r.value: r.value for r in StaffRole},
                               required=False)
            if step_id in seen:
                self.problem(self.line_of(mapping, "id"), f"{field}.id", f"{step_id!r} is used twice")
                continue
            if step_id and name and hours:
                seen.add(step_id)
                steps.append(ProcedureStep(step_id, name, hours, role))
        return steps

    def _fees(self, root: _Mapping) -> list[Fee]:
        fees: list[Fee] = []
        for index, item, line in self.sequence(root, "fees", "", required=False):
            field = f"fees[{index}]"
            mapping = self.mapping(item, line, field)
            if mapping is None:
                continue
            self.check_keys(mapping, field, {"id", "name", "amount_vnd", "basis"})
            fee_id = self.string(mapping, "id", field, pattern=IDENTIFIER,
                                 hint="a lower-case identifier like le-phi")
            name = self.text(mapping, "name", field)
            amount = self.integer(mapping, "amount_vnd", field, required=False)
            basis = self.string(mapping, "basis", field, required=False)
            if amount is None and basis is None and "amount_vnd" not in mapping:
                self.problem(mapping.line, f"{field}.amount_vnd",
                             "give amount_vnd, or basis naming the text that sets the amount")
            if fee_id and name:
                fees.append(Fee(fee_id, name, amount, basis))
        return fees


_CODE = re.compile(f"(?:{NATIONAL_CODE.pattern})|(?:{LOCAL_CODE.pattern})")


def _join(field: str, key: Any) -> str:
    return f"{field}.{key}" if field else str(key)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# ------------------------------------------------------------------------------------ loading


def read_procedure(path: Path, problems: list[CatalogProblem]) -> Procedure | None:
    """One file, or None after adding its problems to `problems`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(CatalogProblem(path, 1, "(file)", f"is not UTF-8 text: {error.reason}"))
        return None
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(CatalogProblem(path, line, "(file)",
                                       f"is not valid YAML: {error.problem or error.context}"))
        return None
    except yaml.YAMLError as error:  # the reader refuses control characters such as NUL
        position = getattr(error, "position", 0)
        problems.append(CatalogProblem(path, text.count("\n", 0, position) + 1, "(file)",
                                       f"is not valid YAML: {error}"))
        return None
    return _FileReader(path, problems).procedure(document)


def load_catalog(directory: Path | str) -> Catalog:
    """Load and validate every `*.yaml` / `*.yml` file under `directory` (sub-folders included)."""
    root = Path(directory)
    if not root.is_dir():
        raise CatalogError([CatalogProblem(root, 0, "(directory)", "does not exist")])
    problems: list[CatalogProblem] = []
    procedures: list[Procedure] = []
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        procedure = read_procedure(path, problems)
        if procedure is not None:
            procedures.append(procedure)
    _check_versions(procedures, problems)
    if problems:
        raise CatalogError(problems)
    return Catalog(procedures)


def _check_versions(procedures: list[Procedure], problems: list[CatalogProblem]) -> None:
    """Versions of one procedure have distinct numbers and periods in force that do not overlap."""
    by_code: dict[str, list[Procedure]] = {}
    for procedure in procedures:
        by_code.setdefault(procedure.code, []).append(procedure)
    for versions in by_code.values():
        versions.sort(key=lambda p: (p.effective_from, p.version))
        numbers: dict[int, Procedure] = {}
        for procedure in versions:
            if procedure.version in numbers:
                problems.append(CatalogProblem(
                    procedure.source_file, _line_of_key(procedure.source_file, "version"), "version",
                    f"procedure {procedure.code} version {procedure.version} is also defined in "
                    f"{numbers[procedure.version].source_file}"))
            numbers[procedure.version] = procedure
        for earlier, later in zip(versions, versions[1:], strict=False):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                problems.append(CatalogProblem(
                    later.source_file, _line_of_key(later.source_file, "effective_from"),
                    "effective_from",
                    f"version {later.version} of {later.code} starts "
                    f"{later.effective_from.isoformat()}, while version {earlier.version} "
                    f"({earlier.source_file}) is still in force; give that version an "
                    f"effective_to before this date"))


def _line_of_key(path: Path | None, key: str) -> int:
    if path is None:
        return 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1
