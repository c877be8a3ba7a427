"""Documents attached to a dossier: receipts, supplement requests, results, scanned papers."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Base, enum_column, now


class DocumentKind(enum.StrEnum):
    RECEIPT = "receipt"                          # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT_REQUEST = "supplement_request"    # Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"                          # Phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"                          # Văn bản xin lỗi và đề nghị gia hạn
    STOP_NOTICE = "stop_notice"                  # Thông báo dừng giải quyết hồ sơ
    CONTROL_SHEET = "control_sheet"              # Phiếu kiểm soát quá trình giải quyết hồ sơ
    RESULT = "result"                            # the permit, certificate or notice issued
    SUBMITTED = "submitted"                      # a paper the applicant handed in (scan)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    component_id: Mapped[str | None] = mapped_column(sa.String(64))
    number: Mapped[str | None] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(255))
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(127))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
