"""The administrator's pages: staff accounts (create users, change roles, reset passwords,
deactivate) and the API tokens of staff and consulted agencies (`GET /admin/tokens`, revoke one
with `POST /admin/tokens/<kind>/<id>/revoke`: refused by every web process from the next request,
recorded in the audit log)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from motcua.api_tokens import AlreadyRevoked, TokenNotFound, list_tokens, revoke
from motcua.db import AuditEntry, StaffUser
from motcua.roles import StaffRole
from motcua.staff_accounts import AccountError, check_password_strength, create_user
from webapp.auth import current_user, needs_role, t
from webapp.office import office

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users():
    with office().sessions() as db:
        return db.scalars(sa.select(StaffUser).order_by(StaffUser.username)).all()


def _audit(db, action: str, user: StaffUser) -> None:
    db.add(AuditEntry(actor=current_user().username, action=action, entity_type="staff_user",
                      entity_id=user.username, details={"roles": sorted(r.value for r in user.roles),
                                                        "active": user.active}))


@bp.get("/users")
@needs_role(StaffRole.ADMIN)
def users():
    return render_template("admin/users.html", users=_users(), roles=list(StaffRole), form={}, errors={})


@bp.post("/users")
@needs_role(StaffRole.ADMIN)
def create():
    form = request.form
    roles = form.getlist("roles")
    try:
        with office().transaction() as db:
            user = create_user(db, form.get("username", ""), form.get("full_name", ""),
                               form.get("password", ""), roles, unit=form.get("unit") or None,
                               email=form.get("email") or None, phone=form.get("phone") or None)
            _audit(db, "staff-user-created", user)
    except (AccountError, ValueError) as error:
        code = getattr(error, "code", "bad-role")
        return render_template("admin/users.html", users=_users(), roles=list(StaffRole),
                               form=form, errors={"form": t(f"admin.error.{code}")}), 400
    flash(t("admin.user_created", username=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>")
@needs_role(StaffRole.ADMIN)
def update(user_id: int):
    form = request.form
    with office().transaction() as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            abort(404)
        roles = {StaffRole(r) for r in form.getlist("roles") if r in set(StaffRole)}
        if not roles:
            flash(t("admin.error.role-required"), "error")
            return redirect(url_for("admin.users"))
        if user.id == current_user().id and StaffRole.ADMIN not in roles:
            flash(t("admin.error.keep-own-admin"), "error")
            return redirect(url_for("admin.users"))
        for role in list(user.roles - roles):
            user.revoke(role)
        for role in roles - user.roles:
            user.grant(role)
        user.active = form.get("active") == "on" or user.id == current_user().id
        password = form.get("new_password", "")
        if password:
            try:
                check_password_strength(password)
            except AccountError as error:
                flash(t(f"admin.error.{error.code}"), "error")
                return redirect(url_for("admin.users"))
            user.set_password(password)
        _audit(db, "staff-user-updated", user)
    flash(t("admin.user_updated", username=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.get("/tokens")
@needs_role(StaffRole.ADMIN)
def tokens():
    with office().sessions() as db:
        lines = list_tokens(db)
    return render_template("admin/tokens.html", tokens=lines)


@bp.post("/tokens/<kind>/<int:token_id>/revoke")
@needs_role(StaffRole.ADMIN)
def revoke_token(kind: str, token_id: int):
    try:
        with office().transaction() as db:
            line = revoke(db, f"{kind}:{token_id}", by=current_user().username)
    except TokenNotFound:
        abort(404)
    except AlreadyRevoked as already:
        flash(t("admin.tokens.already_revoked", token=already.line.ref), "info")
    else:
        flash(t("admin.tokens.revoked", token=line.ref, owner=line.owner), "success")
    return redirect(url_for("admin.tokens"))
