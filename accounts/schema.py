"""The tables of the accounts: `users` and their server-side `sessions`.

Both live on the shared `ingest.schema.metadata`, so `ingest.schema.connect()` creates them once
this module has been imported; `ensure_tables` creates them on an engine made otherwise.
A session row holds only the SHA-256 of its token: the token itself exists only in the cookie,
so a copy of the database does not let anyone take over a session.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Engine, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.exc import IntegrityError

from ingest.schema import UTCDateTime, metadata

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

TABLES = (users, sessions)


def ensure_tables(engine: Engine) -> None:
    """Create `users` and `sessions` when they are missing (`connect()` does so too)."""
    try:
        metadata.create_all(engine, tables=list(TABLES))
    except IntegrityError:  # another process created them at the same moment
        metadata.create_all(engine, tables=list(TABLES))
