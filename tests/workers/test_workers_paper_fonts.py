"""Papers are laid out with DejaVu Sans cut to the Vietnamese repertoire (fast); a paper whose text
goes beyond it is laid out again with the whole font, so nothing prints as a missing glyph that
the font has."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from workers_office import pdf_text

from motcua.paperwork import ComponentLine, DocumentType, PaperFacts, TimelineLine, render
from motcua.paperwork.documents import _BUILDERS
from motcua.paperwork.layout import REPERTOIRE, font_path, repertoire_font_path

MOMENT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
FACTS = PaperFacts(
    dossier_code="000.00.17.H06-261124-0007", agency_name="Sở Xây dựng tỉnh Thừa Thiên Huế",
    procedure_name="Cấp giấy phép xây dựng – công trình “nhà ở riêng lẻ”",
    applicant_name="Phạm Thị Hường", issued_at=MOMENT, tracking_link="https://motcua.test/t/7",
    receipt_number="0007", applicant_address="Số 9 đường Nguyễn Trãi, phường Phú Hội",
    components=(ComponentLine("Bản vẽ thiết kế…", "bản sao", 2),), duration="20 ngày",
    received_at=MOMENT, due_at=MOMENT, previous_due_at=MOMENT, supplement_due_at=MOMENT,
    missing_items=(("Giấy tờ đất", "thiếu"),), reason="Lý do ghi rõ", result_number="7/GPXD",
    timeline=(TimelineLine(MOMENT, "Tiếp nhận hồ sơ", "Đỗ Quỳnh", "Đã tiếp nhận"),))


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_every_vietnamese_paper_fits_the_repertoire(document_type):
    _, paper = _BUILDERS[document_type](FACTS)
    assert not paper.lacks_glyphs


def test_the_repertoire_font_is_a_cut_of_the_whole_font():
    from fontTools.ttLib import TTFont

    whole, cut = TTFont(font_path(bold=True)), TTFont(repertoire_font_path(bold=True))
    whole_map, cut_map = whole.getBestCmap(), cut.getBestCmap()
    wanted = {code for first, last in REPERTOIRE for code in range(first, last + 1)}
    assert set(cut_map) == wanted & set(whole_map)
    assert len(cut_map) < len(whole_map) / 5
    assert all(cut["hmtx"][cut_map[code]] == whole["hmtx"][whole_map[code]] for code in cut_map)


@pytest.mark.parametrize("name", ["Иван Петров", "Ελένη Παππά", "Nguyễn Thị Ŝara ǅ"])
def test_a_name_beyond_the_repertoire_is_printed_with_the_whole_font(name):
    paper = render(DocumentType.RECEIPT, dataclasses.replace(FACTS, applicant_name=name))
    assert name in pdf_text(paper.content)
