"""Every path of every diagram, run on the embedded engine with its test kit.

An `Office` plays the job workers and the staff: it completes jobs the way the workers of
docs/processes.md will, completes user tasks with form values, and remembers what happened so a
test can read like what a person would check — which SMS the citizen got, which statuses the
portal saw, which documents were issued.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

testkit = pytest.importorskip(
    "engine.testkit", reason="the engine's test kit (engine/testkit.py) is missing"
)

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "forms").glob("*.form"))
USER_TASK = "io.camunda.zeebe:userTask"
FAMILIES = ["construction-permit", "practising-certificate", "design-appraisal"]
RESULT_DOCUMENT = {
    "construction-permit": "construction-permit",
    "practising-certificate": "practising-certificate",
    "design-appraisal": "appraisal-notice",
}

# The test kit's clock starts on Monday 2026-03-02 08:00 UTC (15:00 in Hà Nội).
DUE = "2026-03-30T17:00:00+07:00"
WARN = "2026-03-27T17:00:00+07:00"
STEP_DUE = {
    "appraisal": "2026-03-20T17:00:00+07:00",
    "headReview": "2026-03-24T17:00:00+07:00",
    "leaderSign": "2026-03-26T17:00:00+07:00",
    "resultReturn": DUE,
}

# What the workers answer, per job type (docs/processes.md).
WORKER_RESULTS: dict[str, dict[str, Any]] = {
    "dossier.validate-checklist": {
        "checklistComplete": True,
        "missingComponents": [],
        "unknownComponents": [],
        "missingItems": [],
        "intakeCheckDueAt": "2026-03-11T17:00:00+07:00",
    },
    "dossier.issue-receipt": {
        "receiptNumber": "TN-0001",
        "receivedAt": "2026-03-02T15:00:00+07:00",
        "dueAt": DUE,
        "warnAt": WARN,
        "stepDueAt": STEP_DUE,
    },
    "dossier.request-supplement": {
        "supplementDueAt": "2026-04-01T17:00:00+07:00",
        "supplementRequestedAt": "2026-03-02T15:00:00+07:00",
    },
    "dossier.resume-clock": {
        "dueAt": "2026-04-27T17:00:00+07:00",
        "warnAt": "2026-04-24T17:00:00+07:00",
        "stepDueAt": {**STEP_DUE, "resultReturn": "2026-04-27T17:00:00+07:00"},
    },
    "dossier.reschedule": {
        "rescheduled": True,
        "dueAt": "2026-04-10T17:00:00+07:00",
        "warnAt": "2026-04-09T17:00:00+07:00",
        "previousDueAt": DUE,
    },
    "interagency.request": {
        "consultationRequestId": "LT-0001",
        "consultationRemindAt": "2026-03-09T17:00:00+07:00",
        "consultationDueAt": "2026-03-16T17:00:00+07:00",
    },
    "interagency.close": {"consultationReply": None},
    "document.render": {"documentId": "doc-1"},
    "notify.sms": {"smsSent": "sms-1"},
}


class Office:
    """The workers and the staff of the department, driving one dossier through a process."""

    def __init__(self, kit) -> None:
        self.kit = kit
        self.done: list[tuple[str, dict[str, Any]]] = []
        self.dossier = None

    # ---- starting --------------------------------------------------------------------------
    def submit(self, process_id: str, code: str = "000.00.17.H06-260302-0001"):
        self.dossier = self.kit.start(
            process_id,
            dossierCode=code,
            procedureCode="1.009994",
            procedureName="Cấp giấy phép xây dựng mới",
            applicant={
                "fullName": "Nguyễn Văn An",
                "phone": "0912345678",
                "idNumber": "001090000001",
            },
            components=[
                {"id": "don-de-nghi", "name": "Đơn đề nghị", "copyType": "original", "quantity": 1}
            ],
            channel="counter",
        )
        return self.dossier

    # ---- workers ---------------------------------------------------------------------------
    def waiting(self) -> list[str]:
        return sorted(
            j["type"] if j["type"] != USER_TASK else j["element_id"]
            for j in self.kit.jobs(None)
            if j["state"] in ("ACTIVATABLE", "ACTIVATED")
        )

    def work(self, job_type: str, **result: Any) -> dict[str, Any]:
        """Activate and complete one job of this type, like its worker; returns the job's variables."""
        jobs = self.kit.activate(job_type)
        assert jobs, f"no '{job_type}' job is waiting; waiting: {self.waiting()}"
        job = jobs[0]
        variables = dict(job.variables)
        answer = {**WORKER_RESULTS.get(job_type, {}), **result}
        if job_type == "dossier.reschedule" and job_type in [t for t, _ in self.done]:
            answer = {"rescheduled": False}  # the law allows one new date per dossier
        self.done.append((job_type, variables))
        self.kit.engine.complete_job(job.key, answer)
        return variables

    def run_workers(self, **overrides: dict[str, Any]) -> None:
        """Complete every waiting automatic job until only people (or events) are awaited."""
        for _ in range(100):
            types = [t for t in self.waiting() if "." in t]
            if not types:
                return
            self.work(types[0], **overrides.get(types[0], {}))
        raise AssertionError("the workers never ran out of jobs: a loop without a wait state?")

    # ---- people ----------------------------------------------------------------------------
    def task(self, element_id: str, **values: Any) -> dict[str, str]:
        headers = self.kit.user_task_headers(element_id)
        self.kit.complete_user_task(element_id, **values)
        self.done.append((element_id, values))
        return headers

    def task_variables(self, element_id: str) -> dict[str, Any]:
        """The variables the inbox gets with the user task at `element_id` (what its form shows)."""
        jobs = [j for j in self.kit.activate(USER_TASK, max_jobs=10) if j.element_id == element_id]
        assert jobs, f"no user task is waiting at {element_id}; waiting: {self.waiting()}"
        return dict(jobs[0].variables)

    # ---- what happened ---------------------------------------------------------------------
    @property
    def worked(self) -> list[str]:
        """The job types and user tasks done, in order."""
        return [t for t, _ in self.done]

    def inputs(self, job_type: str, name: str) -> list[Any]:
        return [v.get(name) for t, v in self.done if t == job_type]

    @property
    def sms(self) -> list[str]:
        return self.inputs("notify.sms", "event")

    @property
    def statuses(self) -> list[int]:
        return [int(s) for s in self.inputs("dossier.set-status", "status")]

    @property
    def portal(self) -> list[int]:
        return [int(s) for s in self.inputs("portal.report", "status")]

    @property
    def documents(self) -> list[str]:
        return self.inputs("document.render", "documentType")

    def advance(self, **delta: float) -> None:
        self.kit.advance(timedelta(**delta))

    # ---- whole stretches -------------------------------------------------------------------
    def receive(self) -> None:
        """Reception accepts a complete dossier; the dossier is transferred to the specialists."""
        self.run_workers()
        self.task("Task_ReceptionCheck", intakeDecision="accept", receptionNote="")
        self.run_workers()

    def appraise_and_propose(self, recommendation: str = "approve") -> None:
        self.task(
            "Task_Appraise",
            appraisalOutcome="propose",
            recommendation=recommendation,
            appraisalOpinion="Hồ sơ đầy đủ, thiết kế phù hợp quy hoạch.",
        )

    def approve_up_to_leader(self) -> None:
        self.appraise_and_propose()
        self.task("Task_HeadReview", headDecision="approve", headComment="")

    def return_result(self) -> None:
        self.task(
            "Task_ReturnResult",
            deliveryMethod="counter",
            receiverName="Nguyễn Văn An",
            receiverIdNumber="001090000001",
            returnedAt="2026-03-20T09:00:00+07:00",
        )
        self.run_workers()
        self.task("Task_RateSatisfaction", satisfaction="satisfied", ratingCriteria={"time": "2"})
        self.run_workers()


