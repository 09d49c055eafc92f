"""Small-number suppression: the public indicator table, as the steering group may see it.

Users without full rights on an area see only the regions and the nation (accounts.scope); this
module makes that table. `suppress` is pure: it takes the full indicator table (`aggregate`'s
output) and returns its region and national rows (and the rows of municipalities without a
region, if any), plus a yearly row per area and complete year (period "2024": the four quarters
pooled), with every figure that could identify a household hidden:

- primary: a count (or the count behind a rate) from 1 to 4, shown as "<5"; a proportion whose
  denominator is from 1 to 9 (value, intervals, numerator and denominator). 0 is shown: it
  identifies nobody, and it is never chosen to protect another cell.
- secondary: more cells, so that no hidden cell can be derived exactly from the published totals
  and the other published cells. Published totals (`Total`): the regions add up to the nation per
  period, and the four quarters add up to the year per area (the region page's startfoto).

Who attacks: an outsider, who knows the published table and what a mark means ("<5": 1 to 4; a
proportion hidden as primary: denominator 1 to 9; another hidden count: at least the threshold,
as zeros are never hidden); an insider who also knows ONE area's row exactly (a projectleider
their own region, whoever knows the nation); and every full-detail scope below the region
(`indicators.insiders`: each municipality, each ketenpartner's list), who knows its own part of
each cell. A published cell whose rest beside such a part is small is hidden from the start
(secondary: it is not small itself). To stand up to all of them, every group (a total and its
parts) with a hidden cell keeps at least three hidden cells, the total counted (fewer only where
no other non-zero cell is left), and an audit then checks every hidden cell, for the outsider,
each single insider and each scope (its parts as lower bounds, the cells it knows whole as
known): by linear algebra (a cell is derived when it does not move along the null space of the
published equations) and by the bounds, and hides one more cell next to any cell it can still
derive.

Twins: indicators that publish the same count (a count and its rate, two shares over one total)
publish the same number or one of them not at all (`inconsistent`): the row that counts less is
hidden, as the difference would be the figure of the municipalities it leaves out.

Withdrawn rows: where no choice of more hidden cells protects a cell (four "<5" quarters of a
year that is "<5" too: each is 1), the totals that pin it are left out of the public table
altogether, as few as do: the area's yearly row before the nation's row of the quarter or the
year. The attacker still knows a withdrawn row exists and what it adds up to, but not its figure
nor any bound on it but "not negative"; the audit runs again with it unknown, and a withdrawn row
that would have been small must not be derivable either. Whoever knows a withdrawn row (its own
area, or the nation's insider for the nation's) keeps what it pins, so `attrs["unprotected"]`
lists what some insider still derives whatever is hidden or withdrawn (a region that is the only
one with cases, against whoever knows the nation, and the other way round): none in a realistic
table, where more than one region has cases.

Limits: a coalition of several insiders (two regions pooling what they know) can derive more
than any one of them; numerators of proportions are protected by their own equations and the
bound "at least 0", not by "numerator at most denominator".

The pattern is the same for indicators that share a data element (a family), so a rate cannot
give away the count it divides. The linear algebra is per connected component: one complete
year (its quarters and the year, all areas) or one quarter of an incomplete year, so it is fast.
Compute the pattern once, on the full table, and filter the result for each view: patterns
computed per view could be differenced against each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum

import numpy as np
import pandas as pd

from indicators.aggregate import add_values
from indicators.disclosure import (
    COUNT_THRESHOLD,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    WITHDRAWN,
    Grid,
    Insiders,
    quantities,
)
from indicators.insiders import insider_scopes
from indicators.registry import INDICATORS_BY_CODE, Unit
from reference.areas import Reference

LESS_THAN = f"<{COUNT_THRESHOLD}"
HIDDEN_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "ci99_low", "ci99_high")
PUBLIC_LEVELS = ("region", "national")
log = logging.getLogger(__name__)


class Total(StrEnum):
    """A sum an outsider can see, and so use to derive a hidden part."""

    NATIONAL = "national"  # the regions (and municipalities without one) add up to the nation, per period
    YEAR = "year"  # the four quarters of a year add up to the year, per area


PUBLISHED_TOTALS = frozenset({Total.NATIONAL, Total.YEAR})


class Reason(StrEnum):
    PRIMARY = "primary"  # small in itself
    SECONDARY = "secondary"  # hidden so that a small cell cannot be derived


_REASON_OF_STATE = {PUBLISHED: "", PRIMARY: Reason.PRIMARY, SECONDARY: Reason.SECONDARY, WITHDRAWN: ""}
_REASONS = np.array([_REASON_OF_STATE[state] for state in sorted(_REASON_OF_STATE)], dtype=object)  # by state


def suppress(table: pd.DataFrame, reference: Reference, lists: Iterable[Iterable[str]] = ()) -> pd.DataFrame:
    """The public table: region, national and yearly rows, small numbers and what reveals them hidden.

    Added columns: `suppression` ("primary", "secondary" or "") and `shown` ("<5" for a hidden
    small count, "" for another hidden row, <NA> for a published one). Hidden rows lose their
    numerator, denominator, value and intervals. Withdrawn rows are left out; `attrs["withdrawn"]`
    lists them as (indicator, level, area, period), `attrs["unprotected"]` the hidden or withdrawn
    rows some insider still derives whatever is hidden or withdrawn (see the module docstring; none
    in a realistic table).
    """
    work = public_rows(table, reference)
    work = pd.concat([work, year_rows(work)], ignore_index=True) if len(work) else work
    reason = pd.Series("", index=work.index, dtype="string")
    withdrawn = pd.Series(False, index=work.index)
    exposed: list[int] = []
    codes = work["indicator"].astype(str)
    municipal = table.loc[table["level"].astype(str) == "municipality"]
    names = sorted(municipal["area_code"].astype(str).unique())
    scopes = insider_scopes(names, reference, lists)
    matrix = np.array([[m in scope for m in names] for scope in scopes], bool).reshape(len(scopes), len(names))
    regions = {
        frozenset(c for c in names if (r := reference.region_of(c)) and r.code == code) for code in reference.regions
    }
    audited = np.array([scope not in regions for scope in scopes], bool)  # a region's insider: `c.owner`
    for family in families(codes.unique()):
        rows = municipal.loc[municipal["indicator"].astype(str).isin(family)]
        insiders = Insiders(rows, names, matrix, audited, reference)
        grid = Grid.build(work.loc[codes.isin(family)], family, insiders)
        state, unprotected = grid.protect()
        rows = grid.row_cells  # per row of the family: its cell
        at = state[rows.to_numpy()]
        reason.loc[rows.index] = _REASONS[at]
        withdrawn.loc[rows.index] = at == WITHDRAWN
        exposed.extend(rows.index[unprotected[rows.to_numpy()]])
    reason[(reason == "") & ~withdrawn & inconsistent(work)] = Reason.SECONDARY
    result = _published(work, reason).loc[~withdrawn].reset_index(drop=True)
    result.attrs["withdrawn"] = sorted(_keys(work.loc[withdrawn]))
    result.attrs["unprotected"] = sorted(_keys(work.loc[exposed]))
    if result.attrs["withdrawn"]:
        log.info("suppression: withdrew %d rows: %s", len(result.attrs["withdrawn"]), result.attrs["withdrawn"])
    if exposed:
        log.warning("suppression: %d hidden cells stay derivable whatever is hidden or withdrawn", len(exposed))
    return result


def _keys(rows: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    columns = [rows[c].astype(str) for c in ("indicator", "level", "area_code", "period")]
    return set(zip(*columns, strict=True))


def inconsistent(work: pd.DataFrame) -> pd.Series:
    """Rows whose count differs from the same count of another indicator at the same area and period:
    a rate that leaves out municipalities without a known population against its count, a proportion
    that leaves out a municipality's total (a "waarvan" column left blank) against another over the
    same total. The difference would be the figure of the municipalities left out, so such a row is
    hidden; the fuller one stays published, as it always was."""
    found = pd.Series(False, index=work.index)
    codes = work["indicator"].astype(str)
    keys = [work["level"].astype(str), work["area_code"].astype(str), work["period"].astype(str)]
    by_quantity: dict[tuple, list[tuple[str, str]]] = {}
    for code in codes.unique():
        for (column, elements), _ in quantities(INDICATORS_BY_CODE[code]):
            by_quantity.setdefault((column, elements), []).append((code, column))
    for sharing in by_quantity.values():
        if len(sharing) < 2:
            continue
        mine = codes.isin([code for code, _ in sharing])
        column = sharing[0][1]
        values = work[column].astype("Float64").where(mine)
        fullest = values.groupby(keys, dropna=False).transform("max")
        found |= (mine & values.notna() & (values < fullest)).fillna(False).astype(bool)
    return found


def public_rows(table: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The rows an outsider may see: regions, the nation, and municipalities that belong to no region."""
    level = table["level"].astype(str)
    municipalities = table.loc[level == "municipality", "area_code"].astype(str)
    loose = {code for code in municipalities.unique() if reference.region_of(code) is None}
    keep = level.isin(PUBLIC_LEVELS) | ((level == "municipality") & table["area_code"].astype(str).isin(loose))
    return table.loc[keep].reset_index(drop=True)


