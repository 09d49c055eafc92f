"""Suppression: literal tables with the expected pattern, and an attacker that tries to undo it.

The tables are built by hand in the shape `aggregate` returns, at the levels the public table
has: regions (the parts) and the nation (their total), per quarter; `suppress` adds the years.
Regions come from a small `Reference` with only the region division filled in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.optimize import linprog

from indicators.aggregate import COLUMNS, aggregate
from indicators.disclosure import MIN_HIDDEN
from indicators.registry import INDICATORS_BY_CODE, Unit
from indicators.suppression import LESS_THAN, suppress
from reference.areas import Reference, Region, load_reference
from sample_data.model import build_model

COUNT, RATE, PROPORTION = "consultatie_specialistisch", "consultatie_specialistisch_per_100k", "plegerhulp_bereik"
KM, PREVENTIEF = "huisverbod_km", "huisverbod_preventief"  # share their denominator
QUARTERS = ("2024Q1", "2024Q2", "2024Q3", "2024Q4")
CASES = 120  # 200 took 78 s, mostly the attacker's linear programs; cases 50 and 69 withdraw a row
Key = tuple[str, str, str]


def make_reference(regions: list[str], loose: list[str] = ()) -> Reference:
    """Regions with one municipality each (`M<region>`); `loose` municipalities belong to none."""
    return Reference(
        municipalities={},
        successors={},
        merge_dates={},
        regions={r: Region(r, f"Regio {r}") for r in regions},
        region_members={f"M{r}": r for r in regions},
        population={},
        names={},
        regions_file=Path("test"),
    )


def make_table(
    counts: dict[str, list], indicator: str = COUNT, denominators: dict[str, list] | None = None, periods=QUARTERS
) -> pd.DataFrame:
    """Region rows (a figure per period; None: not reported), the nation as their sum, and a
    municipality row per region (which the public table leaves out)."""
    rows = []
    for q, period in enumerate(periods):
        national = [0, 0, False]
        for region, figures in counts.items():
            n = figures[q]
            d = denominators[region][q] if denominators and n is not None else None
            rows += [("region", region, period, n, d), ("municipality", f"M{region}", period, n, d)]
            if n is not None:
                national = [national[0] + n, national[1] + (d or 0), True]
        rows.append(
            ("national", "NL", period, *national[:2]) if national[2] else ("national", "NL", period, None, None)
        )
    records = []
    for level, area, period, n, d in rows:
        d = d if INDICATORS_BY_CODE[indicator].unit is Unit.PROPORTION else (100_000 if indicator == RATE else None)
        d = None if n is None else d
        value = None if n is None else (n / d if d and indicator != RATE else n)
        records.append(
            {
                "level": level, "area_code": area, "area_name": area, "period": period, "indicator": indicator,
                "numerator": n, "denominator": d, "value": value, "ci_low": value, "ci_high": value,
                "reported": int(n is not None), "expected": 1, "ci99_low": value, "ci99_high": value,
                "population": 100_000,
            }
        )  # fmt: skip
    table = pd.DataFrame(records, columns=list(COLUMNS))
    for column in ("numerator", "denominator", "population"):
        table[column] = table[column].astype("Int64")
    return table


def hidden(result: pd.DataFrame, period: str = QUARTERS[0], level: str = "region") -> dict[str, str]:
    """Area -> reason for the hidden cells of one level and period."""
    rows = result.loc[(result["level"] == level) & (result["period"] == period) & (result["suppression"] != "")]
    return dict(zip(rows["area_code"], rows["suppression"], strict=True))


def one_quarter(counts: dict[str, int]) -> dict[str, list]:
    return {r: [n] for r, n in counts.items()}


# ==== literal cases (one quarter: the nation is the only total) ====================================


@pytest.mark.parametrize(
    "counts, expected",
    [
        pytest.param({"A": 5, "B": 7, "C": 30, "D": 40}, {}, id="all at least 5: nothing hidden"),
        pytest.param({"A": 0, "B": 7, "C": 30, "D": 40}, {}, id="a zero is shown"),
        pytest.param(
            {"A": 2, "B": 7, "C": 30, "D": 40},
            {"A": "primary", "B": "secondary", "C": "secondary"},
            id="two next smallest hidden: an insider of B or C still learns nothing",
        ),
        pytest.param(
            {"A": 2, "B": 0, "C": 7, "D": 30, "E": 40},
            {"A": "primary", "C": "secondary", "D": "secondary"},
            id="zero never chosen",
        ),
        pytest.param(
            {"A": 1, "B": 3, "C": 4, "D": 30}, {"A": "primary", "B": "primary", "C": "primary"}, id="three small"
        ),
        pytest.param(
            {"A": 1, "B": 1, "C": 1, "D": 30},
            {"A": "primary", "B": "primary", "C": "primary", "D": "secondary", "NL": "secondary"},
            id="1+1+1 pinned by the bounds: the rest is 3, also for an insider of D: the total hidden",
        ),
        pytest.param(
            {"A": 3, "B": None, "C": 30, "D": 40},
            {"A": "primary", "C": "secondary", "D": "secondary"},
            id="unreported is known",
        ),
    ],
)
def test_primary_and_secondary_among_the_regions(counts, expected):
    result = suppress(make_table(one_quarter(counts), periods=QUARTERS[:1]), make_reference(list(counts)))
    assert hidden(result) | hidden(result, level="national") == expected


def test_public_table_has_regions_nation_and_years_only():
    counts = {"A": [8, 9, 10, 11], "B": [20, 21, 22, 23]}
    result = suppress(make_table(counts), make_reference(list(counts)))
    assert set(zip(result["level"], result["area_code"], strict=True)) == {("region", "A"), ("region", "B"),
                                                                           ("national", "NL")}  # fmt: skip
    years = result.loc[result["period"] == "2024"].set_index("area_code")
    assert years.loc["A", "numerator"] == 38 and years.loc["NL", "numerator"] == 38 + 86
    assert len(result) == 3 * 5


def test_municipality_without_region_is_public_and_protected():
    table = make_table(one_quarter({"A": 2, "B": 7, "C": 30, "D": 40}), periods=QUARTERS[:1])
    table = table.loc[table["area_code"] != "MA"]
    table.loc[table["area_code"] == "A", "level"] = "municipality"  # "A" belongs to no region
    result = suppress(table, make_reference(["B", "C", "D"]))
    assert hidden(result, level="municipality") == {"A": "primary"}
    assert hidden(result) == {"B": "secondary", "C": "secondary"}


def test_hidden_rows_carry_no_figures_and_say_what_to_show():
    result = suppress(make_table(one_quarter({"A": 2, "B": 7, "C": 30, "D": 40}), periods=QUARTERS[:1]),
                      make_reference(["A", "B", "C", "D"]))  # fmt: skip
    rows = result.set_index("area_code")
    assert rows.loc["A", "shown"] == LESS_THAN
    assert rows.loc["B", "shown"] == ""
    assert pd.isna(rows.loc["D", "shown"]) and rows.loc["D", "numerator"] == 40
    for area in ("A", "B", "C"):
        assert rows.loc[area, ["numerator", "denominator", "value", "ci_low", "ci_high", "ci99_low"]].isna().all()
    assert rows.loc["NL", "numerator"] == 79  # the total stays published


@pytest.mark.parametrize(
    "denominators, expected",
    [
        pytest.param({"A": 10, "B": 12, "C": 40, "D": 50}, {}, id="10 is shown"),
        pytest.param(
            {"A": 9, "B": 12, "C": 40, "D": 50}, {"A": "primary", "B": "secondary", "C": "secondary"}, id="9 hidden"
        ),
        pytest.param({"A": 0, "B": 12, "C": 40, "D": 50}, {}, id="0 identifies nobody"),
    ],
)
def test_proportion_with_small_denominator(denominators, expected):
    counts = one_quarter({a: min(d, 3) for a, d in denominators.items()})
    table = make_table(counts, PROPORTION, one_quarter(denominators), periods=QUARTERS[:1])
    result = suppress(table, make_reference(list(denominators)))
    assert hidden(result) == expected
    rows = result.set_index("area_code")
    for area in expected:
        assert rows.loc[area, ["numerator", "denominator", "value"]].isna().all()
        assert rows.loc[area, "shown"] == ""  # no "<5" for a proportion


def test_rate_is_hidden_with_its_count():
    counts = one_quarter({"A": 2, "B": 7, "C": 30, "D": 40})
    table = pd.concat([make_table(c, i, periods=QUARTERS[:1]) for c, i in ((counts, COUNT), (counts, RATE))])
    result = suppress(table, make_reference(list(counts)))
    for indicator in (COUNT, RATE):
        assert hidden(result.loc[result["indicator"] == indicator]) == {"A": "primary", "B": "secondary",
                                                                         "C": "secondary"}  # fmt: skip
    assert set(result.loc[result["suppression"] == "primary", "shown"]) == {LESS_THAN, ""}  # "<5" only on the count


def test_indicators_sharing_a_denominator_are_hidden_together():
    denominators = one_quarter({"A": 12, "B": 15, "C": 40, "D": 50})
    km = make_table(one_quarter({"A": 3, "B": 4, "C": 20, "D": 25}), KM, denominators, periods=QUARTERS[:1])
    preventief = make_table(one_quarter({"A": 6, "B": 5, "C": 9, "D": 25}), PREVENTIEF, denominators, QUARTERS[:1])
    preventief.loc[preventief["area_code"] == "A", ["numerator", "denominator"]] = [1, 5]  # as if its own total
    result = suppress(pd.concat([km, preventief], ignore_index=True), make_reference(["A", "B", "C", "D"]))
    assert hidden(result.loc[result["indicator"] == KM]) == hidden(result.loc[result["indicator"] == PREVENTIEF])
    assert hidden(result.loc[result["indicator"] == KM])["A"] == "primary"


def test_a_count_nobody_reported_does_not_spread_the_pattern():
    """The preventive share is not delivered (numerator <NA>, denominator shared with the km share):
    that its numerators add up to the nation's 0 gives nothing away, so it hides no more cells."""
    denominators = one_quarter({"A": 3, "B": 12, "C": 40, "D": 50, "E": 60})
    numerators = one_quarter({"A": 1, "B": 4, "C": 20, "D": 25, "E": 30})
    km = make_table(numerators, KM, denominators, periods=QUARTERS[:1])
    preventief = make_table(numerators, PREVENTIEF, denominators, periods=QUARTERS[:1])
    preventief[["numerator", "value", "ci_low", "ci_high", "ci99_low", "ci99_high"]] = pd.NA
    result = suppress(pd.concat([km, preventief], ignore_index=True), make_reference(list(denominators)))
    expected = {"A": "primary", "B": "secondary", "C": "secondary"}
    for indicator in (KM, PREVENTIEF):
        rows = result.loc[result["indicator"] == indicator]
        assert hidden(rows) | hidden(rows, level="national") == expected
    assert result.attrs["unprotected"] == [] and result.attrs["withdrawn"] == []