@pytest.fixture
def office(tmp_path):
    with testkit.ProcessTestEngine(tmp_path) as kit:
        kit.deploy(*RESOURCES)
        yield Office(kit)


def assert_clean(office: Office) -> None:
    assert not office.kit.engine.incidents(), office.kit.engine.incidents()


# ============================================================================ happy paths
@pytest.mark.parametrize("process_id", FAMILIES)
def test_complete_dossier_goes_from_receipt_to_rating(office, process_id):
    dossier = office.submit(process_id)
    office.receive()
    assert office.sms == ["received"] and office.statuses == [2, 4]
    assert dossier.is_waiting_at("Task_Appraise")

    office.approve_up_to_leader()
    office.task(
        "Task_LeaderSign", leaderDecision="approve", signatureConfirmed=True, resultNumber="12/GPXD"
    )
    # the leader's signature puts the citizen's SMS in the queue at once
    assert "notify.sms" in office.waiting()
    office.run_workers()
    assert office.sms == ["received", "result-ready"]
    assert office.statuses == [2, 4, 9]

    office.return_result()
    assert dossier.is_completed() and dossier.passed("End_Completed")
    assert office.sms == ["received", "result-ready", "returned"]
    assert office.statuses == [2, 4, 9, 10] == office.portal
    assert office.documents == ["receipt", RESULT_DOCUMENT[process_id], "control-sheet"]
    assert dossier.variables["deliveryMethod"] == "counter"
    assert dossier.variables["satisfaction"] == "satisfied"
    assert_clean(office)


