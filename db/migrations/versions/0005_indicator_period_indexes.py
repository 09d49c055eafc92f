"""Indexes on the period of both indicator tables: a refresh deletes and rewrites only the years an
upload touched, and finds the table's first and last quarter, without reading the whole history.

Revision ID: 0005
Revises: 0004
Created: 2026-12-02

Only indexes are added; every row stays.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_indicator_values_period", "indicator_values", ["period"])
    op.create_index("ix_indicator_values_public_period", "indicator_values_public", ["period"])


def downgrade() -> None:
    op.drop_index("ix_indicator_values_public_period", table_name="indicator_values_public")
    op.drop_index("ix_indicator_values_period", table_name="indicator_values")
