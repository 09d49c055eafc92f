"""The indicator table is computed once per store change and read by the dashboard."""

import datetime as dt

from db.values import current_values, store_version
from indicators.aggregate import aggregate
from indicators.table import computed_version, read_indicators, refresh
from ingest.pipeline import load_file
from reference.areas import load_reference
from tests.workbooks import write_workbook

TODAY = dt.date(2025, 11, 1)
HEADER = ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"]


def load(engine, tmp_path, name, rows):
    return load_file(engine, write_workbook(tmp_path / name, {"Blad1": [HEADER, *rows]}), today=TODAY)


def test_refresh_only_when_the_store_changed(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4]])
    assert computed_version(engine) is None
    assert refresh(engine) is True
    assert computed_version(engine) == store_version(engine) == 1
    assert refresh(engine) is False  # nothing changed
    load(engine, tmp_path, "b.xlsx", [["Utrecht", "2024 K1", 10, 5]])
    assert refresh(engine) is True
    assert computed_version(engine) == 2


def test_reading_refreshes_a_stale_table_and_shows_the_new_figure(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4]])
    first = read_indicators(engine, level="municipality", areas=["GM0344"], indicators=["huisverbod_km"])
    assert first[["numerator", "denominator", "value"]].values.tolist() == [[4, 10, 0.4]]
    load(engine, tmp_path, "b.xlsx", [["Utrecht", "2024 K1", 10, 5]])
    second = read_indicators(engine, level="municipality", areas=["GM0344"], indicators=["huisverbod_km"])
    assert second[["numerator", "denominator", "value"]].values.tolist() == [[5, 10, 0.5]]


def test_a_rejected_upload_does_not_trigger_a_recompute(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4]])
    refresh(engine)
    result, stored = load(engine, tmp_path, "bad.xlsx", [["Utrecht", "2024 K1", 10, 11]])
    assert stored.status == "rejected"
    assert refresh(engine) is False


def test_stored_table_equals_the_aggregate_it_was_computed_from(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4], ["Zeist", "2024 K2", 3, 0]])
    expected = aggregate(current_values(engine), load_reference())
    stored = read_indicators(engine)
    key = ["level", "area_code", "period", "indicator"]
    merged = expected.merge(stored, on=key, suffixes=("", "_stored"))
    assert len(merged) == len(expected) == len(stored)
    for column in ("numerator", "denominator", "reported", "expected"):
        assert merged[column].astype("Int64").equals(merged[f"{column}_stored"].astype("Int64")), column
    for column in ("value", "ci_low", "ci_high", "ci99_low", "ci99_high"):
        left, right = merged[column].astype(float), merged[f"{column}_stored"].astype(float)
        assert ((left - right).abs().fillna(0) < 1e-12).all() and (left.isna() == right.isna()).all(), column


def test_filters(engine, tmp_path):
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4], ["Utrecht", "2024 K2", 8, 2]])
    national = read_indicators(engine, level="national", indicators=["huisverbod_km"], periods=["2024Q2"])
    assert national[["area_code", "period", "numerator", "denominator", "reported", "expected"]].values.tolist() == [
        ["NL", "2024Q2", 2, 8, 1, 342]
    ]


def test_hooks_run_after_a_refresh_that_recomputed(engine, tmp_path, monkeypatch):
    from indicators import table

    monkeypatch.setattr(table, "_AFTER_REFRESH", [])
    seen = []
    table.after_refresh(lambda database: seen.append(computed_version(database)))
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4]])
    assert refresh(engine) is True and seen == [1]  # after the new table is there
    assert refresh(engine) is False and seen == [1]  # nothing recomputed, nothing called


def test_the_dashboard_memo_is_warmed_by_the_refresh_of_an_upload(engine, tmp_path, monkeypatch):
    from dashboard import data

    monkeypatch.setattr(data, "engine", lambda: engine)
    data._indicators.cache_clear()
    load(engine, tmp_path, "a.xlsx", [["Utrecht", "2024 K1", 10, 4]])
    assert refresh(engine) is True
    warmed = data._indicators.cache_info().currsize
    assert warmed >= 2  # the national rows, full and public, before any page asked
    before = data._indicators.cache_info().hits
    data._indicators(*data.store_key(), False, "national", ("NL",), None, None)
    assert data._indicators.cache_info().hits == before + 1