def test_user_tasks_carry_form_groups_and_due_dates(office):
    office.submit("construction-permit")
    office.run_workers()
    headers = office.kit.user_task_headers("Task_ReceptionCheck")
    assert headers["io.camunda.zeebe:candidateGroups"] == '["reception"]'
    assert headers["io.camunda.zeebe:dueDate"].startswith("2026-03-11T17:00:00")
    form = office.kit.engine.form(int(headers["io.camunda.zeebe:formKey"]))
    assert form["form_id"] == "reception-check"
    shown = office.task_variables("Task_ReceptionCheck")
    assert shown["taskContextDisplayName"] == "000.00.17.H06-260302-0001 · Nguyễn Văn An"

    office.task("Task_ReceptionCheck", intakeDecision="accept")
    office.run_workers()
    for element, group, form_id, due in [
        ("Task_Appraise", "specialist", "permit-appraisal", STEP_DUE["appraisal"]),
        ("Task_HeadReview", "head", "head-review", STEP_DUE["headReview"]),
        ("Task_LeaderSign", "leader", "leader-sign", STEP_DUE["leaderSign"]),
    ]:
        headers = office.kit.user_task_headers(element)
        assert headers["io.camunda.zeebe:candidateGroups"] == f'["{group}"]'
        assert headers["io.camunda.zeebe:dueDate"].startswith(due[:19])
        assert (
            office.kit.engine.form(int(headers["io.camunda.zeebe:formKey"]))["form_id"] == form_id
        )
        if element == "Task_Appraise":
            office.appraise_and_propose()
        elif element == "Task_HeadReview":
            office.task(element, headDecision="approve")


def test_a_restarted_engine_carries_on(office):
    dossier = office.submit("construction-permit")
    office.receive()
    office.appraise_and_propose()
    office.kit.restart()
    office.task("Task_HeadReview", headDecision="approve")
    office.task("Task_LeaderSign", leaderDecision="approve", signatureConfirmed=True)
    office.run_workers()
    office.return_result()
    assert dossier.is_completed()


# ================================================================================ intake
def test_incomplete_dossier_is_completed_after_one_supplement_request(office):
    dossier = office.submit("construction-permit")
    office.run_workers(**{"dossier.validate-checklist": {"checklistComplete": False}})
    missing = [
        {"name": "Bản vẽ mặt cắt móng", "detail": "02 bộ"},
        {"name": "Giấy tờ đất", "detail": ""},
    ]
    office.task(
        "Task_ReceptionCheck",
        intakeDecision="supplement",
        missingItems=missing,
        contactPhone="0987654321",
    )
    office.run_workers()
    assert office.inputs("dossier.request-supplement", "stage") == ["intake"]
    assert office.inputs("dossier.request-supplement", "missingItems") == [missing]
    assert office.sms == ["supplement-requested"] and office.statuses == [5]
    assert office.documents == ["supplement-request"]

    handed_in = [{"id": "ban-ve", "name": "Bản vẽ", "copyType": "original", "quantity": 2}]
    office.kit.publish_message(
        "dossier-resubmitted",
        correlation_key=dossier.variables["dossierCode"],
        components=handed_in,
    )
    office.run_workers()  # the checklist is checked again
    office.task("Task_ReceptionCheck", intakeDecision="accept")
    office.run_workers()
    assert office.sms == ["supplement-requested", "received"]
    assert office.statuses == [5, 2, 4]
    assert dossier.is_waiting_at("Task_Appraise")
    assert office.task_variables("Task_Appraise")["components"] == handed_in
    assert_clean(office)


