"""Small-number suppression: the indicator table as a user without full rights may see it.

Status: groundwork for the accounts-and-privacy issue, not yet used by any page or export. Correct
on the tests' tables, but too slow for the national table: on the sample database (82,208 rows)
it did not finish within five minutes. Make it faster (per connected group, vectorised) before
wiring it in.

`suppress` is pure. It takes the full indicator table (`aggregate`'s output) and returns it with
every figure that could identify a household hidden:

- primary: a count (or the count behind a rate) from 1 to 4, shown as "<5"; a proportion whose
  denominator is from 1 to 9 (value, intervals, numerator and denominator). 0 is shown: it
  identifies nobody, and it is never chosen to protect another cell (see below).
- secondary: more cells, so that no hidden cell can be derived exactly from the published totals
  (`Total`) and the other published cells. A "<5" counts as hidden: it only gives a range.

Secondary suppression works in two steps, repeated until stable. First the classic rule: in every
group (the total and its parts: a region's municipalities in one period, the regions of the
nation, the quarters of a year) where one cell is hidden, the smallest published non-zero part is
hidden too (ties by area code), and so when the bounds an outsider knows (1-4 for "<5", at least 5
for a blank count) pin a hidden part. Then an audit solves the published totals as one linear
system per quantity (indicators sharing a data element share it, so a rate cannot give away the
count it divides) and hides one more cell next to any hidden cell it can still derive exactly.

Compute the pattern once, on the full table, and filter the result for each view: patterns
computed per view could be differenced against each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from ingest.indicators import INDICATORS_BY_CODE, Indicator, Unit
from ingest.reference import Reference

COUNT_THRESHOLD = 5  # counts 1..4 are hidden
DENOMINATOR_THRESHOLD = 10  # proportions over 1..9 are hidden
LESS_THAN = f"<{COUNT_THRESHOLD}"
HIDDEN_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "ci99_low", "ci99_high")
_TOLERANCE = 1e-9

Key = tuple[str, str, str]  # (level, area_code, period)


class Total(StrEnum):
    """A sum an outsider can see, and so use to derive a hidden part."""

    REGION = "region"  # the municipalities of a region add up to the region
    NATIONAL = "national"  # the regions (and municipalities without one) add up to the nation
    YEAR = "year"  # the four quarters of a year add up to the year


PUBLISHED_TOTALS = frozenset({Total.REGION, Total.NATIONAL})  # what `aggregate` publishes: no yearly totals


class Reason(StrEnum):
    PRIMARY = "primary"  # small in itself
    SECONDARY = "secondary"  # hidden so that a small cell cannot be derived


def suppress(table: pd.DataFrame, reference: Reference, totals: Iterable[Total] = PUBLISHED_TOTALS) -> pd.DataFrame:
    """The table with small numbers and what would reveal them hidden; raw figures of hidden rows removed.

    Rows of a level whose total is not in `totals` are left out. With `Total.YEAR`, a row per
    area, indicator and complete year (period `"2024"`) is added and protected too. Added
    columns: `suppression` ("primary", "secondary" or "") and `shown` ("<5" for a hidden small
    count, "" for another hidden row, <NA> for a published one).
    """
    totals = frozenset(Total(t) for t in totals)
    levels = {"municipality"} | {level for level in ("region", "national") if Total(level) in totals}
    work = table.loc[table["level"].astype(str).isin(levels)].reset_index(drop=True)
    if Total.YEAR in totals:
        work = pd.concat([work, _year_rows(work)], ignore_index=True)
    reasons: dict[tuple[str, Key], Reason] = {}
    for family in _families(work["indicator"].astype(str).unique()):
        model = _Model.build(work, family, reference, totals)
        hidden = model.protect()
        reasons.update({(code, key): hidden[key] for code in family for key in model.cells[code] if key in hidden})
    return _published(work, reasons)


def _families(codes: Iterable[str]) -> list[tuple[str, ...]]:
    """Indicators grouped when they share a data element: they are hidden together."""
    families: list[tuple[set[str], set[str]]] = []
    for code in sorted(codes):
        elements = set(INDICATORS_BY_CODE[code].elements)
        joined = [f for f in families if f[1] & elements]
        families = [f for f in families if not f[1] & elements]
        families.append(({code}.union(*(f[0] for f in joined)), elements.union(*(f[1] for f in joined))))
    return [tuple(sorted(codes)) for codes, _ in families]


def _quantities(indicator: Indicator) -> list[tuple]:
    """The counts a row of `indicator` publishes; equal quantities are one unknown to an outsider."""
    numerator = ("numerator", indicator.numerator)
    return [numerator, ("denominator", indicator.denominator)] if indicator.unit is Unit.PROPORTION else [numerator]


def _size(indicator: Indicator, numerator: float, denominator: float) -> float:
    return denominator if indicator.unit is Unit.PROPORTION else numerator


def _is_small(indicator: Indicator, numerator: float, denominator: float) -> bool:
    threshold = DENOMINATOR_THRESHOLD if indicator.unit is Unit.PROPORTION else COUNT_THRESHOLD
    return 1 <= _size(indicator, numerator, denominator) < threshold


@dataclass
class _Group:
    indicator: str
    total: Key
    members: tuple[Key, ...]


@dataclass
class _Model:
    family: tuple[str, ...]
    cells: dict[str, dict[Key, tuple[float, float]]]  # indicator -> reported row -> (numerator, denominator)
    groups: list[_Group]
    defining: dict[tuple[str, Key], _Group] = field(default_factory=dict)  # a total's own group

    @classmethod
    def build(cls, work: pd.DataFrame, family: tuple[str, ...], reference: Reference, totals: frozenset) -> _Model:
        cells: dict[str, dict[Key, tuple[float, float]]] = {}
        for code in family:
            rows = work.loc[(work["indicator"].astype(str) == code) & work["numerator"].notna()]
            numerator = rows["numerator"].to_numpy(float, na_value=np.nan)
            denominator = rows["denominator"].to_numpy(float, na_value=np.nan)
            cells[code] = dict(zip(_keys(rows), zip(numerator, denominator, strict=True), strict=True))
        groups = [g for code in family for g in _groups(code, cells[code], reference, totals)]
        model = cls(family, cells, groups)
        model.defining = {(g.indicator, g.total): g for g in groups}
        return model

    def size(self, key: Key) -> float:
        """The smallest count behind the cell among the family's indicators (used to pick cells)."""
        return min(_size(INDICATORS_BY_CODE[c], *self.cells[c][key]) for c in self.family if key in self.cells[c])

    def protect(self) -> dict[Key, Reason]:
        hidden = {
            key: Reason.PRIMARY
            for code in self.family
            for key, (n, d) in self.cells[code].items()
            if _is_small(INDICATORS_BY_CODE[code], n, d)
        }
        while True:
            self._spread(hidden)
            derivable = self._derivable(hidden)
            if not derivable:
                return hidden
            for key in sorted(derivable):
                around = [g for g in self.groups if key == g.total or key in g.members]
                extra = self._pick([k for g in around for k in (*g.members, g.total)], hidden)
                if extra is None:  # nothing next to it: any published cell, so the loop ends
                    extra = self._pick([k for c in self.family for k in self.cells[c]], hidden)
                if extra is not None:
                    hidden[extra] = Reason.SECONDARY

    def _spread(self, hidden: dict[Key, Reason]) -> None:
        """The classic rule: no group with a single hidden cell or a hidden part pinned by bounds."""
        changed = True
        while changed:
            changed = False
            for group in self.groups:
                cells = (group.total, *group.members)
                count = sum(key in hidden for key in cells)
                if count == 0 or (count > 1 and not self._pinned(group, hidden)):
                    continue
                extra = self._pick(group.members, hidden) or self._pick((group.total,), hidden)
                if extra is not None:
                    hidden[extra] = Reason.SECONDARY
                    changed = True

    def _pick(self, keys: Iterable[Key], hidden: dict[Key, Reason]) -> Key | None:
        """The smallest published non-zero cell (zeros protect nothing), else a published zero."""
        published = sorted({k for k in keys if k not in hidden}, key=lambda k: (self.size(k) == 0, self.size(k), k))
        return published[0] if published else None

    def _pinned(self, group: _Group, hidden: dict[Key, Reason]) -> bool:
        """Whether the published total and the bounds an outsider knows fix a hidden part exactly."""
        if group.total in hidden:
            return False
        indicator = INDICATORS_BY_CODE[group.indicator]
        cells = self.cells[group.indicator]
        size = {k: _size(indicator, *cells[k]) for k in (group.total, *group.members)}
        rest = size[group.total] - sum(size[k] for k in group.members if k not in hidden)
        threshold = DENOMINATOR_THRESHOLD if indicator.unit is Unit.PROPORTION else COUNT_THRESHOLD
        bounds = [
            (1.0, threshold - 1.0) if _is_small(indicator, *cells[k]) else (float(threshold), np.inf)
            for k in group.members
            if k in hidden and size[k] != 0  # a hidden zero: (0, inf) is all an outsider could assume
        ]
        for i, (low, high) in enumerate(bounds):
            others_low = sum(b[0] for j, b in enumerate(bounds) if j != i)
            others_high = sum(b[1] for j, b in enumerate(bounds) if j != i)
            if min(high, rest - others_low) <= max(low, rest - others_high):
                return True
        return False

    def _derivable(self, hidden: dict[Key, Reason]) -> set[Key]:
        """Hidden cells whose exact value follows from the published cells by linear algebra."""
        found: set[Key] = set()
        by_quantity: dict[tuple, list[str]] = defaultdict(list)
        for code in self.family:
            for quantity in _quantities(INDICATORS_BY_CODE[code]):
                by_quantity[quantity].append(code)
        for codes in by_quantity.values():
            forms = {(c, k): self._form(c, k) for c in codes for k in self.cells[c]}
            unknown = sorted({leaf for form in forms.values() for leaf in form if leaf in hidden})
            column = {leaf: i for i, leaf in enumerate(unknown)}
            rows = [
                [column[leaf] for leaf in form if leaf in column]
                for (_, key), form in forms.items()
                if key not in hidden
            ]
            null = _null_spaces([r for r in rows if r], len(unknown))
            for (_, key), form in forms.items():
                if key in hidden and _determined([column[leaf] for leaf in form if leaf in column], null):
                    found.add(key)
        return found

    def _form(self, code: str, key: Key) -> frozenset[Key]:
        """The municipality quarters a cell adds up."""
        group = self.defining.get((code, key))
        if group is None:
            return frozenset({key})
        return frozenset().union(*(self._form(code, member) for member in group.members))


