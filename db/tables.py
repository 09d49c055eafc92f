"""The database tables of the monitor (SQLAlchemy Core), the same on SQLite and PostgreSQL.

`uploads` keeps every upload attempt, also rejected and duplicate files, with its problems.
`observations` keeps every value ever stored; a value is never updated or deleted, only marked
superseded (`superseded_at`, `superseded_by`) when a later upload brings a different value for the
same municipality, quarter and data element. The current value of a key is its one row with
`superseded_by IS NULL`; a partial unique index makes a second current row impossible, also when
two uploads run at the same time.

Also here: which database to use (`database_url`) and opening it (`connect`), with the SQLite
settings and the transaction modes `store` relies on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from ingest.problems import ConfigurationError

UTC = dt.UTC
DB_ENV = "MONITOR_DB_URL"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "monitor.sqlite"
WRITE_OPTION = "monitor_write"  # execution option: a write transaction (SQLite: BEGIN IMMEDIATE)

# Stable constraint names, so that errors and migrations can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is stored as naive UTC
    text (which also sorts correctly) and comes back with `tzinfo=UTC`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp without time zone: {value!r}; give an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


STATUSES = ("stored", "duplicate", "rejected")

uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("source", String(200), nullable=False, default=""),
    Column("uploaded_by", String(200), nullable=False, default=""),
    Column("uploaded_at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False, index=True),  # one of STATUSES; counted by store_version
    Column("added", Integer, nullable=False, default=0),
    Column("replaced", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("duplicate_of", Integer, ForeignKey("uploads.id"), nullable=True),
    # JSON text: [{"sheet", "cell", "code", "severity", "message"}, ...]
    Column("problems", Text, nullable=False, default="[]"),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("upload_id", Integer, ForeignKey("uploads.id"), nullable=False, index=True),
    Column("municipality", String(16), nullable=False),  # CBS code, GM0363
    Column("year", SmallInteger, nullable=False),
    Column("quarter", SmallInteger, nullable=False),
    Column("element", String(64), nullable=False),
    Column("value", Integer, nullable=True),  # NULL: unknown (blank or suppressed)
    Column("suppressed", Boolean, nullable=False, default=False),
    Column("sheet", String(200), nullable=False, default=""),
    Column("cell", String(20), nullable=False, default=""),
    Column("superseded_at", UTCDateTime(), nullable=True),
    Column("superseded_by", Integer, ForeignKey("observations.id"), nullable=True),
)

_CURRENT = observations.c.superseded_by.is_(None)

# At most one current value per key. Partial, so superseded versions of the key may pile up; it
# also serves the current-values query and the look-up of a file's keys.
Index(
    "ux_observations_current",
    observations.c.municipality,
    observations.c.year,
    observations.c.quarter,
    observations.c.element,
    unique=True,
    sqlite_where=_CURRENT,
    postgresql_where=_CURRENT,
)
# The history of a key, current and superseded versions alike.
Index(
    "ix_observations_key",
    observations.c.municipality,
    observations.c.year,
    observations.c.quarter,
    observations.c.element,
    observations.c.id,
)


# --- connecting -------------------------------------------------------------------------------


def database_url(url: str | None = None) -> str:
    """The database to use: `url`, else $MONITOR_DB_URL, else the SQLite file in data/."""
    if url and url.strip():
        return url.strip()
    if env := os.environ.get(DB_ENV, "").strip():
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
    import accounts.schema  # noqa: F401  (registers the account tables; here to avoid an import cycle)

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


# --- the indicator table: aggregates computed once per store change (ingest.indicator_table) ---

indicator_values = Table(
    "indicator_values",
    metadata,
    Column("level", String(16), nullable=False),  # municipality | region | national
    Column("area_code", String(32), nullable=False),
    Column("area_name", String(200), nullable=False),
    Column("period", String(8), nullable=False),  # 2024Q1
    Column("indicator", String(64), nullable=False),
    Column("numerator", BigInteger, nullable=True),
    Column("denominator", BigInteger, nullable=True),
    Column("value", Float, nullable=True),
    Column("ci_low", Float, nullable=True),
    Column("ci_high", Float, nullable=True),
    Column("ci99_low", Float, nullable=True),
    Column("ci99_high", Float, nullable=True),
    Column("reported", Integer, nullable=False),
    Column("expected", Integer, nullable=False),
    Column("population", BigInteger, nullable=True),
)
# A chart reads one or two areas (a region and the nation) for one or a few indicators; a
# comparison reads one level for one indicator and quarter.
Index("ix_indicator_values_area", indicator_values.c.area_code, indicator_values.c.indicator)
Index(
    "ix_indicator_values_level",
    indicator_values.c.level,
    indicator_values.c.indicator,
    indicator_values.c.period,
)

# The public indicator table (ingest.suppression): region, national and yearly rows with small
# numbers suppressed, for users without full detail; written with indicator_values, same version.
indicator_values_public = Table(
    "indicator_values_public",
    metadata,
    *(Column(c.name, c.type, nullable=c.nullable) for c in indicator_values.columns),
    Column("shown", String(4), nullable=True),  # "<5", "" (hidden otherwise), NULL: published
    Column("suppression", String(16), nullable=False, default=""),  # primary | secondary | ""
)
Index(
    "ix_indicator_values_public_level",
    indicator_values_public.c.level,
    indicator_values_public.c.indicator,
    indicator_values_public.c.period,
)
Index("ix_indicator_values_public_area", indicator_values_public.c.area_code, indicator_values_public.c.indicator)

# One row: the store version the indicator table was computed for.
indicator_state = Table(
    "indicator_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_version", Integer, nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
)


# --- the audit log (ingest.audit): append-only, who did what when -------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(200), nullable=False),  # user name, or "cli:<os user>", "systeem"
    Column("action", String(64), nullable=False, index=True),  # one of ingest.audit.Action
    Column("subject", String(500), nullable=False, default=""),  # what it was about: a user, a file, a key
    Column("details", Text, nullable=False, default="{}"),  # JSON
)

# Append-only, enforced by the database itself: triggers refuse every UPDATE and DELETE (and on
# PostgreSQL TRUNCATE), whoever connects. `metadata.create_all` creates them with the table.
AUDIT_APPEND_ONLY = "het auditlog is alleen aan te vullen: regels wijzigen of verwijderen kan niet"

for _verb in ("UPDATE", "DELETE"):
    event.listen(
        audit_log,
        "after_create",
        DDL(
            f"CREATE TRIGGER audit_log_no_{_verb.lower()} BEFORE {_verb} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_APPEND_ONLY}'); END"
        ).execute_if(dialect="sqlite"),
    )

event.listen(
    audit_log,
    "after_create",
    DDL(
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{AUDIT_APPEND_ONLY} (%%)', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
    ).execute_if(dialect="postgresql"),
)
for _name, _when in (("no_change", "UPDATE OR DELETE ON audit_log FOR EACH ROW"),
                     ("no_truncate", "TRUNCATE ON audit_log FOR EACH STATEMENT")):  # fmt: skip
    event.listen(
        audit_log,
        "after_create",
        DDL(f"CREATE TRIGGER audit_log_{_name} BEFORE {_when} EXECUTE FUNCTION audit_log_append_only()").execute_if(
            dialect="postgresql"
        ),
    )
event.listen(
    audit_log,
    "after_drop",
    DDL("DROP FUNCTION IF EXISTS audit_log_append_only()").execute_if(dialect="postgresql"),
)
