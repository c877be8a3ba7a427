"""The page layout every official paper shares: national motto, agency, title, body, signatures."""

from __future__ import annotations

import io
import os
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def font_path(bold: bool = False) -> Path:
    """The DejaVu Sans file (Debian fonts-dejavu-core), or the one in MOTCUA_PDF_FONT_DIR."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    custom = os.environ.get("MOTCUA_PDF_FONT_DIR", "").strip()
    for directory in ((Path(custom),) if custom else ()) + FONT_DIRS:
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"{name} not found: install fonts-dejavu-core or set MOTCUA_PDF_FONT_DIR")


class OfficialPaper(FPDF):
    """A4 paper with the motto and agency header of Vietnamese administrative documents."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(font_path()))
        self.add_font("DejaVu", "B", str(font_path(bold=True)))
        self.set_title(title)
        self.set_creator("motcua")
        self.set_margins(20, 15, 20)
        self.set_auto_page_break(True, margin=15)
        self.add_page()

    def header_block(self, agency: str, office: str, number: str | None, place_date: str) -> None:
        half = (self.w - self.l_margin - self.r_margin) / 2
        top = self.get_y()
        self.set_font("DejaVu", "", 9)
        self.multi_cell(half, 5, agency.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("DejaVu", "B", 9)
        self.multi_cell(half, 5, office.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if number:
            self.set_font("DejaVu", "", 9)
            self.multi_cell(half, 5, f"Số: {number}", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.set_font("DejaVu", "B", 9)
        self.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C",
                        new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.multi_cell(half, 5, "Độc lập - Tự do - Hạnh phúc", align="C",
                        new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        self.multi_cell(half, 5, place_date, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 6)

    def title_block(self, title: str, subtitle: str | None = None) -> None:
        self.set_font("DejaVu", "B", 13)
        self.multi_cell(0, 7, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font("DejaVu", "", 10)
            self.multi_cell(0, 6, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def paragraph(self, text: str, bold: bool = False, size: int = 10) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str | None) -> None:
        self.set_font("DejaVu", "", 10)
        self.multi_cell(0, 6, f"{label}: {value or '…'}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, headings: tuple[str, ...], rows: list[tuple[str, ...]],
             widths: tuple[int, ...]) -> None:
        self.set_font("DejaVu", "", 9)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            heading = table.row()
            for text in headings:
                heading.cell(text)
            for values in rows:
                row = table.row()
                for text in values:
                    row.cell(text)
        self.ln(3)

    def signatures(self, left: str | None, right: str, right_name: str | None = None) -> None:
        self.ln(6)
        half = (self.w - self.l_margin - self.r_margin) / 2
        top = self.get_y()
        self.set_font("DejaVu", "B", 10)
        if left:
            self.multi_cell(half, 6, left, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin + half, top)
        self.multi_cell(half, 6, right, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        self.multi_cell(half, 5, "(Ký, ghi rõ họ tên)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if right_name:
            self.ln(14)
            self.set_x(self.l_margin + half)
            self.set_font("DejaVu", "B", 10)
            self.multi_cell(half, 6, right_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def qr_code(self, link: str, caption: str, size_mm: float = 28) -> None:
        picture = io.BytesIO()
        segno.make(link, error="m").save(picture, kind="png", scale=6, border=2)
        picture.seek(0)
        self.ln(2)
        y = self.get_y()
        self.image(picture, x=self.l_margin, y=y, w=size_mm, h=size_mm)
        self.set_xy(self.l_margin + size_mm + 4, y + 4)
        self.set_font("DejaVu", "", 9)
        self.multi_cell(0, 5, f"{caption}\n{link}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), y + size_mm + 2))

    def to_bytes(self) -> bytes:
        return bytes(self.output())
