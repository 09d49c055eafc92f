"""What each role can download, attacked: the steering group's `python -m ingest export --afgeschermd`
and the downloads of the overview, region and compare pages for a stuurgroep, a gemeente and a
ketenpartner account (and crafted compare requests for what the page does not offer them).

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
from bench.sample_db import store_directly
from db.engine import connect, write_transaction
from db.tables import observations, uploads
from indicators.aggregate import aggregate
from indicators.table import read_indicators
from ingest.cli import main as ingest_main
from reference.areas import load_reference
from reference.periods import Period
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
    store_directly(engine, values, "sample")
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


# --- the Vergelijken page (/vergelijken): its funnel and ranked downloads ---------------------------

COMPARE_PERIOD = "2025Q2"
CHARTS = {"trechter": "download_funnel", "rangorde": "download_ranked"}


def compare_download(url: str, scope, chart: str, indicator: str, period: str = COMPARE_PERIOD,
                     compare_with: str = "regios") -> pd.DataFrame:  # fmt: skip
    """One of the compare page's downloads (CSV), as the account of `scope` gets it by clicking."""
    with dashboard_on(url, scope):
        from dashboard.pages import compare
        from tests.dashboard_db import clicked

        chart_id = compare.FUNNEL_ID if chart == "trechter" else compare.RANKED_ID
        with clicked(f"{chart_id}-csv"):
            sent = getattr(compare, CHARTS[chart])(0, 1, indicator, period, compare_with)
    return pd.read_csv(io.StringIO(sent["content"].lstrip("\ufeff")), sep=";", decimal=",", dtype={"Code": str})


def _figures(download: pd.DataFrame) -> pd.DataFrame:
    """Code, numerator, denominator and value of a compare download, whatever the indicator's headers."""
    at = list(download.columns).index("Code")
    numbers = download.iloc[:, at + 2 : at + 5].astype("Float64")
    frame = pd.DataFrame({"Code": download["Code"]})
    frame[["numerator", "denominator", "value"]] = numbers.to_numpy()
    return frame.set_index("Code")


@pytest.mark.parametrize("chart", list(CHARTS))
@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_the_compare_downloads_of_each_role_are_the_public_table(sample_db, name, chart):
    """Every indicator's funnel and ranked download over the regions: each region's (and the nation's)
    figures are the public table's; a hidden region has no figure at all (no count, no interval, no
    funnel limits at its base), only the words the page shows."""
    from indicators.registry import INDICATORS, Unit, shown_indicator

    url, engine, _ = sample_db
    scope = scope_of(get_user(engine, name))
    public = read_indicators(engine, periods=[COMPARE_PERIOD], public=True).set_index(["area_code", "indicator"])
    hidden_seen = 0
    for indicator in INDICATORS:
        shown = shown_indicator(indicator)
        download = compare_download(url, scope, chart, indicator.code)
        scale = 100.0 if shown.unit is Unit.PROPORTION else 1.0
        figures = _figures(download)
        assert set(figures.index) - {"NL"} == set(
            public.xs(shown.code, level="indicator").query("level == 'region'").index
        )
        for code, row in figures.iterrows():
            expected = public.loc[(code, shown.code)]
            where = (name, chart, indicator.code, code)
            if pd.isna(expected["value"]):
                hidden_seen += expected["reported"] > 0
                numbers = (
                    download.loc[download["Code"] == code].select_dtypes("number").drop(columns="Rang", errors="ignore")
                )
                assert numbers.isna().all(axis=None), where  # hidden stays hidden, in every column
                continue
            assert row["numerator"] == expected["numerator"], where
            if shown.unit is Unit.PROPORTION:
                assert row["denominator"] == expected["denominator"], where
            assert row["value"] == pytest.approx(round(expected["value"] * scale, 2), abs=0.006), where
    assert hidden_seen > 0  # something hidden was there to leak


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_no_two_figures_a_role_downloads_from_the_compare_page_differ_by_a_hidden_part(sample_db, name):
    """Indicators over one total publish one denominator; a count is compared as its rate, whose count is
    the one the export and the overview publish (no municipality without a population left out)."""
    url, engine, _ = sample_db
    scope = scope_of(get_user(engine, name))
    km, preventief = (_figures(compare_download(url, scope, "rangorde", code)) for code in (KM, PREVENTIEF))
    both = km["denominator"].notna() & preventief["denominator"].reindex(km.index).notna()
    assert both.sum() > 10
    assert (km.loc[both, "denominator"] == preventief["denominator"].reindex(km.index)[both]).all()
    count = _figures(compare_download(url, scope, "rangorde", COUNT))
    assert count.equals(_figures(compare_download(url, scope, "rangorde", RATE)))  # the count is shown as its rate
    published = read_indicators(engine, indicators=[COUNT], periods=[COMPARE_PERIOD], public=True)
    published = published.set_index("area_code")["numerator"].astype("Float64")
    shown = count["numerator"].notna() & published.reindex(count.index).notna()
    assert shown.sum() > 10
    assert (count.loc[shown, "numerator"] == published.reindex(count.index)[shown]).all()


@pytest.mark.parametrize("name", list(ACCOUNTS))
@pytest.mark.parametrize(
    "choices",
    [
        (KM, COMPARE_PERIOD, "VR13"),  # the municipalities of the region of Diemen and of the ketenpartner
        (KM, COMPARE_PERIOD, "GM0384"),  # a municipality as if it were a region
        (KM, "2025", "regios"),  # a year, which the page does not offer
        ("geen_indicator", COMPARE_PERIOD, "regios"),
    ],
)
def test_a_crafted_compare_request_is_refused(sample_db, name, choices):
    """The page offers these roles all regions only: a request for the municipalities of a region, or for
    choices the page never offers, gets nothing from the charts or the downloads."""
    from dash.exceptions import PreventUpdate

    url, engine, _ = sample_db
    scope = scope_of(get_user(engine, name))
    with dashboard_on(url, scope):
        from dashboard.pages import compare
        from tests.dashboard_db import clicked

        with pytest.raises(PreventUpdate):
            compare.update_charts(*choices)
        for chart_id, download in ((compare.FUNNEL_ID, compare.download_funnel),
                                   (compare.RANKED_ID, compare.download_ranked)):  # fmt: skip
            with clicked(f"{chart_id}-csv"), pytest.raises(PreventUpdate):
                download(0, 1, *choices)


def test_a_projectleider_compares_the_municipalities_of_its_own_region_only(sample_db):
    """The one role offered a region's municipalities gets them (its full detail), and no other region's."""
    from dash.exceptions import PreventUpdate

    from accounts.scope import Scope

    url, engine, table = sample_db
    scope = Scope(user="pl-amstelland", role=Role.PROJECTLEIDER, region="VR13")
    figures = _figures(compare_download(url, scope, "rangorde", KM, compare_with="VR13"))
    full = table.loc[(table["level"] == "municipality") & (table["period"].astype(str) == COMPARE_PERIOD)
                     & (table["indicator"] == KM)].set_index("area_code")  # fmt: skip
    members = {m.code for m in load_reference().members("VR13", Period.parse_code(COMPARE_PERIOD))}
    assert set(figures.index) - {"NL"} == members
    for code in members:
        assert figures.loc[code, "denominator"] == full.loc[code, "denominator"], code
    with pytest.raises(PreventUpdate), dashboard_on(url, scope):
        from dashboard.pages import compare
        from tests.dashboard_db import clicked

        with clicked(f"{compare.RANKED_ID}-csv"):
            compare.download_ranked(0, 1, KM, COMPARE_PERIOD, "VR09")