def test_supplement_never_handed_in_ends_as_not_accepted(office):
    dossier = office.submit("construction-permit")
    office.run_workers()
    office.task(
        "Task_ReceptionCheck",
        intakeDecision="supplement",
        missingItems=[{"name": "Đơn", "detail": ""}],
    )
    office.run_workers()
    office.advance(days=29)  # supplementDueAt is 2026-04-01 17:00 (+07)
    assert "dossier.set-status" not in office.waiting()
    office.advance(days=2)
    office.run_workers()
    assert office.statuses == [5, 3] == office.portal
    assert office.inputs("dossier.set-status", "step") == ["supplement-requested", "not-accepted"]
    assert office.sms == ["supplement-requested", "refused"]
    assert dossier.is_completed() and dossier.passed("End_NotAccepted")
    assert dossier.variables["intakeResult"] == "not-accepted"
    assert_clean(office)


def test_ineligible_dossier_is_refused_at_the_desk(office):
    dossier = office.submit("practising-certificate")
    office.run_workers()
    office.task(
        "Task_ReceptionCheck",
        intakeDecision="refuse",
        refusalReason="Không thuộc thẩm quyền của Sở.",
    )
    office.run_workers()
    assert office.documents == ["refusal"]
    assert office.statuses == [3] and office.sms == ["refused"]
    assert dossier.is_completed() and dossier.variables["intakeResult"] == "refused"
    assert_clean(office)


# ============================================================================ processing
def test_supplement_during_appraisal_pauses_the_clock(office):
    dossier = office.submit("construction-permit")
    office.receive()
    office.task(
        "Task_Appraise",
        appraisalOutcome="supplement",
        appraisalOpinion="Thiếu thuyết minh kết cấu móng.",
        missingItems=[{"name": "Thuyết minh kết cấu", "detail": "bản có chữ ký"}],
    )
    office.run_workers()
    assert office.inputs("dossier.request-supplement", "stage") == ["processing"]
    assert office.statuses == [2, 4, 5] and office.sms[-1] == "supplement-requested"
    # while the applicant is away the due-date timers are not armed
    assert not {"Event_Due", "Event_DueSoon"} & set(dossier.armed_timers())
    office.advance(days=20)  # past the first warning date
    assert "notify.desk" not in office.waiting()

    office.kit.publish_message(
        "dossier-resubmitted", correlation_key=dossier.variables["dossierCode"]
    )
    office.run_workers()
    assert [t for t, _ in office.done if t == "dossier.resume-clock"]
    assert office.statuses == [2, 4, 5, 4]
    assert dossier.is_waiting_at("Task_Appraise") and "Event_Due" in dossier.armed_timers()
    shown = office.task_variables("Task_Appraise")
    assert shown["dueAt"] == WORKER_RESULTS["dossier.resume-clock"]["dueAt"]
    office.advance(days=10)  # past the original due date, before the new one
    assert "dossier.reschedule" not in office.waiting() and "notify.desk" not in office.waiting()
    assert_clean(office)


def test_supplement_during_appraisal_not_handed_in_stops_processing(office):
    dossier = office.submit("design-appraisal")
    office.receive()
    office.task(
        "Task_Appraise",
        appraisalOutcome="supplement",
        appraisalOpinion="Thiếu hồ sơ khảo sát.",
        missingItems=[{"name": "Hồ sơ khảo sát", "detail": ""}],
    )
    office.run_workers()
    office.advance(days=31)
    office.run_workers()
    assert office.statuses == [2, 4, 5, 8] == office.portal
    assert office.documents[-1] == "stop-notice" and office.sms[-1] == "refused"
    assert dossier.is_completed() and dossier.passed("End_Stopped")
    assert_clean(office)


def test_head_of_unit_returns_the_dossier_to_the_specialist(office):
    dossier = office.submit("construction-permit")
    office.receive()
    office.appraise_and_propose()
    office.task(
        "Task_HeadReview", headDecision="return", returnReason="Làm rõ khoảng lùi công trình."
    )
    assert dossier.is_waiting_at("Task_Appraise")
    office.approve_up_to_leader()
    assert dossier.is_waiting_at("Task_LeaderSign")
    assert [t for t, _ in office.done].count("Task_Appraise") == 2
    assert_clean(office)


