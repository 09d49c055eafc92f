"""Aggregation: figures checked against arithmetic done by hand in each test.

Most cases use the Veilig Thuis region Amsterdam-Amstelland (VR13): Aalsmeer GM0358, Amstelveen
GM0362, Amsterdam GM0363, Diemen GM0384, Ouder-Amstel GM0437, Uithoorn GM0451, and Weesp GM0457,
which merged into Amsterdam on 2022-03-24 (it existed in 2022Q1, not in 2022Q2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from indicators.aggregate import COLUMNS, aggregate
from indicators.registry import INDICATORS, INDICATORS_BY_CODE
from indicators.statistics import byar_interval, wilson_interval
from reference.areas import DEFAULT_REGIONS_FILE, load_reference
from reference.periods import Period, period_range

Q1, Q2 = Period(2022, 1), Period(2022, 2)
AMSTERDAM, AMSTELVEEN, DIEMEN, UITHOORN, WEESP = "GM0363", "GM0362", "GM0384", "GM0451", "GM0457"
GRONINGEN = "GM0014"  # region VR01
HAAREN = "GM0788"  # existed until 2021-01-01; largest part to Oisterwijk, region VR20-HVB
PARTS = INDICATORS_BY_CODE["consultatie_specialistisch"].numerator  # fggz, ggz, verslavingszorg, lvb
NA = None


@pytest.fixture(scope="module")
def reference():
    return load_reference(str(DEFAULT_REGIONS_FILE))


def make_values(*rows: tuple) -> pd.DataFrame:
    """Rows (municipality, period, element, value[, suppressed]) shaped as current_values."""
    records = []
    for municipality, period, element, value, *rest in rows:
        records.append(
            {
                "municipality": municipality,
                "period": str(period),
                "year": period.year,
                "quarter": period.quarter,
                "element": element,
                "value": value,
                "suppressed": bool(rest and rest[0]),
                "upload_id": 1,
                "uploaded_at": pd.Timestamp("2024-05-01"),
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame["value"] = frame["value"].astype("Int64")
    return frame


def proportion(municipality: str, period: Period, numerator, denominator) -> list[tuple]:
    """Values for huisverbod_km: thv_kindermishandeling / thv_totaal."""
    return [
        (municipality, period, "thv_kindermishandeling", numerator),
        (municipality, period, "thv_totaal", denominator),
    ]


def consultations(municipality: str, period: Period, *counts) -> list[tuple]:
    return [(municipality, period, element, n) for element, n in zip(PARTS, counts, strict=True)]


def one(table: pd.DataFrame, level: str, area: str, period: Period, indicator: str) -> pd.Series:
    rows = table.loc[
        (table["level"] == level)
        & (table["area_code"] == area)
        & (table["period"] == str(period))
        & (table["indicator"] == indicator)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def figures(row: pd.Series) -> tuple:
    """(numerator, denominator, reported, expected) with <NA> as None."""
    columns = ("numerator", "denominator", "reported", "expected")
    return tuple(None if pd.isna(row[c]) else int(row[c]) for c in columns)


# --- proportions ---------------------------------------------------------------------------


PROPORTION_CASES = {
    # Pooled: (3 + 5) / (10 + 30) = 8 / 40 = 0.2;
    # the average of the ratios, (0.3 + 0.1667) / 2 = 0.2333, would be wrong.
    "pooled, not averaged": ([(AMSTERDAM, 3, 10), (AMSTELVEEN, 5, 30)], (8, 40, 2, 6), 0.2),
    # Diemen knows only its numerator: left out of both sums and of reported: 3 / 10.
    "numerator only": ([(AMSTERDAM, 3, 10), (DIEMEN, 4, NA)], (3, 10, 1, 6), 0.3),
    # Diemen knows only its denominator: likewise 3 / 10.
    "denominator only": ([(AMSTERDAM, 3, 10), (DIEMEN, NA, 7)], (3, 10, 1, 6), 0.3),
    # A zero denominator is a report: 0 / 0 shows the sums but no value.
    "denominator 0": ([(AMSTERDAM, 0, 0)], (0, 0, 1, 6), math.nan),
    # 0 / 0 and 1 / 4 pool to 1 / 4 = 0.25.
    "zero plus some": ([(AMSTERDAM, 0, 0), (AMSTELVEEN, 1, 4)], (1, 4, 2, 6), 0.25),
    # Nobody reporting both: numerator and denominator empty, reported 0 of 6.
    "nobody reporting": ([(DIEMEN, 4, NA), (UITHOORN, NA, 9)], (None, None, 0, 6), math.nan),
}


@pytest.mark.parametrize("inputs, expected, value", PROPORTION_CASES.values(), ids=PROPORTION_CASES)
def test_region_proportion(reference, inputs, expected, value):
    values = make_values(*[r for m, n, d in inputs for r in proportion(m, Q2, n, d)])
    row = one(aggregate(values, reference, [Q2]), "region", "VR13", Q2, "huisverbod_km")
    assert figures(row) == expected
    assert row["area_name"] == "Amsterdam-Amstelland"
    if math.isnan(value):
        assert np.isnan([row["value"], row["ci_low"], row["ci_high"]]).all()
    else:
        assert row["value"] == pytest.approx(value)
        low, high = wilson_interval(expected[0], expected[1])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((float(low), float(high)))
        low99, high99 = wilson_interval(expected[0], expected[1], 0.998)
        assert (row["ci99_low"], row["ci99_high"]) == pytest.approx((float(low99), float(high99)))


def test_municipality_rows_show_own_figures_or_nothing(reference):
    values = make_values(*proportion(AMSTERDAM, Q2, 3, 10), *proportion(DIEMEN, Q2, 4, NA))
    table = aggregate(values, reference, [Q2])
    amsterdam = one(table, "municipality", AMSTERDAM, Q2, "huisverbod_km")
    assert amsterdam["area_name"] == "Amsterdam"
    assert figures(amsterdam) == (3, 10, 1, 1)
    assert amsterdam["value"] == pytest.approx(0.3)  # 3 / 10
    diemen = one(table, "municipality", DIEMEN, Q2, "huisverbod_km")
    assert figures(diemen) == (None, None, 0, 1)  # its 4 is not shown without a denominator
    assert np.isnan(diemen["value"])


def test_suppressed_value_counts_as_unknown(reference):
    # Uithoorn's denominator was "<5" at the source: stored suppressed, so Uithoorn is left out.
    values = make_values(
        *proportion(AMSTERDAM, Q2, 3, 10),
        (UITHOORN, Q2, "thv_kindermishandeling", 1),
        (UITHOORN, Q2, "thv_totaal", NA, True),
    )
    row = one(aggregate(values, reference, [Q2]), "region", "VR13", Q2, "huisverbod_km")
    assert figures(row) == (3, 10, 1, 6)


# --- counts and rates ----------------------------------------------------------------------


COUNT_CASES = {
    # Amsterdam delivered two parts (4 + 3), Amstelveen one (2), Diemen none:
    # 4 + 3 + 2 = 9 (below 10: exact Poisson).
    "parts delivered": (
        [(AMSTERDAM, 4, 3, NA, NA), (AMSTELVEEN, NA, NA, NA, 2), (DIEMEN, NA, NA, NA, NA)],
        9,
        2,
    ),
    # 12 + 5 = 17 (>= 10: Byar).
    "byar": ([(AMSTERDAM, 12, NA, NA, NA), (AMSTELVEEN, 0, 5, 0, 0)], 17, 2),
    # A delivered 0 is a report: 0 consultations, reported 1.
    "zero": ([(AMSTERDAM, 0, NA, NA, NA)], 0, 1),
    # Nothing delivered: empty.
    "nothing": ([(DIEMEN, NA, NA, NA, NA)], None, 0),
}


@pytest.mark.parametrize("inputs, total, reported", COUNT_CASES.values(), ids=COUNT_CASES)
def test_region_count_sums_delivered_parts(reference, inputs, total, reported):
    values = make_values(*[r for m, *counts in inputs for r in consultations(m, Q2, *counts)])
    table = aggregate(values, reference, [Q2])
    row = one(table, "region", "VR13", Q2, "consultatie_specialistisch")
    assert figures(row) == (total, None, reported, 6)
    if total is None:
        assert np.isnan([row["value"], row["ci_low"], row["ci_high"]]).all()
    else:
        assert row["value"] == total
        low, high = byar_interval(total)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((float(low), float(high)))


def test_rate_uses_reporting_municipalities_with_population(reference):
    # 2022Q1: Amsterdam 9 and Diemen 3 have a population; Weesp (5) merged in 2022 and has none.
    values = make_values(
        *consultations(AMSTERDAM, Q1, 9, NA, NA, NA),
        *consultations(DIEMEN, Q1, NA, 1, 2, NA),
        *consultations(WEESP, Q1, 5, NA, NA, NA),
    )
    table = aggregate(values, reference, [Q1])
    count = one(table, "region", "VR13", Q1, "consultatie_specialistisch")
    assert figures(count) == (17, None, 3, 7)  # 9 + (1 + 2) + 5 = 17; 7 municipalities in 2022Q1
    rate = one(table, "region", "VR13", Q1, "consultatie_specialistisch_per_100k")
    # numerator 9 + 3 = 12, denominator 903,399 + 31,822 = 935,221 inhabitants
    assert figures(rate) == (12, 935_221, 2, 7)
    assert rate["value"] == pytest.approx(12 / 935_221 * 100_000)  # 1.2831...
    low, high = byar_interval(12)
    expected_ci = (float(low) / 935_221 * 100_000, float(high) / 935_221 * 100_000)
    assert (rate["ci_low"], rate["ci_high"]) == pytest.approx(expected_ci)
    amsterdam = one(table, "municipality", AMSTERDAM, Q1, "consultatie_specialistisch_per_100k")
    assert figures(amsterdam) == (9, 903_399, 1, 1)
    assert amsterdam["value"] == pytest.approx(9 / 903_399 * 100_000)


def test_rate_is_empty_without_population(reference):
    values = make_values(*consultations(WEESP, Q1, 5, NA, NA, NA))
    table = aggregate(values, reference, [Q1])
    for level, area in (("municipality", WEESP), ("region", "VR13")):
        row = one(table, level, area, Q1, "consultatie_specialistisch_per_100k")
        assert figures(row)[:3] == (None, None, 0)
        assert np.isnan([row["value"], row["ci_low"], row["ci_high"]]).all()
    count = one(table, "municipality", WEESP, Q1, "consultatie_specialistisch")
    assert figures(count) == (5, None, 1, 1)


def test_population_column(reference):
    table = aggregate(make_values(*proportion(AMSTERDAM, Q1, 1, 2)), reference, [Q1])
    # 32,452 + 92,331 + 903,399 + 31,822 + 14,212 + 31,018 = 1,105,234; Weesp has no population.
    assert one(table, "region", "VR13", Q1, "huisverbod_km")["population"] == 1_105_234
    assert pd.isna(one(table, "municipality", WEESP, Q1, "huisverbod_km")["population"])


# --- areas, mergers, the nation ------------------------------------------------------------


def test_merged_municipality_counts_for_its_successors_region(reference):
    values = make_values(
        *proportion(WEESP, Q1, 1, 4),
        *proportion(AMSTERDAM, Q1, 3, 6),
        *proportion(AMSTERDAM, Q2, 2, 5),
    )
    table = aggregate(values, reference, [Q1, Q2])
    # 2022Q1: Weesp still existed: (1 + 3) / (4 + 6) = 0.4, 2 of 7 reported.
    q1 = one(table, "region", "VR13", Q1, "huisverbod_km")
    assert figures(q1) == (4, 10, 2, 7)
    assert q1["value"] == pytest.approx(0.4)
    # 2022Q2: Weesp is part of Amsterdam: 2 / 5, 1 of 6.
    assert figures(one(table, "region", "VR13", Q2, "huisverbod_km")) == (2, 5, 1, 6)
    weesp = table.loc[(table["level"] == "municipality") & (table["area_code"] == WEESP)]
    assert set(weesp["period"]) == {"2022Q1"}
    assert figures(one(table, "municipality", WEESP, Q1, "huisverbod_km")) == (1, 4, 1, 1)


def test_haaren_before_and_after_its_merger(reference):
    q4, next_q1 = Period(2020, 4), Period(2021, 1)
    values = make_values(*proportion(HAAREN, q4, 2, 8), *proportion(HAAREN, next_q1, 5, 5))
    table = aggregate(values, reference, [q4, next_q1])
    # Hart van Brabant: 9 municipalities in 2020Q4 (with Haaren), 8 in 2021Q1.
    assert figures(one(table, "region", "VR20-HVB", q4, "huisverbod_km")) == (2, 8, 1, 9)
    # A value for a period Haaren no longer existed in belongs to no area.
    assert figures(one(table, "region", "VR20-HVB", next_q1, "huisverbod_km")) == (None, None, 0, 8)
    assert not ((table["area_code"] == HAAREN) & (table["period"] == "2021Q1")).any()


def test_national_level_pools_all_regions(reference):
    values = make_values(*proportion(AMSTERDAM, Q2, 3, 10), *proportion(GRONINGEN, Q2, 6, 20))
    table = aggregate(values, reference, [Q1, Q2])
    # (3 + 6) / (10 + 20) = 9 / 30 = 0.3; 345 municipalities in 2022Q1, 344 after Weesp merged.
    nation = one(table, "national", "NL", Q2, "huisverbod_km")
    assert nation["area_name"] == "Nederland"
    assert figures(nation) == (9, 30, 2, 344)
    assert nation["value"] == pytest.approx(0.3)
    assert figures(one(table, "national", "NL", Q1, "huisverbod_km")) == (None, None, 0, 345)
    assert figures(one(table, "region", "VR01", Q2, "huisverbod_km")) == (6, 20, 1, 10)


def test_one_row_per_area_period_and_indicator(reference):
    table = aggregate(make_values(*proportion(AMSTERDAM, Q2, 1, 2)), reference, [Q1, Q2])
    assert tuple(table.columns) == COLUMNS
    counts = table.groupby(["level", "period"]).size().to_dict()
    n = len(INDICATORS)
    assert counts == {
        ("municipality", "2022Q1"): 345 * n, ("municipality", "2022Q2"): 344 * n,
        ("region", "2022Q1"): 26 * n, ("region", "2022Q2"): 26 * n,
        ("national", "2022Q1"): n, ("national", "2022Q2"): n,
    }  # fmt: skip
    assert not table.duplicated(["level", "area_code", "period", "indicator"]).any()
    assert (table.loc[table["level"] == "municipality", "expected"] == 1).all()


def test_default_periods_span_the_values(reference):
    values = make_values(*proportion(AMSTERDAM, Q1, 1, 2), *proportion(AMSTERDAM, Period(2022, 3), 1, 2))
    table = aggregate(values, reference)
    assert sorted(set(table["period"])) == ["2022Q1", "2022Q2", "2022Q3"]
    assert figures(one(table, "region", "VR13", Q2, "huisverbod_km")) == (None, None, 0, 6)


def test_empty_values_give_an_empty_table(reference):
    table = aggregate(make_values(*proportion(AMSTERDAM, Q1, 1, 2)).iloc[:0], reference)
    assert table.empty and tuple(table.columns) == COLUMNS


def test_a_national_database_of_31_quarters_aggregates_whole(reference):
    periods = period_range(Period(2018, 1), Period(2025, 3))  # 31 quarters
    elements = sorted({e for i in INDICATORS for e in i.elements})  # 13 elements
    rows = [(m.code, str(p), e) for p in periods for m in reference.existing(p) for e in elements]
    values = pd.DataFrame(rows, columns=["municipality", "period", "element"])
    values["value"] = pd.array(np.arange(len(values)) % 50, dtype="Int64")
    values["suppressed"] = False
    table = aggregate(values, reference)  # its cost: `make bench` (the load's refresh), never timed here
    assert set(table["period"]) == {str(p) for p in periods}
