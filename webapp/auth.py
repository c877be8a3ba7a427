"""Sign-in for staff: hashed passwords (werkzeug), a signed session cookie, roles.

The roles are the candidate groups of the user tasks (motcua.roles). Pages guard themselves with
`@signed_in` or `@needs_role(...)`; the JSON API also accepts `Authorization: Bearer <token>`
(tokens from `motcua token create USER`).

Another agency's system has its own kind of token (`motcua token create --agency CODE`): it is
no staff member (`current_user()` stays None) but `current_agency()`, and it opens only what is
guarded with `@needs_agency` — every other API route answers it 403.

Tokens are looked up in the database on every request, never cached in a web process: a token
revoked (`motcua token revoke`, or the admin page) is refused by every process from its next
request, with a 401 that says it was revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from motcua.api_tokens import revoked_at
from motcua.db import AgencyToken, ApiToken, StaffUser
from motcua.db.base import LOCAL_ZONE
from motcua.rate_limits import RateLimiter, shared_counters
from motcua.roles import (
    ENTERS_PAPER_REPLIES,
    OPERATES,
    RECEIVES_DOSSIERS,
    REPORT_READERS,
    REPORT_SENDERS,
    StaffRole,
)
from motcua.staff_accounts import find_user
from webapp.i18n import current_language, translate
from webapp.office import office

bp = Blueprint("auth", __name__)

SEES_ALL_TASKS = frozenset({StaffRole.ADMIN, StaffRole.OPERATOR, StaffRole.LEADER, StaffRole.HEAD})


@dataclass(frozen=True)
class SignedIn:
    id: int
    username: str
    full_name: str
    roles: frozenset[StaffRole]

    @classmethod
    def of(cls, user: StaffUser) -> SignedIn:
        return cls(user.id, user.username, user.full_name, user.roles)

    def has(self, *roles: StaffRole) -> bool:
        return bool(self.roles & set(roles))

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(r.value for r in self.roles)

    @property
    def sees_all_tasks(self) -> bool:
        return bool(self.roles & SEES_ALL_TASKS)

    @property
    def reads_reports(self) -> bool:
        return bool(self.roles & REPORT_READERS)

    @property
    def sends_reports(self) -> bool:
        return bool(self.roles & REPORT_SENDERS)

    def role_labels(self) -> list[str]:
        english = current_language() == "en"
        return [r.label_en if english else r.label_vi for r in sorted(self.roles)]


@dataclass(frozen=True)
class SpeakingAgency:
    """The consulted agency whose token came with the request."""

    token_id: int
    code: str
    name: str

    @property
    def actor(self) -> str:
        """How it appears in the audit log and the consultation record."""
        return f"agency:{self.code}"


def t(key: str, **values: Any) -> str:
    return translate(key, current_language(), **values)


def current_user() -> SignedIn | None:
    return g.get("user")


def current_agency() -> SpeakingAgency | None:
    return g.get("agency")


def load_user() -> None:
    g.user = None
    g.agency = None
    header = request.headers.get("Authorization", "")
    if request.path.startswith("/api/") and header.startswith("Bearer "):
        token = header.removeprefix("Bearer ").strip()
        with office().transaction() as db:
            user = ApiToken.find_user(db, token)
            g.user = SignedIn.of(user) if user else None
            g.api_token = True
            if user is None and (agency := AgencyToken.find(db, token)) is not None:
                g.agency = SpeakingAgency(agency.id, agency.agency_code, agency.agency_name)
            if g.user is None and g.agency is None:
                g.token_revoked_at = revoked_at(db, token)
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    if request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
        return  # the API takes no CSRF token: changing state needs a Bearer token
    with office().sessions() as db:
        user = db.get(StaffUser, user_id)
        if user is None or not user.active or session.get("password_hash_tail") != _tail(user):
            session.pop("user_id", None)
            return
        g.user = SignedIn.of(user)


def _tail(user: StaffUser) -> str:
    """Part of the password hash kept in the session: changing a password signs out everywhere."""
    return (user.password_hash or "")[-12:]


def _unauthorised():
    if current_agency() is not None:  # known, but not staff: nothing here is for it
        return jsonify(error=t("auth.api.agency_not_allowed"), status=403), 403
    if request.path.startswith("/api/"):
        if (at := g.get("token_revoked_at")) is not None:
            response = jsonify(error=t("auth.api.token_revoked", at=at.astimezone(LOCAL_ZONE)
                                       .strftime("%d/%m/%Y %H:%M")), status=401)
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token", error_description="revoked"'
            return response, 401
        return jsonify(error=t("auth.api.unauthorised"), status=401), 401
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def signed_in(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_user() is None:
            return _unauthorised()
        return view(*args, **kwargs)
    return guarded


def needs_role(*roles: StaffRole):
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            user = current_user()
            if user is None:
                return _unauthorised()
            if not user.has(*roles):
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate


def needs_agency(view):
    """Only a consulted agency's token: anonymous 401, staff (whatever their role) 403."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_agency() is not None:
            return view(*args, **kwargs)
        if current_user() is None:
            return _unauthorised()
        return jsonify(error=t("auth.api.agencies_only"), status=403), 403
    return guarded


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("inbox.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        failures = current_app.extensions["motcua.failed_sign_ins"]
        if not failures.check(username).allowed:
            return render_template("auth/sign_in.html", error=t("auth.signin.throttled"),
                                   username=username), 429
        with office().transaction() as db:
            user = find_user(db, username)
            ok = user is not None and user.check_password(password)
            if ok:
                session.clear()
                session["user_id"] = user.id
                session["password_hash_tail"] = _tail(user)
                session.permanent = False
        if ok:
            return redirect(_safe_next(request.args.get("next")))
        failures.record(username)
        error = t("auth.signin.failed")
    return render_template("auth/sign_in.html", error=error, username=username), (401 if error else 200)


@bp.post("/sign-out")
def sign_out():
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    flash(t("auth.signed_out"), "info")
    return redirect(url_for("auth.sign_in"))


def init_app(app) -> None:
    # per username, counted in the file every web process shares (motcua web runs several)
    app.extensions["motcua.failed_sign_ins"] = RateLimiter(
        limit=10, window_s=15 * 60, name="staff.sign_in",
        store=shared_counters(app.config["MOTCUA_SETTINGS"].data_dir))
    app.before_request(load_user)

    @app.context_processor
    def user_helpers() -> dict[str, Any]:
        return {"user": current_user(), "StaffRole": StaffRole, "RECEIVES_DOSSIERS": RECEIVES_DOSSIERS,
                "ENTERS_PAPER_REPLIES": ENTERS_PAPER_REPLIES, "OPERATES": OPERATES}
