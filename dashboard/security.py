"""The gate in front of every route: sign-in, sessions, origin check, request limit, headers.

Every request passes `_gate` first. Only the sign-in page, its stylesheet and `/healthz` answer
without a session; every other route, Dash's own `/_dash-layout`, `/_dash-dependencies` and
`/_dash-update-component` included, gets 401 (Dash routes) or a redirect to the sign-in page
(pages). The session is a random token in an HttpOnly cookie; the database keeps its hash and the
user it belongs to (`accounts.sessions`), so the scope comes from the server, never from the browser.
Every refusal and crash is one line on standard error (`dashboard.logs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import HTTPException

from accounts.sessions import authenticate, end_session, resolve, start_session
from config import settings as config
from dashboard import health, logs, throttle
from dashboard.plain_pages import login_page, message_page
from dashboard.proxies import Network, TrustedProxies, trusted_networks
from db.audit import Action, record
from db.engine import write_transaction

COOKIE_NAME = "monitor_sessie"
DEMO_ENV = "MONITOR_DEMO"
SECURE_COOKIE_ENV = "MONITOR_COOKIE_SECURE"
MAX_REQUEST_ENV = "MONITOR_MAX_REQUEST_MB"
ORIGINS_ENV = "MONITOR_ALLOWED_ORIGINS"
# a few files of the ingest limit (20 MB), base64-encoded by the browser
DEFAULT_MAX_REQUEST_MB = int(config.DEFAULTS[MAX_REQUEST_ENV])
PUBLIC_PATHS = frozenset({"/login", "/assets/style.css", "/assets/login.css"})
OPEN_PATHS = frozenset({health.PATH})  # no session looked at, nothing recorded
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CRASH_MESSAGE = "Er ging iets mis op de server; er is niets gewijzigd. Probeer het opnieuw of meld het de beheerder."

# Dash needs inline styles (plotly) and one inline script (its config, allowed by hash).
_CSP = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True)
class Settings:
    """How the gate behaves. `from_environment` is what production uses."""

    demo: bool = False
    secure_cookie: bool = True
    max_request_bytes: int = DEFAULT_MAX_REQUEST_MB * 1024 * 1024
    allowed_origins: frozenset[str] = frozenset()  # extra origins, e.g. "https://monitor.example.nl"
    trusted_proxies: tuple[Network, ...] = ()  # whose X-Forwarded-For and -Proto count
    ratelimit_storage: str = throttle.MEMORY  # where failed sign-ins per address are counted
    login_limit: str = config.DEFAULTS[throttle.LIMIT_ENV]

    @classmethod
    def from_environment(cls, demo: bool | None = None) -> Settings:
        demo = config.flag(DEMO_ENV, False) if demo is None else demo
        origins = frozenset(o.strip().rstrip("/") for o in config.get(ORIGINS_ENV).split(",") if o.strip())
        return cls(
            demo=demo,
            # Secure needs HTTPS; the demo runs on plain http://127.0.0.1.
            secure_cookie=config.flag(SECURE_COOKIE_ENV, not demo),
            max_request_bytes=int(config.number(MAX_REQUEST_ENV) * 1024 * 1024),
            allowed_origins=origins,
            trusted_proxies=trusted_networks(),
            ratelimit_storage=config.get(throttle.STORAGE_ENV) or throttle.MEMORY,
            login_limit=throttle.check_limit(config.get(throttle.LIMIT_ENV)),
        )


def install(server: flask.Flask, engine, settings: Settings, csp_hashes: Callable[[], list[str]]) -> None:
    """Put the gate, the sign-in routes and the headers on the Flask server of the Dash app.

    `engine` is a callable returning the database engine (opened lazily, once per process);
    `csp_hashes` one returning the hashes of the page's inline scripts, asked per response: Dash adds
    a clientside callback at the first request, which changes one of them."""
    server.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.secure_cookie,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    server.extensions["monitor_security"] = settings
    server.wsgi_app = TrustedProxies(server.wsgi_app, settings.trusted_proxies)
    logs.configure()

    def _gate():
        flask.g.scope = None
        if flask.request.path in OPEN_PATHS:
            return None
        token = flask.request.cookies.get(COOKIE_NAME)
        found = resolve(engine(), token) if token else None
        if flask.request.method not in SAFE_METHODS and not _same_origin(settings):
            why = "verzoek van een andere website"
            if found is not None:  # a signed-in browser made to post from another site: worth knowing
                _record_denied(engine(), found[1].user, why)
            return _refuse(
                403, "Dit verzoek komt van een andere website en is geweigerd.", why, who=found and found[1].user
            )
        if found is not None:
            flask.g.account, flask.g.scope = found
        if flask.request.path in PUBLIC_PATHS or found is not None:
            return None
        if flask.request.path.startswith("/_") or flask.request.method not in SAFE_METHODS:
            return _refuse(401, "U bent niet (meer) ingelogd. Log opnieuw in via /login.", "geen geldige sessie")
        return flask.redirect(flask.url_for("monitor_login", volgende=_local(flask.request.full_path)), 303)

    server.before_request_funcs.setdefault(None, []).insert(0, _gate)  # before Dash's own hooks
    health.install(server, engine)

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", _CSP.format(hashes=" ".join(csp_hashes())))
        if settings.secure_cookie:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not flask.request.path.startswith(("/assets/", "/_dash-component-suites/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @server.errorhandler(413)
    def _too_large(_error):
        megabytes = settings.max_request_bytes // (1024 * 1024)
        return _refuse(
            413,
            f"Wat u verstuurde is groter dan {megabytes} MB en is niet verwerkt. Er is niets opgeslagen. "
            "Stuur minder of kleinere bestanden tegelijk (elk bestand mag hoogstens 20 MB zijn).",
            f"verzoek groter dan {megabytes} MB",
        )

    @server.errorhandler(429)
    def _throttled(_error):
        why = "te veel mislukte aanmeldingen vanaf dit adres"
        with write_transaction(engine()) as conn:
            details = {"reden": why, "adres": _address()}
            record(conn, actor="anoniem", action=Action.LOGIN_FAILED, subject=_attempted_name(), details=details)
        minutes = throttle.window_minutes(settings.login_limit)
        message = (
            "Er is vanaf uw adres te vaak verkeerd ingelogd. Probeer het over "
            f"{minutes} minuten opnieuw, of vraag de beheerder van de monitor om hulp."
        )
        if flask.request.path == "/login":
            following = _local(flask.request.values.get("volgende", "/"))
            page = login_page(demo=settings.demo, following=following, error=message, name=_attempted_name())
            logs.refusal(429, why)
            return page, 429
        return _refuse(429, message, why)

    @server.errorhandler(Exception)
    def _crashed(error: Exception):
        if isinstance(error, HTTPException):
            return error
        logs.crash(error)
        return _refuse(500, CRASH_MESSAGE, None)

    def _login():
        following = _local(flask.request.values.get("volgende", "/"))
        if flask.request.method == "GET":
            if flask.g.scope is not None:
                return flask.redirect(following, 303)
            message = "U bent uitgelogd." if flask.request.args.get("uitgelogd") else ""
            return login_page(demo=settings.demo, following=following, message=message)
        name = _attempted_name()
        result = authenticate(engine(), name, flask.request.form.get("wachtwoord", ""), client=_address())
        if not result.ok:
            logs.refusal(401, "aanmelden mislukt")
            return login_page(demo=settings.demo, following=following, error=result.message, name=name), 401
        earlier = flask.request.cookies.get(COOKIE_NAME)
        if earlier:  # a new sign-in in this browser ends the session it had, whoever's it was
            end_session(engine(), earlier, actor=flask.g.scope.user if flask.g.scope else result.account.name)
        token = start_session(engine(), result.account)
        response = flask.redirect(following, 303)
        response.set_cookie(COOKIE_NAME, token, httponly=True, secure=settings.secure_cookie, samesite="Lax", path="/")
        return response

    limited = throttle.install(server, storage=settings.ratelimit_storage, limit=settings.login_limit)
    server.add_url_rule("/login", "monitor_login", limited(_login), methods=["GET", "POST"])

    @server.route("/logout", methods=["POST"], endpoint="monitor_logout")
    def _logout():
        token = flask.request.cookies.get(COOKIE_NAME)
        if token:
            end_session(engine(), token, actor=flask.g.scope.user if flask.g.scope else "")
        response = flask.redirect(flask.url_for("monitor_login", uitgelogd=1), 303)
        response.delete_cookie(COOKIE_NAME, path="/", secure=settings.secure_cookie, httponly=True, samesite="Lax")
        return response


def _address() -> str:
    """The client's address: the connection's, or a trusted proxy's X-Forwarded-For (dashboard.proxies)."""
    return flask.request.remote_addr or ""


