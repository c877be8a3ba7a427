"""Staff roles. They are also the candidate groups of user tasks in the BPMN diagrams and the
`role` of a step in the catalog.

Public API: `StaffRole` (`RECEPTION`, `SPECIALIST`, `HEAD`, `LEADER`, `OPERATOR`, `ADMIN`) with
`.label_vi` and `.label_en`.
"""

from __future__ import annotations

import enum

_LABELS = {
    "reception": ("Cán bộ tiếp nhận và trả kết quả", "Reception officer"),
    "specialist": ("Chuyên viên thụ lý", "Specialist"),
    "head": ("Lãnh đạo phòng", "Head of division"),
    "leader": ("Lãnh đạo Sở", "Department leader"),
    "operator": ("Vận hành hệ thống", "Operator"),
    "admin": ("Quản trị hệ thống", "Administrator"),
}


class StaffRole(enum.StrEnum):
    RECEPTION = "reception"
    SPECIALIST = "specialist"
    HEAD = "head"
    LEADER = "leader"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def label_vi(self) -> str:
        return _LABELS[self.value][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self.value][1]
