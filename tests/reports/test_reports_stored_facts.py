"""What the period report reads from the dossier instead of working it out per row: how processing
finished against the promised date (`resolution`) and when a dossier was withdrawn or stopped
(`closed_at`). Kept by the model on every path that sets them, back-filled by migration 0006."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from reports_dossiers import GPXD, add_dossier

from motcua.db import Dossier, engine_for, migrate, session_factory, transaction
from motcua.db.dossiers import Resolution
from motcua.dossiers import finish_processing, reschedule, return_result
from motcua.reports.period import Counts, Period, period_report
from motcua.statuses import Channel, DossierStatus
from motcua.working_calendar import WorkingCalendar

OCTOBER = Period.month(2026, 10)
NOVEMBER = Period.month(2026, 11)
S = DossierStatus


def _stored(sessions) -> dict[str, tuple[Resolution | None, datetime | None]]:
    with sessions() as session:
        return {d.code: (d.resolution, d.closed_at) for d in session.scalars(sa.select(Dossier))}


def _gpxd(sessions, catalog, period: Period = OCTOBER) -> Counts:
    with sessions() as session:
        return period_report(session, period, catalog).row(GPXD).counts


def test_reports_finishing_and_returning_store_early_on_time_late(any_sessions, catalog):
    with transaction(any_sessions) as session:
        for code in "ABCD":
            add_dossier(session, code, received=datetime(2026, 10, 1, 9), due=date(2026, 10, 15))
    with transaction(any_sessions) as session:
        by_code = {d.code: d for d in session.scalars(sa.select(Dossier))}
        finish_processing(by_code["A"], at=datetime(2026, 10, 14, 9), actor="lanhdao")
        # 18:00 on the due day: the date counts, not the time
        finish_processing(by_code["B"], at=datetime(2026, 10, 15, 18), actor="lanhdao")
        # 17:30 UTC is already 00:30 on 16/10 in Vietnam (the workers' clock is UTC)
        finish_processing(by_code["C"], at=datetime(2026, 10, 15, 17, 30, tzinfo=UTC), actor="lanhdao")
        # handed back without a separate "processed" step: returning finishes processing too
        return_result(by_code["D"], at=datetime(2026, 10, 15, 10), actor="letan")
    assert {code: resolution for code, (resolution, _) in _stored(any_sessions).items()} == {
        "A": Resolution.EARLY, "B": Resolution.ON_TIME, "C": Resolution.LATE, "D": Resolution.ON_TIME}
    assert _gpxd(any_sessions, catalog) == Counts(new_direct=4, resolved_early=1, resolved_on_time=2,
                                                  resolved_late=1)


def test_reports_a_due_date_moved_after_finishing_or_a_reopened_dossier_counts_anew(any_sessions, catalog):
    with transaction(any_sessions) as session:
        late = add_dossier(session, "L", received=datetime(2026, 10, 1, 9), due=date(2026, 10, 15))
        finish_processing(late, at=datetime(2026, 10, 20, 9), actor="lanhdao")
        reopened = add_dossier(session, "R", received=datetime(2026, 10, 1, 9), due=date(2026, 10, 25))
        finish_processing(reopened, at=datetime(2026, 10, 20, 9), actor="lanhdao")
    assert _gpxd(any_sessions, catalog) == Counts(new_direct=2, resolved_early=1, resolved_late=1)
    with transaction(any_sessions) as session:
        by_code = {d.code: d for d in session.scalars(sa.select(Dossier))}
        # the apology letter promised Friday 23/10: finished on 20/10 is now early
        reschedule(by_code["L"], new_due_on=date(2026, 10, 23), calendar=WorkingCalendar(),
                   at=datetime(2026, 10, 21, 9), actor="lanhdao", reason="cần khảo sát thêm")
        by_code["R"].processing_finished_at = None  # the result is withdrawn for rework
    assert _stored(any_sessions)["L"][0] is Resolution.EARLY
    assert _stored(any_sessions)["R"][0] is None
    assert _gpxd(any_sessions, catalog) == Counts(new_direct=2, resolved_early=1, in_progress_overdue=1)


def test_reports_withdrawal_and_stop_store_when_the_dossier_closed(any_sessions, catalog):
    with transaction(any_sessions) as session:
        withdrawn = add_dossier(session, "W", received=datetime(2026, 10, 1, 9), due=date(2026, 10, 21),
                                channel=Channel.ONLINE)
        withdrawn.record_status(S.WITHDRAWN, actor="tiepnhan", at=datetime(2026, 10, 20, 9))
        stopped = add_dossier(session, "S", received=datetime(2026, 10, 2, 9), due=date(2026, 10, 22))
        stopped.record_status(S.SUPPLEMENT_REQUESTED, actor="chuyenvien", at=datetime(2026, 10, 5, 9))
        stopped.record_status(S.STOPPED, actor="he-thong", at=datetime(2026, 10, 30, 9))
        # withdrawn by mistake, taken back the next day: open again
        back = add_dossier(session, "B", received=datetime(2026, 10, 3, 9), due=date(2026, 11, 20))
        back.record_status(S.WITHDRAWN, actor="tiepnhan", at=datetime(2026, 10, 10, 9))
        back.record_status(S.IN_PROGRESS, actor="tiepnhan", at=datetime(2026, 10, 11, 9))
    stored = _stored(any_sessions)
    assert stored["W"][1] == datetime(2026, 10, 20, 2, tzinfo=UTC)
    assert stored["S"][1] == datetime(2026, 10, 30, 2, tzinfo=UTC)
    assert stored["B"][1] is None
    assert _gpxd(any_sessions, catalog) == Counts(new_online=1, new_direct=2, withdrawn=1, stopped=1,
                                                  in_progress_within=1)
    # closed in October: gone from November's report; the one taken back is carried over
    assert _gpxd(any_sessions, catalog, NOVEMBER) == Counts(carried_over=1, in_progress_overdue=1)


# ------------------------------------------------------------------------ migration 0006

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url_before_0006(request, tmp_path) -> str:
    """A database at revision 0005, before the stored facts existed."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'motcua.db'}"
    else:
        server = request.getfixturevalue("reports_postgres_server")
        url = server.create_database(f"reports_{uuid.uuid4().hex[:12]}")
    migrate(url, "0005")
    return url


