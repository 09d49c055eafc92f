"""Opening the monitor's database: which one (`database_url`), the SQLite settings, the check that
its schema is the one this code expects (`connect`; migrations in db/migrations), and the one
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

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError

from config import settings
from config.errors import ConfigurationError, MonitorError
from db.migrations import HEAD, VERSION_TABLE, is_known, stamp_head
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


def open_engine(url: str | None = None) -> Engine:
    """An engine on the monitor's database as it is: nothing created, the version not checked (db.upgrade)."""
    parsed = _parse_url(database_url(url))
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed)
            _configure_sqlite(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
        raise ConfigurationError(
            f"Met de database-URL '{shown(parsed)}' kan geen verbinding worden gemaakt ({exc}). "
            f"Controleer --db of {DB_ENV}."
        ) from exc
    return engine


def shown(url: URL | Engine) -> str:
    """A database URL as messages show it: without its password."""
    return (url.url if isinstance(url, Engine) else url).render_as_string(hide_password=True)


def unreachable(engine: Engine, exc: DBAPIError) -> ConfigurationError:
    """The error for a database that cannot be opened or read."""
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return ConfigurationError(
        f"De database '{shown(engine)}' is niet bereikbaar of kan niet worden geopend ({detail}). "
        f"Controleer --db of {DB_ENV}, en of de databaseserver draait."
    )


def connect(url: str | None = None) -> Engine:
    """An engine on the monitor's database at the schema this code expects (an empty database is created).

    A database that is behind (made before migrations, or at an older revision) or newer than the
    code is refused with a ConfigurationError; `make upgrade` (`python -m db upgrade`) brings it up to date.
    """
    engine = open_engine(url)
    try:
        _ensure_current(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise unreachable(engine, exc) from exc
    except ConfigurationError:
        engine.dispose()
        raise
    return engine


# --- the schema version: one SELECT on every connect; Alembic only to create or to refuse ------


def monitor_tables(connection: Connection) -> set[str]:
    """The monitor's tables (of db.tables) that exist in the database."""
    return set(inspect(connection).get_table_names()) & set(metadata.tables)


def database_revision(engine: Engine) -> str | None:
    """The database's revision in `alembic_version`; None without one (an empty or pre-migration database)."""
    with engine.connect() as conn:
        try:
            versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        except (OperationalError, ProgrammingError):
            conn.rollback()
            if VERSION_TABLE in inspect(conn).get_table_names():
                raise
            return None
    return ",".join(sorted(versions)) or None


def create_if_empty(engine: Engine) -> bool:
    """Create the tables at HEAD when the database has none of them; whether it did."""
    with write_transaction(engine) as conn:
        if monitor_tables(conn):  # already there, or made by another process while this one waited
            return False
        metadata.create_all(conn)
        stamp_head(conn)
    return True


def behind_or_newer(engine: Engine, revision: str | None) -> ConfigurationError:
    """The error for a database whose revision is not HEAD."""
    where = f"De database '{shown(engine)}'"
    upgrade = "Werk de database bij met 'make upgrade' (of 'python -m db upgrade --db URL') en probeer het opnieuw."
    if revision is None:
        return ConfigurationError(f"{where} is gemaakt door een versie van de monitor van voor de migraties. {upgrade}")
    if is_known(revision):
        return ConfigurationError(
            f"{where} heeft versie {revision}, deze versie van de monitor verwacht versie {HEAD}. {upgrade}"
        )
    return ConfigurationError(
        f"{where} heeft versie {revision}, die deze versie van de monitor niet kent: de database is nieuwer "
        "dan de code. Er is niets aan de database veranderd; gebruik de nieuwere versie van de monitor."
    )


def _ensure_current(engine: Engine) -> None:
    revision = database_revision(engine)
    if revision is None and create_if_empty(engine):
        return
    if revision is None:
        revision = database_revision(engine)  # another process may just have created it
    if revision != HEAD:
        raise behind_or_newer(engine, revision)


@contextmanager
def reading(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection to read with: `bind` itself when it is one (inside a transaction), else a new one."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


@contextmanager
def write_transaction(engine: Engine, *, foreign_keys_at_end: bool = False) -> Iterator[Connection]:
    """One write transaction; only one runs at a time per database.

    `foreign_keys_at_end` (for migrations): SQLite checks every foreign key once before committing
    instead of per statement, so that a migration can copy a table and drop the original (batch ALTER).
    """
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        at_end = foreign_keys_at_end and conn.dialect.name == "sqlite"
        if at_end:  # only outside a transaction does SQLite take this pragma
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
                yield conn
                if at_end and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    raise MonitorError(
                        f"De wijziging van de database is teruggedraaid: {len(broken)} verwijzingen kloppen niet meer "
                        f"(eerste: tabel {broken[0][0]}, rij {broken[0][1]}, naar {broken[0][2]})."
                    )
        finally:
            if at_end:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