def test_yearly_rows_pool_the_quarters_and_protect_them():
    counts = {"A": [3, 8, 9, 10], "B": [20, 20, 20, 20], "C": [30, 30, 30, 30], "D": [40, 40, 40, 40]}
    result = suppress(make_table(counts), make_reference(list(counts)))
    a = result.loc[result["area_code"] == "A"].set_index("period")["suppression"]
    assert a["2024Q1"] == "primary"
    assert sum(a != "") >= MIN_HIDDEN  # else A's year minus its other quarters gives Q1
    years = result.loc[result["period"] == "2024"].set_index("area_code")
    published = years.loc[years["suppression"] == "", "numerator"]
    assert all(published[r] == sum(counts[r]) for r in published.index if r != "NL")


def test_yearly_proportion_is_pooled_with_an_interval():
    counts, denominators = {"A": [5, 6, 7, 8], "B": [10] * 4}, {"A": [20] * 4, "B": [40] * 4}
    result = suppress(make_table(counts, PROPORTION, denominators), make_reference(list(counts)))
    year = result.loc[(result["period"] == "2024") & (result["area_code"] == "A")].iloc[0]
    assert (year["numerator"], year["denominator"]) == (26, 80)
    assert year["value"] == pytest.approx(26 / 80)
    assert year["ci_low"] < year["value"] < year["ci_high"]