_DOSSIER = sa.text(
    "INSERT INTO dossiers (id, code, code_is_external, procedure_code, procedure_version, agency_code, "
    "applicant_kind, applicant_name, channel, submitted_components, received_at, due_on, "
    "supplement_clock, status, processing_finished_at, created_at, updated_at) "
    "VALUES (:id, :code, false, :procedure, 1, '000.00.17.H06', 'person', 'Trần Thị Bình', 'direct', "
    "'[]', :received, :due, 'pause', :status, :finished, :received, :received)").bindparams(
    sa.bindparam("received", type_=sa.DateTime()), sa.bindparam("finished", type_=sa.DateTime()),
    sa.bindparam("due", type_=sa.Date()))
_LINE = sa.text("INSERT INTO status_changes (dossier_id, status, actor, at) VALUES (:id, :status, 'x', :at)"
                ).bindparams(sa.bindparam("at", type_=sa.DateTime()))


def test_reports_migration_0006_backfills_what_finished_and_closed_dossiers_store(url_before_0006, catalog):
    received = datetime(2026, 10, 1, 2)  # stored moments are UTC: 09:00 in Vietnam
    rows = [  # code, status, due, processing finished (UTC), timeline lines (status, UTC)
        ("E", 10, date(2026, 10, 15), datetime(2026, 10, 14, 2), ()),
        ("O", 9, date(2026, 10, 15), datetime(2026, 10, 15, 10), ()),  # 17:00 on the due day
        ("L", 9, date(2026, 10, 15), datetime(2026, 10, 15, 17, 30), ()),  # 00:30 on 16/10
        ("N", 3, None, None, ()),  # refused at the desk: no promise, nothing stored
        ("W", 7, date(2026, 10, 21), None, ((7, datetime(2026, 10, 22, 2)), (7, datetime(2026, 10, 20, 2)))),
        ("S", 8, date(2026, 10, 21), None, ((5, datetime(2026, 10, 5, 2)), (8, datetime(2026, 9, 30, 2)))),
        ("B", 4, date(2026, 11, 20), None, ((7, datetime(2026, 10, 10, 2)),)),  # withdrawn, taken back
    ]
    engine = engine_for(url_before_0006)
    try:
        with engine.begin() as connection:
            for number, (code, status, due, finished, lines) in enumerate(rows, start=1):
                connection.execute(_DOSSIER, {"id": number, "code": code, "procedure": GPXD,
                                              "received": received, "due": due, "status": status,
                                              "finished": finished})
                connection.execute(_LINE, {"id": number, "status": 2, "at": received})
                for line_status, at in lines:
                    connection.execute(_LINE, {"id": number, "status": line_status, "at": at})
        migrate(url_before_0006)
        sessions = session_factory(engine)
        assert _stored(sessions) == {
            "E": (Resolution.EARLY, None), "O": (Resolution.ON_TIME, None),
            "L": (Resolution.LATE, None), "N": (None, None),
            "W": (None, datetime(2026, 10, 20, 2, tzinfo=UTC)),  # the first withdrawal line
            "S": (None, datetime(2026, 9, 30, 2, tzinfo=UTC)), "B": (None, None)}
        # S stopped in September: not in October's report
        assert _gpxd(sessions, catalog) == Counts(new_direct=5, resolved_early=1, resolved_on_time=1,
                                                  resolved_late=1, withdrawn=1, in_progress_within=1)
    finally:
        engine.dispose()