def test_leader_refuses(office):
    dossier = office.submit("construction-permit")
    office.receive()
    office.appraise_and_propose(recommendation="refuse")
    office.task("Task_HeadReview", headDecision="approve")
    office.task(
        "Task_LeaderSign", leaderDecision="refuse", leaderRefusalReason="Vi phạm chỉ giới xây dựng."
    )
    office.run_workers()
    assert office.documents[-1] == "refusal-decision"
    assert (
        office.statuses == [2, 4, 9]
        and office.inputs("dossier.set-status", "step")[-1] == "resolved-refused"
    )
    assert office.sms == ["received", "refused"]
    office.return_result()
    assert "result-ready" not in office.sms and office.sms[-1] == "returned"
    assert dossier.is_completed()
    assert_clean(office)


# ========================================================================== consultation
def consult(office: Office) -> None:
    office.task(
        "Task_Appraise",
        appraisalOutcome="consult",
        appraisalOpinion="Cần ý kiến về PCCC.",
        consultAgency="police-fire",
        consultQuestion="Đề nghị cho ý kiến về giải pháp PCCC của công trình.",
    )


def test_consultation_reply_comes_back_to_the_specialist(office):
    office.submit("construction-permit")
    office.receive()
    consult(office)
    request = office.work("interagency.request")
    assert request["agencyCode"] == "police-fire"
    assert request["consultationQuestion"].startswith("Đề nghị cho ý kiến")
    reply = {
        "agencyCode": "police-fire",
        "agencyName": "Cảnh sát PCCC",
        "agreed": True,
        "opinion": "Đạt.",
    }
    office.kit.publish_message(
        "interagency-reply", correlation_key="LT-0001", consultationReply=reply
    )
    shown = office.task_variables("Task_Appraise")
    assert shown["consultationReply"] == reply
    assert shown["consultationAnswered"] is True
    assert "interagency.remind" not in office.waiting()
    assert_clean(office)


def test_consultation_is_reminded_then_given_up_when_overdue(office):
    dossier = office.submit("design-appraisal")
    office.receive()
    consult(office)
    office.run_workers()
    office.advance(days=7, hours=3)  # past consultationRemindAt (2026-03-09 17:00 +07)
    office.work("interagency.remind")
    assert not dossier.is_waiting_at("Task_Appraise")
    office.advance(days=7)  # past consultationDueAt (2026-03-16 17:00 +07)
    assert office.work("interagency.close")["consultationRequestId"] == "LT-0001"
    assert office.work("notify.desk")["event"] == "consultation-overdue"
    shown = office.task_variables("Task_Appraise")
    assert shown["consultationAnswered"] is False and shown.get("consultationReply") is None
    assert_clean(office)


def test_a_reply_taken_just_before_the_deadline_still_reaches_the_specialist(office):
    office.submit("construction-permit")
    office.receive()
    consult(office)
    office.run_workers()
    office.advance(days=15)  # past the reminder and consultationDueAt: both timers fire
    reply = {"agencyCode": "police-fire", "agreed": False, "opinion": "Thiếu lối thoát nạn."}
    office.run_workers(**{"interagency.close": {"consultationReply": reply}})  # recorded first
    shown = office.task_variables("Task_Appraise")
    assert shown["consultationReply"] == reply and shown["consultationAnswered"] is True
    assert "notify.desk" not in office.worked
    assert_clean(office)


def test_a_reply_to_the_first_consultation_never_reaches_the_second(office):
    dossier = office.submit("design-appraisal")
    office.receive()
    consult(office)
    office.run_workers()
    office.advance(days=15)  # the first consultation closes unanswered
    office.run_workers()
    late = {"agencyCode": "police-fire", "agreed": True, "opinion": "Đồng ý (gửi muộn)."}
    for key in ("LT-0001", dossier.variables["dossierCode"]):  # buffered for a day, both ways
        office.kit.publish_message(
            "interagency-reply", correlation_key=key, ttl=timedelta(days=1), consultationReply=late
        )
    consult(office)
    office.run_workers(**{"interagency.request": {"consultationRequestId": "LT-0002",
                                                  "consultationRemindAt": "2026-03-24T17:00:00+07:00",
                                                  "consultationDueAt": "2026-03-31T17:00:00+07:00"}})
    assert "Task_Appraise" not in office.waiting()  # the second consultation still waits
    answer = {"agencyCode": "police-fire", "agreed": False, "opinion": "Chưa đạt."}
    office.kit.publish_message("interagency-reply", correlation_key="LT-0002", consultationReply=answer)
    assert office.task_variables("Task_Appraise")["consultationReply"] == answer
    assert_clean(office)


