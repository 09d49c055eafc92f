"""What the server tells its operator on standard error: one line per refusal or crash.

Every line says who (the signed-in user or `anoniem`, and the client's address), what (the method
and path) and why (a reason in words, an HTTP status or an exception's type and place); never a
figure: no request body, no form value, no exception message (it may quote a cell). One formatter,
set up by `configure` from `dashboard.app`, writes them all, each on one line.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

import flask

LOGGER_NAME = "dashboard"  # the modules' own loggers (dashboard.intake, ...) write through it too
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ANONYMOUS = "anoniem"
PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)

log = logging.getLogger(LOGGER_NAME)


class OneLineFormatter(logging.Formatter):
    """A log record on exactly one line: line breaks in it are written as `\\n`."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info, record.exc_text, record.stack_info = None, None, None  # tracebacks span lines
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


class StandardError(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (gunicorn and pytest replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure() -> None:
    """Send the monitor's log lines to standard error through the one formatter (once per process)."""
    if any(isinstance(handler, StandardError) for handler in log.handlers):
        return
    handler = StandardError()
    handler.setFormatter(OneLineFormatter(FORMAT))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def quoted(text: object) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"')[:300] + '"'


def _request() -> tuple[str, str, str]:
    """(who, address, what) of the current request; outside a request: nobody, "-", "-"."""
    if not flask.has_request_context():
        return ANONYMOUS, "-", "-"
    scope = getattr(flask.g, "scope", None)
    who = scope.user if scope is not None else ANONYMOUS
    return who, flask.request.remote_addr or "-", f"{flask.request.method} {flask.request.path}"


def refusal(status: int | str, why: str, *, who: str | None = None, what: str | None = None) -> None:
    """One line for a refusal: a status (401, 403, 413, 429) or a kind (`upload`, `toegang`), and why."""
    user, address, request = _request()
    log.warning(
        "refused status=%s who=%s address=%s what=%s why=%s", status, quoted(who or user), address,
        quoted(what or request), quoted(why),
    )  # fmt: skip


def crash(error: BaseException) -> None:
    """One line for an unexpected error: its type and the place it was raised, not its message."""
    user, address, what = _request()
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(PROJECT_ROOT) and "/.venv/" not in f.filename] or frames
    place = "/".join(ours[-1].filename.split("/")[-2:]) + f":{ours[-1].lineno}" if ours else "-"
    log.error(
        "crash who=%s address=%s what=%s why=%s", quoted(user), address, quoted(what),
        quoted(f"{type(error).__name__} at {place}"),
    )  # fmt: skip
