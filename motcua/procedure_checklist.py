"""The printable checklist of a procedure (danh mục thành phần hồ sơ) that citizens download.

One A4 PDF per procedure and language, from the catalog: the papers to bring (with copy type,
number of copies, the form to use and the condition when one applies), the processing time, the
fees and the legal basis. It is a guide to prepare the dossier, not an official form.

Public API
----------
- `render_checklist(procedure, language="vi") -> bytes` (PDF).
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from motcua.catalog import Procedure
from motcua.paperwork import font_path

_WORDS = {
    "vi": {
        "title": "DANH MỤC THÀNH PHẦN HỒ SƠ",
        "code": "Mã thủ tục", "agency": "Cơ quan giải quyết", "deadline": "Thời hạn giải quyết",
        "online": "nộp trực tuyến", "case": "Trường hợp", "papers": "Thành phần hồ sơ",
        "copies": "Số lượng", "form": "Mẫu đơn, tờ khai", "when": "Khi nào cần",
        "optional": "(nếu có)", "fees": "Phí, lệ phí", "free": "Không thu phí, lệ phí",
        "set_elsewhere": "theo quy định", "result": "Kết quả", "legal": "Căn cứ pháp lý",
        "tick": "Đánh dấu ✓ vào từng giấy tờ khi đã chuẩn bị.",
        "footer": "Tài liệu hướng dẫn chuẩn bị hồ sơ, không phải biểu mẫu chính thức.",
    },
    "en": {
        "title": "DOSSIER CHECKLIST",
        "code": "Procedure code", "agency": "Deciding agency", "deadline": "Processing time",
        "online": "online", "case": "Case", "papers": "Papers to hand in",
        "copies": "Copies", "form": "Form", "when": "When needed",
        "optional": "(if applicable)", "fees": "Fees and charges", "free": "No fee",
        "set_elsewhere": "as regulated", "result": "Result", "legal": "Legal basis",
        "tick": "Tick each paper once you have it ready.",
        "footer": "A guide to prepare the dossier, not an official form.",
    },
}


def _duration(duration, language: str) -> str:
    unit = duration.unit.label_en if language == "en" else duration.unit.label_vi
    return f"{duration.value} {unit}"


def render_checklist(procedure: Procedure, language: str = "vi") -> bytes:
    words = _WORDS["en" if language == "en" else "vi"]

    def text(value) -> str:
        return value.in_language(language) if value is not None else ""

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_title(f"{words['title']} {procedure.code}")
    pdf.set_creator("motcua")
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(content: str, size: float = 11, bold: bool = False, height: float = 6) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(width, height, content, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(text(procedure.agency.name).upper(), 10, bold=True)
    pdf.ln(3)
    line(words["title"], 15, bold=True, height=8)
    line(text(procedure.name), 12, bold=True)
    line(f"{words['code']}: {procedure.code}", 10)
    deadline = _duration(procedure.deadline.duration, language)
    if procedure.deadline.online is not None:
        deadline += f"; {words['online']}: {_duration(procedure.deadline.online, language)}"
    line(f"{words['deadline']}: {deadline}", 10)
    for case in procedure.cases:
        if case.deadline is not None:
            line(f"    {words['case']} {text(case.name)}: {_duration(case.deadline.duration, language)}", 10)
    pdf.ln(3)
    line(words["papers"], 12, bold=True)
    line(words["tick"], 9)
    for number, component in enumerate(procedure.components, start=1):
        copy_types = ", ".join(c.label_en if language == "en" else c.label_vi
                               for c in component.copy_types)
        optional = "" if component.is_required else f" {words['optional']}"
        line(f"☐ {number}. {text(component.name)}{optional}", 11, bold=True)
        details = [f"{words['copies']}: {component.quantity} ({copy_types})"]
        if component.template:
            details.append(f"{words['form']}: {component.template}")
        if component.condition is not None:
            details.append(f"{words['when']}: {text(component.condition)}")
        for detail in details:
            line(f"      {detail}", 9, height=5)
        pdf.ln(1)
    pdf.ln(2)
    line(words["fees"], 12, bold=True)
    if not procedure.fees:
        line(words["free"], 10)
    for fee in procedure.fees:
        amount = (f"{fee.amount_vnd:,}".replace(",", ".") + " đ" if fee.amount_vnd is not None
                  else words["set_elsewhere"])
        line(f"- {text(fee.name)}: {amount}" + (f" ({fee.basis})" if fee.basis else ""), 10)
    if procedure.result is not None:
        pdf.ln(2)
        line(f"{words['result']}: {text(procedure.result)}", 10)
    if procedure.legal_basis:
        pdf.ln(2)
        line(words["legal"], 12, bold=True)
        for basis in procedure.legal_basis:
            line(f"- {basis}", 10)
    pdf.ln(4)
    line(words["footer"], 8)
    return bytes(pdf.output())
