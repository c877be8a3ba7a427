"""Inbox pages: `/inbox` (views mine / my groups / all, filters, search) and
`/inbox/tasks/<key>` (the task's form; claim, unclaim, complete)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from motcua.db.inbox_tasks import InboxTask, TaskState
from webapp.auth import current_user, signed_in, t
from webapp.camunda_forms import FormState
from webapp.i18n import current_language, translate
from webapp.inbox import service
from webapp.office import office
from webapp.zeebe import EngineUnavailable, TaskGone

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def _translator():
    language = current_language()
    return lambda key, **values: translate(key, language, **values)


def _procedures() -> list[tuple[str, str]]:
    language = current_language()
    return [(p.code, p.name.in_language(language)) for p in office().catalog]


@bp.get("")
@signed_in
def index():
    user = current_user()
    view = request.args.get("view") or "groups"
    if view not in service.VIEWS or (view == "all" and not user.sees_all_tasks):
        view = "groups"
    status = request.args.get("status", "open")
    if status not in service.STATUSES:
        status = "open"
    query = service.TaskQuery(view=view, status=status, procedure=request.args.get("procedure", ""),
                              text=request.args.get("q", "").strip())
    with office().sessions() as db:
        tasks = service.find_tasks(db, user, query)
    return render_template("inbox/index.html", tasks=tasks, query=query, procedures=_procedures(),
                           views=[v for v in service.VIEWS if v != "all" or user.sees_all_tasks],
                           statuses=service.STATUSES, now=datetime.now(UTC),
                           process_names=office().process_models.process_names,
                           overdue=service.is_overdue)


def _load(job_key: int) -> InboxTask:
    with office().sessions() as db:
        task = service.get_task(db, job_key, current_user())
    if task is None:
        abort(404)
    return task


def _render_task(task: InboxTask, state: FormState | None, status: int = 200):
    return render_template("inbox/task.html", task=task, form=state,
                           nodes=state.view() if state else [],
                           process_name=office().process_models.process_names.get(task.bpmn_process_id, ""),
                           overdue=service.is_overdue(task)), status


@bp.get("/tasks/<int:job_key>")
@signed_in
def task(job_key: int):
    task = _load(job_key)
    schema = office().form(task.form_id)
    state = FormState.from_variables(schema, task.variables, _translator()) if schema else None
    return _render_task(task, state)


@bp.post("/tasks/<int:job_key>/claim")
@signed_in
def claim(job_key: int):
    return _claim_action(job_key, service.claim, "inbox.claimed")


@bp.post("/tasks/<int:job_key>/unclaim")
@signed_in
def unclaim(job_key: int):
    return _claim_action(job_key, service.unclaim, "inbox.unclaimed")


def _claim_action(job_key: int, action: Any, message: str):
    try:
        action(office(), job_key, current_user())
    except LookupError:
        abort(404)
    except TaskGone:
        flash(t("inbox.gone"), "warning")
        return redirect(url_for("inbox.index"))
    except service.ClaimedByOther as error:
        flash(t("inbox.claimed_by_other", username=error.username), "error")
    else:
        flash(t(message), "success")
    return redirect(url_for("inbox.task", job_key=job_key))


@bp.post("/tasks/<int:job_key>")
@signed_in
def complete(job_key: int):
    task = _load(job_key)
    if task.state is not TaskState.OPEN:
        flash(t("inbox.gone"), "warning")
        return redirect(url_for("inbox.index"))
    schema = office().form(task.form_id) or {"components": []}
    state = FormState.from_post(schema, task.variables, request.form, _translator())
    if state.action:  # add/remove a list row or apply conditions: show the form again, no checks
        return _render_task(task, state)
    if state.validate():
        return _render_task(task, state, 422)
    values = state.submission()
    try:
        service.complete(office(), job_key, current_user(), values)
    except TaskGone:
        flash(t("inbox.gone"), "warning")
        return redirect(url_for("inbox.index"))
    except service.ClaimedByOther as error:
        flash(t("inbox.claimed_by_other", username=error.username), "error")
        return _render_task(task, state, 409)
    except EngineUnavailable:
        flash(t("inbox.engine_unavailable"), "error")
        return _render_task(task, state, 503)
    flash(t("inbox.completed", name=task.name), "success")
    return redirect(url_for("inbox.index"))
