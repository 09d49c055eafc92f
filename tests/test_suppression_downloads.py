"""What each role can download, attacked: the steering group's `python -m ingest export --afgeschermd`
and the overview page's download for a stuurgroep, a gemeente and a ketenpartner account.

On the sample data, stored directly (the pipeline is tested elsewhere; this is about what comes out).
Every figure a role downloads must be a figure of the public table or of its own full detail, no two
downloaded figures may differ by a hidden part (twins, shared totals), and the public table is
attacked with what the accounts know (tests/test_suppression.py's attacker).
"""

from __future__ import annotations

import base64
import datetime as dt
import io

import pandas as pd
import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert

from accounts.scope import Role
from accounts.users import add_user, get_user, scope_of
from db.engine import connect, write_transaction
from db.tables import observations, uploads
from indicators.aggregate import aggregate
from indicators.table import read_indicators
from ingest.cli import main as ingest_main
from reference.areas import load_reference
from sample_data.model import build_model
from tests.dashboard_db import dashboard_on
from tests.test_suppression import COUNT, KM, PREVENTIEF, RATE, assert_nothing_derivable
from tests.test_suppression import assert_no_scope_below_the_region_derives as assert_no_scope_derives

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ACCOUNTS = {
    "stuur": (Role.STUURGROEP, ()),
    "gem-diemen": (Role.GEMEENTE, ("GM0384",)),
    "keten": (Role.KETENPARTNER, ("GM0363", "GM0362")),
}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """(url, engine, the full indicator table) of a SQLite database holding the sample data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('downloads') / 'monitor.sqlite'}"
    engine = connect(url)
    reference = load_reference()
    values = build_model()
    now = dt.datetime.now(dt.UTC)
    with write_transaction(engine) as conn:
        upload = conn.execute(insert(uploads).values(file_name="sample", sha256="0" * 64, uploaded_at=now,
                                                     status="stored")).inserted_primary_key[0]  # fmt: skip
        conn.execute(insert(observations), [
            {"upload_id": upload, "municipality": m, "year": p.year, "quarter": p.quarter, "element": e,
             "value": int(v)} for m, p, e, v in values.itertuples(index=False)
        ])  # fmt: skip
    for name, (role, municipalities) in ACCOUNTS.items():
        add_user(engine, name, role, municipalities=municipalities, password="een lang genoeg wachtwoord",
                 actor="test", reference=reference, hasher=CHEAP)  # fmt: skip
    yield url, engine, aggregate(values, reference)
    engine.dispose()


def exported(url: str) -> pd.DataFrame:
    """`python -m ingest export --afgeschermd` as the steering group gets it, read back."""
    out = io.StringIO()
    assert ingest_main(["export", "--afgeschermd", "--db", url], out=out) == 0
    return pd.read_csv(io.StringIO(out.getvalue()), dtype={"area_code": str, "period": str})


def test_the_export_is_the_public_table_and_twins_agree(sample_db):
    url, engine, table = sample_db
    export = exported(url)
    assert set(export["level"]) == {"region", "national"}
    public = read_indicators(engine, public=True)
    quarters = public.loc[public["period"].str.contains("Q")]
    key = ["level", "area_code", "period", "indicator"]
    merged = export.merge(quarters, on=key, suffixes=("", "_public"))
    assert len(merged) == len(export) == len(quarters)
    for column in ("numerator", "denominator"):
        assert merged[column].astype("Float64").equals(merged[f"{column}_public"].astype("Float64"))
    rows = export.set_index(key[:3])
    for lesser, fuller, column in ((RATE, COUNT, "numerator"), (PREVENTIEF, KM, "denominator"),
                                   (KM, PREVENTIEF, "denominator")):  # fmt: skip
        a = rows.loc[rows["indicator"] == lesser, column]
        b = rows.loc[rows["indicator"] == fuller, column].reindex(a.index)
        both = a.notna() & b.notna()
        assert (a[both] == b[both]).all(), f"{lesser} and {fuller} publish different {column}s"
    hidden = export.loc[(export["reported"] > 0) & export["numerator"].isna()]
    assert len(hidden) > 30  # the attacker below has something to attack


def test_the_public_table_stands_up_to_the_accounts(sample_db):
    """The outsider, every area's insider, and what the gemeente and ketenpartner accounts know."""
    url, engine, table = sample_db
    public = read_indicators(engine, public=True)
    reference = load_reference()
    rows = table.loc[table["level"] != "municipality"]
    public.attrs["withdrawn"] = []  # none in the sample: checked, every expected row is there
    assert_nothing_derivable(rows, public, "sample in the database")
    scopes = [set(scope_of(get_user(engine, name)).municipalities) for name in ("gem-diemen", "keten")]
    assert_no_scope_derives(table, public, reference, scopes, "accounts")


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_the_overview_download_of_each_role_is_the_public_table(sample_db, name):
    """Every value in the overview's download is the public table's (hidden stays empty)."""
    url, engine, _ = sample_db
    scope = scope_of(get_user(engine, name))
    public = read_indicators(engine, public=True)
    with dashboard_on(url, scope):
        from dash._callback_context import context_value
        from dash._utils import AttributeDict

        from dashboard.pages import overview

        period = "2025Q2"
        token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "landelijk-tabel-csv.n_clicks",
                                                                   "value": 1}]))  # fmt: skip
        try:
            sent = overview.download_overview(None, 1, period)
        finally:
            context_value.reset(token)
    content = sent["content"]
    text = base64.b64decode(content).decode("utf-8-sig") if sent.get("base64") else content.lstrip("\ufeff")
    download = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype={"Regiocode": str})
    assert len(download) > 0
    names = {i: code for code, i in zip(public["indicator"], public["indicator"].map(_name), strict=True)}
    quarter = public.loc[public["period"] == period].set_index(["area_code", "indicator"])
    for code, indicator, value in zip(download["Regiocode"], download["Indicator"], download["Waarde"], strict=True):
        row = quarter.loc[(code, names[indicator])]
        scale = 100.0 if row["denominator"] is not pd.NA and _is_proportion(names[indicator]) else 1.0
        if pd.isna(row["value"]):
            assert pd.isna(value), (name, code, indicator)
        else:
            assert value == pytest.approx(round(row["value"] * scale, 4), abs=1e-3), (name, code, indicator)


