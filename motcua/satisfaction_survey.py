"""The satisfaction survey a citizen answers once the result is returned (đánh giá mức độ hài lòng).

The indicators are those of the one-stop regulations (reference domain-vn.md §4), each scored
2 (tốt), 1 (bình thường) or 0 (chưa tốt). The first four have the ids the counter form
`satisfaction-rating` uses (`time`, `contacts`, `publicity`, `attitude`), so a rating given at the
desk and one given online are counted the same way; the others are optional (not every dossier
involves several agencies or a complaint). One rating per dossier (`Rating.dossier_id` is unique):
whichever comes first, the desk's or the citizen's, is kept.

Public API
----------
- `Indicator(id, vi, en, required)`, `INDICATORS`, `SCORES` (2, 1, 0).
- `AlreadyRated`, `RatingNotOpen`, `InvalidRating`.
- `record_rating(session, dossier, *, overall, criteria, comment=None) -> Rating`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from motcua.db import Dossier, Rating, Satisfaction
from motcua.public_lookup import is_rated
from motcua.statuses import DossierStatus

SCORES = (2, 1, 0)
COMMENT_MAX = 2000


@dataclass(frozen=True)
class Indicator:
    id: str
    vi: str
    en: str
    required: bool = True


INDICATORS: tuple[Indicator, ...] = (
    Indicator("time", "Thời gian giải quyết so với quy định",
              "Total processing time compared with the legal time"),
    Indicator("contacts", "Số lần phải liên hệ để hoàn thiện hồ sơ",
              "Number of times you had to come back to complete the dossier"),
    Indicator("publicity", "Công khai thủ tục hành chính",
              "How clearly the procedure was published"),
    Indicator("attitude", "Thái độ của cán bộ, công chức", "Attitude of the staff"),
    Indicator("agency_time", "Thời gian giải quyết của từng cơ quan",
              "Time taken by each agency involved", required=False),
    Indicator("agencies", "Số cơ quan phải liên hệ", "Number of agencies you had to contact",
              required=False),
    Indicator("desk", "Việc tiếp nhận, trả kết quả tại Bộ phận Một cửa",
              "Service at the one-stop desk", required=False),
    Indicator("feedback", "Việc tiếp nhận, xử lý phản ánh, kiến nghị",
              "Handling of your feedback or complaints", required=False),
    Indicator("online", "Tiến độ, kết quả dịch vụ công trực tuyến",
              "Progress and results of the online service", required=False),
)


class AlreadyRated(ValueError):
    pass


class RatingNotOpen(ValueError):
    """The result has not been returned yet."""


class InvalidRating(ValueError):
    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__("invalid or missing answers: " + ", ".join(fields))


def record_rating(session: Session, dossier: Dossier, *, overall: str | None,
                  criteria: Mapping[str, str | int | None], comment: str | None = None) -> Rating:
    """Store the citizen's rating: every required indicator scored, one overall answer."""
    if dossier.status is not DossierStatus.RETURNED:
        raise RatingNotOpen(f"dossier {dossier.code} has not been returned yet")
    if is_rated(session, dossier):
        raise AlreadyRated(f"dossier {dossier.code} was already rated")
    bad: list[str] = []
    scores: dict[str, int] = {}
    for indicator in INDICATORS:
        value = criteria.get(indicator.id)
        text = "" if value is None else str(value).strip()
        if text in {str(s) for s in SCORES}:
            scores[indicator.id] = int(text)
        elif text or indicator.required:
            bad.append(indicator.id)
    overall_value = (overall or "").replace("-", "_")
    if overall_value not in {s.value for s in Satisfaction}:
        bad.append("overall")
    if bad:
        raise InvalidRating(bad)
    rating = Rating(dossier_id=dossier.id, criteria=scores, overall=Satisfaction(overall_value),
                    comment=(comment or "").strip()[:COMMENT_MAX] or None)
    session.add(rating)
    session.flush()
    return rating