def year_rows(work: pd.DataFrame) -> pd.DataFrame:
    """One row per area, indicator and year of which the table holds all four quarters: counts summed,
    value and intervals recomputed from them as `aggregate` does; population of the last quarter."""
    period = work["period"].astype(str)
    quarters = work.loc[period.str.contains("Q", regex=False)].copy()
    quarters["year"] = quarters["period"].astype(str).str.split("Q").str[0]
    periods = set(quarters["period"].astype(str))
    complete = [y for y in quarters["year"].unique() if all(f"{y}Q{q}" in periods for q in range(1, 5))]
    quarters = quarters.loc[quarters["year"].isin(complete)].sort_values("period", kind="stable")
    if quarters.empty:
        return work.iloc[:0]
    keys = ["level", "area_code", "area_name", "indicator", "year"]
    grouped = quarters.astype({"level": str, "indicator": str}).groupby(keys, sort=True, dropna=False)
    years = grouped[["numerator", "denominator"]].sum(min_count=1)
    years[["reported", "expected"]] = grouped[["reported", "expected"]].sum()
    years["population"] = grouped["population"].last()
    years = years.reset_index().rename(columns={"year": "period"})
    add_values(years)
    years = years.reindex(columns=work.columns)
    for column in ("numerator", "denominator", "population"):
        years[column] = years[column].astype("Int64")
    return years


