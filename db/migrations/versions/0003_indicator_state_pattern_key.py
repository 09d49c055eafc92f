"""indicator_state.pattern_key: what the stored indicator tables depend on besides the values.

Revision ID: 0003
Revises: 0002
Created: 2026-12-02

A SHA-256 (hex) of the region division file's bytes and the ketenpartners' municipality lists
(`indicators.table.pattern_key`). NULL in an upgraded database: the tables were computed before it
was kept, so the next read recomputes them. Every row stays.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_state") as batch:
        batch.add_column(sa.Column("pattern_key", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator_state") as batch:
        batch.drop_column("pattern_key")
