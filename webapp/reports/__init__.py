"""Reports: Biểu 06 on screen and as XLSX / CSV, the dashboard, deadline risk, the public
statistics page and the JSON twin of the period report.

| route | who | what |
|---|---|---|
| `GET /bao-cao` | signed-in staff | Biểu 06 for `?from=&to=` (default: this month so far), `&sector=`, `&procedure=` |
| `GET /bao-cao/bieu-06.xlsx`, `/bao-cao/bieu-06.csv` | signed-in staff | the same report as a file |
| `POST /bao-cao/gui-cong` | head, leader, admin | queue the report for the provincial portal (outbox) |
| `GET /bao-cao/dashboard` | signed-in staff | this month vs last, on-time rate per procedure, workload, overdue list (SVG charts) |
| `GET /bao-cao/rui-ro` | head, leader, admin | open dossiers ranked by deadline risk |
| `GET /thong-ke` | everyone | aggregates only: this month and this year, by field (cached 5 minutes) |
| `GET /api/v1/reports/period?from=&to=` | staff session or Bearer token | the period report as JSON |

The numbers come from `motcua.reports`; this package only reads the request and renders.
"""

from webapp.reports.views import bp

__all__ = ["bp"]
