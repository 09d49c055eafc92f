"""db/migrations, db.upgrade and the version check of db.engine.connect, on SQLite and PostgreSQL.

An OLD database is built from the frozen tables of release b5ac64e (tests/schema_b5ac64e.py), filled
with rows in every table, upgraded, and compared row by row. Every later table change comes as a
revision with a test like `test_upgrade_keeps_every_row_of_a_b5ac64e_database`.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from contextlib import redirect_stderr

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import MetaData, String, create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

import tests.schema_b5ac64e as old
from config.errors import ConfigurationError, MonitorError
from db import __main__ as db_cli
from db.engine import PROJECT_ROOT, connect, open_engine, write_transaction
from db.migrations import HEAD, VERSION_TABLE, alembic_config, script_directory
from db.tables import AUDIT_APPEND_ONLY, metadata, uploads
from db.upgrade import initial_tables

T0 = dt.datetime(2024, 4, 2, 9, 30, tzinfo=dt.UTC)
LATER_TABLES = ("column_mappings", "targets", "interpretations")  # made by 0002 and 0004; empty after an upgrade


def with_pattern_key(rows: dict) -> dict:
    """Every row of a 0001 database as it is after revision 0003: `indicator_state` gains `pattern_key`,
    empty in an upgraded database (the next read recomputes the stored tables)."""
    return {**rows, "indicator_state": [(*row, None) for row in rows["indicator_state"]]}


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def indicator_row(**extra) -> dict:
    return {"level": "region", "area_code": "VR09", "area_name": "Utrecht", "period": "2024Q1",
            "indicator": "doorlooptijd", "numerator": 12, "denominator": 40, "value": 30.0, "ci_low": 17.9,
            "ci_high": 45.6, "ci99_low": 12.1, "ci99_high": 52.3, "reported": 26, "expected": 26,
            "population": 1_361_000, **extra}  # fmt: skip


def put(conn, table, rows: list[dict]) -> None:
    for row in rows:  # one by one: the rows leave different columns to their defaults
        conn.execute(table.insert().values(**row))


def fill_old_database(url: str) -> None:
    """The b5ac64e schema with rows in every table: a duplicate upload, a superseded value, accounts, audit."""
    engine = create_engine(url)
    try:
        old.metadata.create_all(engine)
        with engine.begin() as conn:
            put(conn, old.uploads, [  # ids 1, 2, 3 from the sequence, as the old release made them
                {"file_name": "utrecht_2024.xlsx", "sha256": "a" * 64, "source": "VT Utrecht",
                 "uploaded_by": "piet", "uploaded_at": at(0), "status": "stored", "added": 2, "problems": "[]"},
                {"file_name": "utrecht_2024_v2.xlsx", "sha256": "b" * 64, "source": "VT Utrecht",
                 "uploaded_by": "piet", "uploaded_at": at(5), "status": "stored", "replaced": 1, "unchanged": 1,
                 "problems": '[{"code": "unknown_header"}]'},
                {"file_name": "kopie.xlsx", "sha256": "b" * 64, "uploaded_at": at(6), "status": "duplicate",
                 "duplicate_of": 2},
            ])  # fmt: skip
            put(conn, old.observations, [  # 1 is superseded by 3; inserted last, as the index allows one current
                {"id": 2, "upload_id": 1, "municipality": "GM0344", "year": 2024, "quarter": 1,
                 "element": "thv_gestart", "value": None, "suppressed": True, "sheet": "Blad1", "cell": "D3"},
                {"id": 3, "upload_id": 2, "municipality": "GM0344", "year": 2024, "quarter": 1,
                 "element": "thv_totaal", "value": 9, "sheet": "Blad1", "cell": "C3"},
                {"id": 1, "upload_id": 1, "municipality": "GM0344", "year": 2024, "quarter": 1,
                 "element": "thv_totaal", "value": 7, "sheet": "Blad1", "cell": "C3", "superseded_at": at(5),
                 "superseded_by": 3},
            ])  # fmt: skip
            put(conn, old.indicator_values, [indicator_row(), indicator_row(level="national",
                         area_code="NL", area_name="Nederland", numerator=None, value=None)])  # fmt: skip
            put(conn, old.indicator_values_public, [
                indicator_row(shown=None, suppression=""),
                indicator_row(area_code="VR10", numerator=3, shown="<5", suppression="primary"),
            ])  # fmt: skip
            conn.execute(old.indicator_state.insert().values(id=1, store_version=3, computed_at=at(7)))
            put(conn, old.users, [
                {"name": "beheer", "role": "beheerder", "password_hash": "$argon2id$v=19$x",
                 "created_at": at(-60), "password_changed_at": at(-60)},
                {"name": "pl-utrecht", "role": "projectleider", "region": "VR09",
                 "municipalities": '["GM0344"]', "password_hash": "$argon2id$v=19$y", "active": False,
                 "failed_attempts": 2, "locked_until": at(30), "created_at": at(-50), "password_changed_at": at(-40)},
            ])  # fmt: skip
            put(conn, old.sessions, [
                {"token_hash": "c" * 64, "user_id": 1, "created_at": at(1), "last_seen_at": at(2), "ended_at": at(3)},
                {"token_hash": "d" * 64, "user_id": 2, "created_at": at(4), "last_seen_at": at(4)},
            ])  # fmt: skip
            put(conn, old.audit_log, [
                {"at": at(0), "actor": "piet", "action": "aanlevering", "subject": "utrecht_2024.xlsx",
                 "details": '{"upload_id": 1}'},
                {"at": at(5), "actor": "piet", "action": "waarden_vervangen", "subject": "utrecht_2024_v2.xlsx",
                 "details": '{"count": 1}'},
                {"at": at(8), "actor": "systeem", "action": "inloggen", "details": "{}"},
            ])  # fmt: skip
    finally:
        engine.dispose()


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, as the database holds them (reflected, not through db.tables)."""
    engine = create_engine(url)
    try:
        reflected = MetaData()
        reflected.reflect(engine)
        with engine.connect() as conn:
            return {
                name: [tuple(r) for r in conn.execute(select(table).order_by(*table.columns))]
                for name, table in sorted(reflected.tables.items())
            }
    finally:
        engine.dispose()


