"""Staff roles. They are also the candidate groups of user tasks in the BPMN diagrams and the
`role` of a step in the catalog.

Public API: `StaffRole` (`RECEPTION`, `SPECIALIST`, `HEAD`, `LEADER`, `OPERATOR`, `ADMIN`) with
`.label_vi` and `.label_en`; who may read statistics and reports (`REPORT_READERS`) and who may
send them to the province or see the deadline-risk ranking (`REPORT_SENDERS`).

Other agencies answering a consultation (liên thông) are not staff and have no role here: they
are machine clients with an agency token (`motcua.db.AgencyToken`) that opens only the reply
endpoint.
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


# Leaders, heads of division, and the one-stop office (reception) that compiles the Biểu 06
# figures; not specialists (their own work is in the inbox) nor operators (they run the system).
REPORT_READERS = frozenset({StaffRole.LEADER, StaffRole.HEAD, StaffRole.RECEPTION, StaffRole.ADMIN})
# Sending the Department's figures to the provincial portal, and the ranking of dossiers at risk of
# being late (it names officers), stay with those who answer for them.
REPORT_SENDERS = frozenset({StaffRole.LEADER, StaffRole.HEAD, StaffRole.ADMIN})
# Who registers dossiers at the desk.
RECEIVES_DOSSIERS = frozenset({StaffRole.RECEPTION, StaffRole.ADMIN})
# Who types in a consulted agency's paper letter (the officers who asked it).
ENTERS_PAPER_REPLIES = frozenset({StaffRole.SPECIALIST, StaffRole.HEAD, StaffRole.ADMIN})
# Who watches process instances and repairs incidents.
OPERATES = frozenset({StaffRole.OPERATOR, StaffRole.ADMIN})
