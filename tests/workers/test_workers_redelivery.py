"""A job redelivered after a worker died, or completed twice, still gives one SMS, one status
line and one portal report."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import grpc
import pytest
import sqlalchemy as sa
from pyzeebe.proto import gateway_pb2 as pb
from workers_office import pdf_text

from motcua.db import (
    AuditEntry,
    Document,
    PortalOutbox,
    Rating,
    SmsMessage,
    StatusChange,
    transaction,
)
from workers import documents, dossier, interagency, notify, portal
from workers.records import register

CODE = "000.00.17.H06-261124-0042"


def take_job(stub, job_type: str, timeout_ms: int, wait_s: float = 20):
    """Activate one job like a worker that is about to die (it never completes it)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for response in stub.ActivateJobs(pb.ActivateJobsRequest(
                type=job_type, worker="doomed", timeout=timeout_ms, maxJobsToActivate=1,
                requestTimeout=500)):
            for job in response.jobs:
                return SimpleNamespace(key=job.key, type=job.type, element_id=job.elementId,
                                       element_instance_key=job.elementInstanceKey,
                                       retries=job.retries, variables=json.loads(job.variables))
        time.sleep(0.05)
    raise AssertionError(f"no {job_type} job")


def test_an_sms_job_redelivered_after_a_crash_and_completed_twice_sends_one_sms(office, sms_gateway, sessions):
    office.start_workers([dossier.router, documents.router, portal.router, interagency.router])
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    job = take_job(office.stub, "notify.sms", timeout_ms=1000)
    notify.send_sms(job)  # the SMS leaves, then the worker dies before completing the job
    assert len(sms_gateway.requests) == 1

    office.start_workers([notify.router])  # the job times out and comes back to a live worker
    office.user_task("Task_Appraise")
    notify.send_sms(job)  # a second worker finishing the same job late
    with pytest.raises(grpc.RpcError) as stale:
        office.stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables="{}"))
    assert stale.value.code() is grpc.StatusCode.NOT_FOUND
    assert len(sms_gateway.requests) == 1
    with sessions() as session:
        [message] = session.scalars(sa.select(SmsMessage)).all()
    assert message.idempotency_key == f"{CODE}:received" and message.attempts == 1


def registered(office_context) -> None:
    start = {"dossierCode": CODE, "procedureCode": "1.009994",
             "applicant": {"fullName": "Trần Văn Bình", "phone": "0912000111"}, "channel": "online"}
    with transaction(office_context.sessions) as session:
        register(session, start, office_context.catalog, datetime.now(UTC))


def job(key: int, **variables) -> SimpleNamespace:
    return SimpleNamespace(key=key, element_id="Task", element_instance_key=key + 1, retries=3,
                           variables={"dossierCode": CODE, **variables})


def test_a_status_and_its_portal_report_done_twice_count_once(office_context, sessions):
    registered(office_context)
    status = job(7001, status=4, step="transfer")
    report = job(7002, status=4, step="transfer")
    for _ in range(2):
        dossier.set_status(status)
        portal.report_to_portal(report)
    with sessions() as session:
        steps = session.scalars(sa.select(StatusChange.step).order_by(StatusChange.id)).all()
        outbox = session.scalars(sa.select(PortalOutbox)).all()
    assert steps == ["submitted", "transfer"]
    assert [row.idempotency_key for row in outbox] == [f"{CODE}:transfer:1"]


def test_rescheduling_happens_once_and_a_redelivered_job_gets_the_same_answer(office_context, sessions):
    registered(office_context)
    dossier.issue_receipt(job(8000))
    first = dossier.reschedule(job(8001))
    assert first["rescheduled"] is True and first["dueAt"] > first["previousDueAt"]
    assert dossier.reschedule(job(8001)) == first  # the same job, redelivered
    assert dossier.reschedule(job(8002)) == {"rescheduled": False}  # the law allows one
    apology = documents.generate_document(job(8003, documentType="apology",
                                              previousDueAt=first["previousDueAt"]))
    with sessions() as session:
        letter = session.get(Document, int(apology["documentId"]))
    text = pdf_text(letter.content)
    for moment in (first["previousDueAt"], first["dueAt"]):
        assert datetime.fromisoformat(moment).strftime("%d/%m/%Y") in text
    assert "xin lỗi Ông/Bà" in text


def test_the_desk_is_warned_once_per_job_and_a_declined_rating_is_not_stored(office_context, sessions):
    registered(office_context)
    warning = job(9001, event="due-soon", dueAt="2026-12-14T17:00:00+07:00")
    notify.warn_desk(warning)
    notify.warn_desk(warning)
    dossier.record_rating(job(9002, satisfaction="declined"))
    with sessions() as session:
        entries = session.scalars(sa.select(AuditEntry)).all()
        ratings = session.scalars(sa.select(Rating)).all()
    assert [(e.action, e.entity_id, e.details["dueAt"]) for e in entries] == [
        ("desk.due-soon", CODE, "2026-12-14T17:00:00+07:00")]
    assert ratings == []
