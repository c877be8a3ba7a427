"""Consulting another agency (liên thông): the request leaves, the reply lets appraisal go on."""

from __future__ import annotations

from datetime import datetime

from motcua.consultations import ConsultationReply, publish_reply

CODE = "000.00.17.H06-261124-0123"


def test_the_agency_is_asked_and_its_reply_comes_back_to_the_specialist(office, agency):
    office.start_workers()
    office.submit(code=CODE)
    office.complete("Task_ReceptionCheck", intakeDecision="accept")
    office.complete("Task_Appraise", appraisalOutcome="consult", consultAgency="PCCC",
                    consultQuestion="Đề nghị cho ý kiến về giải pháp phòng cháy chữa cháy")
    [request] = agency.wait_for(lambda requests: len(requests) == 1)
    assert request.path == "/lien-thong"
    body = request.body
    assert body["dossierCode"] == CODE and body["type"] == "request"
    assert body["question"].startswith("Đề nghị cho ý kiến")
    assert body["replyUrl"] == "https://motcua.test/api/v1/interagency/replies"
    assert datetime.fromisoformat(body["replyBy"]) > datetime.now().astimezone()

    reply = ConsultationReply.from_json({
        "dossierCode": CODE, "requestId": body["requestId"], "agencyCode": "PCCC",
        "agencyName": "Phòng Cảnh sát PCCC", "agreed": True, "opinion": "Thống nhất giải pháp",
        "documentNumber": "45/PCCC"})
    office.run(publish_reply(office.client, reply))
    _, again = office.user_task("Task_Appraise")
    assert again["consultationReply"]["agreed"] is True
    assert again["consultationReply"]["documentNumber"] == "45/PCCC"
    assert len(agency.requests) == 1
