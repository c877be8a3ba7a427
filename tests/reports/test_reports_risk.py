"""Deadline risk: working days left against the catalog time of the steps still to do."""

from __future__ import annotations

from datetime import date, datetime

from reports_dossiers import GPXD, add_dossier

from motcua.db import transaction
from motcua.reports.risk import RiskLevel, deadline_risk, steps_done
from motcua.statuses import DossierStatus
from motcua.working_calendar import WorkingCalendar

# a working day; 17/11 is the next one and 1/12 the tenth (24/11, Ngày Văn hóa Việt Nam, is off)
MONDAY = date(2026, 11, 16)


def _steps(*names: str):
    return tuple((name, datetime(2026, 11, 2, 9 + i), "chuyenvien") for i, name in enumerate(names))


def test_reports_one_day_with_three_steps_to_go_outranks_ten_days_with_one(sessions, catalog):
    with transaction(sessions) as session:
        # ten working days left, only returning the result to do (4 h) -> low risk
        add_dossier(session, "TEN-DAYS", received=datetime(2026, 11, 2, 9), due=date(2026, 12, 1),
                    steps=_steps("transfer", "permit-appraisal", "head-review", "leader-sign"))
        # one working day left, head review + leader signature + return still to do (4.5 days)
        add_dossier(session, "ONE-DAY", received=datetime(2026, 10, 20, 9), due=date(2026, 11, 17),
                    steps=_steps("transfer", "permit-appraisal"))
        # promised for last Thursday: overdue, whatever is left
        add_dossier(session, "LATE", received=datetime(2026, 10, 15, 9), due=date(2026, 11, 12),
                    steps=_steps("transfer"))
        # waiting for the applicant (clock stopped) and already resolved: not at risk
        add_dossier(session, "PAUSED", received=datetime(2026, 10, 15, 9), due=date(2026, 11, 12),
                    status=DossierStatus.SUPPLEMENT_REQUESTED,
                    pauses=((datetime(2026, 11, 1, 9), None, date(2026, 11, 12)),))
        add_dossier(session, "DONE", received=datetime(2026, 10, 15, 9), due=date(2026, 11, 12),
                    finished=datetime(2026, 11, 10, 9), status=DossierStatus.PROCESSED)
    with sessions() as session:
        risks = deadline_risk(session, catalog, WorkingCalendar(), MONDAY)
    assert [r.dossier_code for r in risks] == ["LATE", "ONE-DAY", "TEN-DAYS"]
    late, one_day, ten_days = risks
    assert late.level is RiskLevel.OVERDUE and late.working_days_left < 0
    assert one_day.working_days_left == 1
    assert [s.id for s in one_day.steps_left] == ["lanh-dao-phong", "lanh-dao-so-ky", "tra-ket-qua"]
    assert one_day.work_days_left == 4.5 and one_day.level is RiskLevel.HIGH
    assert ten_days.working_days_left == 10
    assert [s.id for s in ten_days.steps_left] == ["tra-ket-qua"]
    assert ten_days.level is RiskLevel.LOW


def test_reports_progress_restarts_at_processing_after_a_supplement(catalog):
    permit = catalog.version(GPXD, 1)
    assert steps_done(permit, ["received"]) == 1
    assert steps_done(permit, ["received", "transfer", "permit-appraisal", "head-review"]) == 3
    # the supplement sends the dossier back to appraisal
    assert steps_done(permit, ["received", "transfer", "permit-appraisal",
                               "supplement-requested", "resumed"]) == 1
    assert steps_done(permit, ["received", "tham-dinh"]) == 2  # a catalog step id
    assert steps_done(permit, ["received", "returned"]) == len(permit.steps)


def test_reports_the_inbox_tells_where_a_dossier_stands(sessions, catalog):
    from motcua.db.inbox_tasks import InboxTask, TaskState

    def task(job_key: int, code: str, form_id: str, state: TaskState, completed: datetime | None):
        return InboxTask(job_key=job_key, process_instance_key=job_key, bpmn_process_id="construction-permit",
                         element_id=form_id, name=form_id, form_id=form_id, candidate_groups=[],
                         dossier_code=code, state=state, lease_until=datetime(2026, 11, 20),
                         completed_at=completed, completed_by="chuyenvien" if completed else None)

    with transaction(sessions) as session:
        # the timeline only says "transfer"; the inbox shows appraisal and head review done and
        # the leader's signature open -> signature and return left (16 h + 4 h = 2.5 days)
        add_dossier(session, "AT-LEADER", received=datetime(2026, 11, 2, 9), due=date(2026, 11, 18),
                    steps=_steps("transfer"))
        session.add_all([
            task(1, "AT-LEADER", "permit-appraisal", TaskState.COMPLETED, datetime(2026, 11, 9, 9)),
            task(2, "AT-LEADER", "head-review", TaskState.COMPLETED, datetime(2026, 11, 10, 9)),
            task(3, "AT-LEADER", "leader-sign", TaskState.OPEN, None),
        ])
        # no open task, a completed appraisal: head review, signature and return left
        add_dossier(session, "AFTER-APPRAISAL", received=datetime(2026, 11, 2, 9),
                    due=date(2026, 11, 18), steps=_steps("transfer"))
        session.add(task(4, "AFTER-APPRAISAL", "permit-appraisal", TaskState.COMPLETED,
                         datetime(2026, 11, 9, 9)))
    with sessions() as session:
        risks = {r.dossier_code: r for r in deadline_risk(session, catalog, WorkingCalendar(), MONDAY)}
    assert [s.id for s in risks["AT-LEADER"].steps_left] == ["lanh-dao-so-ky", "tra-ket-qua"]
    assert risks["AT-LEADER"].work_days_left == 2.5
    assert [s.id for s in risks["AFTER-APPRAISAL"].steps_left] == [
        "lanh-dao-phong", "lanh-dao-so-ky", "tra-ket-qua"]
