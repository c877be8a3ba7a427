"""The Biểu 06 layout (Biểu số 06/VPCP/KSTT, Thông tư 01/2020/TT-VPCP), shared by the page, the
XLSX and the CSV: title, grouped column headers and the lines (fields, then their procedures).

Public API
----------
- `Column(key, group, label)` and `COLUMNS` — the number columns in form order; `key` is a
  `Counts` attribute; `group` / `label` are `Text` (vi, en).
- `COLUMN_GROUPS` — `(group, span)` pairs for the first header row.
- `TITLE`, `UNIT`, `STT`, `NAME`.
- `Line(number, label, counts, level)` and `lines(report, language) -> list[Line]`: one line per
  field (level 0, numbered I, II, …), one per procedure (level 1, numbered 1, 2, …), then the
  total (level -1).
- `period_caption(report, language)` — "Từ ngày 01/10/2026 đến ngày 31/10/2026".
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.catalog import Text
from motcua.reports.period import Counts, PeriodReport

TITLE = Text("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP "
             "GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
             "ADMINISTRATIVE PROCEDURES HANDLED BY THE AGENCY: STATUS AND RESULTS")
FORM_NUMBER = Text("Biểu số 06/VPCP/KSTT", "Form 06/VPCP/KSTT")
UNIT = Text("Đơn vị tính: Số hồ sơ TTHC", "Unit: dossiers")
STT = Text("STT", "No.")
NAME = Text("Lĩnh vực, thủ tục hành chính", "Field, procedure")
TOTAL = Text("Tổng cộng", "Total")

RECEIVED = Text("Số hồ sơ nhận giải quyết", "Dossiers received for processing")
RESOLVED = Text("Số hồ sơ đã giải quyết", "Dossiers resolved")
IN_PROGRESS = Text("Số hồ sơ đang giải quyết", "Dossiers in progress")
CLOSED = Text("Số hồ sơ rút, dừng xử lý", "Dossiers withdrawn or stopped")


@dataclass(frozen=True)
class Column:
    key: str
    group: Text
    label: Text


COLUMNS: tuple[Column, ...] = (
    Column("received", RECEIVED, Text("Tổng số", "Total")),
    Column("new_online", RECEIVED, Text("Mới tiếp nhận trực tuyến", "New, online")),
    Column("new_direct", RECEIVED, Text("Mới tiếp nhận trực tiếp, dịch vụ bưu chính",
                                        "New, at the desk or by post")),
    Column("carried_over", RECEIVED, Text("Từ kỳ trước", "Carried over")),
    Column("resolved", RESOLVED, Text("Tổng số", "Total")),
    Column("resolved_early", RESOLVED, Text("Trước hạn", "Early")),
    Column("resolved_on_time", RESOLVED, Text("Đúng hạn", "On time")),
    Column("resolved_late", RESOLVED, Text("Quá hạn", "Late")),
    Column("in_progress", IN_PROGRESS, Text("Tổng số", "Total")),
    Column("in_progress_within", IN_PROGRESS, Text("Trong hạn", "Within time")),
    Column("in_progress_overdue", IN_PROGRESS, Text("Quá hạn", "Overdue")),
    Column("paused", IN_PROGRESS, Text("Trong đó: tạm dừng, chờ bổ sung",
                                       "Of which paused, awaiting the applicant")),
    Column("withdrawn", CLOSED, Text("Rút hồ sơ", "Withdrawn")),
    Column("stopped", CLOSED, Text("Dừng xử lý", "Stopped")),
)


def _groups() -> tuple[tuple[Text, int], ...]:
    groups: list[tuple[Text, int]] = []
    for column in COLUMNS:
        if groups and groups[-1][0] == column.group:
            groups[-1] = (column.group, groups[-1][1] + 1)
        else:
            groups.append((column.group, 1))
    return tuple(groups)


COLUMN_GROUPS = _groups()

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
          "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")


@dataclass(frozen=True)
class Line:
    number: str
    label: str
    counts: Counts
    level: int  # 0 field, 1 procedure, -1 total

    def values(self) -> list[int]:
        return [getattr(self.counts, column.key) for column in COLUMNS]


def lines(report: PeriodReport, language: str = "vi") -> list[Line]:
    result: list[Line] = []
    for index, block in enumerate(report.sectors):
        number = _ROMAN[index] if index < len(_ROMAN) else str(index + 1)
        result.append(Line(number, block.sector_name.in_language(language), block.counts, 0))
        for row_index, row in enumerate(block.rows, start=1):
            label = f"{row.procedure_name.in_language(language)} ({row.procedure_code})"
            result.append(Line(str(row_index), label, row.counts, 1))
    result.append(Line("", TOTAL.in_language(language), report.totals, -1))
    return result


def period_caption(report: PeriodReport, language: str = "vi") -> str:
    start = report.period.from_day.strftime("%d/%m/%Y")
    end = report.period.to_day.strftime("%d/%m/%Y")
    if language == "en":
        return f"From {start} to {end}"
    return f"Từ ngày {start} đến ngày {end}"
