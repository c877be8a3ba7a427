"""Routes of the reports area (see `webapp.reports`)."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from motcua.db.base import LOCAL_ZONE
from motcua.reports import charts, form06
from motcua.reports.dashboard import overdue_dossiers, workload
from motcua.reports.export import csv_text, file_stem, xlsx_bytes
from motcua.reports.period import Period, PeriodReport, period_report
from motcua.reports.portal_push import push_period_report
from motcua.reports.risk import deadline_risk
from motcua.roles import REPORT_READERS, REPORT_SENDERS
from webapp.auth import needs_role
from webapp.i18n import current_language, translate
from webapp.office import office

bp = Blueprint("reports", __name__, template_folder="templates", static_folder="static",
               static_url_path="/reports-static")

# Who opens what (docs/webapp.md, "Reports: who may open them"): the Biểu 06 page, its downloads,
# its JSON twin and the dashboard are for REPORT_READERS (leaders, heads, the one-stop office,
# admin); the portal push and the risk ranking for REPORT_SENDERS (leaders, heads, admin). The
# public statistics page is open to everyone.
READERS = tuple(sorted(REPORT_READERS))
SENDERS = tuple(sorted(REPORT_SENDERS))


def t(message: str, **values: object) -> str:
    return translate(message, current_language(), **values)


def today() -> date:
    return office().now().astimezone(LOCAL_ZONE).date()


def month_so_far(day: date) -> Period:
    return Period(day.replace(day=1), day)


def _period_from_request() -> Period:
    """`?from=&to=` (ISO dates); this month so far when absent. Bad dates answer 400."""
    from_text, to_text = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    if not from_text and not to_text:
        return month_so_far(today())
    try:
        return Period.parse(from_text, to_text)
    except ValueError:
        abort(400)


def _report(period: Period) -> PeriodReport:
    the_office = office()
    with the_office.sessions() as session:
        return period_report(session, period, the_office.catalog,
                             sector=request.args.get("sector") or None,
                             procedure=request.args.get("procedure") or None)


def _filters() -> dict[str, str]:
    return {k: request.args[k] for k in ("from", "to", "sector", "procedure") if request.args.get(k)}


@bp.get("/bao-cao")
@needs_role(*READERS)
def period_page():
    period = _period_from_request()
    report = _report(period)
    catalog = office().catalog
    sectors = {p.sector.code: p.sector.name for p in catalog.procedures}
    procedures = {p.code: p.name for p in catalog.procedures}
    return render_template(
        "reports/period.html", report=report, period=period, filters=_filters(),
        lines=form06.lines(report, current_language()), columns=form06.COLUMNS,
        column_groups=form06.COLUMN_GROUPS, form=form06,
        caption=form06.period_caption(report, current_language()),
        sectors=sorted(sectors.items(), key=lambda item: item[1].vi),
        procedures=sorted(procedures.items(), key=lambda item: item[1].vi))


@bp.get("/bao-cao/bieu-06.xlsx")
@needs_role(*READERS)
def period_xlsx():
    report = _report(_period_from_request())
    agency = next((p.agency.name.in_language(current_language()) for p in office().catalog.procedures), None)
    return Response(
        xlsx_bytes(report, current_language(), agency=agency),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{file_stem(report)}.xlsx"'})


@bp.get("/bao-cao/bieu-06.csv")
@needs_role(*READERS)
def period_csv():
    report = _report(_period_from_request())
    return Response(csv_text(report, current_language()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_stem(report)}.csv"'})


@bp.post("/bao-cao/gui-cong")
@needs_role(*SENDERS)
def push_to_portal():
    try:
        period = Period.parse(request.form.get("from", ""), request.form.get("to", ""))
    except ValueError:
        abort(400)
    the_office = office()
    row = push_period_report(the_office.sessions, the_office.catalog, period)
    status = t(f"reports.push.status.{row.status.value}")
    flash(t("reports.push.queued", report_key=row.idempotency_key, status=status), "success")
    return redirect(url_for("reports.period_page", **{"from": period.from_day.isoformat(),
                                                      "to": period.to_day.isoformat()}))


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@bp.get("/bao-cao/dashboard")
@needs_role(*READERS)
def dashboard():
    language = current_language()
    day = today()
    this_month = month_so_far(day)
    last_month = this_month.previous_month()
    the_office = office()
    with the_office.sessions() as session:
        now_report = period_report(session, this_month, the_office.catalog)
        last_report = period_report(session, last_month, the_office.catalog)
        persons, units = workload(session, this_month)
        overdue = overdue_dossiers(session, the_office.catalog, day, limit=50)
    keys = ("received", "resolved", "in_progress_overdue", "withdrawn")
    comparison = Markup(charts.grouped_columns(
        [t(f"reports.dashboard.measure.{k}") for k in keys],
        [(t("reports.dashboard.last_month"), [getattr(last_report.totals, k) for k in keys]),
         (t("reports.dashboard.this_month"), [getattr(now_report.totals, k) for k in keys])],
        title=t("reports.dashboard.comparison")))
    on_time = Markup(charts.horizontal_bars(
        [(row.procedure_name.in_language(language), _rate(row.counts.on_time_rate))
         for row in now_report.rows() if row.counts.resolved],
        title=t("reports.dashboard.on_time"), maximum=100, unit="%"))
    people_chart = Markup(charts.horizontal_bars(
        [(p.full_name, p.steps_done + p.open_tasks) for p in persons[:20]],
        title=t("reports.dashboard.workload_people")))
    unit_chart = Markup(charts.horizontal_bars(
        [(u.unit or t("reports.dashboard.no_unit"), u.steps_done + u.open_tasks) for u in units],
        title=t("reports.dashboard.workload_units")))
    return render_template(
        "reports/dashboard.html", this_month=this_month, last_month=last_month,
        now_totals=now_report.totals, last_totals=last_report.totals, comparison=comparison,
        on_time=on_time, people_chart=people_chart, unit_chart=unit_chart, persons=persons,
        units=units, overdue=overdue, rate=_rate)


@bp.get("/bao-cao/rui-ro")
@needs_role(*SENDERS)
def risk():
    the_office = office()
    day = today()
    with the_office.sessions() as session:
        risks = deadline_risk(session, the_office.catalog, the_office.calendar(session), day,
                              limit=200, procedure=request.args.get("procedure") or None)
    return render_template("reports/risk.html", risks=risks, day=day)


PUBLIC_CACHE_SECONDS = 300


def _public_reports(day: date) -> tuple[PeriodReport, PeriodReport, datetime]:
    """This year's and this month's reports, computed at most once per PUBLIC_CACHE_SECONDS
    per app: the public page costs the database nothing however often it is opened."""
    cache = current_app.extensions.setdefault("motcua.reports.public", {})
    now = datetime.now(LOCAL_ZONE)
    cached = cache.get(day)
    seconds = current_app.config.get("REPORTS_PUBLIC_CACHE_SECONDS", PUBLIC_CACHE_SECONDS)
    if cached is None or (now - cached[2]).total_seconds() > seconds:
        the_office = office()
        with the_office.sessions() as session:
            cached = (period_report(session, Period(date(day.year, 1, 1), day), the_office.catalog),
                      period_report(session, month_so_far(day), the_office.catalog), now)
        cache.clear()
        cache[day] = cached
    return cached


@bp.get("/thong-ke")
def public_statistics():
    """Aggregates only: no dossier code, no name, no phone number."""
    language = current_language()
    year_report, month_report, updated = _public_reports(today())
    chart = Markup(charts.horizontal_bars(
        [(block.sector_name.in_language(language), _rate(block.counts.on_time_rate))
         for block in year_report.sectors],
        title=t("reports.public.on_time_by_field"), maximum=100, unit="%"))
    return render_template("reports/public.html", year=year_report, month=month_report,
                           chart=chart, rate=_rate, updated=updated)


@bp.get("/api/v1/reports/period")
@needs_role(*READERS)
def period_json():
    if not request.args.get("from") or not request.args.get("to"):
        return jsonify(error=t("reports.api.period_required"), status=400), 400
    try:
        period = Period.parse(request.args["from"], request.args["to"])
    except ValueError:
        return jsonify(error=t("reports.api.period_required"), status=400), 400
    return jsonify(_report(period).as_dict())
