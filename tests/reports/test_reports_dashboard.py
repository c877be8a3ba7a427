"""Workload per person and unit, and the overdue list, as the dashboard shows them."""

from __future__ import annotations

from datetime import date, datetime

from reports_dossiers import add_dossier

from motcua.db import transaction
from motcua.db.inbox_tasks import InboxTask, TaskState
from motcua.reports.charts import grouped_columns, horizontal_bars
from motcua.reports.dashboard import overdue_dossiers, workload
from motcua.reports.period import Period
from motcua.staff_accounts import create_user
from motcua.statuses import DossierStatus

NOVEMBER = Period.month(2026, 11)


def _task(job_key: int, *, claimed_by: str | None = None, completed_by: str | None = None,
          completed_at: datetime | None = None) -> InboxTask:
    return InboxTask(job_key=job_key, process_instance_key=job_key, bpmn_process_id="p",
                     element_id="e", name="Thẩm định", form_id="permit-appraisal",
                     candidate_groups=["specialist"], dossier_code="W", claimed_by=claimed_by,
                     state=TaskState.COMPLETED if completed_by else TaskState.OPEN,
                     completed_by=completed_by, completed_at=completed_at,
                     lease_until=datetime(2026, 11, 30))


def test_reports_workload_counts_steps_and_tasks_per_person_and_unit(sessions):
    with transaction(sessions) as session:
        create_user(session, "chuyenvien", "Trần Văn Minh", "mat-khau-123", ["specialist"],
                    unit="Phòng Quản lý xây dựng")
        create_user(session, "chuyenvien2", "Đỗ Văn Nam", "mat-khau-123", ["specialist"],
                    unit="Phòng Quản lý xây dựng")
        create_user(session, "tiepnhan", "Nguyễn Thị Lan", "mat-khau-123", ["reception"],
                    unit="Bộ phận Một cửa")
        # the desk received W in November (a "received" line by tiepnhan) and transferred it
        # (a line by the workers, "he-thong": not a person's)
        add_dossier(session, "W", received=datetime(2026, 11, 3, 9), due=date(2026, 11, 23),
                    steps=(("transfer", datetime(2026, 11, 3, 10), "he-thong"),
                           ("bo-sung-ghi-chu", datetime(2026, 10, 20, 9), "chuyenvien")))
        session.add_all([
            _task(1, completed_by="chuyenvien", completed_at=datetime(2026, 11, 5, 9)),  # counts
            _task(2, completed_by="chuyenvien", completed_at=datetime(2026, 10, 5, 9)),  # October
            _task(3, claimed_by="chuyenvien"),  # in hand
            _task(4, claimed_by="chuyenvien2"),  # in hand
        ])
    with sessions() as session:
        persons, units = workload(session, NOVEMBER)
    loads = {p.username: (p.steps_done, p.open_tasks, p.unit) for p in persons}
    assert loads == {
        "chuyenvien": (1, 1, "Phòng Quản lý xây dựng"),
        "chuyenvien2": (0, 1, "Phòng Quản lý xây dựng"),
        "tiepnhan": (1, 0, "Bộ phận Một cửa"),
    }
    assert [(u.unit, u.steps_done, u.open_tasks, u.people) for u in units] == [
        ("Phòng Quản lý xây dựng", 1, 2, 2), ("Bộ phận Một cửa", 1, 0, 1)]


def test_reports_overdue_list_oldest_promise_first(sessions, catalog):
    with transaction(sessions) as session:
        add_dossier(session, "LATE-3", received=datetime(2026, 10, 1, 9), due=date(2026, 11, 20))
        add_dossier(session, "LATE-9", received=datetime(2026, 10, 1, 9), due=date(2026, 11, 14))
        add_dossier(session, "DUE-TODAY", received=datetime(2026, 10, 1, 9), due=date(2026, 11, 23))
        add_dossier(session, "PAUSED", received=datetime(2026, 10, 1, 9), due=date(2026, 11, 1),
                    status=DossierStatus.SUPPLEMENT_REQUESTED)
        add_dossier(session, "DONE", received=datetime(2026, 10, 1, 9), due=date(2026, 11, 1),
                    finished=datetime(2026, 11, 2, 9), status=DossierStatus.PROCESSED)
    with sessions() as session:
        overdue = overdue_dossiers(session, catalog, date(2026, 11, 23))
    assert [(d.code, d.days_late) for d in overdue] == [("LATE-9", 9), ("LATE-3", 3)]


def test_reports_charts_escape_text_and_show_exact_numbers():
    svg = horizontal_bars([("<Thủ tục & co>", 87.5), ("Chưa có", None)], title="Tỷ lệ", maximum=100,
                          unit="%")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "&lt;Thủ tục &amp; co&gt;" in svg and "<Thủ tục" not in svg
    assert "88%" in svg and "—" in svg
    columns = grouped_columns(["Nhận", "Giải quyết"], [("Tháng trước", [10, 8]), ("Tháng này", [12, 0])],
                              title="So sánh")
    assert columns.count("<rect") == 4 + 2  # four columns, two legend keys
    assert "Tháng này — Nhận: 12" in columns
