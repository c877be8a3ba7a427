"""What each timeline step (the `step` input of `dossier.set-status`, and the steps the dossier
services write) means, in the words staff, citizens and the portal read."""

from __future__ import annotations

STEP_LABELS_VI = {
    "submitted": "Nộp hồ sơ",
    "received": "Tiếp nhận hồ sơ",
    "refused": "Từ chối tiếp nhận hồ sơ",
    "not-accepted": "Không tiếp nhận: quá hạn bổ sung",
    "transfer": "Chuyển xử lý",
    "resumed": "Nhận hồ sơ bổ sung, tiếp tục xử lý",
    "rescheduled": "Xin lỗi và hẹn lại ngày trả kết quả",
    "supplement-requested": "Yêu cầu bổ sung hồ sơ",
    "stopped": "Dừng xử lý",
    "resolved": "Đã xử lý xong",
    "resolved-refused": "Đã xử lý xong: không chấp thuận",
    "returned": "Đã trả kết quả",
}


def step_label(step: str | None) -> str:
    return STEP_LABELS_VI.get(step or "", step or "")