def test_incomplete_year_gets_no_yearly_row():
    counts = {"A": [8, 9], "B": [20, 21]}
    result = suppress(make_table(counts, periods=QUARTERS[:2]), make_reference(list(counts)))
    assert set(result["period"]) == set(QUARTERS[:2])


# ==== the attacker =================================================================================


def equations(keys: list[Key]) -> list[tuple[Key, list[Key]]]:
    """The published totals: (total, parts). Per period the nation is the sum of the other areas;
    per area and year (a period without "Q") the year is the sum of its quarters."""
    present = set(keys)
    periods = {k[2] for k in keys}
    areas = {(k[0], k[1]) for k in keys}
    found = []
    for period in periods:
        parts = [k for k in keys if k[2] == period and k[0] != "national"]
        found.append((("national", "NL", period), parts))
        if "Q" not in period:
            for level, area in areas:
                quarters = [(level, area, f"{period}Q{q}") for q in range(1, 5)]
                found.append(((level, area, period), [q for q in quarters if q in present]))
    return [(t, p) for t, p in found if t in present and p]


def attack(
    result: pd.DataFrame,
    truth: dict[Key, float],
    column: str,
    insider: tuple[str, str] | None = None,
    withdrawn: Iterable[Key] = (),
    part: dict[Key, tuple[float, bool]] | None = None,
) -> set[Key]:
    """Hidden and withdrawn cells of one indicator the attacker pins exactly, by linear algebra or by bounds.

    Knows every published figure (unreported: 0), the structure, what the marks mean, and with
    `insider` the true figures of that area's row. Bounds: "<5" 1..4; a proportion's denominator
    hidden as primary 1..9; another hidden count at least the threshold (0 if it is 0); a proportion's
    numerator at least 0; a withdrawn row (`withdrawn`: rows of the structure missing from `result`)
    at least 0, and it still adds up. A cell is derived when it is fixed in the null space of the
    equations, or when linprog's minimum equals its maximum.

    `part`: an insider below the region (a gemeente, a ketenpartner) who knows, per cell, the figure
    of its own municipalities in it and whether they are all that reported there: a lower bound, or
    the cell itself. Deriving a cell whose rest beside the own part is 0 discloses nothing.
    """
    keys = list(zip(result["level"], result["area_code"], result["period"], strict=True))
    suppression = dict(zip(keys, result["suppression"], strict=True))
    published = dict(zip(keys, result[column].astype("Float64").fillna(0).astype(float), strict=True))
    gone = [k for k in withdrawn if k not in suppression]
    keys += gone
    suppression.update(dict.fromkeys(gone, "withdrawn"))
    part = part or {}
    unknown = [k for k in keys if suppression[k] and (insider is None or (k[0], k[1]) != insider)]
    unknown = [k for k in unknown if not part.get(k, (0.0, False))[1]]
    if not unknown:
        return set()
    known = {k: (truth[k] if suppression[k] else published[k]) for k in keys if k not in unknown}
    column_of = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in equations(keys):  # total - sum(parts) = 0
        row = np.zeros(len(unknown))
        constant = 0.0
        for cell, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if cell in column_of:
                row[column_of[cell]] += sign
            else:
                constant -= sign * known[cell]
        if row.any():
            rows.append(row)
            rhs.append(constant)
        else:
            assert abs(constant) < 1e-6, f"published totals do not add up at {total}"
    if not rows:
        return set()
    matrix, rhs = np.array(rows), np.array(rhs)
    proportion = INDICATORS_BY_CODE[result["indicator"].iloc[0]].unit is Unit.PROPORTION
    limits = []
    for k in unknown:
        value = truth[k]
        if (column == "numerator" and proportion) or suppression[k] == "withdrawn":
            limits.append((0, None))
        elif suppression[k] == "primary":  # "<5" on the count, and the same count behind a rate
            limits.append((1, 9 if proportion else 4))
        else:
            limits.append((0, None) if value == 0 else (10 if proportion else 5, None))
        if k in part:  # the own municipalities' figure is a floor
            low, high = limits[-1]
            limits[-1] = (max(low, part[k][0]), high)
    # linear algebra: the cell does not move along the null space
    _, singular, vt = np.linalg.svd(matrix)
    null = vt[int((singular > 1e-9 * singular.max()).sum()) :]
    derived = {unknown[i] for i in range(len(unknown)) if not len(null) or np.abs(null[:, i]).max() < 1e-7}
    # bounds: the smallest and the largest value each cell can take; one linear program per cell and
    # direction, solved together as the blocks of one program (its objective is their sum)
    todo = [i for i in range(len(unknown)) if unknown[i] not in derived]
    if todo:
        cap = 10 * (sum(abs(v) for v in known.values()) + sum(b for b, _ in limits) + 1e3)  # stands for infinity
        capped = [(low, cap if high is None else high) for low, high in limits]
        blocks = sparse.block_diag([sparse.csr_matrix(matrix)] * len(todo), format="csr")
        objective = np.zeros(len(todo) * len(unknown))
        objective[[k * len(unknown) + i for k, i in enumerate(todo)]] = 1.0
        extremes = []
        for sign in (1.0, -1.0):
            solved = linprog(sign * objective, A_eq=blocks, b_eq=np.tile(rhs, len(todo)), bounds=capped * len(todo),
                             method="highs")  # fmt: skip
            assert solved.status == 0, f"the true figures are not feasible: {solved.message}"
            extremes.append(solved.x[objective == 1.0])
        derived |= {unknown[i] for i, low, high in zip(todo, *extremes, strict=True) if high - low < 1e-6}
    return {k for k in derived if k not in part or truth[k] - part[k][0] > 0}


