"""Official documents as PDF (fpdf2, a DejaVu font with every Vietnamese glyph, QR codes by segno).

Public API
----------
- `DocumentType` — the `documentType` input of `document.render`: `receipt` (Mẫu 01),
  `supplement-request` (Mẫu 02), `refusal` (Mẫu 03), `apology` (Mẫu 04), `stop-notice`
  (Mẫu 05), `control-sheet`, `refusal-decision`, and the results `construction-permit`,
  `practising-certificate`, `appraisal-notice`; `.kind` is the `DocumentKind` stored.
- `PaperFacts` (+ `ComponentLine`, `TimelineLine`) — everything a paper may print.
- `render(document_type, facts) -> RenderedPaper(kind, title, filename, content)`.
- `store_once(session, dossier, paper, occurrence=1, actor="workers") -> Document` — the
  `occurrence`-th paper of its kind for the dossier, stored once (a redelivered job finds it).
- `font_path(bold=False)` — where the font is (MOTCUA_PDF_FONT_DIR, else the Debian
  fonts-dejavu-core location).
"""

from motcua.paperwork.documents import (
    ComponentLine,
    DocumentType,
    PaperFacts,
    RenderedPaper,
    TimelineLine,
    render,
)
from motcua.paperwork.layout import font_path
from motcua.paperwork.store import store_once

__all__ = ["ComponentLine", "DocumentType", "PaperFacts", "RenderedPaper", "TimelineLine",
           "font_path", "render", "store_once"]
