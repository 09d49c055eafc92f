"""Alembic migrations of the monitor's tables: one revision per change, the first (0001) the schema
of the release before migrations (b5ac64e).

`HEAD` is the revision the code expects; `db.engine.connect` compares it with the database's
`alembic_version` in one SELECT, without loading Alembic. Alembic itself is imported only where a
database is created, upgraded or refused (`script_directory`, `stamp_head`, `db.upgrade`).
A test checks that `HEAD` is Alembic's head of `versions/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection

HEAD = "0005"  # the newest revision in versions/; change it with every new revision
VERSION_TABLE = "alembic_version"
SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for this project; with `connection`, env.py runs on it (in its transaction)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config


@cache
def script_directory() -> ScriptDirectory:
    """The revisions in versions/ (read once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def is_known(revision: str) -> bool:
    """Whether this code has the revision (an older or the current one), so it can upgrade from it."""
    from alembic.util import CommandError

    try:
        return script_directory().get_revision(revision) is not None
    except CommandError:
        return False


def stamp_head(connection: Connection) -> None:
    """Record in `alembic_version` that the database is at `HEAD` (after `metadata.create_all`)."""
    from alembic.migration import MigrationContext

    MigrationContext.configure(connection).stamp(script_directory(), HEAD)
