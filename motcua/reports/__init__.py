"""Statistics and reports: Biểu 06 period reports, deadline risk, exports, charts, portal push.

Modules
-------
- `motcua.reports.period` — `Period`, `Counts`, `PeriodReport`, `period_report(...)`: the
  Biểu 06 numbers aggregated in SQL (counting rules in its docstring).
"""