def _name(code: str) -> str:
    from indicators.registry import INDICATORS_BY_CODE

    return INDICATORS_BY_CODE[code].name


def _is_proportion(code: str) -> bool:
    from indicators.registry import INDICATORS_BY_CODE, Unit

    return INDICATORS_BY_CODE[code].unit is Unit.PROPORTION


def test_a_new_region_division_or_ketenpartner_list_recomputes_the_stored_tables(tmp_path, monkeypatch):
    """The stored tables are keyed on the division file's contents and the ketenpartners' lists: with
    Diemen moved to Zaanstreek-Waterland, or a new ketenpartner, the next read recomputes."""
    from indicators.table import pattern_key, refresh
    from reference.areas import DEFAULT_REGIONS_FILE

    engine = connect(f"sqlite:///{tmp_path / 'monitor.sqlite'}")
    values = build_model()
    values = values.loc[values["period"].astype(str) == "2025Q1"]
    now = dt.datetime.now(dt.UTC)
    with write_transaction(engine) as conn:
        upload = conn.execute(insert(uploads).values(file_name="s", sha256="1" * 64, uploaded_at=now,
                                                     status="stored")).inserted_primary_key[0]  # fmt: skip
        conn.execute(insert(observations), [
            {"upload_id": upload, "municipality": m, "year": p.year, "quarter": p.quarter, "element": e,
             "value": int(v)} for m, p, e, v in values.itertuples(index=False)
        ])  # fmt: skip
    members = read_indicators(engine, level="region", areas=["VR13"], indicators=[COUNT])
    before = int(members["expected"].iloc[0])
    moved = tmp_path / "indeling.csv"
    text = DEFAULT_REGIONS_FILE.read_text(encoding="utf-8")
    moved.write_text(text.replace("GM0384,Diemen,VR13,Amsterdam-Amstelland", "GM0384,Diemen,VR11,Zaanstreek-Waterland"),
                     encoding="utf-8")  # fmt: skip
    key = pattern_key(engine, load_reference())
    monkeypatch.setenv("MONITOR_REGIO_INDELING", str(moved))
    load_reference.cache_clear()
    try:
        assert pattern_key(engine, load_reference()) != key
        after = read_indicators(engine, level="region", areas=["VR13"], indicators=[COUNT], public=True)
        assert int(after["expected"].iloc[0]) == before - 1
        assert not refresh(engine)  # computed once, then kept
        add_user(engine, "keten2", Role.KETENPARTNER, municipalities=("GM0363",), password="een lang genoeg wachtwoord",
                 actor="test", reference=load_reference(), hasher=CHEAP)  # fmt: skip
        assert refresh(engine)
    finally:
        monkeypatch.delenv("MONITOR_REGIO_INDELING")
        load_reference.cache_clear()
        engine.dispose()


@pytest.mark.parametrize("name", list(ACCOUNTS))
@pytest.mark.parametrize("indicator", [RATE, KM])
def test_the_region_trend_download_of_each_role_is_the_public_table(sample_db, name, indicator):
    """Amstelland's trend download (Diemen's and the ketenpartner's region): each quarter's figure is
    the public table's, empty where it is hidden."""
    url, engine, _ = sample_db
    scope = scope_of(get_user(engine, name))
    public = read_indicators(engine, level="region", areas=["VR13"], indicators=[indicator], public=True)
    with dashboard_on(url, scope):
        from dash._callback_context import context_value
        from dash._utils import AttributeDict

        from dashboard.pages import region

        prop = f"regio-trend-{indicator}-csv.n_clicks"
        token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop, "value": 1}]))
        try:
            sent = region.TREND_CALLBACKS[indicator].download(0, 1, "VR13")
        finally:
            context_value.reset(token)
    download = pd.read_csv(io.StringIO(sent["content"].lstrip("\ufeff")), sep=";", decimal=",")
    scale = 100.0 if _is_proportion(indicator) else 1.0
    values = public.assign(period=public["period"].str.replace("Q", " K")).set_index("period")["value"]
    shown = download.set_index("Kwartaal")[download.columns[1]]
    assert len(shown) > 20
    for quarter, value in shown.items():
        expected = values.get(quarter)
        if expected is None or pd.isna(expected):
            assert pd.isna(value), (name, quarter)
        else:
            assert value == pytest.approx(expected * scale, rel=1e-3, abs=1e-2), (name, quarter)
    assert shown.isna().any() == values.isna().any()
