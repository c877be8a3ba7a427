"""Every job type the workers handle, declared once (docs/processes.md, "Job types")."""

VALIDATE_CHECKLIST = "dossier.validate-checklist"
ISSUE_RECEIPT = "dossier.issue-receipt"
SET_STATUS = "dossier.set-status"
REQUEST_SUPPLEMENT = "dossier.request-supplement"
RESUME_CLOCK = "dossier.resume-clock"
RESCHEDULE = "dossier.reschedule"
RECORD_RATING = "dossier.record-rating"
GENERATE_DOCUMENT = "document.render"
NOTIFY_SMS = "notify.sms"
NOTIFY_DESK = "notify.desk"
PORTAL_REPORT = "portal.report"
SEND_CONSULTATION = "interagency.request"
SEND_CONSULTATION_REMINDER = "interagency.remind"
CLOSE_OVERDUE_CONSULTATION = "interagency.close"

ALL = (
    VALIDATE_CHECKLIST, ISSUE_RECEIPT, SET_STATUS, REQUEST_SUPPLEMENT, RESUME_CLOCK, RESCHEDULE,
    RECORD_RATING, GENERATE_DOCUMENT, NOTIFY_SMS, NOTIFY_DESK, PORTAL_REPORT, SEND_CONSULTATION,
    SEND_CONSULTATION_REMINDER, CLOSE_OVERDUE_CONSULTATION,
)
