"""The public indicator table: written by `refresh` with the full one, read with `public=True`."""

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from db.tables import indicator_values_public
from db.values import current_values
from indicators.aggregate import COLUMNS, aggregate
from indicators.suppression import suppress
from indicators.table import PUBLIC_COLUMNS, read_indicators, refresh
from ingest.pipeline import load_file
from reference.areas import load_reference
from tests.workbooks import write_workbook

TODAY = dt.date(2025, 11, 1)
HEADER = ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"]
QUARTERS = ["2024 K1", "2024 K2", "2024 K3", "2024 K4"]


def load(engine, tmp_path, name, rows):
    return load_file(engine, write_workbook(tmp_path / name, {"Blad1": [HEADER, *rows]}), today=TODAY)


def public_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(indicator_values_public)).scalar_one()


def test_refresh_writes_the_suppressed_table(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 3, 1], ["Amsterdam", "2024 K1", 40, 12]])
    assert refresh(engine) is True
    public = read_indicators(engine, public=True)
    assert list(public.columns) == list(PUBLIC_COLUMNS)
    assert set(public["level"]) == {"region", "national"}  # no municipality of a region
    km = public.loc[public["indicator"] == "huisverbod_km"].set_index("area_code")
    utrecht = load_reference().region_of("GM0344").code
    assert km.loc[utrecht, "suppression"] == "primary" and km.loc[utrecht, "shown"] == ""  # 3 restraining orders
    assert km.loc[utrecht, ["numerator", "denominator", "value", "ci_low"]].isna().all()
    assert (km["suppression"] != "").sum() >= 3  # protected: the nation minus Amsterdam would give it
    assert pd.isna(km.loc[km["suppression"] == "", "shown"]).all()


def test_public_table_equals_suppress_of_the_stored_aggregate(engine, tmp_path):
    rows = [[m, q, 4 + i + j, i] for i, m in enumerate(["Utrecht", "Zeist", "Amsterdam", "Groningen"])
            for j, q in enumerate(QUARTERS)]  # fmt: skip
    load(engine, tmp_path, "a.xlsx", rows)
    reference = load_reference()
    expected = suppress(aggregate(current_values(engine), reference), reference)
    stored = read_indicators(engine, public=True)
    key = ["level", "area_code", "period", "indicator"]
    assert "2024" in set(stored["period"])  # the yearly rows
    merged = expected.merge(stored, on=key, suffixes=("", "_stored"))
    assert len(merged) == len(expected) == len(stored) > 0
    for column in ("numerator", "denominator", "reported", "expected", "suppression"):
        assert merged[column].astype(str).equals(merged[f"{column}_stored"].astype(str)), column
    assert merged["shown"].fillna("-").equals(merged["shown_stored"].fillna("-"))
    for column in ("value", "ci_low", "ci_high"):
        left, right = merged[column].astype(float), merged[f"{column}_stored"].astype(float)
        assert ((left - right).abs().fillna(0) < 1e-12).all() and (left.isna() == right.isna()).all(), column


def test_public_read_has_the_same_types_and_filters(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 30, 10], ["Amsterdam", "2024 K1", 40, 12]])
    full = read_indicators(engine, level="region", indicators=["huisverbod_km"])
    public = read_indicators(engine, level="region", indicators=["huisverbod_km"], public=True)
    assert len(public) == len(full) > 0 and set(public["level"]) == {"region"}
    assert set(public["indicator"]) == {"huisverbod_km"}
    for column in COLUMNS:
        assert public[column].dtype == full[column].dtype, column
    assert public["shown"].dtype == "string"
    one = read_indicators(engine, areas=["NL"], periods=["2024Q1"], public=True)
    assert set(one["area_code"]) == {"NL"} and set(one["period"]) == {"2024Q1"}


def test_public_table_follows_a_new_upload(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 30, 10], ["Amsterdam", "2024 K1", 40, 12]])
    before = read_indicators(engine, level="national", indicators=["huisverbod_km"], public=True)
    assert before["numerator"].tolist() == [22]
    count = public_count(engine)
    load(engine, tmp_path, "b.xlsx", [["Utrecht", "2024 K1", 30, 11]])
    after = read_indicators(engine, level="national", indicators=["huisverbod_km"], public=True)
    assert after["numerator"].tolist() == [23]
    assert public_count(engine) == count  # replaced, not added to


def test_a_withdrawn_year_is_not_stored(engine, tmp_path):
    """Utrecht's region has 1 consultation each quarter: its year (4) would pin every quarter, so
    the public table has no yearly row for it; the other regions keep theirs."""
    header = ["Gemeente", "Kwartaal", "Consultaties GGZ"]
    rows = [["Utrecht", q, 1] for q in QUARTERS] + [
        [m, q, n + i] for m, n in (("Amsterdam", 40), ("Groningen", 30), ("Rotterdam", 25), ("Zwolle", 12))
        for i, q in enumerate(QUARTERS)
    ]  # fmt: skip
    load_file(engine, write_workbook(tmp_path / "c.xlsx", {"Blad1": [header, *rows]}), today=TODAY)
    reference = load_reference()
    region = reference.region_of("GM0344").code
    expected = suppress(aggregate(current_values(engine), reference), reference)
    assert ("consultatie_specialistisch", "region", region, "2024") in expected.attrs["withdrawn"]
    public = read_indicators(engine, indicators=["consultatie_specialistisch"], public=True)
    mine = public.loc[public["area_code"] == region].set_index("period")
    assert sorted(mine.index) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]  # no "2024"
    assert (mine["shown"] == "<5").all() and mine["numerator"].isna().all()
    years = public.loc[(public["period"] == "2024") & (public["level"] == "region"), "area_code"]
    assert region not in set(years) and len(years) > 0
    assert len(public) == (expected["indicator"] == "consultatie_specialistisch").sum()