def schema_of(url: str) -> dict:
    """Tables, columns, keys, indexes (with their WHERE), triggers and functions, as the database reports them."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            tables = {
                name: {
                    "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
                    "pk": found.get_pk_constraint(name),
                    "fks": sorted(found.get_foreign_keys(name), key=lambda f: f["name"]),
                    "unique": sorted(found.get_unique_constraints(name), key=lambda u: u["name"]),
                    "indexes": sorted(
                        (
                            {**i, "dialect_options": {k: str(v) for k, v in i["dialect_options"].items()}}
                            for i in found.get_indexes(name)
                        ),
                        key=lambda i: i["name"],
                    ),  # fmt: skip
                }
                for name in sorted(found.get_table_names())
                if name != VERSION_TABLE
            }
            if conn.dialect.name == "sqlite":
                ddl = conn.execute(text("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                                        "ORDER BY type, name")).all()  # fmt: skip
            else:
                ddl = conn.execute(text(
                    "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL "
                    "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
                    "UNION ALL SELECT 'function', proname, pg_get_functiondef(oid) FROM pg_proc "
                    "WHERE proname = 'audit_log_append_only' ORDER BY 1, 2")).all()  # fmt: skip
        return {"tables": tables, "ddl": [tuple(r) for r in ddl if r[1] != f"{VERSION_TABLE}_pkc"]}
    finally:
        engine.dispose()


def differences_from_code(url: str) -> list:
    """Alembic's autogenerate comparison of the database with db.tables: empty when they agree."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    finally:
        engine.dispose()


