"""Opening the monitor's database: which one (`database_url`), the SQLite settings, and the one
write transaction (`write_transaction`) that every writer uses.

Works unchanged on SQLite (the embedded default) and PostgreSQL. Writers are serialised (SQLite:
`BEGIN IMMEDIATE`; PostgreSQL: a transaction-level advisory lock), so that comparing a file with
the current values and writing the differences is one consistent step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from config import settings
from config.errors import ConfigurationError
from db.tables import metadata

DB_ENV = "MONITOR_DB_URL"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "monitor.sqlite"
WRITE_OPTION = "monitor_write"  # execution option: a write transaction (SQLite: BEGIN IMMEDIATE)
_PG_LOCK_KEY = 0x4D4F4E49544F52  # "MONITOR": the advisory lock that serialises the writers


def database_url(url: str | None = None) -> str:
    """The database to use: `url`, else $MONITOR_DB_URL, else the SQLite file in data/."""
    if url and url.strip():
        return url.strip()
    if env := settings.get(DB_ENV):
        return env
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


def _masked(text: str) -> str:
    """A URL as it may be shown: without its password."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)


def _parse_url(text: str) -> URL:
    hint = (
        f"Geef een SQLAlchemy-URL op met --db of {DB_ENV}, bijvoorbeeld "
        "'sqlite:///pad/naar/monitor.sqlite' of 'postgresql+psycopg://gebruiker@server/database'."
    )
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise ConfigurationError(f"De database-URL '{_masked(text)}' is ongeldig. {hint}") from exc
    backend = url.get_backend_name()
    if backend == "postgres" or url.drivername == "postgresql":  # psycopg 3 is the installed driver
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"Database '{backend}' in '{_masked(text)}' wordt niet ondersteund; "
            f"de monitor werkt met SQLite of PostgreSQL. {hint}"
        )
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the sqlite3 module (which would not BEGIN before a
        # SELECT), so that a transaction reads and writes one consistent database.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def connect(url: str | None = None) -> Engine:
    """An engine on the monitor's database, with the tables created if they are missing."""
    text = database_url(url)
    parsed = _parse_url(text)
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed)
            _configure_sqlite(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
        raise ConfigurationError(
            f"Met de database-URL '{shown}' kan geen verbinding worden gemaakt ({exc}). Controleer --db of {DB_ENV}."
        ) from exc
    try:
        try:
            metadata.create_all(engine)
        except IntegrityError:  # another process created the tables at the same moment
            metadata.create_all(engine)
    except DBAPIError as exc:
        engine.dispose()
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise ConfigurationError(
            f"De database '{shown}' is niet bereikbaar of kan niet worden geopend ({detail}). "
            f"Controleer --db of {DB_ENV}, en of de databaseserver draait."
        ) from exc
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction; only one runs at a time per database."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
        yield conn