def _groups(code: str, cells: dict[Key, tuple], reference: Reference, totals: frozenset) -> list[_Group]:
    """Every published total of one indicator with the reported cells that add up to it."""
    groups: list[_Group] = []
    regional: dict[Key, list[Key]] = defaultdict(list)
    national: dict[Key, list[Key]] = defaultdict(list)
    for key in sorted(cells):
        level, area, period = key
        if level == "municipality":
            region = reference.region_of(area)
            if region is not None and Total.REGION in totals:
                regional[("region", region.code, period)].append(key)
            else:
                national[("national", "", period)].append(key)
        elif level == "region":
            national[("national", "", period)].append(key)
    nations = {k[2]: k for k in cells if k[0] == "national"}
    for (level, area, period), members in [*regional.items(), *national.items()]:
        total = (level, area, period) if level == "region" else nations.get(period)
        if total in cells:
            groups.append(_Group(code, total, tuple(members)))
    if Total.YEAR in totals:
        quarters: dict[Key, list[Key]] = defaultdict(list)
        for level, area, period in cells:
            if "Q" in period:
                quarters[(level, area, period.split("Q")[0])].append((level, area, period))
        groups += [_Group(code, year, tuple(sorted(q))) for year, q in quarters.items() if year in cells]
    return groups


def _null_spaces(rows: list[list[int]], size: int) -> list[tuple[list[int], np.ndarray]]:
    """A basis of the unknowns' freedom, per connected block: (columns, basis with a row per column)."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in rows:
        for i in row[1:]:
            parent[root(i)] = root(row[0])
    blocks: dict[int, list[int]] = defaultdict(list)
    for i in range(size):
        blocks[root(i)].append(i)
    result = []
    for columns in blocks.values():
        index = {c: j for j, c in enumerate(columns)}
        block_rows = [r for r in rows if root(r[0]) == root(columns[0])]
        matrix = np.zeros((max(len(block_rows), 1), len(columns)))
        for i, row in enumerate(block_rows):
            matrix[i, [index[c] for c in row]] = 1.0
        _, singular, vt = np.linalg.svd(matrix)
        rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
        result.append((columns, vt[rank:].T))
    return result


def _determined(columns: list[int], null: list[tuple[list[int], np.ndarray]]) -> bool:
    """Whether the sum of these unknowns is fixed: it does not move along any free direction."""
    chosen = set(columns)
    for block, basis in null:
        picked = [j for j, c in enumerate(block) if c in chosen]
        if picked and basis.shape[1] and np.abs(basis[picked].sum(axis=0)).max() > 1e-7:
            return False
    return True


def _year_rows(work: pd.DataFrame) -> pd.DataFrame:
    """One row per area, indicator and year of which the table holds all four quarters."""
    quarters = work.loc[work["period"].astype(str).str.contains("Q")].copy()
    quarters["year"] = quarters["period"].astype(str).str.split("Q").str[0]
    periods = set(quarters["period"].astype(str))
    complete = [y for y in quarters["year"].unique() if all(f"{y}Q{q}" in periods for q in range(1, 5))]
    quarters = quarters.loc[quarters["year"].isin(complete)]
    keys = ["level", "area_code", "area_name", "indicator", "year"]
    grouped = quarters.groupby(keys, sort=True, dropna=False)
    years = grouped[["numerator", "denominator"]].sum(min_count=1)
    years[["reported", "expected"]] = grouped[["reported", "expected"]].sum()
    years = years.reset_index().rename(columns={"year": "period"})
    unit = years["indicator"].map(lambda c: INDICATORS_BY_CODE[c].unit)
    numerator = years["numerator"].astype("Float64")
    ratio = numerator / years["denominator"].astype("Float64").where(years["denominator"] > 0)
    years["value"] = ratio.where(unit == Unit.PROPORTION, numerator.where(unit == Unit.COUNT))
    return years.reindex(columns=work.columns)


def _keys(frame: pd.DataFrame) -> list[Key]:
    columns = (frame[c].astype(str) for c in ("level", "area_code", "period"))
    return list(zip(*columns, strict=True))


def _published(work: pd.DataFrame, reasons: dict[tuple[str, Key], Reason]) -> pd.DataFrame:
    keys = zip(work["indicator"].astype(str), _keys(work), strict=True)
    reason = pd.Series([str(reasons.get(k, "")) for k in keys], index=work.index, dtype="string")
    hidden = reason != ""
    unit = work["indicator"].astype(str).map(lambda c: INDICATORS_BY_CODE[c].unit)
    small = work["numerator"].astype("Float64").between(1, COUNT_THRESHOLD - 1).fillna(False)
    result = work.copy()
    for column in HIDDEN_COLUMNS:
        if column in result:
            dtype = "Int64" if column in ("numerator", "denominator") else "Float64"
            result[column] = result[column].astype(dtype).mask(hidden)
    result["suppression"] = reason
    shown = pd.Series(pd.NA, index=work.index, dtype="string")
    shown[hidden] = ""
    shown[(reason == Reason.PRIMARY) & (unit == Unit.COUNT) & small] = LESS_THAN
    result["shown"] = shown
    return result
