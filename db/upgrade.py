"""Bringing a database up to the schema of this code (`python -m db upgrade`, `make upgrade`).

An empty database is created at HEAD; a database made by the release before migrations (b5ac64e:
all the tables of revision 0001, no `alembic_version`) is stamped at 0001 and upgraded; a database
at an older revision is upgraded; a database at a revision this code does not know (newer than the
code) is refused and not written to. Everything happens in one write transaction: an upgrade that
fails leaves the database as it was (on SQLite too: its DDL is transactional).
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from db.engine import create_if_empty, database_revision, monitor_tables, shown, write_transaction
from db.migrations import HEAD, alembic_config, is_known, script_directory

INITIAL = "0001"  # the revision of the schema of release b5ac64e


@dataclass(frozen=True)
class Outcome:
    """What `upgrade` did, or why it refused (`ok` False; nothing was written)."""

    ok: bool
    message: str
    before: str | None = None  # the revision found: None for empty, "b5ac64e" for the release before migrations
    after: str | None = None


def initial_tables() -> frozenset[str]:
    """The tables revision 0001 creates: the tables of release b5ac64e."""
    return frozenset(script_directory().get_revision(INITIAL).module.TABLES)


def upgrade(engine: Engine) -> Outcome:
    """Bring the database to HEAD, keeping every row; refuse one that is newer than the code or not recognised."""
    where = f"De database '{shown(engine)}'"
    if database_revision(engine) is None and create_if_empty(engine):
        return Outcome(True, f"{where} was leeg en is aangemaakt op versie {HEAD}.", None, HEAD)
    with write_transaction(engine, foreign_keys_at_end=True) as conn:
        revision = MigrationContext.configure(conn).get_current_revision()  # again, under the write lock
        if revision is None:
            missing = sorted(initial_tables() - monitor_tables(conn))
            if missing:
                return Outcome(False, (
                    f"{where} wordt niet herkend: er is geen versie vastgelegd en de tabellen "
                    f"{', '.join(missing)} ontbreken. Er is niets veranderd; controleer --db of MONITOR_DB_URL."
                ))  # fmt: skip
            command.stamp(alembic_config(conn), INITIAL)
            before = "b5ac64e"
        elif not is_known(revision):
            return Outcome(False, (
                f"{where} heeft versie {revision}, die deze versie van de monitor niet kent: de database is "
                "nieuwer dan de code. Er is niets veranderd; gebruik de nieuwere versie van de monitor."
            ), revision)  # fmt: skip
        elif revision == HEAD:
            return Outcome(True, f"{where} is al bijgewerkt (versie {HEAD}).", HEAD, HEAD)
        else:
            before = revision
        command.upgrade(alembic_config(conn), "head")
    shown_before = "de versie van voor de migraties (b5ac64e)" if before == "b5ac64e" else f"versie {before}"
    return Outcome(True, f"{where} is bijgewerkt van {shown_before} naar versie {HEAD}.", before, HEAD)
