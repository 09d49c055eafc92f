"""Failed sign-ins counted per client address (flask-limiter), against password spraying: trying one
password on many accounts, which the lock-out per account does not slow.

Only failures count (a 401 of `/login`); past `MONITOR_LOGIN_LIMIT` (20 per 15 minutes) every
sign-in from that address gets 429 until the window has passed. The counts live in
`MONITOR_RATELIMIT_STORAGE`, shared by all gunicorn workers: Redis (`redis://127.0.0.1:6379/0`).
`memory://` counts per worker process and forgets at a restart: what `make run` (one process) uses
when the setting is unset; `dashboard.wsgi` refuses to start without the setting and warns for
`memory://`. When Redis stops answering, the workers count in their own memory until it is back.
"""

from __future__ import annotations

from collections.abc import Callable

import flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.errors import ConfigurationError as LimitsConfigurationError

from config import settings
from config.errors import ConfigurationError

STORAGE_ENV = "MONITOR_RATELIMIT_STORAGE"
LIMIT_ENV = "MONITOR_LOGIN_LIMIT"
MEMORY = "memory://"


def configured_storage() -> str:
    """$MONITOR_RATELIMIT_STORAGE as set ("" when unset)."""
    return settings.get(STORAGE_ENV)


def window_minutes(limit: str) -> int:
    """How many minutes a refused address waits at most, for the Dutch message."""
    return max(1, round(parse(limit).get_expiry() / 60))


def check_limit(limit: str) -> str:
    """The limit as flask-limiter reads it (`20 per 15 minutes`), or a Dutch refusal of the setting."""
    try:
        parse(limit)
    except ValueError:
        raise ConfigurationError(
            f"{LIMIT_ENV} is '{limit}'; schrijf het als 'AANTAL per AANTAL minutes', bijvoorbeeld '20 per 15 minutes'."
        ) from None
    return limit


def install(server: flask.Flask, *, storage: str, limit: str) -> Callable[[Callable], Callable]:
    """A limiter on `server`; returns the decorator for the sign-in view (POST, failures only)."""
    try:
        limiter = Limiter(
            get_remote_address,  # the client's address, after the trusted proxies (dashboard.proxies)
            app=server,
            storage_uri=storage,
            strategy="moving-window",
            in_memory_fallback_enabled=True,
            key_prefix="monitor-login",
            headers_enabled=False,
        )
    except LimitsConfigurationError as exc:
        raise ConfigurationError(
            f"{STORAGE_ENV} is '{storage}', dat kan niet worden gebruikt ({exc}). "
            "Geef bijvoorbeeld 'redis://127.0.0.1:6379/0'."
        ) from exc
    server.extensions["monitor_limiter"] = limiter
    return limiter.limit(check_limit(limit), methods=["POST"], deduct_when=lambda response: response.status_code == 401)


def reachable(server: flask.Flask) -> bool:
    """Whether the limiter's storage answers (Redis running)."""
    limiter: Limiter = server.extensions["monitor_limiter"]
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - any failure of the storage client means: not reachable
        return False
