"""What a source's columns mean, as its uploader said: one row per source and header (issue 9).

Revision ID: 0002
Revises: 0001
Created: 2026-12-02

Frozen: the names and types are spelled out here, not taken from db.tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "column_mappings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("header", sa.String(200), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source", "header", name="uq_column_mappings_source_header"),
    )


def downgrade() -> None:
    op.drop_table("column_mappings")