def families(codes: Iterable[str]) -> list[tuple[str, ...]]:
    """Indicators grouped when they share a data element: they are hidden together."""
    found: list[tuple[set[str], set[str]]] = []
    for code in sorted(codes):
        elements = set(INDICATORS_BY_CODE[code].elements)
        joined = [f for f in found if f[1] & elements]
        found = [f for f in found if not f[1] & elements]
        found.append(({code}.union(*(f[0] for f in joined)), elements.union(*(f[1] for f in joined))))
    return [tuple(sorted(codes)) for codes, _ in found]


def _published(work: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    hidden = reason != ""
    unit = work["indicator"].astype(str).map(lambda c: INDICATORS_BY_CODE[c].unit)
    small = work["numerator"].astype("Float64").between(1, COUNT_THRESHOLD - 1).fillna(False)
    result = work.copy()
    for column in HIDDEN_COLUMNS:
        dtype = "Int64" if column in ("numerator", "denominator") else "Float64"
        result[column] = result[column].astype(dtype).mask(hidden)
    result["suppression"] = reason
    shown = pd.Series(pd.NA, index=work.index, dtype="string")
    shown[hidden] = ""
    shown[(reason == Reason.PRIMARY) & (unit == Unit.COUNT) & small] = LESS_THAN
    result["shown"] = shown
    return result
