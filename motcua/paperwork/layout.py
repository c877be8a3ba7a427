"""The page layout every official paper shares: national motto, agency, title, body, signatures."""

from __future__ import annotations

import atexit
import contextvars
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)

# What Vietnamese administrative papers print: ASCII, Latin-1, Latin Extended-A, ơ/ư, the
# combining marks of decomposed Vietnamese text, Vietnamese letters with their tones, dashes,
# quotes, ellipsis, ‰, ₫, €, №. DejaVu Sans has some 6,000 glyphs; parsing all of them for
# every paper cost more than laying the paper out, so each process cuts the font once to these
# few hundred (`repertoire_font_path`). A paper with a character beyond them (a name in another
# script) is laid out again with the whole font (`render` in documents.py).
REPERTOIRE = ((0x20, 0x7E), (0xA0, 0x17F), (0x1A0, 0x1A1), (0x1AF, 0x1B0), (0x300, 0x303),
              (0x306, 0x306), (0x309, 0x309), (0x31B, 0x31B), (0x323, 0x323), (0x1EA0, 0x1EF9),
              (0x2010, 0x2027), (0x2030, 0x203A), (0x20AB, 0x20AC), (0x2116, 0x2116))

_whole_font = contextvars.ContextVar("whole_font", default=False)
_repertoire_lock = threading.Lock()
_repertoire_fonts: dict[Path, Path] = {}


def font_path(bold: bool = False) -> Path:
    """The DejaVu Sans file (Debian fonts-dejavu-core), or the one in MOTCUA_PDF_FONT_DIR."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    custom = os.environ.get("MOTCUA_PDF_FONT_DIR", "").strip()
    for directory in ((Path(custom),) if custom else ()) + FONT_DIRS:
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"{name} not found: install fonts-dejavu-core or set MOTCUA_PDF_FONT_DIR")


def repertoire_font_path(bold: bool = False) -> Path:
    """`font_path(bold)` cut to `REPERTOIRE`, made once per process in a private directory."""
    source = font_path(bold)
    with _repertoire_lock:
        if source not in _repertoire_fonts:
            _repertoire_fonts[source] = _cut_to_repertoire(source)
        return _repertoire_fonts[source]


def _cut_to_repertoire(source: Path) -> Path:
    from fontTools import subset

    options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True,
                             name_IDs=["*"], name_languages=["*"], ignore_missing_unicodes=True)
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "kern", "hdmx"]  # fpdf uses none
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in REPERTOIRE for code in range(first, last + 1)])
    with subset.load_font(str(source), options) as font:
        subsetter.subset(font)
        target = _private_dir() / source.name
        subset.save_font(font, str(target), options)
    return target


_private: Path | None = None


def _private_dir() -> Path:
    global _private
    if _private is None:
        _private = Path(tempfile.mkdtemp(prefix="motcua-fonts-"))
        atexit.register(shutil.rmtree, _private, ignore_errors=True)
    return _private


@contextmanager
def whole_font() -> Iterator[None]:
    """Papers made inside use the whole font file (for text beyond `REPERTOIRE`)."""
    token = _whole_font.set(True)
    try:
        yield
    finally:
        _whole_font.reset(token)


class OfficialPaper(FPDF):
    """A4 paper with the motto and agency header of Vietnamese administrative documents."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        path = font_path if _whole_font.get() else repertoire_font_path
        self.add_font("DejaVu", "", str(path()))
        self.add_font("DejaVu", "B", str(path(bold=True)))
        for font in self.fonts.values():
            # the glyphs' boxes are right in the file: re-measuring them when the font is subset
            # into the PDF would decode and re-encode every glyph used
            font.ttfont.recalcBBoxes = False
        self.set_title(title)
        self.set_creator("motcua")
        self.set_margins(20, 15, 20)
        self.set_auto_page_break(True, margin=15)
        self.add_page()

    def _text(self, w: float, h: float, text: str, align: str = "J", **moves: object) -> None:
        """`multi_cell`, or one plain cell when the text fits on a line: fpdf's line breaking
        measures the line again for every character, so a line costs time in its length squared."""
        room = (w or self.w - self.r_margin - self.x) - 2 * self.c_margin
        if "\n" not in text and self.get_string_width(text) <= room:
            self.cell(w, h, text, align="L" if align == "J" else align, **moves)  # one line: never stretched
        else:
            self.multi_cell(w, h, text, align=align, **moves)

    def header_block(self, agency: str, office: str, number: str | None, place_date: str) -> None:
        half = (self.w - self.l_margin - self.r_margin) / 2
        top = self.get_y()
        self.set_font("DejaVu", "", 9)
        self._text(half, 5, agency.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("DejaVu", "B", 9)
        self._text(half, 5, office.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if number:
            self.set_font("DejaVu", "", 9)
            self._text(half, 5, f"Số: {number}", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.set_font("DejaVu", "B", 9)
        self._text(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C",
                        new_x=XPos.LEFT, new_y=YPos.NEXT)
        self._text(half, 5, "Độc lập - Tự do - Hạnh phúc", align="C",
                        new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        self._text(half, 5, place_date, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 6)

    def title_block(self, title: str, subtitle: str | None = None) -> None:
        self.set_font("DejaVu", "B", 13)
        self._text(0, 7, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font("DejaVu", "", 10)
            self._text(0, 6, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def paragraph(self, text: str, bold: bool = False, size: int = 10) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self._text(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str | None) -> None:
        self.set_font("DejaVu", "", 10)
        self._text(0, 6, f"{label}: {value or '…'}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

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
            self._text(half, 6, left, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin + half, top)
        self._text(half, 6, right, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        self._text(half, 5, "(Ký, ghi rõ họ tên)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if right_name:
            self.ln(14)
            self.set_x(self.l_margin + half)
            self.set_font("DejaVu", "B", 10)
            self._text(half, 6, right_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

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

    @property
    def lacks_glyphs(self) -> bool:
        """Some text had a character the paper's font has no glyph for."""
        return any(getattr(font, "missing_glyphs", None) for font in self.fonts.values())

    def to_bytes(self) -> bytes:
        return bytes(self.output())
