"""Dossier statuses and the other small vocabularies of a dossier.

The status codes are those of the national public-service portal (dichvucong.gov.vn,
TrangThaiHoSo), so a dossier's status is reported as is.

Public API
----------
- `DossierStatus` (IntEnum 1–10) with `.label_vi`, `.label_en`, `.report_group`, `.is_open`,
  `.is_paused`, `.is_finished`.
- `ReportGroup` — how reports group statuses (in progress, processed, withdrawn, supplement,
  suspended, not counted).
- `Channel` — `DIRECT`, `ONLINE`, `POST` (trực tiếp, trực tuyến, dịch vụ bưu chính), with
  `.portal_code` (1, 2, 3).
- `ApplicantKind` — `PERSON`, `ORGANISATION`, with `.portal_code` (LoaiDoiTuong 1, 2).
- `PauseReason` — `SUPPLEMENT`, `FINANCIAL_OBLIGATION`, `STOPPED`.
"""

from __future__ import annotations

import enum


class ReportGroup(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    PROCESSED = "processed"
    WITHDRAWN = "withdrawn"
    SUPPLEMENT = "supplement"
    SUSPENDED = "suspended"
    NOT_COUNTED = "not_counted"


_LABELS = {
    1: ("Mới đăng ký", "Submitted"),
    2: ("Được tiếp nhận", "Received"),
    3: ("Không được tiếp nhận", "Not accepted"),
    4: ("Đang xử lý", "In progress"),
    5: ("Yêu cầu bổ sung giấy tờ", "Supplement requested"),
    6: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Awaiting payment of fees and charges"),
    7: ("Công dân yêu cầu rút hồ sơ", "Withdrawn by the applicant"),
    8: ("Dừng xử lý", "Processing stopped"),
    9: ("Đã xử lý xong", "Processed"),
    10: ("Đã trả kết quả", "Result returned"),
}

_GROUPS = {
    1: ReportGroup.NOT_COUNTED, 3: ReportGroup.NOT_COUNTED,
    2: ReportGroup.IN_PROGRESS, 4: ReportGroup.IN_PROGRESS,
    5: ReportGroup.SUPPLEMENT,
    6: ReportGroup.SUSPENDED, 8: ReportGroup.SUSPENDED,
    7: ReportGroup.WITHDRAWN,
    9: ReportGroup.PROCESSED, 10: ReportGroup.PROCESSED,
}


class DossierStatus(enum.IntEnum):
    """National-portal dossier status (TrangThaiHoSo)."""

    SUBMITTED = 1
    RECEIVED = 2
    NOT_ACCEPTED = 3
    IN_PROGRESS = 4
    SUPPLEMENT_REQUESTED = 5
    AWAITING_PAYMENT = 6
    WITHDRAWN = 7
    STOPPED = 8
    PROCESSED = 9
    RETURNED = 10

    @property
    def label_vi(self) -> str:
        return _LABELS[self.value][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self.value][1]

    @property
    def report_group(self) -> ReportGroup:
        return _GROUPS[self.value]

    @property
    def is_paused(self) -> bool:
        """Waiting for the applicant: supplement, fees, or stopped (tạm dừng)."""
        return self in (DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.AWAITING_PAYMENT,
                        DossierStatus.STOPPED)

    @property
    def is_finished(self) -> bool:
        return self in (DossierStatus.PROCESSED, DossierStatus.RETURNED)

    @property
    def is_open(self) -> bool:
        """Still the agency's or applicant's to act on (counted as đang giải quyết)."""
        return self in (DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS) or self.is_paused


class Channel(enum.StrEnum):
    DIRECT = "direct"
    ONLINE = "online"
    POST = "post"

    @property
    def portal_code(self) -> int:
        return {"direct": 1, "online": 2, "post": 3}[self.value]

    @property
    def label_vi(self) -> str:
        return {"direct": "Trực tiếp", "online": "Trực tuyến", "post": "Dịch vụ bưu chính"}[self.value]


class ApplicantKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"

    @property
    def portal_code(self) -> int:
        return 1 if self is ApplicantKind.PERSON else 2


class PauseReason(enum.StrEnum):
    SUPPLEMENT = "supplement"
    FINANCIAL_OBLIGATION = "financial_obligation"
    STOPPED = "stopped"
