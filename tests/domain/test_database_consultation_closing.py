"""Migration 0007: consultation requests answered before it are closed as answered, so a second,
different reply still gets 409 and the waiting list shows only what is really open."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from motcua.consultations import waiting_consultations
from motcua.db import ConsultationRecord, engine_for, migrate, session_factory

_REQUEST = sa.text("INSERT INTO consultation_requests (request_id, dossier_code, agency_code, sent_at, "
                   "replied_at, replied_by) VALUES (:id, '000.00.17.H06-261124-0001', 'PCCC', :sent, "
                   ":replied, :by)").bindparams(sa.bindparam("sent", type_=sa.DateTime()),
                                                 sa.bindparam("replied", type_=sa.DateTime()))


def test_migration_0007_closes_the_requests_already_answered(tmp_path):
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    migrate(url, "0006")
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(_REQUEST, [
            {"id": "LT-1", "sent": datetime(2026, 11, 2, 2), "replied": datetime(2026, 11, 5, 3), "by": "agency:PCCC"},
            {"id": "LT-2", "sent": datetime(2026, 11, 3, 2), "replied": None, "by": None}])
    engine.dispose()
    migrate(url)
    with session_factory(url)() as session:
        answered, waiting = session.get(ConsultationRecord, "LT-1"), session.get(ConsultationRecord, "LT-2")
        assert (answered.outcome, answered.closed_at) == ("replied", datetime(2026, 11, 5, 3, tzinfo=UTC))
        assert (waiting.outcome, waiting.closed_at) == (None, None)
        assert [r.request_id for r in waiting_consultations(session)] == ["LT-2"]
