"""Covering indexes for the period report (migration 0004).

The Biểu 06 query reads three slices of `dossiers`: received in the period (by `received_at`),
finished since the period started, and never finished (both by `processing_finished_at`). Each
index holds every column the query needs, so SQLite answers from the index alone and never
visits the (wide) table rows: one month over 1,000,000 dossiers in about 0.1 s
(docs/PERFORMANCE.md, "Reports").

Importing this module attaches the indexes to `Dossier.__table__`, so the schema comparison
(models against migrations) sees them; the migration imports it.
"""

from __future__ import annotations

import sqlalchemy as sa

from motcua.db import Dossier

_REPORT_COLUMNS = (Dossier.due_on, Dossier.status, Dossier.channel, Dossier.procedure_code,
                   Dossier.procedure_version)

BY_RECEIVED = sa.Index("ix_dossiers_report_received", Dossier.received_at,
                       Dossier.processing_finished_at, *_REPORT_COLUMNS)
BY_FINISHED = sa.Index("ix_dossiers_report_finished", Dossier.processing_finished_at,
                       Dossier.received_at, *_REPORT_COLUMNS)

COLUMNS = {
    BY_RECEIVED.name: ["received_at", "processing_finished_at", "due_on", "status", "channel",
                       "procedure_code", "procedure_version"],
    BY_FINISHED.name: ["processing_finished_at", "received_at", "due_on", "status", "channel",
                       "procedure_code", "procedure_version"],
}
