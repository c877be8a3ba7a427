"""Workers and the outside world failing: a worker killed mid-job, the engine restarted under
running workers, the provincial portal down for a while."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from faults_office import (
    EngineProcess,
    PortalStandIn,
    SmsGatewayStandIn,
    Staff,
    WorkerProcess,
    deploy,
    dossier_code,
    permit_components,
    phone_of,
    submit,
    wait_until,
    worker_env,
)
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from motcua.db import DeliveryStatus, SmsMessage, engine_for, migrate, session_factory

pytestmark = pytest.mark.slow
JOB_TIMEOUT_MS = 4000


@pytest.fixture
def world(tmp_path):
    """A fresh application database, the engine as a process with bpmn/ and forms/, the stand-ins."""
    database_url = f"sqlite:///{tmp_path / 'motcua.db'}"
    migrate(database_url)
    sms, portal = SmsGatewayStandIn(), PortalStandIn()
    engine = EngineProcess(tmp_path / "engine", tmp_path / "engine.log")
    engine.start()
    deploy(engine.address)
    staff = Staff(engine.address)
    started: list[WorkerProcess] = []

    def workers(file_size_limit: int | None = None, **extra: str) -> WorkerProcess:
        process = WorkerProcess(worker_env(engine.address, database_url, sms, portal) | extra,
                                tmp_path / f"workers-{len(started)}.log", timeout_ms=JOB_TIMEOUT_MS,
                                file_size_limit=file_size_limit)
        process.start()
        started.append(process)
        return process

    yield type("World", (), {"database_url": database_url, "sms": sms, "portal": portal,
                             "engine": engine, "staff": staff, "workers": workers,
                             "tmp_path": tmp_path})
    staff.close()
    for process in started:
        process.stop()
    engine.stop()
    sms.close()
    portal.close()


def new_dossier(world, number: int) -> None:
    with grpc.insecure_channel(world.engine.address) as channel:
        submit(GatewayStub(channel), number, permit_components())


def staff_until(world, element_id: str, count: int = 1, timeout: float = 40) -> None:
    """Staff work until `element_id` has been completed `count` times in all."""
    wait_until(lambda: world.staff.round() >= 0 and world.staff.completed[element_id] >= count,
               timeout, f"{element_id} done {count} time(s)", every=0.05)


def sms_rows(database_url: str) -> list[SmsMessage]:
    engine = engine_for(database_url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(sa.select(SmsMessage).order_by(SmsMessage.id)))
    finally:
        engine.dispose()


def test_a_worker_killed_mid_sms_job_leaves_one_sms_after_the_job_times_out(world):
    doomed = world.workers()
    new_dossier(world, 1)
    world.sms.hold.clear()          # the SMS gateway keeps the worker waiting on its answer ...
    staff_until(world, "Task_ReceptionCheck")
    assert world.sms.arrived.wait(30), "no SMS left the worker"
    killed_at = time.monotonic()
    doomed.kill()                   # ... and the worker dies holding the notify.sms job
    world.sms.hold.set()
    world.workers()                 # a fresh worker; the job must come back after its timeout
    staff_until(world, "Task_Appraise", timeout=60)  # the dossier went on past the SMS
    came_back_after = time.monotonic() - killed_at

    requests = world.sms.bodies()
    assert {b["Phone"] for b in requests} == {phone_of(1)}
    assert len({b["RequestId"] for b in requests}) == 1, "the citizen would get two SMS"
    # the job came back to the new worker, which sent again under the same RequestId (the
    # gateway drops it: the doomed worker's send may or may not have gone out)
    assert len(requests) == 2
    assert came_back_after >= JOB_TIMEOUT_MS / 1000 * 0.9
    [row] = sms_rows(world.database_url)
    assert row.status is DeliveryStatus.SENT and row.idempotency_key == f"{dossier_code(1)}:received"
    assert row.attempts == 2


def test_workers_keep_working_after_the_engine_is_killed_and_restarted(world):
    """`python -m workers` as it is configured: after an engine restart it must pick up jobs again
    (pyzeebe's default gives up for good after 10 gateway errors in the worker's whole life)."""
    world.workers()
    new_dossier(world, 1)
    staff_until(world, "Task_ReceptionCheck")
    wait_until(lambda: len(world.sms.requests) == 1, 30, "the received SMS")
    world.engine.kill()
    time.sleep(1)
    world.engine.start()
    new_dossier(world, 2)
    staff_until(world, "Task_ReceptionCheck", count=2, timeout=25)  # needs the checklist job done
    wait_until(lambda: phone_of(2) in world.sms.per_phone(), 30,
               "the second dossier's SMS: the workers stopped taking jobs after the restart")


def test_the_portal_down_delays_reports_but_never_processing(world):
    """The portal.report jobs lie on the dossier's path (each status is reported before the next
    step opens): staff getting every step while the portal refuses everything shows that no job
    waits for it; the reports queued meanwhile reach it later, in order, once each."""
    world.portal.down = True
    world.workers()
    for number in (1, 2):
        new_dossier(world, number)
    for element_id in ("Task_ReceptionCheck", "Task_Appraise", "Task_HeadReview", "Task_LeaderSign"):
        staff_until(world, element_id, count=2, timeout=30)
    wait_until(lambda: world.sms.per_phone() == {phone_of(1): 2, phone_of(2): 2}, 30,
               "the result-ready SMS")
    wait_until(lambda: world.portal.refused >= 2, 10, "the courier to try the portal")
    assert world.portal.requests == []  # tried and refused, yet both dossiers were resolved

    world.portal.down = False
    expected = {(dossier_code(n), s) for n in (1, 2) for s in (2, 4, 9)}
    reports = wait_until(lambda: (r := world.portal.reports()) and expected <= set(r) and r, 40,
                         "the queued reports after the portal came back")
    assert max(reports.values()) == 1
    assert max(world.portal.keys().values()) == 1
    for number in (1, 2):  # a dossier's reports in the order they were made
        assert world.portal.statuses_of(dossier_code(number))[:3] == [2, 4, 9]


def test_a_locked_application_database_delays_the_dossier_but_repeats_nothing(world):
    """Another program holds the application database locked for a few seconds while jobs need it
    (backup tool, a long report): the jobs wait or are retried, nothing is sent twice, and the
    database is intact afterwards."""
    import sqlite3

    world.workers()
    new_dossier(world, 1)
    path = world.database_url.removeprefix("sqlite:///")
    staff_until(world, "Task_ReceptionCheck")
    locker = sqlite3.connect(path, timeout=30, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # the receipt, status and SMS jobs now need the database
    try:
        time.sleep(6)
        # nothing left the office while its record could not be written
        assert world.sms.requests == [] and not world.portal.reports()
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    staff_until(world, "Task_Appraise", timeout=60)
    wait_until(lambda: world.sms.per_phone()[phone_of(1)] == 1, 30, "the received SMS")
    time.sleep(1)
    assert world.sms.per_phone() == {phone_of(1): 1}
    assert max(world.portal.keys().values()) == 1
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_full_disk_under_the_application_database_fails_the_job_clearly_and_corrupts_nothing(world):
    """The disk under the application database fills up while the dossier is received (a file-size
    limit on the workers, the way a full partition answers): the job fails with SQLite's own words
    in the log and is retried later; once space is freed the dossier goes on, with one receipt,
    one timeline line per step, one SMS, and an intact database."""
    import sqlite3

    path = world.database_url.removeprefix("sqlite:///")
    room = 48 * 1024  # the first rows of the dossier fit, not all of its reception
    workers = world.workers(file_size_limit=Path(path).stat().st_size + room,
                            MOTCUA_JOB_RETRY_BACKOFF_MS="4000")
    new_dossier(world, 1)
    # whichever reception step meets the full disk first (it depends on the WAL's checkpoints),
    # its job fails clearly; the staff keep working meanwhile, and space is freed before the
    # retry (4 s later) so no retries run out
    log = world.tmp_path / "workers-0.log"

    def disk_failure() -> str | None:
        world.staff.round()
        return next((line for line in log.read_text(errors="replace").splitlines()
                     if " failed: " in line and "disk" in line), None)

    failure = wait_until(disk_failure, 40, "a job to fail on the full disk", every=0.05)
    assert dossier_code(1) in failure and ("disk is full" in failure or "disk I/O" in failure), failure
    workers.free_disk_space()
    staff_until(world, "Task_ReceptionCheck", timeout=60)
    staff_until(world, "Task_Appraise", timeout=60)  # the retried jobs received the dossier
    wait_until(lambda: world.sms.per_phone()[phone_of(1)] >= 1, 30, "the received SMS")
    time.sleep(1)
    # an SMS whose sending could not be recorded is sent again under the same RequestId, which
    # the gateway drops: the citizen gets one
    assert world.sms.distinct_per_phone() == {phone_of(1): 1}
    assert world.sms.per_phone()[phone_of(1)] <= 2
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        [(sent,)] = check.execute("SELECT count(*) FROM sms_messages WHERE lower(status) = 'sent'")
        [(receipts,)] = check.execute("SELECT count(*) FROM documents WHERE lower(kind) = 'receipt'")
        steps = Counter(step for (step,) in check.execute("SELECT step FROM status_changes") if step)
    assert (sent, receipts) == (1, 1)
    assert steps and max(steps.values()) == 1, steps
