"""The gate in front of every route: sign-in, sessions, origin check, request limit, headers.

Every request passes `_gate` first. Only the sign-in page and its stylesheet answer without a
session; every other route, Dash's own `/_dash-layout`, `/_dash-dependencies` and
`/_dash-update-component` included, gets 401 (Dash routes) or a redirect to the sign-in page
(pages). The session is a random token in an HttpOnly cookie; the database keeps its hash and the
user it belongs to (`accounts.sessions`), so the scope comes from the server, never from the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import flask

from accounts.sessions import authenticate, end_session, resolve, start_session
from config import settings
from db.audit import Action, record
from db.engine import write_transaction

COOKIE_NAME = "monitor_sessie"
DEMO_ENV = "MONITOR_DEMO"
SECURE_COOKIE_ENV = "MONITOR_COOKIE_SECURE"
MAX_REQUEST_ENV = "MONITOR_MAX_REQUEST_MB"
ORIGINS_ENV = "MONITOR_ALLOWED_ORIGINS"
# a few files of the ingest limit (20 MB), base64-encoded by the browser
DEFAULT_MAX_REQUEST_MB = int(settings.DEFAULTS[MAX_REQUEST_ENV])
PUBLIC_PATHS = frozenset({"/login", "/assets/style.css", "/assets/login.css"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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

    @classmethod
    def from_environment(cls, demo: bool | None = None) -> Settings:
        demo = settings.flag(DEMO_ENV) if demo is None else demo
        origins = frozenset(o.strip().rstrip("/") for o in settings.get(ORIGINS_ENV).split(",") if o.strip())
        return cls(
            demo=demo,
            # Secure needs HTTPS; the demo runs on plain http://127.0.0.1.
            secure_cookie=settings.flag(SECURE_COOKIE_ENV, default=not demo),
            max_request_bytes=int(settings.number(MAX_REQUEST_ENV) * 1024 * 1024),
            allowed_origins=origins,
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

    def _gate():
        flask.g.scope = None
        token = flask.request.cookies.get(COOKIE_NAME)
        found = resolve(engine(), token) if token else None
        if flask.request.method not in SAFE_METHODS and not _same_origin(settings):
            if found is not None:  # a signed-in browser made to post from another site: worth knowing
                _record_denied(engine(), found[1].user, "verzoek van een andere website")
            return _refuse(403, "Dit verzoek komt van een andere website en is geweigerd.")
        if found is not None:
            flask.g.account, flask.g.scope = found
        if flask.request.path in PUBLIC_PATHS or found is not None:
            return None
        if flask.request.path.startswith("/_") or flask.request.method not in SAFE_METHODS:
            return _refuse(401, "U bent niet (meer) ingelogd. Log opnieuw in via /login.")
        return flask.redirect(flask.url_for("monitor_login", volgende=_local(flask.request.full_path)), 303)

    server.before_request_funcs.setdefault(None, []).insert(0, _gate)  # before Dash's own hooks

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
        )

    @server.route("/login", methods=["GET", "POST"], endpoint="monitor_login")
    def _login():
        following = _local(flask.request.values.get("volgende", "/"))
        if flask.request.method == "GET":
            if flask.g.scope is not None:
                return flask.redirect(following, 303)
            message = "U bent uitgelogd." if flask.request.args.get("uitgelogd") else ""
            return _login_page(settings, following, message=message)
        name = flask.request.form.get("naam", "")
        result = authenticate(
            engine(), name, flask.request.form.get("wachtwoord", ""), client=flask.request.remote_addr or ""
        )
        if not result.ok:
            return _login_page(settings, following, error=result.message, name=name), 401
        token = start_session(engine(), result.account)
        response = flask.redirect(following, 303)
        response.set_cookie(COOKIE_NAME, token, httponly=True, secure=settings.secure_cookie, samesite="Lax", path="/")
        return response

    @server.route("/logout", methods=["POST"], endpoint="monitor_logout")
    def _logout():
        token = flask.request.cookies.get(COOKIE_NAME)
        if token:
            end_session(engine(), token, actor=flask.g.scope.user if flask.g.scope else "")
        response = flask.redirect(flask.url_for("monitor_login", uitgelogd=1), 303)
        response.delete_cookie(COOKIE_NAME, path="/", secure=settings.secure_cookie, httponly=True, samesite="Lax")
        return response


def _record_denied(engine, user: str, reason: str) -> None:
    with write_transaction(engine) as conn:
        details = {
            "reden": reason,
            "herkomst": flask.request.headers.get("Origin") or flask.request.headers.get("Referer"),
        }
        record(conn, actor=user, action=Action.ACCESS_DENIED, subject=flask.request.path[:500], details=details)


def _same_origin(settings: Settings) -> bool:
    """A state-changing request must come from this site: its Origin (or Referer) is our host.

    Requests without either header (command-line clients) carry no browser cookies by accident;
    SameSite=Lax keeps the session cookie off cross-site POSTs of older browsers."""
    claimed = flask.request.headers.get("Origin") or flask.request.headers.get("Referer")
    if not claimed:
        return True
    if claimed == "null":
        return False
    parts = urlsplit(claimed)
    origin = f"{parts.scheme}://{parts.netloc}"
    return parts.netloc == flask.request.host or origin in settings.allowed_origins


def _local(target: str | None) -> str:
    """Only a path on this site: never redirect to another one after signing in."""
    target = (target or "/").rstrip("?") or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _refuse(status: int, message: str) -> flask.Response:
    if flask.request.path.startswith("/_"):
        response = flask.jsonify({"melding": message})
    else:
        response = flask.Response(flask.render_template_string(_MESSAGE_PAGE, message=message), mimetype="text/html")
    response.status_code = status
    return response


def _login_page(settings: Settings, following: str, *, message: str = "", error: str = "", name: str = ""):
    return flask.render_template_string(
        _LOGIN_PAGE, demo=settings.demo, following=following, message=message, error=error, name=name
    )


_LOGIN_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen – Monitor plegeraanpak</title>
<link rel="stylesheet" href="/assets/style.css"><link rel="stylesheet" href="/assets/login.css">
</head>
<body>
<div class="page">
<header class="site-header"><p class="site-title">Monitor plegeraanpak</p></header>
{% if demo %}<p class="demo-banner" role="note">Demomodus: voorbeeldgegevens en demo-accounts,
niet voor echte gegevens. De accounts staan in het venster waarin de monitor is gestart.</p>{% endif %}
<main id="inhoud" class="login">
<h1>Inloggen</h1>
{% if message %}<p class="message" role="status">{{ message }}</p>{% endif %}
{% if error %}<p class="message error" role="alert" id="login-fout">{{ error }}</p>{% endif %}
<form method="post" action="/login" class="login-form">
<input type="hidden" name="volgende" value="{{ following }}">
<p><label for="naam">Gebruikersnaam</label>
<input id="naam" name="naam" autocomplete="username" required value="{{ name }}"
{% if error %}aria-describedby="login-fout" aria-invalid="true"{% endif %}></p>
<p><label for="wachtwoord">Wachtwoord</label>
<input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required
{% if error %}aria-describedby="login-fout" aria-invalid="true"{% endif %}></p>
<p><button type="submit" class="button">Inloggen</button></p>
</form>
<p class="note">Geen account of wachtwoord vergeten? Vraag het de beheerder van de monitor in uw regio.</p>
</main>
</div>
</body>
</html>
"""

_MESSAGE_PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Monitor plegeraanpak</title>
<link rel="stylesheet" href="/assets/style.css"></head>
<body><main id="inhoud"><h1>Niet verwerkt</h1><p class="message error">{{ message }}</p>
<p><a href="/">Terug naar de monitor</a></p></main></body></html>
"""
