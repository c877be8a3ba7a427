"""Biểu 06 as files: XLSX (openpyxl, merged two-row header, A4 landscape) and CSV (UTF-8 with
BOM so that spreadsheet programs read the Vietnamese text).

Public API: `xlsx_bytes(report, language="vi", agency=None) -> bytes`,
`csv_text(report, language="vi") -> str`, `file_stem(report) -> str`.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from motcua.reports.form06 import (
    COLUMN_GROUPS,
    COLUMNS,
    FORM_NUMBER,
    NAME,
    STT,
    TITLE,
    UNIT,
    lines,
    period_caption,
)
from motcua.reports.period import PeriodReport

HEADER_ROW = 6  # first of the two header rows


def file_stem(report: PeriodReport) -> str:
    return f"bieu-06_{report.period.from_day.isoformat()}_{report.period.to_day.isoformat()}"


def xlsx_bytes(report: PeriodReport, language: str = "vi", agency: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bieu 06"
    width = 2 + len(COLUMNS)
    last = get_column_letter(width)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)

    sheet["A1"] = agency or ""
    sheet.cell(1, width, FORM_NUMBER.in_language(language)).font = Font(italic=True)
    sheet.merge_cells(f"A3:{last}3")
    sheet["A3"] = TITLE.in_language(language)
    sheet["A3"].font = Font(bold=True, size=13)
    sheet["A3"].alignment = centered
    sheet.merge_cells(f"A4:{last}4")
    sheet["A4"] = period_caption(report, language)
    sheet["A4"].alignment = centered
    sheet.cell(5, width, UNIT.in_language(language)).font = Font(italic=True)

    top, sub = HEADER_ROW, HEADER_ROW + 1
    for column, text in ((1, STT), (2, NAME)):
        sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
        sheet.cell(top, column, text.in_language(language))
    column = 3
    for group, span in COLUMN_GROUPS:
        if span > 1:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top,
                              end_column=column + span - 1)
            sheet.cell(top, column, group.in_language(language))
        else:
            sheet.cell(top, column, group.in_language(language))
        column += span
    for index, spec in enumerate(COLUMNS, start=3):
        if sheet.cell(sub, index).coordinate not in sheet.merged_cells:
            sheet.cell(sub, index, spec.label.in_language(language))
    # the form numbers its columns (1), (2), …
    numbering = HEADER_ROW + 2
    for index in range(1, width + 1):
        sheet.cell(numbering, index, f"({index})")
    for row in sheet.iter_rows(min_row=top, max_row=numbering, max_col=width):
        for cell in row:
            cell.font = Font(bold=cell.row != numbering, italic=cell.row == numbering)
            cell.alignment = centered
            cell.border = border

    row_number = numbering + 1
    for line in lines(report, language):
        sheet.cell(row_number, 1, line.number)
        sheet.cell(row_number, 2, line.label)
        for index, value in enumerate(line.values(), start=3):
            sheet.cell(row_number, index, value)
        for cell in sheet[row_number][:width]:
            cell.border = border
            if line.level != 1:
                cell.font = Font(bold=True)
        sheet.cell(row_number, 2).alignment = Alignment(wrap_text=True, vertical="center",
                                                        indent=2 if line.level == 1 else 0)
        row_number += 1

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 48
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.freeze_panes = sheet.cell(numbering + 1, 3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_text(report: PeriodReport, language: str = "vi") -> str:
    """One header line (group: label), then the lines of the form; starts with a BOM."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([STT.in_language(language), NAME.in_language(language)] + [
        f"{c.group.in_language(language)}: {c.label.in_language(language)}" for c in COLUMNS])
    for line in lines(report, language):
        writer.writerow([line.number, line.label, *line.values()])
    return "\ufeff" + output.getvalue()