def truth_of(table: pd.DataFrame, column: str) -> dict[Key, float]:
    """The true figures of the public rows, the years summed here independently of `suppress`."""
    rows = table.loc[table["level"] != "municipality"]
    values = rows[column].astype("Float64").fillna(0).astype(float)
    truth = dict(zip(zip(rows["level"], rows["area_code"], rows["period"], strict=True), values, strict=True))
    for (level, area, period), value in list(truth.items()):
        year = (level, area, period.split("Q")[0])
        truth[year] = truth.get(year, 0.0) + value
    return truth


def public_keys(source: pd.DataFrame) -> set[Key]:
    """The rows the public table has before any is withdrawn: the regions' and the nation's quarters,
    and per area a year of which all four quarters are there."""
    rows = source.loc[source["level"] != "municipality"]
    keys = set(zip(rows["level"], rows["area_code"], rows["period"], strict=True))
    periods = {k[2] for k in keys}
    years = {p[:4] for p in periods if all(f"{p[:4]}Q{q}" in periods for q in range(1, 5))}
    return keys | {(level, area, period[:4]) for level, area, period in keys if period[:4] in years}


def withdrawn_rows(table: pd.DataFrame, result: pd.DataFrame) -> dict[str, set[Key]]:
    """Per indicator: the rows missing from the public table, checked against `attrs["withdrawn"]`."""
    found = {}
    for indicator, source in table.groupby("indicator"):
        rows = result.loc[result["indicator"] == indicator]
        present = set(zip(rows["level"], rows["area_code"], rows["period"], strict=True))
        expected = public_keys(source)
        assert present <= expected, f"{indicator}: rows that should not be there: {sorted(present - expected)}"
        found[indicator] = expected - present
    reported = {(indicator, *key) for indicator, keys in found.items() for key in keys}
    assert reported == set(result.attrs["withdrawn"])
    return found


