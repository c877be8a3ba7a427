"""Biểu 06 counts for October 2026, computed by hand for each dossier below."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from reports_dossiers import GPXD, NCKT, add_dossier

from motcua.db import transaction
from motcua.reports.period import Counts, Period, period_report
from motcua.statuses import Channel, DossierStatus

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
D, ONLINE, POST = Channel.DIRECT, Channel.ONLINE, Channel.POST
S = DossierStatus


def _october_dossiers(session) -> None:
    add = lambda code, **kw: add_dossier(session, code, **kw)  # noqa: E731
    # A: received in September, finished 5/10 before the 10/10 due date -> carried over, early
    add("A", received=datetime(2026, 9, 20, 10), due=date(2026, 10, 10),
        finished=datetime(2026, 10, 5, 9), status=S.PROCESSED)
    # B: carried over; finished at 18:00 on the due day, after office hours: the DATE is what
    # counts -> on time
    add("B", received=datetime(2026, 9, 25, 9), due=date(2026, 10, 15),
        finished=datetime(2026, 10, 15, 18), status=S.RETURNED, returned=datetime(2026, 10, 16, 9))
    # C: received and finished in September -> not in October's report at all
    add("C", received=datetime(2026, 9, 10, 9), due=date(2026, 9, 30),
        finished=datetime(2026, 9, 29, 9), status=S.PROCESSED)
    # D: new online on 2/10, finished the day after its due date -> new online, late
    add("D", received=datetime(2026, 10, 2, 8), due=date(2026, 10, 22), channel=ONLINE,
        finished=datetime(2026, 10, 23, 8), status=S.PROCESSED)
    # E: new by post on 30/10, due in November, open -> new direct/post, in progress within time
    add("E", received=datetime(2026, 10, 30, 16), due=date(2026, 11, 19), channel=POST)
    # F: received 1/9, due 21/9, still open -> carried over, in progress overdue
    add("F", received=datetime(2026, 9, 1, 9), due=date(2026, 9, 21))
    # G: new direct, due 25/10, finished only on 2/11 (after the period) -> in progress overdue
    add("G", received=datetime(2026, 10, 5, 9), due=date(2026, 10, 25),
        finished=datetime(2026, 11, 2, 9), status=S.PROCESSED)
    # H: new online, withdrawn on 20/10 -> new online, withdrawn
    add("H", received=datetime(2026, 10, 6, 9), due=date(2026, 10, 26), channel=ONLINE,
        withdrawn=datetime(2026, 10, 20, 9), status=S.WITHDRAWN)
    # I: withdrawn in September -> not counted
    add("I", received=datetime(2026, 9, 15, 9), due=date(2026, 10, 5),
        withdrawn=datetime(2026, 9, 28, 9), status=S.WITHDRAWN)
    # J: withdrawn on 3/11 (after the period): on 31/10 it was open, due 5/10 -> carried over,
    # in progress overdue
    add("J", received=datetime(2026, 9, 15, 10), due=date(2026, 10, 5),
        withdrawn=datetime(2026, 11, 3, 9), status=S.WITHDRAWN)
    # K: new direct; waiting for a supplement since 20/10, requested before its 28/10 due date
    # -> in progress, paused, within time
    add("K", received=datetime(2026, 10, 8, 9), due=date(2026, 10, 28), status=S.SUPPLEMENT_REQUESTED,
        pauses=((datetime(2026, 10, 20, 9), None, date(2026, 10, 28)),))
    # L: carried over; supplement requested 25/9, after its 21/9 due date, handed in only on
    # 5/11 (the due date then moved to 10/11) -> in progress at 31/10, paused, overdue
    add("L", received=datetime(2026, 9, 1, 10), due=date(2026, 11, 10),
        pauses=((datetime(2026, 9, 25, 9), datetime(2026, 11, 5, 9), date(2026, 9, 21)),))
    # M: received at 00:30 on 1/10 Vietnam time (still 30/9 in UTC) -> new online; a pause inside
    # October moved the due date to 26/10, finished on 26/10 -> on time
    add("M", received=datetime(2026, 10, 1, 0, 30), due=date(2026, 10, 26), channel=ONLINE,
        finished=datetime(2026, 10, 26, 10), status=S.PROCESSED,
        pauses=((datetime(2026, 10, 5, 9), datetime(2026, 10, 10, 9), date(2026, 10, 21)),))
    # N: received 23:30 on 30/9 -> carried over; finished 06:00 on 1/10 Vietnam time (30/9 in
    # UTC) -> resolved in October, early (due 20/10)
    add("N", received=datetime(2026, 9, 30, 23, 30), due=date(2026, 10, 20),
        finished=datetime(2026, 10, 1, 6), status=S.PROCESSED)
    # O: submitted online, never received (no promised date) -> not counted
    add("O", received=datetime(2026, 10, 10, 9), due=None, channel=ONLINE, status=S.SUBMITTED)
    # P: refused at the desk -> not counted
    add("P", received=datetime(2026, 10, 11, 9), due=None, status=S.NOT_ACCEPTED)
    # Q: feasibility appraisal (another field), new direct, finished 29/10, due 6/11 -> early
    add("Q", procedure=NCKT, received=datetime(2026, 10, 12, 9), due=date(2026, 11, 6),
        finished=datetime(2026, 10, 29, 9), returned=datetime(2026, 10, 30, 9), status=S.RETURNED)
    # R: received in November -> not counted
    add("R", received=datetime(2026, 11, 1, 9), due=date(2026, 11, 21))
    # S: received in August, finished at 23:59 on the last day of the period, due 21/8 ->
    # carried over, late
    add("S", received=datetime(2026, 8, 1, 9), due=date(2026, 8, 21),
        finished=datetime(2026, 10, 31, 23, 59), status=S.PROCESSED)
    # T: new direct, due on the last day of the period itself -> in progress within time
    add("T", received=datetime(2026, 10, 15, 9), due=date(2026, 10, 31))
    # U: carried over; the supplement asked for on 20/9 never came, processing stopped on 12/10
    # (status 8, the process ends) -> stopped, no longer in progress
    add("U", received=datetime(2026, 9, 10, 9), due=date(2026, 9, 30), status=S.STOPPED,
        pauses=((datetime(2026, 9, 20, 9), None, date(2026, 9, 30)),),
        stopped=datetime(2026, 10, 12, 9))
    # V: stopped in September -> not counted
    add("V", received=datetime(2026, 8, 10, 9), due=date(2026, 8, 30), status=S.STOPPED,
        pauses=((datetime(2026, 8, 20, 9), None, date(2026, 8, 30)),),
        stopped=datetime(2026, 9, 25, 9))


@pytest.fixture
def october(any_sessions):
    with transaction(any_sessions) as session:
        _october_dossiers(session)
    return any_sessions


GPXD_OCTOBER = Counts(
    new_online=3,          # D, H, M
    new_direct=4,          # E (post), G, K, T
    carried_over=8,        # A, B, F, J, L, N, S, U
    resolved_early=2,      # A, N
    resolved_on_time=2,    # B, M
    resolved_late=2,       # D, S
    in_progress_within=3,  # E, K, T
    in_progress_overdue=4,  # F, G, J, L
    paused=2,              # K, L
    withdrawn=1,           # H
    stopped=1,             # U
)
NCKT_OCTOBER = Counts(new_direct=1, resolved_early=1)  # Q


def test_reports_each_dossier_counts_where_the_rules_put_it(october, catalog):
    with october() as session:
        report = period_report(session, OCTOBER, catalog)
    assert report.row(GPXD).counts == GPXD_OCTOBER
    assert report.row(NCKT).counts == NCKT_OCTOBER
    assert report.totals == GPXD_OCTOBER + NCKT_OCTOBER
    assert report.totals.received == 16
    # every received dossier has exactly one outcome
    totals = report.totals
    assert totals.received == totals.resolved + totals.withdrawn + totals.stopped + totals.in_progress


def test_reports_group_rows_by_field_with_subtotals(october, catalog):
    with october() as session:
        report = period_report(session, OCTOBER, catalog)
    sectors = {block.sector_code: block for block in report.sectors}
    assert set(sectors) == {"hoat-dong-xay-dung", "quan-ly-du-an"}
    assert sectors["quan-ly-du-an"].counts == NCKT_OCTOBER
    assert sectors["hoat-dong-xay-dung"].counts == GPXD_OCTOBER
    # every procedure of the catalog has its line, with zeros when nothing happened
    assert len(report.rows()) == len(catalog.codes())


def test_reports_filter_by_field_and_by_procedure(october, catalog):
    with october() as session:
        by_field = period_report(session, OCTOBER, catalog, sector="quan-ly-du-an")
        by_procedure = period_report(session, OCTOBER, catalog, procedure=GPXD)
    assert by_field.totals == NCKT_OCTOBER
    assert [row.procedure_code for row in by_procedure.rows()] == [GPXD]
    assert by_procedure.totals == GPXD_OCTOBER


def test_reports_next_period_carries_over_what_october_left_open(october, catalog):
    with october() as session:
        november = period_report(session, Period.month(2026, 11), catalog, procedure=GPXD)
    counts = november.totals
    # open on 31/10: E, F, G, J, K, L, T -> carried over into November (U stopped in October)
    assert counts.carried_over == 7
    assert counts.new_direct == 1  # R
    # G resolved 2/11 (due 25/10): late; L resolved? no: still open
    assert (counts.resolved_early, counts.resolved_on_time, counts.resolved_late) == (0, 0, 1)
    assert counts.withdrawn == 1  # J on 3/11
    # still open on 30/11: E (due 19/11), F, K (paused, within), L (due 10/11), R (due 21/11), T
    assert counts.in_progress == 6
    assert counts.paused == 1  # K; L handed in its supplement on 5/11


def test_reports_a_single_day_period(october, catalog):
    with october() as session:
        day = period_report(session, Period(date(2026, 10, 15), date(2026, 10, 15)), catalog,
                            procedure=GPXD)
    counts = day.totals
    assert counts.new_direct == 1  # T
    assert counts.resolved_on_time == 1  # B
    assert counts.received == counts.resolved + counts.withdrawn + counts.stopped + counts.in_progress


def test_reports_period_refuses_an_end_before_the_start():
    with pytest.raises(ValueError):
        Period(date(2026, 10, 2), date(2026, 10, 1))
    with pytest.raises(ValueError):
        Period.parse("2026-13-01", "2026-12-01")
