"""db.audit: append-only in the database, the entries of store_upload, and reading with filters.

Every test taking `engine` runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db import audit
from db import engine as db_engine
from db import values as db_values
from db.audit import ACTION_LABELS, Action, count_audit, read_audit, record
from db.tables import AUDIT_APPEND_ONLY, audit_log
from ingest import store
from ingest.problems import problem
from ingest.records import Record
from reference.periods import Period

UTC = dt.UTC
_shas = itertools.count(1)
ERROR = problem("f.xlsx", "negative_count", "Blad1", "C3", text="-1")
WARNING = problem("f.xlsx", "unknown_header", "Blad1", "H1", header="Opmerking")


def rec(municipality="GM0363", period="2024Q1", element="thv_totaal", value=5, suppressed=False) -> Record:
    return Record(municipality, Period.parse_code(period), element, value, suppressed, "Blad1", "B2")


def put(engine, records, *, sha=None, name="upload.xlsx", problems=(), **kwargs):
    sha = sha or f"sha-{next(_shas)}"
    return store.store_upload(engine, file_name=name, sha256=sha, records=list(records),
                              problems=list(problems), **kwargs)  # fmt: skip


def entries(engine) -> list[tuple[str, str, str, dict]]:
    """Every entry, oldest first, as (actor, action, subject, details)."""
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
    return [(r.actor, r.action, r.subject, json.loads(r.details)) for r in rows]


def raw_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(audit_log).order_by(audit_log.c.id)).all()


# --- append-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'iemand anders'",
        "UPDATE audit_log SET details = '{}' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(engine, statement):
    with engine.begin() as conn:
        record(conn, actor="beheerder", action=Action.USER_ADDED, subject="jan", details={"rol": "gemeente"})
        record(conn, actor="jan", action=Action.LOGIN)
    before = raw_rows(engine)
    with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
        conn.execute(text(statement))
    assert raw_rows(engine) == before
    with engine.begin() as conn:  # appending still works
        record(conn, actor="jan", action=Action.LOGOUT)
    assert [row.action for row in raw_rows(engine)] == ["gebruiker_toegevoegd", "inloggen", "uitloggen"]


def test_the_refusal_also_holds_for_sqlalchemy_statements(engine):
    with engine.begin() as conn:
        record(conn, actor="jan", action=Action.LOGIN)
    for statement in (audit_log.update().values(actor="x"), audit_log.delete()):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(statement)
    assert [row.actor for row in raw_rows(engine)] == ["jan"]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgres_refuses_truncate(db_url):
    engine = db_engine.connect(db_url)
    try:
        with engine.begin() as conn:
            record(conn, actor="jan", action=Action.LOGIN)
        with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
        assert len(raw_rows(engine)) == 1
    finally:
        engine.dispose()


def test_triggers_survive_reconnecting(db_url):
    """A second `connect` (tables exist) keeps the triggers and does not fail on them."""
    first = db_engine.connect(db_url)
    with first.begin() as conn:
        record(conn, actor="jan", action=Action.LOGIN)
    first.dispose()
    second = db_engine.connect(db_url)
    try:
        with pytest.raises(DBAPIError), second.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
        assert len(raw_rows(second)) == 1
    finally:
        second.dispose()


def test_refusal_message_is_dutch_and_says_why():
    assert "alleen aan te vullen" in AUDIT_APPEND_ONLY and "'" not in AUDIT_APPEND_ONLY  # quoted in the DDL


# --- record -----------------------------------------------------------------------------------


def test_record_keeps_who_what_when_and_details(engine):
    at = dt.datetime(2025, 3, 4, 12, 30, 15, tzinfo=UTC)
    with engine.begin() as conn:
        record(conn, actor="beheerder", action="gebruiker_gewijzigd", subject="jan",
               details={"rol": "gemeente → projectleider", "regio": "VR13"}, at=at)  # fmt: skip
    frame = read_audit(engine)
    assert frame[["actor", "action", "subject"]].values.tolist() == [["beheerder", "gebruiker_gewijzigd", "jan"]]
    assert frame["at"].tolist() == [pd.Timestamp(at)]
    assert json.loads(frame["details"].iloc[0]) == {"rol": "gemeente → projectleider", "regio": "VR13"}


def test_record_refuses_an_unknown_action(engine):
    with pytest.raises(ValueError), engine.begin() as conn:
        record(conn, actor="x", action="iets_anders")
    assert raw_rows(engine) == []


def test_record_rolls_back_with_its_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as conn:
        record(conn, actor="x", action=Action.LOGIN)
        raise RuntimeError("de wijziging mislukt")
    assert raw_rows(engine) == []


def test_every_action_has_a_distinct_dutch_label():
    assert set(ACTION_LABELS) == set(Action)
    labels = list(ACTION_LABELS.values())
    assert len(set(labels)) == len(labels) and all(label and label[0].isupper() for label in labels)


# --- the entries of store_upload ----------------------------------------------------------------


def test_a_first_upload_records_the_attempt_and_the_stored_values(engine):
    records = [rec(value=5), rec("GM0014", value=None, suppressed=True)]
    result = put(engine, records, sha="abc", name="q1.xlsx", uploaded_by="ambtenaar@gemeente.nl",
                 source="gemeente", problems=[WARNING])  # fmt: skip
    upload, stored = entries(engine)
    assert upload == ("ambtenaar@gemeente.nl", "aanlevering", "q1.xlsx", {
        "upload_id": result.upload_id, "status": "stored", "sha256": "abc", "source": "gemeente", "errors": 0,
        "added": 2, "replaced": 0, "unchanged": 0,
    })  # fmt: skip
    assert stored == ("ambtenaar@gemeente.nl", "waarden_opgeslagen", "q1.xlsx",
                      {"upload_id": result.upload_id, "count": 2, "added": 2, "replaced": 0})  # fmt: skip


def test_superseded_values_are_listed_key_by_key_with_old_and_new(engine):
    put(engine, [rec(value=5), rec(element="thv_preventief", value=1), rec("GM0014", value=3),
                 rec("GM0034", value=None, suppressed=True)], name="q1.xlsx")  # fmt: skip
    correction = [rec(value=7), rec(element="thv_preventief", value=1), rec("GM0014", value=None, suppressed=True),
                  rec("GM0034", value=2), rec("GM0050", value=9)]  # fmt: skip
    second = put(engine, correction, name="q1-correctie.xlsx")
    assert (second.added, second.replaced, second.unchanged) == (1, 3, 1)

    *_, upload, stored, superseded = entries(engine)
    assert (upload[1], upload[3]["replaced"], upload[3]["unchanged"]) == ("aanlevering", 3, 1)
    assert stored[1:] == ("waarden_opgeslagen", "q1-correctie.xlsx",
                          {"upload_id": second.upload_id, "count": 4, "added": 1, "replaced": 3})  # fmt: skip
    actor, action, subject, details = superseded
    assert (actor, action, subject) == ("systeem", "waarden_vervangen", "q1-correctie.xlsx")
    assert (details["upload_id"], details["count"]) == (second.upload_id, 3)
    history = db_values.value_history(engine)
    ids = {(r.municipality, r.element, r.upload_id): r.observation_id for r in history.itertuples()}
    first_id = history["upload_id"].min()
    # the unchanged key (thv_preventief) and the new one (GM0050) are not listed
    assert details["values"] == [
        {"municipality": m, "period": "2024Q1", "element": "thv_totaal", "old": old, "new": new,
         "old_id": ids[(m, "thv_totaal", first_id)], "new_id": ids[(m, "thv_totaal", second.upload_id)]}
        for m, old, new in [("GM0014", 3, "afgeschermd"), ("GM0034", "afgeschermd", 2), ("GM0363", 5, 7)]
    ]  # fmt: skip


def test_blank_values_are_null_in_the_superseded_list(engine):
    put(engine, [rec(value=None)])
    put(engine, [rec(value=0)])
    put(engine, [rec(value=None)])
    changes = [details["values"] for _, action, _, details in entries(engine) if action == "waarden_vervangen"]
    assert [(c[0]["old"], c[0]["new"]) for c in changes] == [(None, 0), (0, None)]


def test_many_superseded_values_are_all_listed(engine):
    """More keys than one IN (...) chunk."""
    elements = ("thv_totaal", "thv_preventief", "plegers_in_beeld", "thv_kindermishandeling")
    keys = [(f"GM{n:04d}", element) for n in range(1, 131) for element in elements]
    put(engine, [rec(m, element=e, value=1) for m, e in keys])
    put(engine, [rec(m, element=e, value=2) for m, e in keys])
    (details,) = [d for _, action, _, d in entries(engine) if action == "waarden_vervangen"]
    assert details["count"] == len(keys) == 520 > audit._CHUNK
    assert sorted((c["municipality"], c["element"]) for c in details["values"]) == sorted(keys)
    assert {(c["old"], c["new"]) for c in details["values"]} == {(1, 2)}
    assert len({c["new_id"] for c in details["values"]}) == len(keys)


def test_an_upload_of_unchanged_values_records_only_the_attempt(engine):
    put(engine, [rec(value=5)], sha="a")
    put(engine, [rec(value=5)], sha="b", name="nogmaals-andere-bron.xlsx")
    last = entries(engine)[-1]
    assert last[1:3] == ("aanlevering", "nogmaals-andere-bron.xlsx")
    assert (last[3]["status"], last[3]["added"], last[3]["unchanged"]) == ("stored", 0, 1)
    assert [e[1] for e in entries(engine)] == ["aanlevering", "waarden_opgeslagen", "aanlevering"]


def test_a_duplicate_records_only_the_attempt(engine):
    first = put(engine, [rec(value=5)], sha="same")
    again = put(engine, [rec(value=5)], sha="same", name="nogmaals.xlsx", uploaded_by="jan")
    last = entries(engine)[-1]
    assert last[:3] == ("jan", "aanlevering", "nogmaals.xlsx")
    assert last[3]["status"] == "duplicate" and last[3]["duplicate_of"] == first.upload_id
    assert last[3]["upload_id"] == again.upload_id
    assert len(entries(engine)) == 3


@pytest.mark.parametrize("problems, errors", [([ERROR], 1), ([WARNING, ERROR, ERROR], 2)])
def test_a_rejected_upload_records_the_attempt_and_its_errors(engine, problems, errors):
    result = put(engine, [rec(value=5)], problems=problems, sha="xyz", name="fout.xlsx", source="vt")
    assert entries(engine) == [("systeem", "aanlevering", "fout.xlsx", {
        "upload_id": result.upload_id, "status": "rejected", "sha256": "xyz", "source": "vt", "errors": errors,
        "added": 0, "replaced": 0, "unchanged": 0,
    })]  # fmt: skip


@pytest.mark.parametrize("step", ["_release", "_insert_observations", "_link_superseded", "record_upload"])
def test_a_failure_midway_leaves_no_entry_and_no_value(engine, monkeypatch, step):
    put(engine, [rec(value=5)])
    before = raw_rows(engine), db_values.value_history(engine)
    real = getattr(store, step)

    def fail_after(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(store, step, fail_after)
    with pytest.raises(RuntimeError, match="schijf vol"):
        put(engine, [rec(value=6), rec("GM0014", value=1)])
    assert raw_rows(engine) == before[0]
    pd.testing.assert_frame_equal(db_values.value_history(engine), before[1])
    assert len(store.list_uploads(engine)) == 1


def test_a_conflict_rolls_back_and_records_the_failed_attempt(engine, monkeypatch):
    put(engine, [rec(value=5)])
    before = db_values.value_history(engine)

    def conflict(*_args, **_kwargs):
        raise store.StoreConflict("a current value was superseded by another upload meanwhile")

    monkeypatch.setattr(store, "_release", conflict)
    with pytest.raises(store.StoreConflict):
        put(engine, [rec(value=6)], name="gelijktijdig.xlsx", uploaded_by="jan")
    pd.testing.assert_frame_equal(db_values.value_history(engine), before)
    assert len(store.list_uploads(engine)) == 1
    last = entries(engine)[-1]
    assert last[:3] == ("jan", "aanlevering", "gelijktijdig.xlsx")
    assert (last[3]["status"], last[3]["upload_id"]) == ("conflict", None)


# --- reading ----------------------------------------------------------------------------------

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
LOG = [  # actor, action, subject, details, at
    ("Jan", Action.LOGIN, "", {}, T0),
    ("jan", Action.UPLOAD, "amsterdam_2024Q4.xlsx", {"status": "stored", "source": "gemeente"}, T0 + HOUR),
    ("beheerder", Action.USER_ADDED, "piet", {"rol": "ketenpartner", "gemeenten": ["GM0363"]}, T0 + 24 * HOUR),
    ("piet", Action.LOGIN_FAILED, "piet", {"reden": "wachtwoord onjuist (100%_zeker)"}, T0 + 26 * HOUR),
    # 23:30 UTC on 4 March is 00:30 on 5 March in Amsterdam (CET)
    ("marjan", Action.UPLOAD, "Utrecht.XLSX", {"status": "rejected", "source": "Veilig Thuis"},
     dt.datetime(2025, 3, 4, 23, 30, tzinfo=UTC)),
]  # fmt: skip


@pytest.fixture
def logged(engine):
    with engine.begin() as conn:
        for actor, action, subject, details, at in LOG:
            record(conn, actor=actor, action=action, subject=subject, details=details, at=at)
    return engine


def subjects(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(frame["actor"], frame["action"], strict=True))


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, [("marjan", "aanlevering"), ("piet", "inloggen_mislukt"), ("beheerder", "gebruiker_toegevoegd"),
              ("jan", "aanlevering"), ("Jan", "inloggen")]),
        ({"actor": "JAN"}, [("marjan", "aanlevering"), ("jan", "aanlevering"), ("Jan", "inloggen")]),
        ({"actor": "  jan "}, [("marjan", "aanlevering"), ("jan", "aanlevering"), ("Jan", "inloggen")]),
        ({"actor": "jan", "action": Action.UPLOAD}, [("marjan", "aanlevering"), ("jan", "aanlevering")]),
        ({"action": "inloggen"}, [("Jan", "inloggen")]),
        ({"since": dt.date(2025, 3, 4)}, [("marjan", "aanlevering"), ("piet", "inloggen_mislukt"),
                                          ("beheerder", "gebruiker_toegevoegd")]),
        ({"until": dt.date(2025, 3, 3)}, [("jan", "aanlevering"), ("Jan", "inloggen")]),
        # the Dutch day: 23:30 UTC on the 4th belongs to the 5th
        ({"since": dt.date(2025, 3, 4), "until": dt.date(2025, 3, 4)},
         [("piet", "inloggen_mislukt"), ("beheerder", "gebruiker_toegevoegd")]),
        ({"since": dt.date(2025, 3, 5)}, [("marjan", "aanlevering")]),
        ({"since": T0 + dt.timedelta(hours=1), "until": T0 + dt.timedelta(days=1)}, [("jan", "aanlevering")]),
        ({"text": "amsterdam"}, [("jan", "aanlevering")]),
        ({"text": "veilig thuis"}, [("marjan", "aanlevering")]),  # details, any case
        ({"text": "utrecht.xlsx"}, [("marjan", "aanlevering")]),  # subject, any case
        ({"text": "GM0363"}, [("beheerder", "gebruiker_toegevoegd")]),
        ({"text": "100%_z"}, [("piet", "inloggen_mislukt")]),  # % and _ are literal
        ({"text": "%"}, [("piet", "inloggen_mislukt")]),
        ({"text": "_"}, [("piet", "inloggen_mislukt"), ("jan", "aanlevering")]),
        ({"text": "0%z"}, []),
        ({"text": "a_s"}, []),  # would match "ams" if _ were a wildcard
        ({"text": "\\"}, []),
        ({"text": "stored", "actor": "marjan"}, []),
        ({"actor": "", "text": "  ", "action": None}, [("marjan", "aanlevering"), ("piet", "inloggen_mislukt"),
                                                      ("beheerder", "gebruiker_toegevoegd"), ("jan", "aanlevering"),
                                                      ("Jan", "inloggen")]),
    ],
)  # fmt: skip
def test_read_audit_filters_combine(logged, filters, expected):
    frame = read_audit(logged, **filters)
    assert subjects(frame) == expected
    assert count_audit(logged, **filters) == len(expected)


def test_read_audit_newest_first_with_a_limit(logged):
    frame = read_audit(logged, limit=2)
    assert subjects(frame) == [("marjan", "aanlevering"), ("piet", "inloggen_mislukt")]
    assert list(frame.columns) == ["id", "at", "actor", "action", "subject", "details"]
    assert frame["at"].is_monotonic_decreasing


def test_same_moment_is_ordered_by_id(engine):
    with engine.begin() as conn:
        for n in range(3):
            record(conn, actor=f"a{n}", action=Action.LOGIN, at=T0)
    assert read_audit(engine)["actor"].tolist() == ["a2", "a1", "a0"]


def test_read_audit_refuses_a_naive_moment(logged):
    with pytest.raises(ValueError, match="time zone"):
        read_audit(logged, since=dt.datetime(2025, 3, 4))


def test_read_audit_refuses_an_unknown_action(logged):
    with pytest.raises(ValueError):
        read_audit(logged, action="alles")


def test_an_empty_log_gives_a_typed_empty_frame(engine):
    frame = read_audit(engine)
    assert frame.empty and list(frame.columns) == audit.COLUMNS
    assert str(frame["at"].dtype) == "datetime64[us, UTC]" and str(frame["id"].dtype) == "int64"
    assert count_audit(engine) == 0