def assert_nothing_derivable(table: pd.DataFrame, result: pd.DataFrame, label: str) -> int:
    """Attack every indicator and counted column, as an outsider and as each area's insider: no hidden
    cell may be derived, nor a withdrawn one that would be small. Returns the number of attacks."""
    attempts = 0
    withdrawn = withdrawn_rows(table, result)
    for indicator, rows in result.groupby("indicator"):
        source = table.loc[table["indicator"] == indicator]
        proportion = INDICATORS_BY_CODE[indicator].unit is Unit.PROPORTION
        columns = ["numerator", "denominator"] if proportion else ["numerator"]
        threshold = 10 if proportion else 5
        for component, part in rows.groupby(rows["period"].str[:4]):  # a year is the largest connected block
            gone = {k for k in withdrawn[indicator] if k[2][:4] == component}
            keys = zip(part["level"], part["area_code"], part["period"], strict=True)
            hidden_ = {k for k, s in zip(keys, part["suppression"], strict=True) if s}
            if not hidden_ and not gone:
                continue
            truths = {c: truth_of(source.loc[source["period"].str[:4] == component], c) for c in columns}
            guarded = hidden_ | {k for k in gone if 1 <= truths[columns[-1]][k] < threshold}
            # A twin hidden where it leaves out a municipality (see `twin_cells`) moves with what it
            # leaves out; only an insider whose own row leaves it out too (the nation's, the region's:
            # who see that municipality in full) pins it.
            twins = twin_cells(table, indicator, component)
            for column in columns:
                for insider in [None, *sorted({k[:2] for k in hidden_ | gone})]:
                    derived = attack(part, truths[column], column, insider, gone)
                    if any(k[:2] == insider for k in twins):
                        derived -= twins
                    attempts += 1
                    assert not derived & guarded, (
                        f"{label}: {indicator} {column} of {sorted(derived & guarded)} derived by {insider}"
                    )
    return attempts


TWINS = {RATE: (COUNT, "numerator"), KM: (PREVENTIEF, "denominator"), PREVENTIEF: (KM, "denominator")}


def twin_cells(table: pd.DataFrame, indicator: str, component: str) -> set[Key]:
    """The public cells of one year where `indicator` counts less than its twin (a rate against its
    count, a proportion against another over the same total), the years summed here."""
    if indicator not in TWINS:
        return set()
    twin, column = TWINS[indicator]
    rows = table.loc[table["period"].str[:4] == component]
    mine, theirs = (truth_of(rows.loc[rows["indicator"] == code], column) for code in (indicator, twin))
    return {k for k, v in mine.items() if k in theirs and v < theirs[k]}


def assert_groups_keep_three_hidden(result: pd.DataFrame) -> None:
    """Every group with a hidden or withdrawn cell has at least three, or its total among them."""
    for indicator, rows in result.groupby("indicator"):
        gone = {k[1:] for k in result.attrs["withdrawn"] if k[0] == indicator}
        keys = [*zip(rows["level"], rows["area_code"], rows["period"], strict=True), *gone]
        hidden_ = {k for k, s in zip(keys, rows["suppression"], strict=False) if s} | gone
        for total, parts in equations(keys):
            count = sum(k in hidden_ for k in (total, *parts))
            assert count == 0 or count >= MIN_HIDDEN or total in hidden_, (total, count)


def random_table(rng: np.random.Generator) -> tuple[pd.DataFrame, list[str]]:
    """A few regions, a complete year and two quarters of the next, for a count, its rate and a
    proportion; small numbers frequent, zeros and unreported cells now and then."""
    regions = [f"R{r:02d}" for r in range(int(rng.integers(3, 9)))]
    periods = (*QUARTERS, "2025Q1", "2025Q2")
    scale = {r: float(rng.choice([0.3, 1, 2, 4, 8, 30])) for r in regions}
    # Two regions are large and always report, as in any real table: whoever knows the nation's
    # figure knows a region that is the only one with cases, and zeros never hide it.
    scale[regions[-1]] = scale[regions[-2]] = 40.0

    def figure(r: str) -> int | None:
        return None if rng.random() < 0.04 and scale[r] < 40 else int(rng.poisson(scale[r]))

    counts = {r: [figure(r) for _ in periods] for r in regions}
    shares = {r: [figure(r) for _ in periods] for r in regions}
    denominators = {r: [None if n is None else n + int(rng.poisson(scale[r])) for n in c] for r, c in shares.items()}
    tables = [make_table(counts, COUNT, periods=periods), make_table(counts, RATE, periods=periods),
              make_table(shares, PROPORTION, denominators, periods=periods)]  # fmt: skip
    return pd.concat(tables, ignore_index=True), regions


