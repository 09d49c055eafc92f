"""The schema of the release before migrations (commit b5ac64e: ingest/schema.py and accounts/schema.py).

Revision ID: 0001
Revises: -
Created: 2026-12-02

Frozen: every name and type is spelled out here, so that later changes of db.tables do not change
what this revision does. A database made by that release has all of `TABLES` and no
`alembic_version`; `python -m db upgrade` stamps it at 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (  # in the order they are created
    "uploads", "users", "indicator_values", "indicator_values_public", "indicator_state", "audit_log",
    "observations", "sessions",
)  # fmt: skip

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # db.tables.UTCDateTime stores this (naive UTC text on SQLite)
AUDIT_APPEND_ONLY = "het auditlog is alleen aan te vullen: regels wijzigen of verwijderen kan niet"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{AUDIT_APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{AUDIT_APPEND_ONLY} (%%)', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT "
    "EXECUTE FUNCTION audit_log_append_only()",
]


def _indicator_columns() -> list[sa.Column]:
    return [
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("area_name", sa.String(200), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=True),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("ci99_low", sa.Float(), nullable=True),
        sa.Column("ci99_high", sa.Float(), nullable=True),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
        sa.ForeignKeyConstraint(["duplicate_of"], ["uploads.id"], name="fk_uploads_duplicate_of_uploads"),
    )
    op.create_index("ix_uploads_status", "uploads", ["status"])
    op.create_index("ix_uploads_sha256", "uploads", ["sha256"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("region", sa.String(32), nullable=True),
        sa.Column("municipalities", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.String(512), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC_TIMESTAMP, nullable=True),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("password_changed_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )

    op.create_table("indicator_values", *_indicator_columns())
    op.create_index("ix_indicator_values_level", "indicator_values", ["level", "indicator", "period"])
    op.create_index("ix_indicator_values_area", "indicator_values", ["area_code", "indicator"])

    op.create_table(
        "indicator_values_public",
        *_indicator_columns(),
        sa.Column("shown", sa.String(4), nullable=True),
        sa.Column("suppression", sa.String(16), nullable=False),
    )
    op.create_index("ix_indicator_values_public_level", "indicator_values_public", ["level", "indicator", "period"])
    op.create_index("ix_indicator_values_public_area", "indicator_values_public", ["area_code", "indicator"])

    op.create_table(
        "indicator_state",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("store_version", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_state"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(dialect, []):
        op.execute(sa.DDL(statement))

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(16), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("quarter", sa.SmallInteger(), nullable=False),
        sa.Column("element", sa.String(64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("sheet", sa.String(200), nullable=False),
        sa.Column("cell", sa.String(20), nullable=False),
        sa.Column("superseded_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_observations"),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name="fk_observations_upload_id_uploads"),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["observations.id"], name="fk_observations_superseded_by_observations"
        ),
    )
    op.create_index("ix_observations_upload_id", "observations", ["upload_id"])
    op.create_index("ix_observations_key", "observations", ["municipality", "year", "quarter", "element", "id"])
    current = sa.text("superseded_by IS NULL")
    op.create_index(
        "ux_observations_current",
        "observations",
        ["municipality", "year", "quarter", "element"],
        unique=True,
        sqlite_where=current,
        postgresql_where=current,
    )

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("ended_at", UTC_TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id", "ended_at"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # drops the indexes and (SQLite, PostgreSQL) the audit triggers with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.DDL("DROP FUNCTION IF EXISTS audit_log_append_only()"))
