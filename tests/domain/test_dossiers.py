"""Receiving dossiers and running the supplement clock, as the desk and the specialists do."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from motcua.catalog import CopyType, load_catalog
from motcua.checklist import SubmittedComponent, check_submission
from motcua.db import Dossier, transaction
from motcua.deadlines import OnTimeStatus
from motcua.dossiers import (
    AlreadyRescheduled,
    Applicant,
    IncompleteDossier,
    deadline_of,
    finish_processing,
    on_time_status,
    receive_dossier,
    request_supplement,
    reschedule,
    resume_after_supplement,
    return_result,
)
from motcua.settings import PROJECT_ROOT
from motcua.statuses import ApplicantKind, Channel, DossierStatus
from motcua.working_calendar import WorkingCalendar

APPLICANT = Applicant(ApplicantKind.PERSON, "Nguyễn Văn An", "001085012345", "0912345678",
                      address="12 Lê Lợi, phường Hạc Thành")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(PROJECT_ROOT / "catalog")


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar()


def permit_papers(*, drawings: bool = True) -> list[SubmittedComponent]:
    papers = [
        SubmittedComponent("don-de-nghi", CopyType.ORIGINAL),
        SubmittedComponent("giay-to-dat", CopyType.CERTIFIED_COPY),
        SubmittedComponent("bao-cao-tham-tra", CopyType.PHOTOCOPY),
    ]
    if drawings:
        papers.append(SubmittedComponent("ban-ve-thiet-ke", CopyType.ORIGINAL, 2))
    return papers


def test_checklist_lists_everything_wrong_at_once(catalog):
    permit = catalog.get("1.009994", on=date(2026, 2, 13))
    result = check_submission(permit, [
        *permit_papers(drawings=False),
        {"component": "so-do-nha", "copy_type": "original"},
        SubmittedComponent("ket-qua-moi-truong", CopyType.ORIGINAL),
        SubmittedComponent("don-de-nghi", CopyType.ORIGINAL, 1),
    ], case_id="nha-o-rieng-le")
    assert not result.complete
    assert result.as_variables() == {
        "checklistComplete": False,
        "missingComponents": ["ban-ve-thiet-ke"],
        "componentsNotInCatalog": ["so-do-nha"],
        "wrongCopyType": ["ket-qua-moi-truong"],
        "tooFewCopies": [],
    }
    short = check_submission(permit, [*permit_papers(drawings=False),
                                      SubmittedComponent("ban-ve-thiet-ke", CopyType.ORIGINAL, 1)])
    assert short.as_variables()["tooFewCopies"] == ["ban-ve-thiet-ke"]
    # the project approval belongs to the "works" case only: refused for an individual house
    house = check_submission(permit, [*permit_papers(),
                                      SubmittedComponent("quyet-dinh-phe-duyet-du-an", CopyType.PHOTOCOPY)],
                             case_id="nha-o-rieng-le")
    assert house.not_in_catalog == ("quyet-dinh-phe-duyet-du-an",)


def test_receive_a_building_permit_dossier_before_tet(sessions, catalog, calendar):
    permit = catalog.get("1.009994", on=date(2026, 2, 13))
    with transaction(sessions) as session:
        dossier = receive_dossier(
            session, procedure=permit, applicant=APPLICANT, channel=Channel.DIRECT,
            received_at=datetime(2026, 2, 13, 10, 0), submitted=permit_papers(),
            calendar=calendar, actor="letan", case_id="nha-o-rieng-le")
    with sessions() as session:
        stored = session.scalars(sa.select(Dossier)).one()
    assert stored.code == "000.00.17.H06-260213-0001"
    # 15 ngày from Fri 13 Feb runs through Tết and ends Sat 28 Feb → Mon 2 Mar
    assert stored.due_on == date(2026, 3, 2)
    assert stored.procedure_version == 1 and stored.case_id == "nha-o-rieng-le"
    assert stored.status is DossierStatus.RECEIVED
    assert [(c.status, c.actor, c.step) for c in stored.timeline] == [
        (DossierStatus.RECEIVED, "letan", "received")]
    assert dossier.submitted_components[3] == {"component": "ban-ve-thiet-ke",
                                               "copy_type": "original", "quantity": 2}


def test_incomplete_dossier_is_not_registered(sessions, catalog, calendar):
    permit = catalog.get("1.009994", on=date(2026, 2, 13))
    with pytest.raises(IncompleteDossier, match="missing ban-ve-thiet-ke") as caught, \
            transaction(sessions) as session:
        receive_dossier(session, procedure=permit, applicant=APPLICANT, channel=Channel.DIRECT,
                        received_at=datetime(2026, 2, 13, 10, 0),
                        submitted=permit_papers(drawings=False), calendar=calendar, actor="letan")
    assert [c.id for c in caught.value.result.missing] == ["ban-ve-thiet-ke"]
    with sessions() as session:
        assert session.scalars(sa.select(Dossier)).all() == []


def test_supplement_pause_moves_the_appointment(sessions, catalog, calendar):
    amendment = catalog.get("1.009986", on=date(2026, 3, 2))
    papers = [SubmittedComponent("don-de-nghi", CopyType.ORIGINAL),
              SubmittedComponent("anh-4x6", CopyType.ORIGINAL, 2),
              SubmittedComponent("tai-lieu-dieu-chinh", CopyType.PHOTOCOPY),
              SubmittedComponent("cchn-ban-goc", CopyType.ORIGINAL)]
    with transaction(sessions) as session:
        dossier = receive_dossier(session, procedure=amendment, applicant=APPLICANT,
                                  channel=Channel.POST, received_at=datetime(2026, 3, 2, 9, 0),
                                  submitted=papers, calendar=calendar, actor="letan")
        assert dossier.due_on == date(2026, 3, 12)  # 10 ngày from Mon 2 Mar
        waiting = request_supplement(dossier, amendment, calendar, at=datetime(2026, 3, 5, 10, 0),
                                     actor="chuyenvien", note="Bổ sung bản sao văn bằng")
        assert waiting.is_paused
        with pytest.raises(ValueError, match="already waiting"):
            request_supplement(dossier, amendment, calendar, at=datetime(2026, 3, 6, 10, 0), actor="x")
        code = dossier.code
    with transaction(sessions) as session:
        dossier = session.scalars(sa.select(Dossier).where(Dossier.code == code)).one()
        deadline = resume_after_supplement(dossier, amendment, calendar,
                                           at=datetime(2026, 3, 11, 9, 0), actor="letan")
    # 3–5 Mar counted, 6–11 Mar paused, then 12–18 Mar: Wed 18 Mar
    assert deadline.due_on == date(2026, 3, 18)
    with sessions() as session:
        dossier = session.scalars(sa.select(Dossier)).one()
        assert dossier.due_on == date(2026, 3, 18) and dossier.original_due_on == date(2026, 3, 12)
        assert (dossier.pauses[0].due_before, dossier.pauses[0].due_after) == (date(2026, 3, 12), date(2026, 3, 18))
        assert [c.status for c in dossier.timeline] == [
            DossierStatus.RECEIVED, DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.IN_PROGRESS]
        assert deadline_of(dossier, amendment, calendar).due_on == date(2026, 3, 18)
        with pytest.raises(ValueError, match="not waiting"):
            resume_after_supplement(dossier, amendment, calendar, at=datetime(2026, 3, 12, 9, 0), actor="x")


def test_online_dossier_keeps_the_portal_code_and_is_classified(sessions, catalog, calendar):
    renewal = catalog.get("SXD.CCNL-03", on=date(2026, 4, 24))
    papers = [SubmittedComponent("don-de-nghi", CopyType.ORIGINAL),
              SubmittedComponent("ccnl-ban-goc", CopyType.ORIGINAL)]
    company = Applicant(ApplicantKind.ORGANISATION, "Công ty CP Xây dựng Sông Mã", "2800123456")
    with transaction(sessions) as session:
        dossier = receive_dossier(session, procedure=renewal, applicant=company,
                                  channel=Channel.ONLINE, received_at=datetime(2026, 4, 24, 20, 15),
                                  submitted=papers, calendar=calendar, actor="portal",
                                  external_code="G09.20-20260424-0001234")
        # filed at 20:15 on Fri 24 Apr: received Tue 28 Apr (27 Apr is Hùng Kings' day observed);
        # 10 ngày → Fri 8 May
        assert dossier.code_is_external and dossier.code == "G09.20-20260424-0001234"
        assert dossier.due_on == date(2026, 5, 8)
        assert on_time_status(dossier, on=date(2026, 5, 8)) is OnTimeStatus.WITHIN
        assert on_time_status(dossier, on=date(2026, 5, 11)) is OnTimeStatus.OVERDUE
        finish_processing(dossier, at=datetime(2026, 5, 8, 16, 30), actor="lanhdao")
        return_result(dossier, at=datetime(2026, 5, 11, 8, 0), actor="letan")
        assert dossier.status is DossierStatus.RETURNED
        assert on_time_status(dossier, on=date(2026, 5, 31)) is OnTimeStatus.ON_TIME
        assert on_time_status(dossier, on=date(2026, 5, 7)) is OnTimeStatus.WITHIN


def test_a_dossier_is_rescheduled_once_with_an_apology(sessions, catalog, calendar):
    permit = catalog.get("1.009994", on=date(2026, 2, 13))
    with transaction(sessions) as session:
        dossier = receive_dossier(session, procedure=permit, applicant=APPLICANT,
                                  channel=Channel.DIRECT, received_at=datetime(2026, 2, 13, 10, 0),
                                  submitted=permit_papers(), calendar=calendar, actor="letan",
                                  case_id="nha-o-rieng-le")
        # the law asks to warn at least one day before: the working day before Mon 2 Mar is Fri 27 Feb
        assert calendar.previous_working_day(dossier.due_on) == date(2026, 2, 27)
        with pytest.raises(ValueError, match="not a working day"):
            reschedule(dossier, new_due_on=date(2026, 3, 7), calendar=calendar,
                       at=datetime(2026, 2, 27, 9, 0), actor="chuyenvien", reason="Chờ ý kiến PCCC")
        reschedule(dossier, new_due_on=date(2026, 3, 9), calendar=calendar,
                   at=datetime(2026, 2, 27, 9, 0), actor="chuyenvien", reason="Chờ ý kiến PCCC")
        assert (dossier.original_due_on, dossier.due_on) == (date(2026, 3, 2), date(2026, 3, 9))
        with pytest.raises(AlreadyRescheduled):
            reschedule(dossier, new_due_on=date(2026, 3, 16), calendar=calendar,
                       at=datetime(2026, 3, 6, 9, 0), actor="chuyenvien", reason="Lần hai")
    with sessions() as session:
        stored = session.scalars(sa.select(Dossier)).one()
        assert stored.due_on == date(2026, 3, 9)
        assert stored.timeline[-1].step == "rescheduled" and stored.timeline[-1].note == "Chờ ý kiến PCCC"
