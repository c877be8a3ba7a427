"""The covering index for the period report (migration 0006, which replaced the two of 0004).

`ix_dossiers_report` leads with the procedure code, the stored resolution
(`Dossier.resolution`: early, on time, late; NULL while unfinished) and the channel, so the
report walks it one (procedure, resolution, channel) at a time in index order and SQLite groups
without sorting; then processing_finished_at, so "finished within the period" and "not finished
by its end" are ranges of it; then closed_at (withdrawn or stopped), so the unfinished
dossiers withdrawn or stopped before the period are skipped by the seek, not read; then
received_at, due date and status, which the one-by-one classification of the unfinished
dossiers reads. Every column the report reads from `dossiers`
is in the index, so SQLite never visits the (wide) table rows (docs/PERFORMANCE.md, "Reports").

Importing this module attaches the index to `Dossier.__table__`, so the schema comparison
(models against migrations) sees it; migration 0004 imports it.
"""

from __future__ import annotations

import sqlalchemy as sa

from motcua.db import Dossier

REPORT_INDEX = sa.Index("ix_dossiers_report", Dossier.procedure_code, Dossier.resolution,
                        Dossier.channel, Dossier.processing_finished_at, Dossier.closed_at,
                        Dossier.received_at, Dossier.due_on, Dossier.status)
