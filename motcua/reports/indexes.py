"""Covering indexes for the period report (migration 0006, which replaced those of 0004).

Both lead with the procedure code and the stored resolution (`Dossier.resolution`: early, on
time, late; NULL while unfinished), so the report walks them one procedure at a time in index
order and SQLite groups without sorting:

* `ix_dossiers_report_intake` — … then channel, received_at: the dossiers received in the
  period and resolved by its end are counted per (procedure, resolution, channel) by seeking
  each combination's `received_at` range;
* `ix_dossiers_report_outcome` — … then processing_finished_at, received_at and what the
  one-by-one classification reads (channel, due date, status): the dossiers carried over and
  resolved in the period (a `processing_finished_at` range), and those still unfinished at the
  end of the period (`resolution IS NULL AND processing_finished_at IS NULL`, or finished
  after it).

Every column the report reads is in the index it uses, so SQLite never visits the (wide)
table rows (docs/PERFORMANCE.md, "Reports").

Importing this module attaches the indexes to `Dossier.__table__`, so the schema comparison
(models against migrations) sees them; migration 0004 imports it.
"""

from __future__ import annotations

import sqlalchemy as sa

from motcua.db import Dossier

BY_INTAKE = sa.Index("ix_dossiers_report_intake", Dossier.procedure_code, Dossier.resolution,
                     Dossier.channel, Dossier.received_at, Dossier.processing_finished_at)
BY_OUTCOME = sa.Index("ix_dossiers_report_outcome", Dossier.procedure_code, Dossier.resolution,
                      Dossier.processing_finished_at, Dossier.received_at, Dossier.channel,
                      Dossier.due_on, Dossier.status)
