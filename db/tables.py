"""The database tables of the monitor (SQLAlchemy Core), the same on SQLite and PostgreSQL.

`uploads` keeps every upload attempt, also rejected and duplicate files, with its problems.
`observations` keeps every value ever stored; a value is never updated or deleted, only marked
superseded (`superseded_at`, `superseded_by`) when a later upload brings a different value for the
same municipality, quarter and data element. The current value of a key is its one row with
`superseded_by IS NULL`; a partial unique index makes a second current row impossible, also when
two uploads run at the same time.

Also here: the account tables (`users` and their server-side `sessions`), the indicator tables and
the append-only audit log. Opening the database is `db.engine`; changing these tables is a
migration (`db/migrations`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    DateTime,
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
    UniqueConstraint,
    event,
)

UTC = dt.UTC

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


# --- accounts: users and their server-side sessions (accounts.users, accounts.sessions) ---------
# A session row holds only the SHA-256 of its token: the token itself exists only in the cookie,
# so a copy of the database does not let anyone take over a session.

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),  # lower-cased
    Column("role", String(32), nullable=False),  # one of accounts.scope.Role
    Column("region", String(32), nullable=True),  # projectleider only
    Column("municipalities", Text, nullable=False, default="[]"),  # JSON list of CBS codes
    Column("password_hash", String(512), nullable=False),  # argon2id, PHC string
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_attempts", Integer, nullable=False, default=0),  # consecutive, since the last login or lock
    Column("locked_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("password_changed_at", UTCDateTime(), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex of the cookie's token
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
)
# Ending all sessions of a user whose rights changed.
Index("ix_sessions_user", sessions.c.user_id, sessions.c.ended_at)


# --- what a source's columns mean, as its uploader said (ingest.mappings; revision 0002) --------

column_mappings = Table(
    "column_mappings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),  # `--source NAME`, or the uploader's organisation
    Column("header", String(200), nullable=False),  # ingest.columns.header_key of the column's header
    Column("code", String(40), nullable=False),  # one of ingest.columns.COLUMN_CODES
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    UniqueConstraint("source", "header", name="uq_column_mappings_source_header"),
)


# --- the indicator table: aggregates computed once per store change (indicators.table) ---------

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
Index("ix_indicator_values_period", indicator_values.c.period)  # a refresh rewrites only the years that changed
Index(
    "ix_indicator_values_level",
    indicator_values.c.level,
    indicator_values.c.indicator,
    indicator_values.c.period,
)

# The public indicator table (indicators.suppression): region, national and yearly rows with small
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
Index("ix_indicator_values_public_period", indicator_values_public.c.period)

# One row: the store version the indicator table was computed for.
indicator_state = Table(
    "indicator_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_version", Integer, nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
    # SHA-256 (hex) of what the tables depend on besides the values: the region division file's bytes
    # and the ketenpartners' municipality lists (indicators.table.pattern_key); NULL: computed before
    # it was kept, so recomputed.
    Column("pattern_key", String(64), nullable=True),
)


# --- steering (db.steering): targets and interpretations, every version kept ------------------
# As with observations, a row is never updated in place except to mark it superseded; the current
# version of a key is its one row with `superseded_by IS NULL` (a partial unique index).

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("level", String(16), nullable=False),  # region | national
    Column("area_code", String(32), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("value", Float, nullable=True),  # in the indicator's unit (a fraction for a proportion); NULL: withdrawn
    Column("due_period", String(8), nullable=True),  # the quarter by which it should be reached, 2026Q4
    Column("set_by", String(200), nullable=False),
    Column("set_at", UTCDateTime(), nullable=False),
    Column("superseded_at", UTCDateTime(), nullable=True),
    Column("superseded_by", Integer, ForeignKey("targets.id"), nullable=True),
)
_CURRENT_TARGET = targets.c.superseded_by.is_(None)
Index(
    "ux_targets_current",
    targets.c.level,
    targets.c.area_code,
    targets.c.indicator,
    unique=True,
    sqlite_where=_CURRENT_TARGET,
    postgresql_where=_CURRENT_TARGET,
)

interpretations = Table(
    "interpretations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("level", String(16), nullable=False),  # region | municipality (a gemeente's note)
    Column("area_code", String(32), nullable=False),
    Column("period", String(8), nullable=False),  # 2025Q3
    Column("indicator", String(64), nullable=False, default=""),  # "" for the quarter as a whole
    Column("meaning", Text, nullable=False, default=""),  # what the figures mean (duiding)
    Column("action", Text, nullable=False, default=""),  # what is done about it (bijsturing)
    Column("action_by", String(200), nullable=False, default=""),
    Column("action_due", String(8), nullable=False, default=""),  # the quarter it should be done by
    Column("written_by", String(200), nullable=False),
    Column("written_at", UTCDateTime(), nullable=False),
    Column("superseded_at", UTCDateTime(), nullable=True),
    Column("superseded_by", Integer, ForeignKey("interpretations.id"), nullable=True),
)
_CURRENT_INTERPRETATION = interpretations.c.superseded_by.is_(None)
Index(
    "ux_interpretations_current",
    interpretations.c.level,
    interpretations.c.area_code,
    interpretations.c.period,
    interpretations.c.indicator,
    unique=True,
    sqlite_where=_CURRENT_INTERPRETATION,
    postgresql_where=_CURRENT_INTERPRETATION,
)


# --- the audit log (db.audit): append-only, who did what when -------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(200), nullable=False),  # user name, or "cli:<os user>", "systeem"
    Column("action", String(64), nullable=False, index=True),  # one of db.audit.Action
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