def _attempted_name() -> str:
    return flask.request.form.get("naam", "")[:200]


def _record_denied(engine, user: str, reason: str) -> None:
    with write_transaction(engine) as conn:
        details = {
            "reden": reason,
            "herkomst": flask.request.headers.get("Origin") or flask.request.headers.get("Referer"),
            "adres": _address(),
        }
        record(conn, actor=user, action=Action.ACCESS_DENIED, subject=flask.request.path[:500], details=details)


def _same_origin(settings: Settings) -> bool:
    """A state-changing request must come from this site: its Origin (or Referer) has our scheme,
    host and port (the scheme as a trusted proxy says, `dashboard.proxies`).

    Requests without either header (command-line clients) carry no browser cookies by accident;
    SameSite=Lax keeps the session cookie off cross-site POSTs of older browsers."""
    claimed = flask.request.headers.get("Origin") or flask.request.headers.get("Referer")
    if not claimed:
        return True
    if claimed == "null":
        return False
    parts = urlsplit(claimed)
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin == f"{flask.request.scheme}://{flask.request.host}" or origin in settings.allowed_origins


def _local(target: str | None) -> str:
    """Only a path on this site: never redirect to another one after signing in."""
    target = (target or "/").rstrip("?") or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _refuse(status: int, message: str, why: str | None, *, who: str | None = None) -> flask.Response:
    """A Dutch refusal (JSON for Dash's routes, a page otherwise); logged on one line unless `why` is None."""
    if why is not None:
        logs.refusal(status, why, who=who)
    if flask.request.path.startswith("/_"):
        response = flask.jsonify({"melding": message})
    else:
        response = flask.Response(message_page(message), mimetype="text/html")
    response.status_code = status
    return response
