"""Targets (streefwaarden) and interpretations (duiding en bijsturing), every version kept.

Revision ID: 0004
Revises: 0001
Created: 2026-12-02

Two new tables; no existing table changes. Frozen: names and types are spelled out here, never
taken from db.tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("targets", "interpretations")
UTC_TIMESTAMP = sa.DateTime(timezone=True)  # db.tables.UTCDateTime stores this (naive UTC text on SQLite)


def upgrade() -> None:
    current = sa.text("superseded_by IS NULL")
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("due_period", sa.String(8), nullable=True),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("superseded_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
        sa.ForeignKeyConstraint(["superseded_by"], ["targets.id"], name="fk_targets_superseded_by_targets"),
    )
    op.create_index(
        "ux_targets_current", "targets", ["level", "area_code", "indicator"], unique=True,
        sqlite_where=current, postgresql_where=current,
    )  # fmt: skip

    op.create_table(
        "interpretations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("action_by", sa.String(200), nullable=False),
        sa.Column("action_due", sa.String(8), nullable=False),
        sa.Column("written_by", sa.String(200), nullable=False),
        sa.Column("written_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("superseded_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_interpretations"),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["interpretations.id"], name="fk_interpretations_superseded_by_interpretations"
        ),
    )
    op.create_index(
        "ux_interpretations_current", "interpretations", ["level", "area_code", "period", "indicator"], unique=True,
        sqlite_where=current, postgresql_where=current,
    )  # fmt: skip


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
