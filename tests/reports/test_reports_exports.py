"""Biểu 06 as XLSX and CSV: the files open and carry the form's header and the numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook
from reports_dossiers import GPXD, NCKT, add_dossier

from motcua.db import transaction
from motcua.reports.export import csv_text, xlsx_bytes
from motcua.reports.period import Period, period_report
from motcua.statuses import Channel, DossierStatus

OCTOBER = Period.month(2026, 10)


def _report(sessions, catalog):
    with transaction(sessions) as session:
        # new online, resolved on time (finished on its due date)
        add_dossier(session, "X1", received=datetime(2026, 10, 1, 9), due=date(2026, 10, 21),
                    channel=Channel.ONLINE, finished=datetime(2026, 10, 21, 15),
                    status=DossierStatus.PROCESSED)
        # carried over from September, still open and overdue at 31/10
        add_dossier(session, "X2", received=datetime(2026, 9, 1, 9), due=date(2026, 9, 21))
        # feasibility appraisal, new at the desk, open within time
        add_dossier(session, "X3", procedure=NCKT, received=datetime(2026, 10, 20, 9),
                    due=date(2026, 11, 14))
    with sessions() as session:
        return period_report(session, OCTOBER, catalog)


def test_reports_xlsx_has_the_form_header_and_numbers(sessions, catalog):
    report = _report(sessions, catalog)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(report, agency="Sở Xây dựng"))).active
    cells = {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row
             if cell.value is not None}
    texts = [str(v) for v in cells.values()]
    assert "Biểu số 06/VPCP/KSTT" in texts
    assert any(t.startswith("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH") for t in texts)
    assert "Từ ngày 01/10/2026 đến ngày 31/10/2026" in texts
    for header in ("Số hồ sơ nhận giải quyết", "Mới tiếp nhận trực tuyến", "Từ kỳ trước",
                   "Số hồ sơ đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn",
                   "Số hồ sơ đang giải quyết", "Trong hạn"):
        assert header in texts
    rows = {row[1].value: [c.value for c in row] for row in sheet.iter_rows(min_row=9)
            if row[1].value}
    gpxd = next(values for label, values in rows.items() if f"({GPXD})" in label)
    # received 2 (1 online + 1 carried over), resolved 1 on time, in progress 1 overdue
    assert gpxd[2:16] == [2, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0]
    total = rows["Tổng cộng"]
    assert total[2] == 3 and total[10] == 2  # received 3, in progress 2
    assert sheet.page_setup.orientation == "landscape"


def test_reports_xlsx_in_english(sessions, catalog):
    report = _report(sessions, catalog)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(report, language="en"))).active
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"Dossiers received for processing", "Carried over", "Total"} <= texts


def test_reports_csv_parses_with_one_line_per_field_procedure_and_total(sessions, catalog):
    report = _report(sessions, catalog)
    text = csv_text(report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["STT", "Lĩnh vực, thủ tục hành chính", "Số hồ sơ nhận giải quyết: Tổng số"]
    assert len(body) == len(report.sectors) + len(report.rows()) + 1
    fields = [r for r in body if r[0] in ("I", "II")]
    assert [r[1] for r in fields] == ["Hoạt động xây dựng", "Quản lý dự án đầu tư xây dựng"]
    total = body[-1]
    assert total[1] == "Tổng cộng"
    assert [int(n) for n in total[2:]] == [3, 1, 1, 1, 1, 0, 1, 0, 2, 1, 1, 0, 0, 0]