# ====================================================================== due date and apology
def test_desk_is_warned_the_day_before_and_apology_is_issued_only_once(office):
    dossier = office.submit("construction-permit")
    office.receive()
    office.advance(days=26)  # 2026-03-28 15:00 (+07): after warnAt, before dueAt
    assert office.work("notify.desk")["event"] == "due-soon"
    assert "dossier.reschedule" not in office.waiting()
    office.advance(days=3)  # past dueAt
    office.run_workers()
    assert office.sms[-1] == "late-apology" and office.documents[-1] == "apology"
    assert office.inputs("portal.report", "step")[-1] == "rescheduled"
    assert dossier.passed("End_Apologised")
    assert dossier.is_waiting_at("Task_Appraise")  # work goes on

    # a supplement re-arms the timers with the new dates; the due date passes again: no second apology
    office.task(
        "Task_Appraise",
        appraisalOutcome="supplement",
        appraisalOpinion="Thiếu bản vẽ.",
        missingItems=[{"name": "Bản vẽ", "detail": ""}],
    )
    office.run_workers()
    office.kit.publish_message(
        "dossier-resubmitted", correlation_key=dossier.variables["dossierCode"]
    )
    office.run_workers(
        **{
            "dossier.resume-clock": {
                "dueAt": "2026-04-03T17:00:00+07:00",
                "warnAt": "2026-04-02T17:00:00+07:00",
            }
        }
    )
    office.advance(days=10)
    office.run_workers()
    assert dossier.passed("End_NoSecondApology")
    assert office.sms.count("late-apology") == 1
    assert office.documents.count("apology") == 1
    assert [t for t, _ in office.done].count(
        "dossier.reschedule"
    ) == 2  # asked again, answered "no"
    assert dossier.is_waiting_at("Task_Appraise")
    assert_clean(office)


def test_after_the_apology_staff_see_the_new_due_date(office):
    """Zeebe keeps one `dueAt` per instance scope: the date set by the apology branch is the one
    the specialist's task carries from then on."""
    office.submit("construction-permit")
    office.receive()
    office.advance(days=29)
    office.run_workers()
    assert office.sms[-1] == "late-apology"
    new_due = WORKER_RESULTS["dossier.reschedule"]["dueAt"]
    assert office.task_variables("Task_Appraise")["dueAt"] == new_due
    assert_clean(office)


def test_dossier_resolved_in_time_cancels_the_due_date_timers(office):
    dossier = office.submit("practising-certificate")
    office.receive()
    office.approve_up_to_leader()
    office.task("Task_LeaderSign", leaderDecision="approve", signatureConfirmed=True)
    office.run_workers()
    office.advance(days=40)
    assert "notify.desk" not in office.waiting() and "dossier.reschedule" not in office.waiting()
    assert dossier.is_waiting_at("Call_ReturnResult")
    assert_clean(office)


# ========================================================================= result return
def test_result_sent_by_post_and_rating_declined(office):
    dossier = office.submit("construction-permit")
    office.receive()
    office.approve_up_to_leader()
    office.task("Task_LeaderSign", leaderDecision="approve", signatureConfirmed=True)
    office.run_workers()
    office.task(
        "Task_ReturnResult",
        deliveryMethod="post",
        postTrackingNumber="EB123456789VN",
        returnedAt="2026-03-21T10:00:00+07:00",
    )
    office.run_workers()
    assert office.sms[-1] == "returned" and office.statuses[-1] == 10
    office.task("Task_RateSatisfaction", satisfaction="declined")
    rating = office.work("dossier.record-rating")
    assert rating["satisfaction"] == "declined"
    office.run_workers()
    assert dossier.is_completed()
    assert dossier.variables["deliveryMethod"] == "post"
    assert dossier.variables["returnedAt"] == "2026-03-21T10:00:00+07:00"
    assert_clean(office)