def test_attacker_cannot_derive_any_hidden_cell_in_random_tables():
    rng = np.random.default_rng(20240401)
    hidden_cells = attempts = withdrawn = 0
    cases_with_withdrawals = 0
    started = time.perf_counter()
    for case in range(CASES):
        table, regions = random_table(rng)
        result = suppress(table, make_reference(regions))
        assert result.attrs["unprotected"] == [], f"case {case}"
        attempts += assert_nothing_derivable(table, result, f"case {case}")
        assert_groups_keep_three_hidden(result)
        by_indicator = {i: list(r["suppression"]) for i, r in result.groupby("indicator")}
        assert by_indicator[COUNT] == by_indicator[RATE]
        hidden_cells += int((result["suppression"] == "secondary").sum())
        withdrawn += len(result.attrs["withdrawn"])
        cases_with_withdrawals += bool(result.attrs["withdrawn"])
    print(f"{CASES} cases, {attempts} attacks, {cases_with_withdrawals} with withdrawn rows ({withdrawn} rows), "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    assert hidden_cells > 3 * CASES and attempts > 10 * CASES  # the cases do hide things and the attacker does try
    assert 0 < cases_with_withdrawals < CASES / 20  # the attacker meets withdrawn rows; they stay rare


def test_attacker_cannot_derive_any_hidden_cell_in_the_sample_table():
    table = aggregate(build_model(), load_reference())
    public = table["level"] != "municipality"
    started = time.perf_counter()
    result = suppress(table, load_reference())
    elapsed = time.perf_counter() - started
    print(f"sample: suppress {elapsed:.2f} s, {len(result.attrs['withdrawn'])} rows withdrawn")
    assert (result["suppression"] == "primary").any() and (result["suppression"] == "secondary").any()
    assert_groups_keep_three_hidden(result)
    assert result.attrs["unprotected"] == []
    assert_nothing_derivable(table.loc[public], result, "sample")


def four_small_quarters_of_a_small_year() -> pd.DataFrame:
    """Region A: 1 case in each quarter, 4 in the year, all "<5": the year pins every quarter to 1."""
    counts = {"A": [1, 1, 1, 1], "B": [1, 0, 0, 0], "C": [30, 3, 30, 30], "D": [40, 40, 2, 40]}
    return make_table(counts)


def test_a_year_that_pins_its_quarters_is_withdrawn(caplog):
    table = four_small_quarters_of_a_small_year()
    with caplog.at_level(logging.INFO, logger="indicators.suppression"):
        result = suppress(table, make_reference(["A", "B", "C", "D"]))
    assert result.attrs["withdrawn"] == [(COUNT, "region", "A", "2024")]  # the year, not the nation's quarters
    assert result.attrs["unprotected"] == []
    assert "withdrew 1 rows" in caplog.text
    a = result.loc[result["area_code"] == "A"].set_index("period")
    assert "2024" not in a.index and list(a["shown"]) == [LESS_THAN] * 4
    assert withdrawn_rows(table, result) == {COUNT: {("region", "A", "2024")}}
    assert_nothing_derivable(table, result, "four small quarters")
    assert_groups_keep_three_hidden(result)
    # the attacker would see through the same pattern with the year shown as "<5", or published
    truth = truth_of(table, "numerator")
    year = result.loc[(result["area_code"] == "B") & (result["period"] == "2024")].assign(area_code="A")
    quarters = {("region", "A", q) for q in QUARTERS}
    assert quarters <= attack(pd.concat([result, year.assign(suppression="primary")]), truth, "numerator")
    published = year.assign(suppression="", numerator=4)
    assert quarters <= attack(pd.concat([result, published]), truth, "numerator")


def test_what_no_withdrawal_protects_is_reported():
    """One region with cases and zeros elsewhere: the outsider learns nothing, but whoever knows the
    nation knows the region's figures, and the region the nation's; `unprotected` says so."""
    counts = {"A": [1, 1, 1, 1], "B": [0] * 4, "C": [0] * 4}
    table = make_table(counts)
    result = suppress(table, make_reference(list(counts)))
    assert set(result.attrs["unprotected"]) == {(COUNT, level, area, p) for level, area in (("region", "A"),
                                                ("national", "NL")) for p in ("2024", *QUARTERS)}  # fmt: skip
    gone = withdrawn_rows(table, result)[COUNT]
    assert gone == {("region", "A", "2024"), ("national", "NL", "2024")}  # against the outsider
    truth = truth_of(table, "numerator")
    assert attack(result, truth, "numerator", None, gone) == set()
    assert ("region", "A", "2024Q1") in attack(result, truth, "numerator", ("national", "NL"), gone)


@pytest.mark.parametrize("insider", [None, ("region", "B")], ids=["outsider", "insider"])
def test_attacker_finds_a_naive_pattern(insider):
    """The attacker works: with only the primary cell and one other hidden, an outsider learns
    nothing (two unknowns with a known sum), an insider of the other one the primary cell."""
    table = make_table(one_quarter({"A": 2, "B": 7, "C": 30, "D": 40}), periods=QUARTERS[:1])
    derived = attack(
        naive(table, {"A": "primary", "B": "secondary"}), truth_of(table, "numerator"), "numerator", insider
    )
    assert derived == ({("region", "A", "2024Q1")} if insider else set())


def test_attacker_uses_the_bounds():
    table = make_table(one_quarter({"A": 1, "B": 1, "C": 30, "D": 40}), periods=QUARTERS[:1])
    derived = attack(naive(table, {"A": "primary", "B": "primary"}), truth_of(table, "numerator"), "numerator")
    assert derived == {("region", "A", "2024Q1"), ("region", "B", "2024Q1")}  # two "<5" adding up to 2


def naive(table: pd.DataFrame, reasons: dict[str, str]) -> pd.DataFrame:
    """The public rows of `table` with only the cells of `reasons` hidden."""
    rows = table.loc[table["level"] != "municipality"].reset_index(drop=True)
    reason = rows["area_code"].map(reasons).fillna("")
    return rows.assign(
        suppression=reason,
        shown=np.where(reason == "primary", LESS_THAN, ""),
        numerator=rows["numerator"].mask(reason != ""),
    )


# ==== insiders below the region, twins, shared totals (issue 10) ===================================


def scope_parts(table: pd.DataFrame, reference: Reference, scope: set[str], indicator: str, column: str):
    """Per public cell (level, area, period; years summed): the figure of `scope`'s municipalities in
    it and whether they are all that reported there, from the municipality rows of the full table."""
    rows = table.loc[(table["level"] == "municipality") & (table["indicator"] == indicator)]
    parts: dict[Key, list] = {}
    for code, period, value in zip(rows["area_code"], rows["period"], rows[column], strict=True):
        region = reference.region_of(code)
        areas = [("national", "NL")] + ([("region", region.code)] if region else [("municipality", code)])
        for level, area in areas:
            for key in ((level, area, period), (level, area, period[:4])):
                entry = parts.setdefault(key, [0.0, 0, 0])  # own figure, own reporters, all reporters
                if not pd.isna(value):
                    entry[2] += 1
                    if code in scope:
                        entry[0] += float(value)
                        entry[1] += 1
    return {k: (v[0], v[1] == v[2] > 0) for k, v in parts.items() if v[1]}


def assert_no_scope_below_the_region_derives(
    table: pd.DataFrame, result: pd.DataFrame, reference: Reference, scopes: Iterable[set[str]], label: str
) -> int:
    """Each scope (the municipalities a gemeente or ketenpartner knows): no published cell leaves a
    small rest beside its own part, and no hidden cell is derived with the own parts as floors.
    Returns the number of attacks (a scope is attacked where it knows more than the outsider)."""
    attempts = 0
    for indicator, rows in result.groupby("indicator"):
        proportion = INDICATORS_BY_CODE[indicator].unit is Unit.PROPORTION
        size, threshold = ("denominator", 10) if proportion else ("numerator", 5)
        keys = list(zip(rows["level"], rows["area_code"], rows["period"], strict=True))
        shown = dict(zip(keys, rows[size], strict=True))
        suppression = dict(zip(keys, rows["suppression"], strict=True))
        public = table.loc[(table["level"] != "municipality") & (table["indicator"] == indicator)]
        for scope in scopes:
            parts = {c: scope_parts(table, reference, scope, indicator, c) for c in ("numerator", "denominator")}
            for key, (own, whole) in parts[size].items():
                if key in shown and not suppression[key] and not whole:
                    rest = float(shown[key]) - own
                    assert not 1 <= rest < threshold, f"{label}: {indicator} {key}: {sorted(scope)} derives {rest}"
            for component, part in rows.groupby(rows["period"].str[:4]):
                hidden_ = {k for k, s in zip(keys, rows["suppression"], strict=True) if s and k[2][:4] == component}
                if not any(k in parts[size] for k in hidden_):
                    continue
                source = public.loc[public["period"].str[:4] == component]
                for column in ["numerator", "denominator"] if proportion else ["numerator"]:
                    derived = attack(part, truth_of(source, column), column, part=parts[column])
                    attempts += 1
                    assert not derived & hidden_, f"{label}: {indicator} {column} {sorted(derived)} by {sorted(scope)}"
    return attempts


def municipal_values(rows: dict[str, list], period: str = "2025Q3") -> pd.DataFrame:
    """Stored values (municipality, period, element, value) for one quarter: per municipality name, the
    dropout's trajectories closed and dropped out."""
    reference = load_reference()
    codes = {m.name: m.code for m in reference.municipalities.values()}
    records = [(codes[name], period, element, value) for name, (closed, dropped) in rows.items()
               for element, value in (("trajecten_afgesloten", closed), ("trajecten_uitval", dropped))]  # fmt: skip
    return pd.DataFrame(records, columns=["municipality", "period", "element", "value"])


DROPOUT = "plegerhulp_uitval"
TWO_IN_AMSTERDAM = {"Amsterdam": (1000, 100), "Diemen": (6, 4), "Almere": (800, 320), "Lelystad": (300, 30),
                    "Zwolle": (500, 50), "Groningen": (700, 20), "Utrecht": (400, 40)}  # fmt: skip


def test_a_gemeente_cannot_subtract_itself_from_its_region():
    """Amstelland: Amsterdam and Diemen reported; Amsterdam knows its own 1000 and would see the
    region's 1006: Diemen's 4 of 6. The region is hidden, and so are as many as protect it."""
    reference = load_reference()
    table = aggregate(municipal_values(TWO_IN_AMSTERDAM), reference)
    result = suppress(table, reference)
    dropout = result.loc[result["indicator"] == DROPOUT].set_index("area_code")
    assert dropout.loc["VR13", "suppression"] == "secondary" and pd.isna(dropout.loc["VR13", "denominator"])
    assert (dropout["suppression"] != "").sum() >= MIN_HIDDEN
    public = table["level"] != "municipality"
    assert_nothing_derivable(table.loc[public], result, "two in Amstelland")
    scopes = [{m.code} for m in reference.municipalities.values() if m.name in TWO_IN_AMSTERDAM]
    assert assert_no_scope_below_the_region_derives(table, result, reference, scopes, "two in Amstelland") > 0


def test_a_ketenpartners_municipalities_are_an_insider_too():
    """A ketenpartner for Amsterdam and Amstelveen: Amstelland minus what it knows is Diemen's 5 of 9."""
    reference = load_reference()
    rows = {**TWO_IN_AMSTERDAM, "Diemen": (9, 5), "Amstelveen": (50, 5)}
    table = aggregate(municipal_values(rows), reference)
    partner = ("GM0362", "GM0363")
    assert suppress(table, reference).set_index(["indicator", "area_code"]).loc[(DROPOUT, "VR13"), "suppression"] == ""
    result = suppress(table, reference, [partner])
    assert result.set_index(["indicator", "area_code"]).loc[(DROPOUT, "VR13"), "suppression"] == "secondary"
    assert_no_scope_below_the_region_derives(table, result, reference, [set(partner)], "ketenpartner")


def test_twins_publish_the_same_count():
    """The rate leaves out municipalities without a known population: where its count differs from
    the consultation count's, the rate is hidden (the difference would be their figure); the count,
    published as before, is unchanged."""
    reference = load_reference()
    table = aggregate(build_model(), reference)
    result = suppress(table, reference)
    rows = result.set_index(["level", "area_code", "period", "indicator"])
    count = rows.xs(COUNT, level="indicator")
    rate = rows.xs(RATE, level="indicator")
    both = rate.index[rate["numerator"].notna() & count["numerator"].reindex(rate.index).notna()]
    assert (rate.loc[both, "numerator"] == count.loc[both, "numerator"]).all()
    full = table.set_index(["level", "area_code", "period", "indicator"])
    differs = full.xs(RATE, level="indicator")["numerator"] != full.xs(COUNT, level="indicator")["numerator"]
    differs = differs.fillna(False)
    hidden_rates = rate.index[rate["suppression"] == "secondary"]
    assert set(differs[differs].index) & set(rate.index) <= set(hidden_rates) and len(hidden_rates) > 30


def test_indicators_over_one_total_publish_the_same_denominator():
    """Amsterdam left the preventive column blank in 2024 Q2: the preventive share leaves its total
    out, the kindermishandeling share does not; the preventive share is hidden where they differ."""
    reference = load_reference()
    values = build_model()
    blank = (values["municipality"] == "GM0363") & (values["period"].astype(str) == "2024Q2")
    values = values.loc[~(blank & (values["element"] == "thv_preventief"))]
    table = aggregate(values, reference)
    result = suppress(table, reference)
    rows = result.set_index(["level", "area_code", "period", "indicator"])
    km, preventief = rows.xs(KM, level="indicator"), rows.xs(PREVENTIEF, level="indicator")
    both = km.index[km["denominator"].notna() & preventief["denominator"].reindex(km.index).notna()]
    assert (km.loc[both, "denominator"] == preventief.loc[both, "denominator"]).all()
    for key in [("region", "VR13", "2024Q2"), ("national", "NL", "2024Q2"), ("national", "NL", "2024")]:
        assert preventief.loc[key, "suppression"] != "" and pd.isna(preventief.loc[key, "denominator"]), key
    public = table["level"] != "municipality"
    assert_nothing_derivable(table.loc[public & table["period"].str.startswith("2024")],
                             result.loc[result["period"].str.startswith("2024")], "blank preventive")  # fmt: skip
