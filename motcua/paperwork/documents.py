"""The papers a dossier gets, built from `PaperFacts` (forms of TT 01/2018 and TT 03/2025)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from motcua.db import DocumentKind
from motcua.db.base import LOCAL_ZONE
from motcua.paperwork.layout import OfficialPaper, whole_font


class DocumentType(enum.StrEnum):
    RECEIPT = "receipt"
    SUPPLEMENT_REQUEST = "supplement-request"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    STOP_NOTICE = "stop-notice"
    CONTROL_SHEET = "control-sheet"
    REFUSAL_DECISION = "refusal-decision"
    CONSTRUCTION_PERMIT = "construction-permit"
    PRACTISING_CERTIFICATE = "practising-certificate"
    APPRAISAL_NOTICE = "appraisal-notice"

    @property
    def kind(self) -> DocumentKind:
        return _KINDS.get(self, DocumentKind.RESULT)


_KINDS = {
    DocumentType.RECEIPT: DocumentKind.RECEIPT,
    DocumentType.SUPPLEMENT_REQUEST: DocumentKind.SUPPLEMENT_REQUEST,
    DocumentType.REFUSAL: DocumentKind.REFUSAL,
    DocumentType.APOLOGY: DocumentKind.APOLOGY,
    DocumentType.STOP_NOTICE: DocumentKind.STOP_NOTICE,
    DocumentType.CONTROL_SHEET: DocumentKind.CONTROL_SHEET,
}


@dataclass(frozen=True)
class ComponentLine:
    name: str
    copy_type: str
    quantity: int


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    what: str
    actor: str
    status: str


@dataclass(frozen=True)
class PaperFacts:
    """What the papers print about one dossier."""

    dossier_code: str
    agency_name: str
    procedure_name: str
    applicant_name: str
    issued_at: datetime
    tracking_link: str
    office_name: str = "Bộ phận Tiếp nhận và Trả kết quả"
    place: str = ""
    receipt_number: str | None = None
    applicant_address: str | None = None
    applicant_phone: str | None = None
    applicant_email: str | None = None
    components: tuple[ComponentLine, ...] = ()
    duration: str | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None
    previous_due_at: datetime | None = None
    supplement_due_at: datetime | None = None
    missing_items: tuple[tuple[str, str], ...] = ()
    reason: str | None = None
    result_name: str | None = None
    result_number: str | None = None
    on_time: str | None = None
    timeline: tuple[TimelineLine, ...] = ()


@dataclass(frozen=True)
class RenderedPaper:
    kind: DocumentKind
    title: str
    filename: str
    content: bytes
    media_type: str = "application/pdf"


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE) if moment.tzinfo else moment


def clock_and_day(moment: datetime | None) -> str:
    if moment is None:
        return "…"
    local = _local(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def day(moment: datetime | None) -> str:
    return _local(moment).strftime("%d/%m/%Y") if moment else "…"


def _place_date(facts: PaperFacts) -> str:
    local = _local(facts.issued_at)
    where = f"{facts.place}, " if facts.place else ""
    return f"{where}ngày {local.day:02d} tháng {local.month:02d} năm {local.year}"


def _paper(facts: PaperFacts, title: str, number: str | None = None,
           subtitle: str | None = None) -> OfficialPaper:
    paper = OfficialPaper(title)
    paper.header_block(facts.agency_name, facts.office_name, number, _place_date(facts))
    paper.title_block(title, subtitle)
    return paper


def _applicant(paper: OfficialPaper, facts: PaperFacts) -> None:
    paper.field("Mã hồ sơ", facts.dossier_code)
    paper.field("Ông/Bà (tổ chức)", facts.applicant_name)
    paper.field("Địa chỉ", facts.applicant_address)
    paper.field("Số điện thoại", facts.applicant_phone)
    paper.field("Nội dung yêu cầu giải quyết", facts.procedure_name)


def receipt(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    paper = _paper(facts, title, f"{facts.receipt_number or '…'}/TNHS", "(Liên: Giao khách hàng)")
    paper.paragraph(f"{facts.office_name} - {facts.agency_name} tiếp nhận hồ sơ của:")
    _applicant(paper, facts)
    paper.field("Email", facts.applicant_email)
    paper.paragraph("1. Thành phần hồ sơ nộp gồm:")
    paper.grid(("STT", "Tên giấy tờ", "Hình thức", "Số lượng"),
               [(str(i), c.name, c.copy_type, str(c.quantity))
                for i, c in enumerate(facts.components, start=1)], (10, 110, 30, 20))
    paper.paragraph("2. Số lượng hồ sơ: 01 bộ")
    paper.paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định: {facts.duration or '…'}")
    paper.paragraph(f"4. Thời gian nhận hồ sơ: {clock_and_day(facts.received_at)}")
    paper.paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: {clock_and_day(facts.due_at)}")
    paper.paragraph("6. Đăng ký nhận kết quả tại: Bộ phận Tiếp nhận và Trả kết quả")
    paper.qr_code(facts.tracking_link, "Quét mã để tra cứu tiến độ hồ sơ:")
    paper.signatures("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ")
    return title, paper


def supplement_request(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    paper = _paper(facts, title, facts.receipt_number and f"{facts.receipt_number}/BSHS")
    _applicant(paper, facts)
    paper.paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", bold=True)
    items = facts.missing_items or (("(theo hướng dẫn của cán bộ tiếp nhận)", ""),)
    for number, (name, detail) in enumerate(items, start=1):
        paper.paragraph(f"{number}. {name}" + (f": {detail}" if detail else ""))
    if facts.supplement_due_at:
        paper.paragraph(f"Thời hạn nộp bổ sung: trước {clock_and_day(facts.supplement_due_at)}.")
    paper.paragraph("Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ Bộ phận "
                    "Tiếp nhận và Trả kết quả để được hướng dẫn.")
    paper.qr_code(facts.tracking_link, "Tra cứu hồ sơ:")
    paper.signatures(None, "NGƯỜI HƯỚNG DẪN")
    return title, paper


def refusal(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    paper = _paper(facts, title)
    paper.paragraph(f"{facts.office_name} - {facts.agency_name} tiếp nhận hồ sơ của:")
    _applicant(paper, facts)
    paper.paragraph("Qua xem xét, cơ quan thông báo không tiếp nhận, giải quyết hồ sơ này với lý do "
                    "cụ thể như sau:")
    paper.paragraph(facts.reason or "Hồ sơ không đáp ứng yêu cầu của thủ tục hành chính.")
    paper.paragraph("Xin thông báo để Ông/Bà được biết và thực hiện.")
    paper.signatures(None, "NGƯỜI TIẾP NHẬN HỒ SƠ")
    return title, paper


def apology(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Văn bản xin lỗi và hẹn lại ngày trả kết quả"
    paper = _paper(facts, title)
    paper.paragraph(f"Kính gửi: Ông/Bà {facts.applicant_name}")
    paper.field("Địa chỉ", facts.applicant_address)
    paper.paragraph(f"Ngày {day(facts.received_at)}, {facts.agency_name} tiếp nhận giải quyết hồ sơ "
                    f"{facts.procedure_name}, mã hồ sơ {facts.dossier_code}.")
    paper.paragraph(f"Thời gian hẹn trả kết quả: {day(facts.previous_due_at)}.")
    paper.paragraph("Tuy nhiên đến nay cơ quan chưa trả kết quả giải quyết hồ sơ đúng thời hạn.")
    paper.paragraph(f"Lý do: {facts.reason or 'hồ sơ cần thêm thời gian thẩm định'}.")
    paper.paragraph(f"{facts.agency_name} xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả vào ngày "
                    f"{day(facts.due_at)}.", bold=True)
    paper.qr_code(facts.tracking_link, "Tra cứu hồ sơ:")
    paper.signatures(None, "THỦ TRƯỞNG CƠ QUAN")
    return title, paper


def stop_notice(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Thông báo dừng giải quyết hồ sơ"
    paper = _paper(facts, title)
    _applicant(paper, facts)
    paper.paragraph(f"Ngày tiếp nhận: {day(facts.received_at)}.")
    paper.paragraph(facts.reason or "Hết thời hạn bổ sung, hoàn thiện hồ sơ mà cơ quan chưa nhận "
                    "được hồ sơ bổ sung. Cơ quan thông báo dừng giải quyết hồ sơ.")
    paper.signatures(None, "THỦ TRƯỞNG CƠ QUAN")
    return title, paper


def control_sheet(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Phiếu kiểm soát quá trình giải quyết hồ sơ"
    paper = _paper(facts, title, subtitle=(f"Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số "
                                           f"{facts.receipt_number or '…'}/TNHS"))
    paper.field("Mã hồ sơ", facts.dossier_code)
    paper.field("Chủ hồ sơ", facts.applicant_name)
    paper.field("Thủ tục", facts.procedure_name)
    paper.field("Thời gian nhận hồ sơ", clock_and_day(facts.received_at))
    paper.field("Thời gian hẹn trả kết quả", clock_and_day(facts.due_at))
    paper.field("Kết quả giải quyết", facts.on_time)
    paper.grid(("Thời gian giao, nhận", "Nội dung", "Người thực hiện", "Trạng thái"),
               [(clock_and_day(t.at), t.what, t.actor, t.status) for t in facts.timeline],
               (45, 50, 35, 40))
    return title, paper


def refusal_decision(facts: PaperFacts) -> tuple[str, OfficialPaper]:
    title = "Văn bản trả lời không chấp thuận"
    paper = _paper(facts, title, facts.result_number)
    _applicant(paper, facts)
    paper.paragraph("Sau khi thẩm định hồ sơ, cơ quan không chấp thuận đề nghị của Ông/Bà với lý do:")
    paper.paragraph(facts.reason or "Hồ sơ không đáp ứng điều kiện theo quy định.")
    paper.signatures(None, "LÃNH ĐẠO SỞ")
    return title, paper


def result(facts: PaperFacts, title: str) -> tuple[str, OfficialPaper]:
    paper = _paper(facts, facts.result_name or title, facts.result_number)
    paper.paragraph(f"Cấp cho: {facts.applicant_name}", bold=True)
    paper.field("Địa chỉ", facts.applicant_address)
    paper.field("Theo hồ sơ", facts.dossier_code)
    paper.field("Thủ tục", facts.procedure_name)
    paper.paragraph(f"Ngày tiếp nhận {day(facts.received_at)}; ngày cấp {day(facts.issued_at)}.")
    paper.qr_code(facts.tracking_link, "Kiểm tra tính xác thực:")
    paper.signatures(None, "LÃNH ĐẠO SỞ")
    return facts.result_name or title, paper


_BUILDERS: dict[DocumentType, Callable[[PaperFacts], tuple[str, OfficialPaper]]] = {
    DocumentType.RECEIPT: receipt,
    DocumentType.SUPPLEMENT_REQUEST: supplement_request,
    DocumentType.REFUSAL: refusal,
    DocumentType.APOLOGY: apology,
    DocumentType.STOP_NOTICE: stop_notice,
    DocumentType.CONTROL_SHEET: control_sheet,
    DocumentType.REFUSAL_DECISION: refusal_decision,
    DocumentType.CONSTRUCTION_PERMIT: lambda f: result(f, "Giấy phép xây dựng"),
    DocumentType.PRACTISING_CERTIFICATE: lambda f: result(f, "Chứng chỉ hành nghề hoạt động xây dựng"),
    DocumentType.APPRAISAL_NOTICE: lambda f: result(f, "Thông báo kết quả thẩm định"),
}


def render(document_type: DocumentType | str, facts: PaperFacts) -> RenderedPaper:
    kind = DocumentType(document_type)
    title, paper = _BUILDERS[kind](facts)
    if paper.lacks_glyphs:  # a character beyond the Vietnamese repertoire: the whole font has it
        with whole_font():
            title, paper = _BUILDERS[kind](facts)
    safe_code = facts.dossier_code.replace("/", "-")
    return RenderedPaper(kind.kind, title, f"{kind.value}-{safe_code}.pdf", paper.to_bytes())
