"""The database tables of the monitor (SQLAlchemy Core), the same on SQLite and PostgreSQL.

`uploads` keeps every upload attempt, also rejected and duplicate files, with its problems.
`observations` keeps every value ever stored; a value is never updated or deleted, only marked
superseded (`superseded_at`, `superseded_by`) when a later upload brings a different value for the
same municipality, quarter and data element. The current value of a key is its one row with
`superseded_by IS NULL`; a partial unique index makes a second current row impossible, also when
two uploads run at the same time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
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
    Column("status", String(16), nullable=False),  # one of STATUSES
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
