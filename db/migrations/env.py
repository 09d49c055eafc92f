"""Alembic's environment: runs the revisions on the connection the caller gives (db.upgrade), or on
the monitor's database (--db / MONITOR_DB_URL / data/monitor.sqlite) for the `alembic` command.

SQLite alters a table by copying it (`render_as_batch`); db.upgrade switches its foreign key
checks off for that and checks them all before committing.
"""

from __future__ import annotations

from alembic import context

from db.migrations import VERSION_TABLE
from db.tables import metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from db.engine import database_url, open_engine

    engine = open_engine(database_url(context.config.get_main_option("sqlalchemy.url")))
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata, version_table=VERSION_TABLE,
        literal_binds=True, render_as_batch=True,
    )  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()
else:
    _online()
