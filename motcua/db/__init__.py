"""The application database: the system of record for dossiers (SQLAlchemy 2, Alembic).

Public API
----------
- `engine_for(url) -> Engine`, `session_factory(engine_or_url) -> sessionmaker`,
  `transaction(sessions)` (context manager: one committed transaction),
  `migrate(url, revision="head")` (Alembic upgrade; the command line calls it on start),
  `current_revision(url)`.
- Models: `Dossier`, `DossierPause`, `StatusChange` (timeline), `DossierCodeCounter`,
  `Document` (+ `DocumentKind`), `SmsMessage`, `PortalOutbox` (+ `DeliveryStatus`),
  `Rating` (+ `Satisfaction`), `StaffUser`, `StaffRoleGrant` (+ `StaffRole`), `ApiToken`,
  `CalendarOverride` (+ `load_working_calendar(session)`), `AuditEntry`, `InboxTask` (+ `TaskState`;
  the webapp's copy of open job-worker user tasks), `AgencyToken` and `ConsultationRecord`
  (consulted agencies' tokens, the consultations sent to them and their replies).
- `Base` (declarative base; `Base.metadata` is what the migrations build).

Times are stored in UTC and read back timezone-aware; naive datetimes are taken as Vietnam time.
"""

from motcua.db.agencies import AgencyToken, ConsultationRecord
from motcua.db.audit import AuditEntry
from motcua.db.base import Base, Moment
from motcua.db.calendar_overrides import CalendarOverride, load_working_calendar
from motcua.db.documents import Document, DocumentKind
from motcua.db.dossiers import Dossier, DossierCodeCounter, DossierPause, StatusChange
from motcua.db.inbox_tasks import InboxTask, TaskState
from motcua.db.outboxes import DeliveryStatus, PortalOutbox, SmsMessage
from motcua.db.ratings import Rating, Satisfaction
from motcua.db.session import (
    alembic_config,
    current_revision,
    engine_for,
    migrate,
    session_factory,
    transaction,
)
from motcua.db.staff import ApiToken, StaffRoleGrant, StaffUser
from motcua.roles import StaffRole

__all__ = [
    "AgencyToken", "ApiToken", "AuditEntry", "Base", "CalendarOverride", "ConsultationRecord",
    "DeliveryStatus", "Document", "DocumentKind",
    "Dossier", "DossierCodeCounter", "DossierPause", "InboxTask", "TaskState", "Moment", "PortalOutbox", "Rating",
    "Satisfaction", "SmsMessage", "StaffRole", "StaffRoleGrant", "StaffUser", "StatusChange",
    "alembic_config", "current_revision", "engine_for", "load_working_calendar", "migrate",
    "session_factory", "transaction",
]
