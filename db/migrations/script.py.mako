"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Created: ${create_date}

Frozen: write explicit `op.` operations with the names and types spelled out here, never import
db.tables. Change db.tables and db/migrations/__init__.py HEAD to match, and add a test in
tests/test_migrations.py that upgrades a database built with the previous schema and compares
every row before and after.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
% if imports:
${imports}
% endif

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
