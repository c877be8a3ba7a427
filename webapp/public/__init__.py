"""The public side: what citizens and companies see without signing in, phone first.

Routes (fixed: the SMS texts and the receipt's QR code link to them)
--------------------------------------------------------------------
- `GET /tra-cuu` (form; `?code=` redirects), `GET|POST /tra-cuu/<code>` — tracking page: status in
  plain words, timeline, appointment date, on time or not, what to do next; the applicant's
  details after the second factor (POST, last four digits of the phone or ID number).
- `GET /t/<code>` — the short link in SMS and QR codes: redirects to the tracking page.
- `GET /api/v1/public/dossiers/<code>` — the tracking page as JSON (header `X-Second-Factor`
  adds the applicant's details).
- `GET /thu-tuc` (`?q=` search), `GET /thu-tuc/<procedure code>`,
  `GET /thu-tuc/<procedure code>/danh-muc-ho-so.pdf`, `GET /thu-tuc/<code>/mau/<component id>`.
- `GET|POST /danh-gia/<code>` — satisfaction rating, once per dossier, after the result is returned.
- `POST /sms/inbound` — inbound-SMS webhook (shared secret header `X-Motcua-Sms-Secret`).

`init_app(app)` registers the blueprint and exempts the webhook from CSRF. The pages use the
staff area's database and catalog (`app.extensions["motcua.office"]`) when it is there, else their
own from `DATABASE_URL` / `CATALOG_DIR` in the app config or the environment.

Configuration (app config, else environment; defaults in brackets)
------------------------------------------------------------------
- `PUBLIC_LOOKUPS_PER_MINUTE` [30] — tracking lookups per client address per minute.
- `PUBLIC_FAILURES_PER_15_MIN` [10] — unknown codes and wrong second factors per client per
  15 minutes; past it every lookup from that client waits.
- `PUBLIC_FACTOR_FAILURES_PER_DAY` [20] — wrong second factors for one dossier per day, from all
  clients together; past it that dossier's details stay hidden for the rest of the window.
  The counts are shared by every web process (`rate_limits.db` in the data directory).
- `PUBLIC_VIEW_CACHE_SECONDS` [2] — how long each process keeps a dossier's public view (and its
  page without details); a status change shows within this time. 0 turns the cache off.
- `SMS_INBOUND_SECRET` / `MOTCUA_SMS_INBOUND_SECRET` — the webhook's shared secret (unset: the
  webhook answers 503).
- `SMS_LOOKUPS_PER_HOUR` [5] per sender; `SMS_REPLIES_PER_HOUR` [300] in all.
- `SMS_PROVIDER` — a provider object for replies (tests); else `MOTCUA_SMS_PROVIDER` through
  `motcua.notifications.provider_named`.
"""

from __future__ import annotations

from flask import Flask

from webapp.public import procedures, rating, sms_lookup, tracking  # noqa: F401  (routes)
from webapp.public.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(sms_lookup.inbound_sms)  # a machine webhook with its own shared secret
