"""The application database on SQLite and PostgreSQL: migrations build exactly the models, and
a dossier with its timeline, pauses, documents and outbox rows survives a round trip."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from motcua.db import (
    ApiToken,
    AuditEntry,
    Base,
    CalendarOverride,
    DeliveryStatus,
    Document,
    DocumentKind,
    Dossier,
    DossierPause,
    Rating,
    Satisfaction,
    SmsMessage,
    StaffRole,
    StaffUser,
    alembic_config,
    current_revision,
    engine_for,
    load_working_calendar,
    migrate,
    transaction,
)
from motcua.deadlines import DeadlineUnit, Duration
from motcua.dossier_codes import next_code
from motcua.statuses import ApplicantKind, Channel, DossierStatus, PauseReason, ReportGroup

from .test_dossier_codes import run_together


def head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def new_dossier(session, received_at: datetime, **fields) -> Dossier:
    code = next_code(session, "000.00.17.H06", received_at)
    dossier = Dossier(
        code=str(code), procedure_code="1.009994", procedure_version=1,
        agency_code="000.00.17.H06", applicant_kind=ApplicantKind.PERSON,
        applicant_name="Nguyễn Văn An", applicant_id_number="001085012345",
        applicant_phone="0912345678", channel=Channel.DIRECT, received_at=received_at, **fields)
    session.add(dossier)
    return dossier


def test_migrate_builds_exactly_the_models(database_url):
    assert current_revision(database_url) is None
    migrate(database_url)
    migrate(database_url)  # every start calls it: the second time does nothing
    assert current_revision(database_url) == head()
    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(
                connection, opts={"compare_type": True}), Base.metadata)
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert {"dossiers", "status_changes", "dossier_pauses", "documents", "sms_messages",
            "portal_outbox", "ratings", "staff_users", "staff_role_grants",
            "calendar_overrides", "audit_entries", "dossier_code_counters"} <= tables


@pytest.mark.slow
def test_processes_starting_together_migrate_once(database_url):
    script = ("import sys; from motcua.db import migrate; print('ready', flush=True); "
              "sys.stdin.readline(); migrate(sys.argv[1])")
    run_together([sys.executable, "-c", script, database_url], processes=3)
    assert current_revision(database_url) == head()


def test_downgrade_and_upgrade_again(migrated_url):
    command.downgrade(alembic_config(migrated_url), "base")
    assert current_revision(migrated_url) is None
    migrate(migrated_url)
    assert current_revision(migrated_url) == head()


def test_dossier_round_trip_with_timeline_and_pause(sessions):
    # 09:30 in Hà Nội on Friday 13 Feb 2026 is 02:30 UTC
    received = datetime(2026, 2, 13, 9, 30)
    with transaction(sessions) as session:
        dossier = new_dossier(session, received, submitted_components=[
            {"component": "don-de-nghi", "copy_type": "original", "quantity": 1}],
            due_on=date(2026, 3, 5), process_instance_key=2251799813685249)
        dossier.record_status(DossierStatus.RECEIVED, actor="letan", step="tiep-nhan",
                              at=received, note="Đủ thành phần")
        dossier.record_status(DossierStatus.SUPPLEMENT_REQUESTED, actor="chuyenvien",
                              at=datetime(2026, 2, 24, 10, 0))
        dossier.pauses.append(DossierPause(reason=PauseReason.SUPPLEMENT,
                                           requested_at=datetime(2026, 2, 24, 10, 0),
                                           due_before=date(2026, 3, 5)))
        session.flush()
        session.add(Document(dossier_id=dossier.id, kind=DocumentKind.RECEIPT,
                             number="0001/TNHS", title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                             filename="tiep-nhan.pdf", media_type="application/pdf",
                             content=b"%PDF-1.7"))
        code = dossier.code

    with sessions() as session:
        stored = session.scalars(sa.select(Dossier).where(Dossier.code == code)).one()
        assert code == "000.00.17.H06-260213-0001"
        assert stored.received_at == datetime(2026, 2, 13, 2, 30, tzinfo=UTC)
        assert stored.status is DossierStatus.SUPPLEMENT_REQUESTED
        assert stored.status.report_group is ReportGroup.SUPPLEMENT
        assert [c.status for c in stored.timeline] == [DossierStatus.RECEIVED,
                                                      DossierStatus.SUPPLEMENT_REQUESTED]
        assert stored.timeline[0].note == "Đủ thành phần"
        assert stored.submitted_components[0]["component"] == "don-de-nghi"
        assert stored.process_instance_key == 2251799813685249
        assert stored.channel is Channel.DIRECT and stored.channel.portal_code == 1
        (pause,) = stored.pause_values()
        assert pause.is_open
        documents = session.scalars(sa.select(Document).where(Document.dossier_id == stored.id)).all()
        assert [d.content for d in documents] == [b"%PDF-1.7"]


def test_dossier_codes_are_unique(sessions):
    received = datetime(2026, 11, 24, 9, 0)
    with transaction(sessions) as session:
        new_dossier(session, received)
    with pytest.raises(sa.exc.IntegrityError), transaction(sessions) as session:
        first = session.scalars(sa.select(Dossier)).one()
        session.add(Dossier(code=first.code, procedure_code="1.009994", procedure_version=1,
                            agency_code="000.00.17.H06", applicant_kind=ApplicantKind.PERSON,
                            applicant_name="Trần Thị Bình", channel=Channel.ONLINE,
                            received_at=received))


def test_status_codes_outside_1_to_10_are_refused(sessions):
    with pytest.raises(sa.exc.IntegrityError), transaction(sessions) as session:
        dossier = new_dossier(session, datetime(2026, 11, 24, 9, 0))
        session.flush()
        session.execute(sa.text("UPDATE dossiers SET status = 11 WHERE id = :id"), {"id": dossier.id})


def test_an_sms_is_recorded_once_per_dossier_event(sessions):
    with transaction(sessions) as session:
        dossier = new_dossier(session, datetime(2026, 11, 24, 9, 0))
        session.flush()
        session.add(SmsMessage(idempotency_key=f"{dossier.code}:received", dossier_id=dossier.id,
                               event="received", phone="0912345678",
                               text=f"Ho so {dossier.code} da duoc tiep nhan"))
        key = f"{dossier.code}:received"
    with pytest.raises(sa.exc.IntegrityError), transaction(sessions) as session:
        session.add(SmsMessage(idempotency_key=key, event="received", phone="0912345678", text="again"))
    with sessions() as session:
        (message,) = session.scalars(sa.select(SmsMessage)).all()
        assert message.status is DeliveryStatus.PENDING and message.attempts == 0


def test_staff_roles_rating_and_audit(sessions):
    with transaction(sessions) as session:
        user = StaffUser(username="letan", full_name="Lê Thị Tân", unit="Bộ phận Một cửa")
        user.grant(StaffRole.RECEPTION)
        user.grant(StaffRole.RECEPTION)
        user.grant(StaffRole.SPECIALIST)
        session.add(user)
        dossier = new_dossier(session, datetime(2026, 11, 24, 9, 0))
        session.flush()
        session.add(Rating(dossier_id=dossier.id, criteria={"thai-do": 2, "thoi-gian": 1},
                           overall=Satisfaction.SATISFIED))
        session.add(AuditEntry(actor="letan", action="receive", entity_type="dossier",
                               entity_id=dossier.code, details={"channel": "direct"}))
    with sessions() as session:
        user = session.scalars(sa.select(StaffUser)).one()
        assert user.roles == {StaffRole.RECEPTION, StaffRole.SPECIALIST}
        assert session.scalars(sa.select(Rating)).one().criteria == {"thai-do": 2, "thoi-gian": 1}
        assert session.scalars(sa.select(AuditEntry)).one().details == {"channel": "direct"}


def test_calendar_overrides_in_the_database_change_deadlines(sessions):
    with transaction(sessions) as session:
        session.add(CalendarOverride(day=date(2026, 1, 2), working=False,
                                     note="Nghỉ bù Tết Dương lịch", created_by="admin"))
    with sessions() as session:
        calendar = load_working_calendar(session)
    deadline = calendar.appointment_date(datetime(2025, 12, 31, 9, 0), Duration(1, DeadlineUnit.WORKING_DAYS))
    assert deadline.due_on == date(2026, 1, 5)


def test_passwords_and_api_tokens(sessions):
    with transaction(sessions) as session:
        user = StaffUser(username="lanhdao", full_name="Phạm Văn Lãnh")
        user.set_password("mật-khẩu-dài")
        user.grant(StaffRole.LEADER)
        token_row, token = ApiToken.issue(user, name="cổng tỉnh")
        session.add_all([user, token_row])
    assert token_row.token_sha256 != token and "mật" not in user.password_hash
    with transaction(sessions) as session:
        user = session.scalars(sa.select(StaffUser)).one()
        assert user.check_password("mật-khẩu-dài") and not user.check_password("sai")
        assert ApiToken.find_user(session, token).username == "lanhdao"
        assert ApiToken.find_user(session, "not-a-token") is None
        user.active = False
    with sessions() as session:
        assert ApiToken.find_user(session, token) is None
        assert not session.scalars(sa.select(StaffUser)).one().check_password("mật-khẩu-dài")