def revision_of(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    finally:
        engine.dispose()


def drop_everything(url: str) -> None:
    from tests.conftest import _store_drop_tables

    _store_drop_tables(url)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        code = db_cli.main(list(argv), out=out)
    return code, out.getvalue(), err.getvalue()


def upgrade_from_nothing(url: str) -> None:
    """Alembic's own `upgrade head` on an empty database: every revision from the first."""
    engine = open_engine(url)
    try:
        with write_transaction(engine, foreign_keys_at_end=True) as conn:
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()


# --- one fact in one place ---------------------------------------------------------------------


def test_head_constant_is_alembics_head():
    assert script_directory().get_heads() == [HEAD]


def test_revision_0001_creates_the_tables_of_b5ac64e_and_later_revisions_the_rest_of_the_code():
    assert initial_tables() == frozenset(old.metadata.tables)
    assert frozenset(metadata.tables) == initial_tables() | frozenset(LATER_TABLES)


def test_the_alembic_command_finds_the_same_head():
    result = subprocess.run([sys.executable, "-m", "alembic", "heads"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert result.stdout.split() == [HEAD, "(head)"]


def test_connect_to_a_current_database_does_not_load_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    connect(url).dispose()
    probe = f"import sys; from db.engine import connect; connect({url!r}).dispose(); print('alembic' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- creating: create_all + stamp is the same as upgrading from nothing -------------------------


def test_create_all_and_upgrade_head_make_the_same_schema(db_url):
    upgrade_from_nothing(db_url)
    assert revision_of(db_url) == [HEAD]
    assert differences_from_code(db_url) == []
    migrated = schema_of(db_url)
    drop_everything(db_url)

    connect(db_url).dispose()  # the fast path on an empty database
    assert revision_of(db_url) == [HEAD]
    assert differences_from_code(db_url) == []
    assert schema_of(db_url) == migrated
    triggers = [name for kind, name, _ in migrated["ddl"] if kind == "trigger"]
    expected = {"sqlite": ["audit_log_no_delete", "audit_log_no_update"],
                "postgresql": ["audit_log_no_change", "audit_log_no_truncate"]}  # fmt: skip
    assert triggers == expected[create_engine(db_url).dialect.name]
    (partial,) = [sql for kind, name, sql in migrated["ddl"] if name == "ux_observations_current"]
    assert "UNIQUE" in partial and "WHERE" in partial and "superseded_by IS NULL" in partial


def test_the_audit_log_of_an_upgraded_empty_database_is_append_only(db_url):
    upgrade_from_nothing(db_url)
    engine = connect(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_log (at, actor, action, subject, details) "
                              "VALUES (CURRENT_TIMESTAMP, 'a', 'inloggen', '', '{}')"))  # fmt: skip
        for statement in ("UPDATE audit_log SET actor = 'b'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match=AUDIT_APPEND_ONLY), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_upgrade_creates_an_empty_database_at_head(db_url):
    code, out, _ = run_cli("upgrade", "--db", db_url)
    assert (code, out.strip().endswith(f"was leeg en is aangemaakt op versie {HEAD}.")) == (0, True)
    assert revision_of(db_url) == [HEAD] and differences_from_code(db_url) == []
    code, out, _ = run_cli("upgrade", "--db", db_url)
    assert (code, "is al bijgewerkt" in out) == (0, True)


# --- the release before migrations ------------------------------------------------------------


def test_upgrade_keeps_every_row_of_a_b5ac64e_database(db_url):
    fill_old_database(db_url)
    before = every_row(db_url)
    assert all(before[name] for name in old.metadata.tables), "every table has rows"

    code, out, err = run_cli("upgrade", "--db", db_url)
    assert (code, err) == (0, "")
    assert f"is bijgewerkt van de versie van voor de migraties (b5ac64e) naar versie {HEAD}" in out
    after = every_row(db_url)
    assert after.pop(VERSION_TABLE) == [(HEAD,)]
    assert [after.pop(name) for name in LATER_TABLES] == [[] for _ in LATER_TABLES]
    assert after == with_pattern_key(before)
    assert differences_from_code(db_url) == []

    engine = connect(db_url)  # now accepted
    try:
        for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match=AUDIT_APPEND_ONLY), engine.begin() as conn:
                conn.execute(text(statement))
        with pytest.raises(IntegrityError), engine.begin() as conn:  # a second current value of a key
            conn.execute(text(
                "INSERT INTO observations (upload_id, municipality, year, quarter, element, suppressed, sheet, cell) "
                "VALUES (2, 'GM0344', 2024, 1, 'thv_totaal', false, '', '')"
            ))  # fmt: skip
        with engine.begin() as conn:  # the ids go on where they were (PostgreSQL: the sequences survived)
            new_id = conn.execute(uploads.insert().values(file_name="n.xlsx", sha256="e" * 64, uploaded_at=at(9),
                                                          status="rejected")).inserted_primary_key[0]  # fmt: skip
        assert new_id == 4
    finally:
        engine.dispose()
    assert every_row(db_url)["audit_log"] == before["audit_log"]


def test_connect_refuses_a_b5ac64e_database_naming_make_upgrade(db_url):
    fill_old_database(db_url)
    before = every_row(db_url)
    with pytest.raises(ConfigurationError, match="make upgrade") as refused:
        connect(db_url)
    assert "van voor de migraties" in str(refused.value)
    assert every_row(db_url) == before  # no alembic_version made, nothing else either


def test_upgrade_refuses_a_database_it_does_not_recognise(db_url):
    fill_old_database(db_url)
    engine = create_engine(db_url)
    try:
        old.sessions.drop(engine)
    finally:
        engine.dispose()
    before = every_row(db_url)
    code, _, err = run_cli("upgrade", "--db", db_url)
    assert code == 1
    assert "wordt niet herkend" in err and "sessions ontbreken" in err and "Er is niets veranderd" in err
    assert every_row(db_url) == before


# --- a database newer than the code -----------------------------------------------------------


def newer_database(url: str) -> dict:
    fill_old_database(url)
    assert run_cli("upgrade", "--db", url)[0] == 0
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    finally:
        engine.dispose()
    return every_row(url)


def test_a_newer_database_is_refused_by_upgrade_and_not_written_to(db_url):
    before = newer_database(db_url)
    code, out, err = run_cli("upgrade", "--db", db_url)
    assert (code, out) == (1, "")
    assert "versie 9999" in err and "nieuwer dan de code" in err and "niets veranderd" in err
    assert every_row(db_url) == before


def test_a_newer_database_is_refused_by_connect_and_not_written_to(db_url):
    before = newer_database(db_url)
    with pytest.raises(ConfigurationError, match="nieuwer dan de code") as refused:
        connect(db_url)
    assert "make upgrade" not in str(refused.value)
    assert every_row(db_url) == before


def test_cli_wrong_url_is_usage():
    code, _, err = run_cli("upgrade", "--db", "mysql://x@y/z")
    assert code == 2 and "wordt niet ondersteund" in err


# --- later revisions: a batch ALTER on SQLite keeps rows and references ------------------------


def batch_alter_uploads(url: str, *, foreign_keys_at_end: bool) -> None:
    """What a later revision would do on SQLite: copy `uploads` (referred to by observations) into a new table."""
    engine = open_engine(url)
    try:
        with write_transaction(engine, foreign_keys_at_end=foreign_keys_at_end) as conn:
            operations = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
            with operations.batch_alter_table("uploads", recreate="always") as batch:
                batch.alter_column("source", type_=String(300), existing_nullable=False)
    finally:
        engine.dispose()


def test_a_batch_alter_on_sqlite_keeps_every_row_when_foreign_keys_are_checked_at_the_end(tmp_path):
    url = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    fill_old_database(url)
    assert run_cli("upgrade", "--db", url)[0] == 0
    before = every_row(url)
    with pytest.raises((DBAPIError, MonitorError)):  # per statement, dropping the referred-to table fails
        batch_alter_uploads(url, foreign_keys_at_end=False)
    assert every_row(url) == before
    batch_alter_uploads(url, foreign_keys_at_end=True)
    assert every_row(url) == before
    source = next(c for c in inspect(create_engine(url)).get_columns("uploads") if c["name"] == "source")
    assert str(source["type"]) == "VARCHAR(300)"


# --- revision 0004: targets and interpretations --------------------------------------------------


def test_upgrade_from_0001_to_0004_keeps_every_row_and_adds_the_steering_tables(db_url):
    """A database at revision 0001 with rows in every table, upgraded to HEAD: every row kept,
    the two new tables there, empty, and usable (a target and an interpretation stored, with history)."""
    from db.steering import Interpretation, Target, current_targets, set_target, write_interpretation

    fill_old_database(db_url)
    engine = open_engine(db_url)
    try:
        with write_transaction(engine, foreign_keys_at_end=True) as conn:
            command.stamp(alembic_config(conn), "0001")
    finally:
        engine.dispose()
    before = every_row(db_url)
    assert before.pop(VERSION_TABLE) == [("0001",)]
    assert set(before) == set(old.metadata.tables) and all(before.values())

    code, out, err = run_cli("upgrade", "--db", db_url)
    assert (code, err) == (0, "") and f"van versie 0001 naar versie {HEAD}" in out
    after = every_row(db_url)
    assert after.pop(VERSION_TABLE) == [(HEAD,)]
    assert {name: after.pop(name) for name in LATER_TABLES} == {name: [] for name in LATER_TABLES}
    assert after == with_pattern_key(before)
    assert differences_from_code(db_url) == []

    engine = connect(db_url)
    try:
        set_target(engine, Target("region", "VR09", "plegerhulp_bereik", 0.6, "2026Q4"), actor="pl")
        set_target(engine, Target("region", "VR09", "plegerhulp_bereik", 0.7, "2026Q4"), actor="pl")
        write_interpretation(engine, Interpretation("region", "VR09", "2025Q3", "", "Uitleg"), actor="pl")
        assert current_targets(engine)["VR09", "plegerhulp_bereik"].value == 0.7
    finally:
        engine.dispose()
    rows = every_row(db_url)
    assert len(rows["targets"]) == 2 and len(rows["interpretations"]) == 1
    assert rows["audit_log"][: len(before["audit_log"])] == before["audit_log"]


# --- revision 0005: indexes on the indicator tables' period ----------------------------------------


def test_revision_0005_indexes_the_period_of_both_indicator_tables_and_keeps_every_row(db_url):
    fill_old_database(db_url)
    engine = open_engine(db_url)
    try:
        with write_transaction(engine, foreign_keys_at_end=True) as conn:
            command.stamp(alembic_config(conn), "0001")
            command.upgrade(alembic_config(conn), "0004")
    finally:
        engine.dispose()
    before = every_row(db_url)
    assert before.pop(VERSION_TABLE) == [("0004",)] and before["indicator_values"]
    code, out, err = run_cli("upgrade", "--db", db_url)
    assert (code, err) == (0, "") and "van versie 0004 naar versie 0005" in out
    after = every_row(db_url)
    assert after.pop(VERSION_TABLE) == [(HEAD,)] and after == before
    indexes = {t: {i["name"]: i["column_names"] for i in inspect(create_engine(db_url)).get_indexes(t)}
               for t in ("indicator_values", "indicator_values_public")}  # fmt: skip
    assert indexes["indicator_values"]["ix_indicator_values_period"] == ["period"]
    assert indexes["indicator_values_public"]["ix_indicator_values_public_period"] == ["period"]


def test_revision_0002_adds_column_mappings_and_keeps_every_row_of_a_0001_database(db_url):
    fill_old_database(db_url)
    engine = open_engine(db_url)
    try:
        with write_transaction(engine) as conn:
            command.stamp(alembic_config(conn), "0001")
    finally:
        engine.dispose()
    before = every_row(db_url)
    assert before.pop(VERSION_TABLE) == [("0001",)] and "column_mappings" not in before

    code, _, err = run_cli("upgrade", "--db", db_url)
    assert (code, err) == (0, "")
    after = every_row(db_url)
    assert after.pop(VERSION_TABLE) == [(HEAD,)]
    assert {name: after.pop(name) for name in LATER_TABLES} == {name: [] for name in LATER_TABLES}
    assert after == with_pattern_key(before)
    assert differences_from_code(db_url) == []
    engine = connect(db_url)
    try:
        from db.tables import column_mappings

        row = {"source": "VT Utrecht", "header": "wachttijd", "code": "skip", "changed_by": "piet", "changed_at": at(9)}
        with engine.begin() as conn:
            conn.execute(column_mappings.insert().values(**row))
        with pytest.raises(IntegrityError), engine.begin() as conn:  # one meaning per source and header
            conn.execute(column_mappings.insert().values(**{**row, "code": "thv_totaal"}))
    finally:
        engine.dispose()
