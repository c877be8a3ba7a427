"""Checking what an applicant handed in against the catalog (kiểm tra thành phần hồ sơ).

The law forbids asking for or accepting papers that the published procedure does not list, so a
component that is not in the catalog (for this case) is refused, not ignored.

Public API
----------
- `SubmittedComponent(component_id, copy_type, quantity=1)` — frozen value;
  `SubmittedComponent.from_mapping({"component": ..., "copy_type": ..., "quantity": ...})`.
- `check_submission(procedure, submitted, case_id=None) -> ChecklistResult`.
- `ChecklistResult` — `missing` (required components absent), `not_in_catalog` (ids refused),
  `wrong_copy_type`, `too_few` (pairs of submitted item and requirement), `complete`,
  `as_variables()` (process variables for the gateway after the check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from motcua.catalog import ComponentRequirement, CopyType, Procedure


@dataclass(frozen=True)
class SubmittedComponent:
    """One paper the applicant handed in."""

    component_id: str
    copy_type: CopyType
    quantity: int = 1

    @classmethod
    def from_mapping(cls, item: Mapping[str, Any]) -> SubmittedComponent:
        return cls(str(item["component"]), CopyType(item["copy_type"]), int(item.get("quantity", 1)))

    def as_mapping(self) -> dict[str, Any]:
        return {"component": self.component_id, "copy_type": self.copy_type.value,
                "quantity": self.quantity}


@dataclass(frozen=True)
class ChecklistResult:
    missing: tuple[ComponentRequirement, ...] = ()
    not_in_catalog: tuple[str, ...] = ()
    wrong_copy_type: tuple[tuple[SubmittedComponent, ComponentRequirement], ...] = ()
    too_few: tuple[tuple[SubmittedComponent, ComponentRequirement], ...] = ()

    @property
    def complete(self) -> bool:
        return not (self.missing or self.not_in_catalog or self.wrong_copy_type or self.too_few)

    def as_variables(self) -> dict[str, Any]:
        """Variables for the BPMN gateway that follows the check (camelCase, JSON-ready)."""
        return {
            "checklistComplete": self.complete,
            "missingComponents": [c.id for c in self.missing],
            "componentsNotInCatalog": list(self.not_in_catalog),
            "wrongCopyType": [s.component_id for s, _ in self.wrong_copy_type],
            "tooFewCopies": [s.component_id for s, _ in self.too_few],
        }


def check_submission(procedure: Procedure, submitted: Iterable[SubmittedComponent | Mapping[str, Any]],
                     case_id: str | None = None) -> ChecklistResult:
    """Compare the papers handed in with the components of `procedure` for `case_id`."""
    items = [s if isinstance(s, SubmittedComponent) else SubmittedComponent.from_mapping(s)
             for s in submitted]
    expected = {c.id: c for c in procedure.components_for(case_id)}
    given = {s.component_id: s for s in items}
    return ChecklistResult(
        missing=tuple(c for c in expected.values() if c.is_required and c.id not in given),
        not_in_catalog=tuple(s.component_id for s in items if s.component_id not in expected),
        wrong_copy_type=tuple((s, expected[s.component_id]) for s in items
                              if s.component_id in expected
                              and s.copy_type not in expected[s.component_id].copy_types),
        too_few=tuple((s, expected[s.component_id]) for s in items
                      if s.component_id in expected and s.quantity < expected[s.component_id].quantity),
    )
