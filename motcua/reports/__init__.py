"""Statistics and reports: Biểu 06 period reports, deadline risk, exports, charts, portal push.

Everything here reads the application database (never the engine's) and returns plain values;
the webapp (`webapp/reports/`) renders them, the portal push sends them.

Modules
-------
- `motcua.reports.period` — `Period`, `Counts`, `PeriodReport`, `period_report(...)`: the
  Biểu 06 numbers aggregated in SQL (the counting rules are in its docstring).
- `motcua.reports.form06` — the Biểu 06 layout (title, column groups, lines) shared by the page
  and the files.
- `motcua.reports.export` — `xlsx_bytes(report)`, `csv_text(report)`.
- `motcua.reports.charts` — server-rendered SVG: `horizontal_bars`, `grouped_columns`.
- `motcua.reports.dashboard` — `workload(...)` per person and unit, `overdue_dossiers(...)`.
- `motcua.reports.risk` — `deadline_risk(...)`: open dossiers ranked by slack (working days
  left minus the catalog time of the steps still to do).
- `motcua.reports.portal_push` — `push_period_report(...)`, `push_scheduled(...)` through the
  portal outbox; `python -m motcua.reports.portal_push` runs the schedule once.
- `motcua.reports.indexes` — the covering index the period report reads (migration 0006).
"""
