"""Suppression: literal tables with the expected pattern, and an attacker that tries to undo it.

The tables are built by hand in the shape `aggregate` returns; regions come from a small
`Reference` with only the region division filled in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingest.aggregate import COLUMNS
from ingest.reference import Reference, Region
from ingest.suppression import LESS_THAN, PUBLISHED_TOTALS, Total, suppress

COUNT, RATE, PROPORTION = "consultatie_specialistisch", "consultatie_specialistisch_per_100k", "plegerhulp_bereik"
QUARTERS = ("2024Q1", "2024Q2", "2024Q3", "2024Q4")
WITH_YEARS = PUBLISHED_TOTALS | {Total.YEAR}


def make_reference(regions: dict[str, list[str]]) -> Reference:
    return Reference(
        municipalities={},
        successors={},
        merge_dates={},
        regions={r: Region(r, f"Regio {r}") for r in regions},
        region_members={m: r for r, members in regions.items() for m in members},
        population={},
        names={},
        regions_file=Path("test"),
    )


def make_table(
    regions: dict[str, dict[str, list]], indicator: str = COUNT, denominators: dict[str, list] | None = None
) -> pd.DataFrame:
    """Rows for municipalities (one figure per quarter), their regions and the nation; None: not reported."""
    cells = []  # (level, area, period, numerator, denominator)
    for q, period in enumerate(QUARTERS[: len(next(iter(next(iter(regions.values())).values())))]):
        national = [0, 0, False]
        for region, members in regions.items():
            total = [0, 0, False]
            for code, counts in members.items():
                n = counts[q]
                d = denominators[code][q] if denominators else None
                cells.append(("municipality", code, period, n, d))
                if n is not None:
                    total = [total[0] + n, total[1] + (d or 0), True]
            cells.append(("region", region, period, *total[:2]) if total[2] else ("region", region, period, None, None))
            if total[2]:
                national = [national[0] + total[0], national[1] + total[1], True]
        cells.append(
            ("national", "NL", period, *national[:2]) if national[2] else ("national", "NL", period, None, None)
        )
    rows = []
    for level, area, period, n, d in cells:
        d = d if indicator == PROPORTION else (100_000 if indicator == RATE and n is not None else None)
        value = None if n is None else (n / d if indicator == PROPORTION and d else n)
        rows.append(
            {
                "level": level, "area_code": area, "area_name": area, "period": period, "indicator": indicator,
                "numerator": n, "denominator": d, "value": value, "ci_low": value, "ci_high": value,
                "reported": int(n is not None), "expected": 1, "ci99_low": value, "ci99_high": value,
                "population": None,
            }
        )  # fmt: skip
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("numerator", "denominator", "population"):
        table[column] = table[column].astype("Int64")
    return table


def pattern(result: pd.DataFrame, level: str = "municipality") -> dict[tuple[str, str], str]:
    rows = result.loc[result["level"] == level]
    return {(a, p): s for a, p, s in zip(rows["area_code"], rows["period"], rows["suppression"], strict=True)}


def hidden(result: pd.DataFrame, level: str = "municipality") -> dict[str, str]:
    """Area -> reason for the hidden cells of one level in the first period."""
    return {a: s for (a, p), s in pattern(result, level).items() if s and p == QUARTERS[0]}


# ==== literal cases ================================================================================


@pytest.mark.parametrize(
    "counts, expected",
    [
        pytest.param({"A": 5, "B": 7, "C": 30}, {}, id="all at least 5: nothing hidden"),
        pytest.param({"A": 0, "B": 7, "C": 30}, {}, id="a zero is shown"),
        pytest.param({"A": 2, "B": 7, "C": 30}, {"A": "primary", "B": "secondary"}, id="next smallest hidden"),
        pytest.param({"A": 2, "B": 0, "C": 7, "D": 30}, {"A": "primary", "C": "secondary"}, id="zero never chosen"),
        pytest.param({"A": 1, "B": 3, "C": 30}, {"A": "primary", "B": "primary"}, id="two small protect each other"),
        pytest.param({"A": 1, "B": 5, "C": 30}, {"A": "primary", "B": "secondary", "C": "secondary"}, id="1+5 pinned"),
        pytest.param({"A": 3, "B": None, "C": 30}, {"A": "primary", "C": "secondary"}, id="unreported is known"),
    ],
)
def test_primary_and_secondary_in_one_region(counts, expected):
    reference = make_reference({"R1": list(counts), "R2": ["X", "Y"]})
    table = make_table({"R1": {a: [n] for a, n in counts.items()}, "R2": {"X": [40], "Y": [50]}})
    result = suppress(table, reference)
    assert hidden(result) == expected
    assert hidden(result, "region") == {}


def test_hidden_rows_carry_no_figures_and_say_what_to_show():
    table = make_table({"R1": {"A": [2], "B": [7], "C": [30]}, "R2": {"X": [40], "Y": [50]}})
    result = suppress(table, make_reference({"R1": ["A", "B", "C"], "R2": ["X", "Y"]}))
    rows = result.set_index("area_code")
    assert rows.loc["A", "shown"] == LESS_THAN
    assert rows.loc["B", "shown"] == ""
    assert pd.isna(rows.loc["C", "shown"]) and rows.loc["C", "numerator"] == 30
    for area in ("A", "B"):
        assert rows.loc[area, ["numerator", "denominator", "value", "ci_low", "ci_high"]].isna().all()
    assert rows.loc["R1", "numerator"] == 39  # the region's total stays published


def test_small_region_total_is_hidden_and_protected_in_the_nation():
    regions = {"R1": {"A": [1], "B": [0]}, "R2": {"C": [20], "D": [30]}, "R3": {"E": [40], "F": [50]}}
    reference = make_reference({r: list(m) for r, m in regions.items()})
    result = suppress(make_table(regions), reference)
    assert hidden(result, "region") == {"R1": "primary", "R2": "secondary"}
    assert hidden(result) == {"A": "primary", "C": "secondary"}  # else R2 = C + D


@pytest.mark.parametrize(
    "denominators, expected",
    [
        pytest.param({"A": 10, "B": 12, "C": 40}, {}, id="10 is shown"),
        pytest.param({"A": 9, "B": 12, "C": 40}, {"A": "primary", "B": "secondary"}, id="9 is hidden"),
        pytest.param({"A": 0, "B": 12, "C": 40}, {}, id="0 identifies nobody"),
    ],
)
def test_proportion_with_small_denominator(denominators, expected):
    reference = make_reference({"R1": list(denominators), "R2": ["X", "Y"]})
    regions = {"R1": {a: [min(d, 3)] for a, d in denominators.items()}, "R2": {"X": [5], "Y": [6]}}
    dens = {a: [d] for a, d in denominators.items()} | {"X": [20], "Y": [30]}
    result = suppress(make_table(regions, PROPORTION, dens), reference)
    assert hidden(result) == expected
    rows = result.set_index("area_code")
    for area in expected:
        assert rows.loc[area, ["numerator", "denominator", "value"]].isna().all()
        assert rows.loc[area, "shown"] == ""  # no "<5" for a proportion


def test_rate_is_hidden_with_its_count():
    regions = {"R1": {"A": [2], "B": [7], "C": [30]}, "R2": {"X": [40], "Y": [50]}}
    table = pd.concat([make_table(regions, COUNT), make_table(regions, RATE)], ignore_index=True)
    result = suppress(table, make_reference({r: list(m) for r, m in regions.items()}))
    for indicator in (COUNT, RATE):
        assert hidden(result.loc[result["indicator"] == indicator]) == {"A": "primary", "B": "secondary"}
    assert set(result.loc[result["suppression"] == "primary", "shown"]) == {LESS_THAN, ""}  # "<5" only on the count


def test_yearly_totals_protect_the_quarter_dimension():
    regions = {"R1": {"A": [3, 8, 9, 10], "B": [20, 20, 20, 20], "C": [30, 30, 30, 30]}, "R2": {"X": [40] * 4}}
    reference = make_reference({r: list(m) for r, m in regions.items()})
    result = suppress(make_table(regions), reference, WITH_YEARS)
    years = result.loc[(result["period"] == "2024") & (result["level"] == "municipality")].set_index("area_code")
    assert list(years["numerator"].fillna(-1)) == [30, 80, 120, 160]
    quarters = pattern(result)
    assert quarters[("A", "2024Q1")] == "primary"
    assert quarters[("A", "2024Q2")] == "secondary"  # else A's year minus its other quarters gives Q1
    assert not any(
        s for (a, p), s in pattern(suppress(make_table(regions), reference)).items() if a == "A" and p > "2024Q1"
    )


def test_levels_left_out_of_totals_are_not_returned():
    regions = {"R1": {"A": [8], "B": [7]}, "R2": {"X": [40], "Y": [50]}}
    result = suppress(make_table(regions), make_reference({r: list(m) for r, m in regions.items()}), {Total.REGION})
    assert set(result["level"]) == {"municipality", "region"}


# ==== the attacker =================================================================================


def derive(result: pd.DataFrame, reference: Reference, years: bool) -> set[tuple[str, str, str]]:
    """Hidden cells whose exact value follows from the published numerators by linear algebra.

    The attacker knows the structure (municipality -> region -> nation, quarter -> year) and every
    published number, and uses only equalities. Unreported cells (numerator <NA>, not hidden)
    count as known zeros. Two attacks: solving groups with one unknown until nothing changes, and
    the complete one: a hidden cell is derivable when its unit vector lies in the row space of
    the published equations.
    """
    rows = result.assign(key=list(zip(result["level"], result["area_code"], result["period"], strict=True)))
    unknown = sorted(rows.loc[rows["suppression"] != "", "key"])
    known = {k: float(n) for k, n in zip(rows["key"], rows["numerator"].fillna(0), strict=True) if k not in unknown}
    region_of = {m: reference.region_of(m).code for m in rows.loc[rows["level"] == "municipality", "area_code"]}
    periods = sorted(set(rows["period"]))
    equations = []  # (total, parts)
    for period in periods:
        equations.append((("national", "NL", period), [("region", r, period) for r in reference.regions]))
        for region in reference.regions:
            parts = [("municipality", m, period) for m, r in region_of.items() if r == region]
            equations.append((("region", region, period), parts))
    if years:
        for level, area in {(k[0], k[1]) for k in rows["key"]}:
            equations.append(((level, area, "2024"), [(level, area, q) for q in QUARTERS]))
    equations = [
        (t, [p for p in parts if p in known or p in unknown]) for t, parts in equations if t in known or t in unknown
    ]

    solved: dict = {}
    changed = True
    while changed:  # attack 1: one unknown in a group
        changed = False
        for total, parts in equations:
            cells = [total, *parts]
            open_ = [c for c in cells if c in unknown and c not in solved]
            if len(open_) == 1:
                value = lambda c: known.get(c, solved.get(c, 0.0))  # noqa: E731
                solved[open_[0]] = (
                    sum(value(p) for p in parts)
                    if open_[0] == total
                    else value(total) - sum(value(p) for p in parts if p != open_[0])
                )
                changed = True
    column = {k: i for i, k in enumerate(unknown)}
    matrix = np.zeros((len(equations), len(unknown)))
    for i, (total, parts) in enumerate(equations):  # attack 2: total - sum(parts) = 0, unknowns only
        for cell, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if cell in column:
                matrix[i, column[cell]] += sign
    derived = set(solved)
    if unknown:
        rank = np.linalg.matrix_rank(matrix) if len(equations) else 0
        for cell, i in column.items():
            extended = np.vstack([matrix, np.eye(len(unknown))[i]])
            if np.linalg.matrix_rank(extended) == rank:
                derived.add(cell)
    return derived


def random_case(rng: np.random.Generator) -> dict[str, dict[str, list]]:
    regions = {}
    for r in range(int(rng.integers(2, 4))):
        scale = float(rng.uniform(0.5, 12))
        regions[f"R{r}"] = {
            f"G{r}{m}": [None if rng.random() < 0.05 else int(n) for n in rng.poisson(scale * rng.uniform(0.2, 1.5), 4)]
            for m in range(int(rng.integers(3, 9)))
        }
    return regions


@pytest.mark.parametrize("totals", [PUBLISHED_TOTALS, WITH_YEARS], ids=["quarters", "quarters+years"])
@pytest.mark.parametrize("indicator", [COUNT, PROPORTION])
def test_attacker_cannot_derive_any_hidden_cell(totals, indicator):
    rng = np.random.default_rng(20240401)
    hidden_cells = 0
    for case in range(200):
        regions = random_case(rng)
        reference = make_reference({r: list(m) for r, m in regions.items()})
        denominators = None
        if indicator == PROPORTION:  # a denominator, and a numerator of at most it
            denominators = {
                m: [None if n is None else n + int(rng.integers(0, 6)) for n in c]
                for ms in regions.values()
                for m, c in ms.items()
            }
        result = suppress(make_table(regions, indicator, denominators), reference, totals)
        for column in ("numerator", "denominator"):
            published = result.assign(numerator=result[column]) if indicator == PROPORTION else result
            if column == "denominator" and indicator != PROPORTION:
                continue
            derived = derive(published, reference, Total.YEAR in totals)
            assert not derived, f"case {case}: {column} of {sorted(derived)} derivable"
        hidden_cells += int((result["suppression"] != "").sum())
    assert hidden_cells > 200  # the cases do hide things


def test_attacker_finds_a_naive_pattern():
    """The attacker works: with only the primary cell hidden, it derives it."""
    regions = {"R1": {"A": [2], "B": [7], "C": [30]}, "R2": {"X": [40], "Y": [50]}}
    reference = make_reference({r: list(m) for r, m in regions.items()})
    naive = suppress(make_table(regions), reference)
    naive["suppression"] = np.where(naive["suppression"] == "primary", "primary", "")
    naive["numerator"] = naive["numerator"].mask(naive["suppression"] == "primary")
    assert derive(naive, reference, years=False) == {("municipality", "A", "2024Q1")}
