"""The indicator tables are refreshed per year: an upload recomputes the years it touched, and the
result is exactly what recomputing the whole table from every current value gives."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from argon2 import PasswordHasher

from accounts.scope import Role
from accounts.users import add_user
from db.values import current_values
from indicators import table as indicator_table
from indicators.aggregate import aggregate
from indicators.insiders import ketenpartner_scopes
from indicators.suppression import suppress
from indicators.table import read_indicators, refresh
from ingest.pipeline import load_file
from reference.areas import load_reference
from sample_data.model import build_model
from tests.test_suppression import make_reference, random_table
from tests.workbooks import write_workbook

TODAY = dt.date(2026, 11, 1)
HEADER = ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling", "Consultaties GGZ"]
KEY = ["level", "area_code", "period", "indicator"]
TOWNS = ["Utrecht", "Zeist", "De Bilt", "Amsterdam", "Diemen", "Groningen", "Zwolle", "Vlieland"]


def by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEY).reset_index(drop=True)


def assert_same_table(expected: pd.DataFrame, stored: pd.DataFrame) -> None:
    """Every row, count, interval and suppression mark alike (floats to the last bits of a round trip)."""
    expected, stored = by_key(expected), by_key(stored)
    assert len(expected) == len(stored) > 0
    assert expected[KEY].astype(str).equals(stored[KEY].astype(str))
    for column in expected.columns.intersection(stored.columns).difference(KEY):
        left, right = expected[column], stored[column]
        if column in ("value", "ci_low", "ci_high", "ci99_low", "ci99_high"):
            left, right = left.astype(float), right.astype(float)
            assert (left.isna() == right.isna()).all(), column
            assert ((left - right).abs().fillna(0) <= 1e-12 * left.abs().fillna(0).clip(lower=1)).all(), column
        else:
            assert left.astype(str).fillna("-").equals(right.astype(str).fillna("-")), column


def assert_as_if_computed_whole(engine) -> None:
    """The stored tables equal the aggregate of every current value and its suppression, computed whole."""
    reference = load_reference()
    whole = aggregate(current_values(engine), reference)
    assert_same_table(whole, read_indicators(engine))
    assert_same_table(suppress(whole, reference, ketenpartner_scopes(engine)), read_indicators(engine, public=True))


def load(engine, tmp_path, name, rows):
    result, stored = load_file(engine, write_workbook(tmp_path / name, {"Blad1": [HEADER, *rows]}), today=TODAY)
    assert stored.status == "stored", result.errors
    return stored


def quarter_rows(quarters, scale=1):
    return [[town, q, (5 + 3 * i) * scale, (1 + i % 4) * scale, i % 5] for q in quarters
            for i, town in enumerate(TOWNS)]  # fmt: skip


def test_every_step_of_a_growing_store_equals_the_whole_recompute(engine, tmp_path):
    load(engine, tmp_path, "2024.xlsx", quarter_rows(["2024 K1", "2024 K2", "2024 K3", "2024 K4"]))
    assert refresh(engine) is True
    assert_as_if_computed_whole(engine)
    steps = [
        ("next.xlsx", quarter_rows(["2025 K1"])),  # the range grows by a quarter
        ("gap.xlsx", quarter_rows(["2026 K2"], scale=2)),  # ... by a year and more: empty quarters between
        ("before.xlsx", quarter_rows(["2023 K3"])),  # ... backwards
        ("fix.xlsx", [["Zeist", "2024 K2", 40, 2, 1], ["Vlieland", "2024 K3", 1, 0, 3]]),  # a correction
        ("small.xlsx", [["Diemen", "2025 K1", 2, 1, 1]]),
    ]
    for name, rows in steps:
        load(engine, tmp_path, name, rows)
        assert refresh(engine) is True, name
        assert_as_if_computed_whole(engine)
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    add_user(engine, "keten", Role.KETENPARTNER, municipalities=["GM0344", "GM0355"],
             password="een lang genoeg wachtwoord", actor="test", reference=load_reference(), hasher=cheap)  # fmt: skip
    assert refresh(engine) is True  # another list of insiders: every year again
    assert_as_if_computed_whole(engine)
    assert refresh(engine) is False


def test_an_upload_recomputes_only_the_years_it_touched(engine, tmp_path, monkeypatch):
    load(engine, tmp_path, "a.xlsx", quarter_rows(["2023 K4", "2024 K1", "2024 K2", "2025 K1"]))
    refresh(engine)
    computed: list[list[str]] = []
    real = indicator_table.aggregate

    def spy(values, reference, periods=None):
        computed.append([str(p) for p in periods])
        return real(values, reference, periods)

    monkeypatch.setattr(indicator_table, "aggregate", spy)
    load(engine, tmp_path, "b.xlsx", [["Zeist", "2024 K2", 40, 2, 1]])
    refresh(engine)
    assert computed == [["2024Q1", "2024Q2", "2024Q3", "2024Q4"]]
    computed.clear()
    load(engine, tmp_path, "c.xlsx", [["Zeist", "2025 K3", 40, 2, 1]])  # a new quarter: only its year
    refresh(engine)
    assert computed == [["2025Q1", "2025Q2", "2025Q3"]]
    computed.clear()
    refresh(engine, force=True)
    assert [c[0][:4] for c in computed] == ["2023", "2024", "2025"]
    monkeypatch.undo()
    assert_as_if_computed_whole(engine)


def per_year(table: pd.DataFrame, reference, lists=()) -> pd.DataFrame:
    years = table["period"].astype(str).str[:4]
    parts = [suppress(table.loc[years == y].reset_index(drop=True), reference, lists) for y in sorted(years.unique())]
    return pd.concat(parts, ignore_index=True)


def test_the_sample_pattern_is_the_pattern_of_each_year_alone():
    """What makes the refresh per year exact: suppression's components never cross a year, for the
    sample data with two ketenpartners' lists as insiders too."""
    reference = load_reference()
    table = aggregate(build_model(), reference)
    lists = [("GM0363", "GM0362"), ("GM0344", "GM0355", "GM0310")]
    whole = suppress(table, reference, lists)
    assert (whole["suppression"] != "").sum() > 100
    assert_same_table(whole, per_year(table, reference, lists))


@pytest.mark.parametrize("seed", range(20))
def test_a_random_pattern_is_the_pattern_of_each_year_alone(seed):
    table, regions = random_table(np.random.default_rng(seed))
    reference = make_reference(regions)
    assert_same_table(suppress(table, reference), per_year(table, reference))
