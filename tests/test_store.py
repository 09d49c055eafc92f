"""ingest.store: uploads are recorded, values superseded but never lost, all or nothing.

Every test taking `engine` or `db_url` runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from config.errors import ConfigurationError
from db import engine as db_engine
from db import values as db_values
from db.tables import observations, uploads
from ingest import store
from ingest.problems import problem
from ingest.records import Record
from reference.periods import Period

UTC = dt.UTC
_shas = itertools.count(1)


def rec(municipality="GM0363", period="2024Q1", element="thv_totaal", value=5, suppressed=False,
        cell="B2") -> Record:  # fmt: skip
    period = Period.parse_code(period)
    return Record(municipality, period, element, value, suppressed, "Blad1", cell)


def put(engine, records, *, sha=None, name="upload.xlsx", problems=(), **kwargs):
    sha = sha or f"sha-{next(_shas)}"
    return store.store_upload(engine, file_name=name, sha256=sha, records=list(records),
                              problems=list(problems), **kwargs)  # fmt: skip


def current(engine) -> list[tuple]:
    frame = db_values.current_values(engine)
    return [
        (m, p, e, None if pd.isna(v) else int(v), bool(s))
        for m, p, e, v, s in frame[["municipality", "period", "element", "value", "suppressed"]].itertuples(index=False)
    ]


def snapshot(engine) -> tuple[list, list]:
    """Every row of both tables, to prove that nothing changed."""
    with engine.connect() as conn:
        return (conn.execute(select(uploads).order_by(uploads.c.id)).all(),
                conn.execute(select(observations).order_by(observations.c.id)).all())  # fmt: skip


def count_observations(engine) -> int:
    return len(snapshot(engine)[1])


ERROR = problem("f.xlsx", "negative_count", "Blad1", "C3", text="-1")
WARNING = problem("f.xlsx", "unknown_header", "Blad1", "H1", header="Opmerking")


# --- adding, superseding, unchanged ----------------------------------------------------------


@pytest.mark.parametrize(
    "records, expected",
    [
        ([rec()], [("GM0363", "2024Q1", "thv_totaal", 5, False)]),
        (
            [rec("GM0363", "2024Q2", "thv_totaal", 0),
             rec("GM0014", "2024Q1", "plegers_in_beeld", 12),
             rec("GM0363", "2024Q1", "thv_preventief", None, True, cell="C2")],
            [("GM0014", "2024Q1", "plegers_in_beeld", 12, False),
             ("GM0363", "2024Q1", "thv_preventief", None, True),
             ("GM0363", "2024Q2", "thv_totaal", 0, False)],
        ),
    ],
)  # fmt: skip
def test_first_upload_adds_every_value(engine, records, expected):
    result = put(engine, records)
    assert (result.status, result.added, result.replaced, result.unchanged) == ("stored", len(records), 0, 0)
    assert result.duplicate_of is None
    assert current(engine) == expected
    assert set(db_values.current_values(engine)["upload_id"]) == {result.upload_id}


# (value, suppressed) before -> after, and whether the second upload replaces the first.
@pytest.mark.parametrize(
    "old, new, replaces",
    [
        ((5, False), (7, False), True),
        ((3, False), (0, False), True),  # 0 is a count, not "no value"
        ((0, False), (0, False), False),
        ((4, False), (None, True), True),  # a number superseded by a suppressed value
        ((None, True), (2, False), True),  # a suppressed value superseded by a number
        ((None, True), (None, True), False),
        ((None, False), (None, True), True),  # unknown (blank) vs suppressed: not the same
        ((None, False), (3, False), True),
    ],
)
def test_second_value_for_a_key(engine, old, new, replaces):
    first = put(engine, [rec(value=old[0], suppressed=old[1])], name="q1.xlsx")
    second = put(engine, [rec(value=new[0], suppressed=new[1])], name="q1-correctie.xlsx")

    assert second.status == "stored"
    counts = (second.added, second.replaced, second.unchanged)
    assert counts == ((0, 1, 0) if replaces else (0, 0, 1))
    assert current(engine) == [("GM0363", "2024Q1", "thv_totaal", *new)]
    history = db_values.value_history(engine)
    assert list(history["upload_id"]) == ([first.upload_id, second.upload_id] if replaces
                                          else [first.upload_id])  # fmt: skip
    assert db_values.current_values(engine)["upload_id"].tolist() == [second.upload_id if replaces else first.upload_id]


def test_superseded_value_stays_in_history(engine):
    t1 = dt.datetime(2024, 4, 10, 9, 0, tzinfo=UTC)
    t2 = dt.datetime(2024, 5, 2, 14, 30, tzinfo=UTC)
    first = put(engine, [rec(value=5), rec(element="thv_preventief", value=1, cell="C2")],
                name="q1.xlsx", uploaded_at=t1, uploaded_by="ambtenaar@gemeente.nl")  # fmt: skip
    second = put(engine, [rec(value=7), rec(element="thv_preventief", value=1, cell="C2")],
                 name="q1-v2.xlsx", uploaded_at=t2)  # fmt: skip
    assert (second.added, second.replaced, second.unchanged) == (0, 1, 1)

    history = db_values.value_history(engine, "GM0363", "2024Q1", "thv_totaal")
    assert history["value"].tolist() == [5, 7]
    assert history["file_name"].tolist() == ["q1.xlsx", "q1-v2.xlsx"]
    assert history["uploaded_by"].tolist() == ["ambtenaar@gemeente.nl", ""]
    assert history["current"].tolist() == [False, True]
    old, new = history.iloc[0], history.iloc[1]
    assert old["superseded_by"] == new["observation_id"]
    assert old["superseded_at"] == pd.Timestamp(t2)
    assert pd.isna(new["superseded_by"]) and pd.isna(new["superseded_at"])
    assert history["uploaded_at"].tolist() == [pd.Timestamp(t1), pd.Timestamp(t2)]
    assert current(engine) == [("GM0363", "2024Q1", "thv_preventief", 1, False),
                               ("GM0363", "2024Q1", "thv_totaal", 7, False)]  # fmt: skip
    # The unchanged value still comes from the first upload.
    by_element = db_values.current_values(engine).set_index("element")["upload_id"]
    assert by_element.to_dict() == {"thv_preventief": first.upload_id,
                                    "thv_totaal": second.upload_id}  # fmt: skip


def test_three_versions_form_a_chain(engine):
    for value in (1, 2, 3):
        put(engine, [rec(value=value)])
    history = db_values.value_history(engine)
    assert history["value"].tolist() == [1, 2, 3]
    ids = history["observation_id"].tolist()
    assert history["superseded_by"].tolist()[:2] == ids[1:]
    assert history["current"].tolist() == [False, False, True]


def test_unchanged_values_from_another_file_store_nothing_new(engine):
    records = [rec(value=5), rec("GM0014", value=None, suppressed=True)]
    first = put(engine, records, sha="aaa", name="gemeente.xlsx")
    before = current(engine)
    again = put(engine, records, sha="bbb", name="veilig-thuis.xlsx")
    assert (again.status, again.added, again.replaced, again.unchanged) == ("stored", 0, 0, 2)
    assert count_observations(engine) == 2
    assert current(engine) == before
    assert set(db_values.current_values(engine)["upload_id"]) == {first.upload_id}


def test_partial_overlap_counts_each_kind(engine):
    put(engine, [rec("GM0363", value=5), rec("GM0014", value=8)])
    result = put(engine, [rec("GM0363", value=5), rec("GM0014", value=9), rec("GM0034", value=1)])
    assert (result.added, result.replaced, result.unchanged) == (1, 1, 1)
    assert [row[3] for row in current(engine)] == [9, 1, 5]  # GM0014, GM0034, GM0363


# --- duplicates and rejections ----------------------------------------------------------------


def test_identical_file_is_a_duplicate(engine):
    first = put(engine, [rec(value=5)], sha="same")
    before = snapshot(engine)
    again = put(engine, [rec(value=5)], sha="same", name="nogmaals.xlsx")
    assert again == store.StoreResult(again.upload_id, "duplicate", 0, 0, 0, first.upload_id)
    assert again.upload_id != first.upload_id
    uploads_after, observations_after = snapshot(engine)
    assert observations_after == before[1]
    assert len(uploads_after) == len(before[0]) + 1
    assert store.list_uploads(engine).iloc[0][["status", "duplicate_of", "file_name"]].tolist() == [
        "duplicate",
        first.upload_id,
        "nogmaals.xlsx",
    ]
    # A third copy still points at the stored original.
    assert put(engine, [rec(value=5)], sha="same").duplicate_of == first.upload_id


def test_same_sha_as_a_rejected_upload_is_not_a_duplicate(engine):
    rejected = put(engine, [rec(value=5)], sha="same", problems=[ERROR])
    stored = put(engine, [rec(value=5)], sha="same")
    assert (rejected.status, stored.status, stored.added) == ("rejected", "stored", 1)


@pytest.mark.parametrize("problems", [[ERROR], [WARNING, ERROR]])
def test_rejected_upload_stores_no_values(engine, problems):
    put(engine, [rec(value=5)])
    before_current, before_observations = current(engine), count_observations(engine)
    result = put(engine, [rec(value=99), rec("GM0014", value=1)], problems=problems,
                 name="fout.xlsx")  # fmt: skip
    assert result == store.StoreResult(result.upload_id, "rejected", 0, 0, 0, None)
    assert current(engine) == before_current
    assert count_observations(engine) == before_observations
    row = store.list_uploads(engine).iloc[0]
    assert (row["status"], row["file_name"], row["errors"]) == ("rejected", "fout.xlsx", 1)
    assert row["problems"][-1] == {"sheet": "Blad1", "cell": "C3", "code": "negative_count",
                                   "severity": "fout", "message": ERROR.message}  # fmt: skip


def test_warnings_are_kept_with_a_stored_upload(engine):
    result = put(engine, [rec()], problems=[WARNING])
    assert result.status == "stored"
    row = store.list_uploads(engine).iloc[0]
    assert (row["errors"], row["warnings"]) == (0, 1)
    assert row["problems"][0]["code"] == "unknown_header"
    assert "Opmerking" in row["problems"][0]["message"]


def test_list_uploads_newest_first_with_every_attempt(engine):
    times = [dt.datetime(2024, 4, day, tzinfo=UTC) for day in (1, 2, 3)]
    put(engine, [rec()], sha="x", uploaded_at=times[0], source="gemeente")
    put(engine, [rec()], sha="x", uploaded_at=times[1])
    put(engine, [rec()], problems=[ERROR], uploaded_at=times[2])
    listing = store.list_uploads(engine)
    assert listing["status"].tolist() == ["rejected", "duplicate", "stored"]
    assert listing["uploaded_at"].tolist() == [pd.Timestamp(t) for t in reversed(times)]
    assert listing["source"].tolist() == ["", "", "gemeente"]


def test_uploaded_at_is_kept_as_utc(engine):
    cest = dt.timezone(dt.timedelta(hours=2))
    put(engine, [rec()], uploaded_at=dt.datetime(2024, 4, 10, 11, 0, tzinfo=cest))
    stamp = store.list_uploads(engine)["uploaded_at"].iloc[0]
    assert stamp == pd.Timestamp("2024-04-10 09:00", tz="UTC")
    assert str(stamp.tz) == "UTC"


def test_naive_uploaded_at_is_refused(engine):
    with pytest.raises(ValueError, match="timezone"):
        put(engine, [rec()], uploaded_at=dt.datetime(2024, 4, 10, 11, 0))
    assert snapshot(engine) == ([], [])


@pytest.mark.parametrize(
    "records",
    [
        [rec(value=5), rec(value=6, cell="B3")],  # two values for one key
        [rec(element="onbekend")],
        [rec(value=-1)],
        [rec(value=3, suppressed=True)],  # a suppressed value has no number
    ],
)
def test_records_breaking_the_pipeline_guarantees_are_refused(engine, records):
    with pytest.raises(AssertionError):
        put(engine, records)
    assert snapshot(engine) == ([], [])


# --- atomicity and the one-current-value guarantee ---------------------------------------------


@pytest.mark.parametrize("step", ["_release", "_insert_observations", "_link_superseded"])
def test_failure_midway_leaves_nothing_of_the_file(engine, monkeypatch, step):
    put(engine, [rec("GM0363", value=5), rec("GM0014", value=8)])
    before = snapshot(engine)
    real = getattr(store, step)

    def fail_after(*args, **kwargs):
        real(*args, **kwargs)  # the writes happen, then the failure
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(store, step, fail_after)
    file = [rec("GM0363", value=6), rec("GM0014", value=8), rec("GM0034", value=2)]
    with pytest.raises(RuntimeError, match="schijf vol"):
        put(engine, file, sha="retry")
    assert snapshot(engine) == before

    monkeypatch.setattr(store, step, real)
    result = put(engine, file, sha="retry")
    assert (result.status, result.added, result.replaced, result.unchanged) == ("stored", 1, 1, 1)
    assert [row[3] for row in current(engine)] == [8, 2, 6]


def test_unique_index_refuses_a_second_current_value(engine):
    first = put(engine, [rec(value=5)])
    row = {
        "upload_id": first.upload_id, "municipality": "GM0363", "year": 2024, "quarter": 1,
        "element": "thv_totaal", "value": 6, "suppressed": False, "sheet": "", "cell": "",
    }  # fmt: skip
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(observations), row)
    # A superseded version of the same key is allowed: the index covers current values only.
    with engine.begin() as conn:
        old_id = conn.execute(select(observations.c.id)).scalar_one()
        conn.execute(insert(observations), {**row, "superseded_by": old_id,
                                            "superseded_at": dt.datetime.now(UTC)})  # fmt: skip
    assert current(engine) == [("GM0363", "2024Q1", "thv_totaal", 5, False)]


def test_concurrent_uploads_keep_one_current_value_per_key(engine):
    keys = [("GM0363", "2024Q1", element) for element in ("thv_totaal", "plegers_in_beeld")]
    keys += [("GM0014", "2024Q2", "thv_totaal")]
    writers, errors = 6, []
    start = threading.Barrier(writers)

    def upload(n: int) -> None:
        try:
            start.wait()
            put(engine, [rec(m, p, e, value=n) for m, p, e in keys], name=f"bestand{n}.xlsx")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    listing = store.list_uploads(engine)
    assert listing["status"].tolist() == ["stored"] * writers
    assert listing["added"].sum() == len(keys)
    assert listing["replaced"].sum() == len(keys) * (writers - 1)
    frame = db_values.current_values(engine)
    assert len(frame) == len(keys)
    assert frame["upload_id"].nunique() == 1  # one file's values won for every key
    history = db_values.value_history(engine)
    assert len(history) == len(keys) * writers
    per_key = history.groupby(["municipality", "period", "element"])["current"].sum()
    assert per_key.tolist() == [1] * len(keys)


# --- store_version ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "second, changes",
    [
        ({"records": [rec(value=6)]}, True),
        ({"records": [rec("GM0014")]}, True),
        ({"records": [rec(value=6)], "sha": "first"}, False),  # duplicate
        ({"records": [rec(value=6)], "problems": [ERROR]}, False),  # rejected
    ],
)
def test_store_version(engine, second, changes):
    empty = db_values.store_version(engine)
    put(engine, [rec(value=5)], sha="first")
    after_first = db_values.store_version(engine)
    assert after_first != empty
    put(engine, **second)
    assert (db_values.store_version(engine) != after_first) is changes


# --- connecting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arg, env, expected",
    [
        ("sqlite:///arg.sqlite", "sqlite:///env.sqlite", "sqlite:///arg.sqlite"),
        (None, "sqlite:///env.sqlite", "sqlite:///env.sqlite"),
        ("", "sqlite:///env.sqlite", "sqlite:///env.sqlite"),
        (None, None, "default"),
        (None, "  ", "default"),
    ],
)
def test_database_url_precedence(monkeypatch, tmp_path, arg, env, expected):
    default = tmp_path / "data" / "monitor.sqlite"
    monkeypatch.setattr(db_engine, "DEFAULT_DB_PATH", default)
    if env is None:
        monkeypatch.delenv(db_engine.DB_ENV, raising=False)
    else:
        monkeypatch.setenv(db_engine.DB_ENV, env)
    url = db_engine.database_url(arg)
    if expected == "default":
        assert url == f"sqlite:///{default}"
        assert default.parent.is_dir()
    else:
        assert url == expected


def test_default_database_is_in_the_project_data_folder():
    root = Path(__file__).resolve().parent.parent  # tests/ is in the project root
    assert root / "data" / "monitor.sqlite" == db_engine.DEFAULT_DB_PATH


def test_connect_uses_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(db_engine.DB_ENV, f"sqlite:///{tmp_path / 'env.sqlite'}")
    engine = db_engine.connect()
    try:
        put(engine, [rec()])
    finally:
        engine.dispose()
    assert (tmp_path / "env.sqlite").is_file()


def test_connect_twice_keeps_the_data(db_url):
    engine = db_engine.connect(db_url)
    put(engine, [rec()])
    engine.dispose()
    engine = db_engine.connect(db_url)
    try:
        assert current(engine) == [("GM0363", "2024Q1", "thv_totaal", 5, False)]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url, words",
    [
        ("dit is geen url", "ongeldig"),
        ("mysql://gebruiker@server/monitor", "niet ondersteund"),
        ("oracle+cx_oracle://u@h/db", "niet ondersteund"),
        ("sqlite:////bestaat/niet/monitor.sqlite", "niet bereikbaar"),
        ("postgresql+psycopg://u:geheim@127.0.0.1:1/monitor", "niet bereikbaar"),
    ],
)
def test_bad_url_raises_configuration_error(url, words):
    with pytest.raises(ConfigurationError) as caught:
        db_engine.connect(url)
    message = str(caught.value)
    assert words in message
    assert db_engine.DB_ENV in message
    assert "geheim" not in message


def test_sqlite_pragmas(tmp_path):
    engine = db_engine.connect(f"sqlite:///{tmp_path / 'p.sqlite'}")
    try:
        with engine.connect() as conn:
            pragmas = [conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                       for name in ("journal_mode", "synchronous", "foreign_keys")]  # fmt: skip
    finally:
        engine.dispose()
    assert pragmas == ["wal", 1, 1]  # synchronous NORMAL = 1


def test_file_sha256(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"abc")
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert store.file_sha256(path) == expected
    assert store.file_sha256(str(path)) == expected


@pytest.mark.parametrize(
    "filters, values",
    [
        ({}, [1, 2, 3, 4]),
        ({"municipality": "GM0014"}, [3]),
        ({"period": "2024Q2"}, [4]),
        ({"period": Period(2024, 1), "element": "thv_totaal"}, [1, 2, 3]),
        ({"municipality": "GM0363", "element": "thv_preventief"}, []),
    ],
)
def test_value_history_filters(engine, filters, values):
    put(engine, [rec(value=1)])
    put(engine, [rec(value=2), rec("GM0014", value=3), rec(period="2024Q2", value=4)])
    assert db_values.value_history(engine, **filters)["value"].tolist() == values


def test_empty_store_gives_typed_empty_frames(engine):
    frame = db_values.current_values(engine)
    assert frame.empty
    assert list(frame.columns) == ["municipality", "period", "year", "quarter", "element", "value",
                                   "suppressed", "upload_id", "uploaded_at"]  # fmt: skip
    assert str(frame["value"].dtype) == "Int64"
    assert db_values.value_history(engine).empty and store.list_uploads(engine).empty
    assert db_values.store_version(engine) == 0
