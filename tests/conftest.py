"""Shared pytest fixtures. Each block is self-contained; add new ones in a block of their own."""

from __future__ import annotations

import os
import secrets
import tempfile

import pytest

# ==== storage (ingest.store): `db_url` and `engine`, on SQLite and on PostgreSQL ==================
# Tests that take `engine` (or `db_url`) run twice: on an SQLite file in tmp_path, and on a
# database created for this test session on the PostgreSQL server (marked `postgres`). Without a
# reachable server the PostgreSQL runs are skipped, except on CI (CI=true), where they fail.

STORE_POSTGRES_ADMIN_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a fresh PostgreSQL database for this test session, dropped at the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(STORE_POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"monitor_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        shown = admin.url.render_as_string(hide_password=True)
        message = f"PostgreSQL at {shown} is not reachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _store_drop_tables(url: str) -> None:
    """Drop every table, the migrations' `alembic_version` too (or the next test finds a stamped empty database)."""
    from sqlalchemy import MetaData, create_engine

    from db.tables import metadata

    engine = create_engine(url)
    try:
        metadata.drop_all(engine)
        left = MetaData()
        left.reflect(engine)  # tables of another schema (an old or newer one, made by tests/test_migrations.py)
        left.drop_all(engine)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_log_append_only()")
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """An empty database (no tables yet): an SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.sqlite'}"
        return
    url = request.getfixturevalue("postgres_url")
    _store_drop_tables(url)
    yield url
    _store_drop_tables(url)


@pytest.fixture
def engine(db_url):
    """`db.engine.connect` on an empty database: the tables exist, nothing is stored."""
    from db.engine import connect

    engine = connect(db_url)
    yield engine
    engine.dispose()


# ==== end of storage fixtures =====================================================================


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The system's temporary folder for this test, to see what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder
