"""Dossier rows written straight into the application database, with exactly the times a report
test needs (Vietnam local times: the database reads naive datetimes as Vietnam time)."""

from __future__ import annotations

from datetime import date, datetime

from motcua.db import Dossier, DossierPause, StatusChange
from motcua.deadlines import SupplementClock
from motcua.statuses import ApplicantKind, Channel, DossierStatus, PauseReason

GPXD = "1.009994"  # Cấp giấy phép xây dựng (lĩnh vực hoạt động xây dựng)
NCKT = "SXD.TDDA-01"  # Thẩm định báo cáo nghiên cứu khả thi (lĩnh vực quản lý dự án)


def add_dossier(session, code: str, *, received: datetime, due: date | None,
                procedure: str = GPXD, channel: Channel = Channel.DIRECT,
                status: DossierStatus = DossierStatus.IN_PROGRESS,
                finished: datetime | None = None, returned: datetime | None = None,
                withdrawn: datetime | None = None, stopped: datetime | None = None,
                pauses: tuple[tuple[datetime, datetime | None, date | None], ...] = (),
                steps: tuple[tuple[str, datetime, str], ...] = (),
                name: str = "Nguyễn Văn An", phone: str = "0912345678") -> Dossier:
    """One dossier; `pauses` are (requested, resumed, due before); `steps` are extra timeline
    lines (step, at, actor)."""
    dossier = Dossier(
        code=code, procedure_code=procedure, procedure_version=1, agency_code="000.00.17.H06",
        applicant_kind=ApplicantKind.PERSON, applicant_name=name, applicant_phone=phone,
        channel=channel, received_at=received, due_on=due, original_due_on=due,
        supplement_clock=SupplementClock.PAUSE, status=status, processing_finished_at=finished,
        returned_at=returned)
    dossier.timeline.append(StatusChange(status=DossierStatus.RECEIVED, step="received",
                                         actor="tiepnhan", at=received))
    for step, at, actor in steps:
        dossier.timeline.append(StatusChange(status=DossierStatus.IN_PROGRESS, step=step,
                                             actor=actor, at=at))
    if finished is not None:
        dossier.timeline.append(StatusChange(status=DossierStatus.PROCESSED, step="resolved",
                                             actor="lanhdao", at=finished))
    if withdrawn is not None:
        dossier.timeline.append(StatusChange(status=DossierStatus.WITHDRAWN, step="withdrawn",
                                             actor="tiepnhan", at=withdrawn))
    if stopped is not None:
        dossier.timeline.append(StatusChange(status=DossierStatus.STOPPED, step="stopped",
                                             actor="he-thong", at=stopped))
    for requested, resumed, due_before in pauses:
        dossier.pauses.append(DossierPause(reason=PauseReason.SUPPLEMENT, requested_at=requested,
                                           resumed_at=resumed, due_before=due_before))
    session.add(dossier)
    return dossier
