"""`/healthz` for the load balancer: 200 when the database answers, 503 when it does not.

It needs no session, reads no data (one `SELECT 1`), writes nothing (no audit entry per probe) and
says only `ok` or `database onbereikbaar`; a failure is logged on one line.
"""

from __future__ import annotations

from collections.abc import Callable

import flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from config.errors import MonitorError
from dashboard import logs

PATH = "/healthz"


def database_answers(engine: Callable[[], Engine]) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
    except (SQLAlchemyError, MonitorError, OSError) as exc:
        logs.log.error("health database=unreachable why=%s", type(exc).__name__)
        return False
    return True


def install(server: flask.Flask, engine: Callable[[], Engine]) -> None:
    """Add the `/healthz` route (the gate lets it through without a session)."""

    @server.route(PATH, methods=["GET", "HEAD"], endpoint="monitor_health")
    def _health():
        if database_answers(engine):
            return flask.Response("ok\n", status=200, mimetype="text/plain")
        return flask.Response("database onbereikbaar\n", status=503, mimetype="text/plain")
