"""Whether a hidden cell can be derived, and hiding more until none can: the audit behind
`indicators.suppression` (whose docstring tells the rules, the attackers and the limits).

One family of indicators is a `Grid` of cells (area x period, flattened) with, per quantity, the
counts and the bounds an outsider knows of a hidden one (`bounds`). Published totals link the cells
into components (one complete year, or one quarter of an incomplete year); `Grid.protect` hides
more cells per component until neither the outsider, nor an insider who knows one area's row, nor
a full-detail scope below the region (`indicators.insiders`) derives a guarded cell: by linear
algebra (`_derivable`: a cell that does not move along the null space of the published equations)
and by the bounds (`fixed_cells`: one linear program), and withdraws the totals that pin a cell no
hiding protects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import insiders as _insiders
from indicators.registry import INDICATORS_BY_CODE, Indicator, Unit
from reference.areas import Reference

COUNT_THRESHOLD = 5  # counts 1..4 are hidden
DENOMINATOR_THRESHOLD = 10  # proportions over 1..9 are hidden
MIN_HIDDEN = 3  # hidden cells in a group with any: one insider knowing one of them leaves two
PUBLISHED, PRIMARY, SECONDARY, WITHDRAWN = 0, 1, 2, 3  # a cell's state in `Grid.protect`
_OUTSIDER = -1  # who derives a cell: the outsider, or the index of the area whose row an insider knows,
_SCOPE = -2  # ... or a full-detail scope below the nation: _SCOPE - its index
Derived = tuple[int, int]  # (cell, who derives it)
_TOLERANCE = 1e-7


def bounds(values: np.ndarray, threshold: int | None) -> tuple[np.ndarray, np.ndarray]:
    """What an outsider knows of hidden counts: 1..threshold-1 for a small one, else at least the
    threshold (hidden cells are never zero by choice); `threshold` None: only that it is not negative."""
    values = np.nan_to_num(values, nan=0.0)
    if threshold is None:
        return np.zeros_like(values), np.full_like(values, np.inf)
    small = (values >= 1) & (values < threshold)
    low = np.where(small, 1.0, np.where(values >= threshold, float(threshold), 0.0))
    high = np.where(small, threshold - 1.0, np.inf)
    return low, high


def quantities(indicator: Indicator) -> list[tuple[tuple, int | None]]:
    """The counts a row of `indicator` publishes, with the threshold that marks them small; an equal
    quantity of two indicators is one unknown to an outsider."""
    numerator = ("numerator", indicator.numerator)
    if indicator.unit is Unit.PROPORTION:
        return [(numerator, None), (("denominator", indicator.denominator), DENOMINATOR_THRESHOLD)]
    return [(numerator, COUNT_THRESHOLD)]


def _is_small(indicator: Indicator, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    if indicator.unit is Unit.PROPORTION:
        return (denominator >= 1) & (denominator < DENOMINATOR_THRESHOLD)
    return (numerator >= 1) & (numerator < COUNT_THRESHOLD)


def _size(indicator: Indicator, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return denominator if indicator.unit is Unit.PROPORTION else numerator


@dataclass
class _Component:
    """Cells linked by published totals: one complete year, or one quarter of an incomplete year."""

    cells: np.ndarray  # global cell ids
    groups: list[tuple[int, np.ndarray]]  # (total, parts) in local ids
    equations: np.ndarray  # a row per group: +1 for the total, -1 for each part
    owner: np.ndarray  # local id -> area index (an insider knows its area's cells)


@dataclass
class Insiders:
    """What the full-detail scopes know (`indicators.insiders`): the municipality rows of the full
    table for one family, the municipality codes, and scopes x municipalities."""

    rows: pd.DataFrame
    names: list[str]
    scopes: np.ndarray
    audited: np.ndarray  # per scope: whether `_scoped` tries it (a region's insider is tried as `c.owner`)
    reference: Reference


@dataclass
class _Insight:
    """Per quantity, scopes x cells: the part each scope knows, whether it knows the cell whole, and
    whether it has a reporter in it."""

    part: np.ndarray
    whole: np.ndarray
    present: np.ndarray
    audited: np.ndarray


@dataclass
class Grid:
    """One family's cells: area x period, flattened; sizes and bounds per quantity."""

    n_periods: int
    exists: np.ndarray  # a row of the family at the cell
    size: np.ndarray  # smallest count behind the cell among the family's indicators (nan: none)
    small: np.ndarray
    values: list[np.ndarray]  # per quantity: the count at each cell (nan: not reported)
    low: list[np.ndarray]
    high: list[np.ndarray]
    components: list[_Component]
    row_cells: pd.Series  # row index of the work table -> cell id
    insight: list[_Insight | None]  # per quantity; None: no insider below the nation
    beside: np.ndarray  # not small, but a scope's part leaves a small rest: hidden from the start as secondary

    @classmethod
    def build(cls, rows: pd.DataFrame, family: tuple[str, ...], insiders: Insiders | None = None) -> Grid:
        areas = pd.MultiIndex.from_arrays([rows["level"].astype(str), rows["area_code"].astype(str)])
        area_codes, area_index = np.unique(areas.to_numpy(), return_inverse=True)
        period_codes, period_index = np.unique(rows["period"].astype(str).to_numpy(), return_inverse=True)
        n_cells = len(area_codes) * len(period_codes)
        cell = area_index * len(period_codes) + period_index
        codes = rows["indicator"].astype(str).to_numpy()
        numerator = rows["numerator"].to_numpy(float, na_value=np.nan)
        denominator = rows["denominator"].to_numpy(float, na_value=np.nan)
        exists = np.zeros(n_cells, bool)
        exists[cell] = True
        size, small = np.full(n_cells, np.nan), np.zeros(n_cells, bool)
        by_quantity: dict[tuple, tuple[np.ndarray, int | None]] = {}
        for code in family:
            indicator, mine = INDICATORS_BY_CODE[code], codes == code
            n, d, at = numerator[mine], denominator[mine], cell[mine]
            small[at] |= _is_small(indicator, n, d)
            size[at] = np.fmin(size[at], _size(indicator, n, d))
            for quantity, threshold in quantities(indicator):
                values, _ = by_quantity.setdefault(quantity, (np.full(n_cells, np.nan), threshold))
                values[at] = np.fmax(values[at], n if quantity[0] == "numerator" else d)
        low, high = zip(*(bounds(v, t) for v, t in by_quantity.values()), strict=True)
        components = _components(area_codes, period_codes)
        insight = _insight(insiders, family, by_quantity, area_codes, period_codes)
        beside = np.zeros(n_cells, bool)
        for (values, threshold), seen in zip(by_quantity.values(), insight, strict=True):
            # the rest of a cell beside a scope's part is small (a region's rest is the other regions: `c.owner`)
            if seen is not None and threshold is not None:
                rest = np.nan_to_num(values)[None, :] - seen.part
                rests = seen.present & ~seen.whole & (rest >= 1) & (rest < threshold)
                beside |= exists & ~small & rests[seen.audited].any(axis=0)
        return cls(
            len(period_codes), exists, size, small, [v for v, _ in by_quantity.values()], list(low), list(high),
            components, pd.Series(cell, index=rows.index), insight, beside,
        )  # fmt: skip

    def protect(self) -> tuple[np.ndarray, np.ndarray]:
        """Per cell: 0 published, 1 primary, 2 secondary, 3 withdrawn; and which hidden cells stay
        derivable however much more were hidden or withdrawn (see `suppress`)."""
        hidden = np.where(self.small & self.exists, PRIMARY, np.where(self.beside, SECONDARY, 0))
        unprotected = np.zeros(len(hidden), bool)
        for component in self.components:
            local = hidden[component.cells]
            if local.any():
                unprotected[component.cells[self._protect(component, local)]] = True
                hidden[component.cells] = local
        return hidden, unprotected

    def _protect(self, c: _Component, hidden: np.ndarray) -> list[int]:
        """Hide more cells of one component (in place), and withdraw the totals that pin a cell no
        hiding protects, until no attacker derives a guarded cell; returns the cells some attacker
        still derives whatever is hidden or withdrawn."""
        size, small = self.size[c.cells], (self.small | self.beside)[c.cells]
        pickable = self.exists[c.cells] & (np.nan_to_num(size) > 0)  # zeros protect nothing
        order = np.lexsort((np.arange(len(size)), np.nan_to_num(size)))
        rank = np.empty(len(size), int)
        rank[order] = np.arange(len(size))
        hopeless: set[Derived] | None = None  # derived even with every non-zero cell hidden
        stuck: set[Derived] = set()  # ... and with every total withdrawn that would help

        def pick(candidates: Iterable[int]) -> int | None:
            free = [i for i in candidates if not hidden[i] and pickable[i]]
            return min(free, key=rank.__getitem__) if free else None

        def hide(choices: Iterable[Iterable[int]]) -> bool:
            for candidates in choices:
                extra = pick(candidates)
                if extra is not None:
                    hidden[extra] = SECONDARY
                    return True
            return False

        def guarded(found: Iterable[Derived]) -> list[Derived]:
            """What matters of what is derived: hidden cells, and withdrawn ones that would be small."""

            def matters(i: int) -> bool:
                return hidden[i] in (PRIMARY, SECONDARY) or (hidden[i] == WITHDRAWN and small[i])

            return sorted(d for d in found if d not in stuck and matters(d[0]))

        def audit() -> list[Derived]:
            pattern, withdrawn = hidden != 0, hidden == WITHDRAWN
            return guarded(_derivable(c, pattern)) or guarded(self._bounded(c, pattern, withdrawn))

        def maximal() -> set[Derived]:  # `_bounded` finds what linear algebra finds, and more
            return set(guarded(self._bounded(c, (hidden != 0) | pickable, hidden == WITHDRAWN)))

        while True:
            changed = False
            for total, parts in c.groups:  # the classic rule, and the bounds of one group
                while 0 < (hidden[total] != 0) + np.count_nonzero(hidden[parts]) < MIN_HIDDEN or self._pinned(
                    c, total, parts, hidden
                ):
                    if not hide([parts, [total]]):
                        break
                    changed = True
            if changed:
                continue
            derived = audit()
            if not derived:
                return sorted({i for i, _ in stuck})
            if hopeless is None:
                hopeless = maximal()
            lost = [d for d in derived if d in hopeless]
            if lost:  # hiding more does not help: withdraw a total, or give up on what stays derived
                if not any(self._withdraw(c, i, hidden, maximal) for i in dict.fromkeys(i for i, _ in lost)):
                    stuck.update(lost)
                hopeless = None
                continue
            for i in dict.fromkeys(i for i, _ in derived):  # one more cell next to a derived one
                around = sorted(  # in its group with the fewest hidden
                    (g for g in c.groups if i == g[0] or i in g[1]),
                    key=lambda g: np.count_nonzero(hidden[g[1]]) + (hidden[g[0]] != 0),
                )
                if hide([*(g[1] for g in around), *([g[0]] for g in around), range(len(hidden))]):
                    break
            else:  # cannot happen: the maximal pattern would have derived them
                stuck.update(derived)

    def _withdraw(self, c: _Component, cell: int, hidden: np.ndarray, maximal: Callable[[], set[Derived]]) -> bool:
        """Withdraw totals above `cell` (of its groups, of theirs, ...) so that fewer attackers derive
        it from the maximal pattern: all of them, then each put back that is not needed, the
        furthest and the nation's first. False, withdrawing nothing, when even all do not help."""
        totals: list[int] = []
        below = [cell]
        while below:
            above = [t for t, parts in c.groups if np.isin(parts, below).any() and t not in totals and t != cell]
            above = sorted(dict.fromkeys(above), key=lambda t: c.owner[t] != c.owner[cell])  # own year first
            totals += above
            below = above
        totals = [t for t in totals if hidden[t] != WITHDRAWN and self.exists[c.cells[t]]]
        if not totals:
            return False

        def attackers() -> int:
            return sum(i == cell for i, _ in maximal())

        before, baseline = hidden[totals].copy(), attackers()
        hidden[totals] = WITHDRAWN
        fewest = attackers()
        if fewest >= baseline:
            hidden[totals] = before
            return False
        for t, was in reversed(list(zip(totals, before, strict=True))):
            hidden[t] = was
            if attackers() > fewest:
                hidden[t] = WITHDRAWN
        return True

    def _bounds(self, c: _Component, withdrawn: np.ndarray) -> Iterable[tuple[np.ndarray, ...]]:
        """Per quantity, local to the component: the true counts (not reported: 0), the bounds an
        outsider knows (a withdrawn cell: only that it is not negative), and where the count was
        reported: deriving the 0 of a count nobody reported discloses nothing."""
        for values, low, high in zip(self.values, self.low, self.high, strict=True):
            v, lo, hi = values[c.cells], low[c.cells], high[c.cells]
            yield np.nan_to_num(v), np.where(withdrawn, 0.0, lo), np.where(withdrawn, np.inf, hi), ~np.isnan(v)

    def _bounded(self, c: _Component, hidden: np.ndarray, withdrawn: np.ndarray) -> set[Derived]:
        """Hidden cells the bounds and the published totals fix together, for the outsider, each single
        insider of an area, and each full-detail scope below the nation (`_scoped`), per quantity (the
        complete audit; `_pinned` looks at one group at a time)."""
        found: set[Derived] = set()
        unknown = np.flatnonzero(hidden)
        for who, columns in _attackers(c, unknown):
            for v, low, high, reported in self._bounds(c, withdrawn):
                fixed = _fixed(c, columns, v, low[columns], high[columns]) & reported[columns]
                found.update((int(i), who) for i in columns[fixed])
        for q, (v, low, high, reported) in enumerate(self._bounds(c, withdrawn)):
            if self.insight[q] is not None and len(unknown):
                found |= _scoped(c, unknown, self.insight[q], v, low, high, reported)
        return found

    def _pinned(self, c: _Component, total: int, parts: np.ndarray, hidden: np.ndarray) -> bool:
        """Whether a known total and the bounds fix a hidden part, for an outsider or an insider who
        knows one hidden cell of the group."""
        cells = np.array([total, *parts])
        unknown = hidden[cells] != 0
        if np.count_nonzero(unknown) == 0:
            return False
        national = c.owner[total] != c.owner[parts[0]]  # a year group is known whole or not at all
        insiders = [None, *np.flatnonzero(unknown)] if national else [None]
        for values, low, high, reported in self._bounds(c, hidden == WITHDRAWN):
            v, lo, hi, reported_parts = values[cells], low[cells], high[cells], reported[cells][1:]
            for known in insiders:
                u = unknown.copy()
                if known is not None:
                    u[known] = False
                if u[0] or not u.any():
                    continue
                rest = v[0] - v[1:][~u[1:]].sum()
                ul, uh = lo[1:][u[1:]], hi[1:][u[1:]]
                floor = np.maximum(ul, rest - _sum_of_others(uh))
                ceiling = np.minimum(uh, rest - _sum_of_others(ul))
                if np.any((ceiling <= floor) & reported_parts[u[1:]]):
                    return True
        return False


def _fixed(c: _Component, columns: np.ndarray, v: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Which of the unknown `columns` (local ids) the component's equations and the bounds fix; the
    other cells known at their true values `v`."""
    matrix = c.equations[:, columns]
    rows = np.abs(matrix).sum(axis=1) > 0
    known = np.ones(len(v), bool)
    known[columns] = False
    rhs = -(c.equations[:, known] @ v[known])
    return fixed_cells(matrix[rows], rhs[rows], low, high)


def _scoped(
    c: _Component, unknown: np.ndarray, seen: _Insight, v: np.ndarray, low: np.ndarray, high: np.ndarray,
    reported: np.ndarray,
) -> set[Derived]:  # fmt: skip
    """Hidden cells a full-detail scope fixes, knowing its part of each as a lower bound and the cells
    it knows whole; deriving that the rest of a cell is 0 discloses nothing. Scopes that know the
    same cells whole are tried at once with the largest part of any of them (a stronger attacker
    than each); only when that one fixes something is each tried alone."""
    part, whole = seen.part[:, c.cells][:, unknown], seen.whole[:, c.cells][:, unknown]
    relevant = np.flatnonzero(seen.audited & ((part > low[unknown] + _TOLERANCE) | whole).any(axis=1))
    groups: dict[bytes, list[int]] = {}
    for s in relevant:
        groups.setdefault(whole[s].tobytes(), []).append(int(s))
    found: set[Derived] = set()
    for group in groups.values():
        mine = ~whole[group[0]]
        columns = unknown[mine]
        if not len(columns):
            continue
        strongest = np.maximum(low[columns], part[group][:, mine].max(axis=0))
        if not (_fixed(c, columns, v, strongest, high[columns]) & reported[columns]).any():
            continue
        for s in group:
            floor = np.maximum(low[columns], part[s][mine])
            fixed = _fixed(c, columns, v, floor, high[columns]) & reported[columns] & (v[columns] - part[s][mine] > 0)
            found.update((int(i), _SCOPE - s) for i in columns[fixed])
    return found


def _insight(
    insiders: Insiders | None, family: tuple[str, ...], by_quantity: dict, area_codes: np.ndarray,
    period_codes: np.ndarray,
) -> list[_Insight | None]:  # fmt: skip
    """Per quantity of the grid: what each full-detail scope knows of each cell."""
    if insiders is None or not len(insiders.scopes) or insiders.rows.empty:
        return [None] * len(by_quantity)
    grids = _insiders.municipal_values(insiders.rows, insiders.names, period_codes)
    membership = _insiders.members(area_codes, insiders.names, insiders.reference)
    found: list[_Insight | None] = []
    for column, elements in by_quantity:
        values = None
        for code in family:
            if (column, elements) in {q for q, _ in quantities(INDICATORS_BY_CODE[code])}:
                grid = grids.get(f"{code}:{column}")
                if grid is not None:
                    values = grid if values is None else np.fmax(values, grid)
        found.append(
            None
            if values is None
            else _Insight(*_insiders.knowledge(values, membership, insiders.scopes), insiders.audited)
        )
    return found


def _sum_of_others(x: np.ndarray) -> np.ndarray:
    """For each element, the sum of the others; infinite where another is."""
    infinite = np.isinf(x)
    finite = np.where(infinite, 0.0, x)
    return np.where(infinite.sum() - infinite > 0, np.inf, finite.sum() - finite)


def _components(area_codes: np.ndarray, period_codes: np.ndarray) -> list[_Component]:
    """Complete years (quarters and year, every area) and the single quarters of other years."""
    n_periods = len(period_codes)
    nation = [a for a, (level, _) in enumerate(area_codes) if level == "national"]
    parts = [a for a, (level, _) in enumerate(area_codes) if level != "national"]
    period_of = {p: i for i, p in enumerate(period_codes)}
    blocks = []
    for p, code in enumerate(period_codes):
        if "Q" in code:
            if code.split("Q")[0] not in period_of:
                blocks.append(([p], None))
        else:
            quarters = [period_of.get(f"{code}Q{q}") for q in range(1, 5)]
            blocks.append(([q for q in quarters if q is not None], p))
    components = []
    for quarters, year in blocks:
        periods = quarters + ([year] if year is not None else [])
        cells = np.array([a * n_periods + p for a in range(len(area_codes)) for p in periods])
        local = {g: i for i, g in enumerate(cells)}
        groups = [
            (local[n * n_periods + p], np.array([local[a * n_periods + p] for a in parts]))
            for n in nation
            for p in periods
        ]
        if year is not None:
            groups += [
                (local[a * n_periods + year], np.array([local[a * n_periods + q] for q in quarters]))
                for a in range(len(area_codes))
            ]
        groups = [g for g in groups if len(g[1])]
        equations = np.zeros((len(groups), len(cells)))
        for row, (total, members) in enumerate(groups):
            equations[row, total] = 1.0
            equations[row, members] = -1.0
        components.append(_Component(cells, groups, equations, cells // n_periods))
    return components


def _attackers(c: _Component, unknown: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """The outsider, then each insider who knows the row of an area with a hidden cell: who it is (as in
    `Derived`) and the hidden cells (local ids, of `unknown`) it does not know."""
    for insider in [None, *np.unique(c.owner[unknown])]:
        columns = unknown if insider is None else unknown[c.owner[unknown] != insider]
        if len(columns):
            yield (_OUTSIDER if insider is None else int(insider)), columns


def _derivable(c: _Component, hidden: np.ndarray) -> set[Derived]:
    """Hidden cells (local ids) an outsider, or an insider knowing one area's row, derives exactly."""
    found: set[Derived] = set()
    for who, columns in _attackers(c, np.flatnonzero(hidden)):
        matrix = c.equations[:, columns]
        matrix = matrix[np.abs(matrix).sum(axis=1) > 0]
        if not len(matrix):
            continue
        _, singular, vt = np.linalg.svd(matrix)
        rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
        null = vt[rank:]
        free = np.abs(null).max(axis=0) > _TOLERANCE if len(null) else np.zeros(len(columns), bool)
        found.update((int(i), who) for i in columns[~free])
    return found


def fixed_cells(matrix: np.ndarray, rhs: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Which unknowns take one value only on {matrix @ x = rhs, low <= x <= high}.

    One linear program finds the bounds every solution meets with equality (Freund, Roundy and
    Todd 1985: maximise the slacks, each at most 1, of the homogenised system; a bound that can be
    slack at all gets slack 1); those bounds join the equations, and an unknown is fixed when it
    does not move along the null space of the whole.
    """
    from scipy.optimize import linprog  # here, not at the top: it costs a worker that never refreshes 27 MB

    n = matrix.shape[1]
    lower, upper = np.flatnonzero(np.isfinite(low)), np.flatnonzero(np.isfinite(high))
    m = len(lower) + len(upper)
    # variables: x (n), slack per finite bound (m), scale t >= 1
    inequalities = np.zeros((m, n + m + 1))
    inequalities[np.arange(len(lower)), lower] = -1.0
    inequalities[np.arange(len(lower)), -1] = low[lower]
    inequalities[len(lower) + np.arange(len(upper)), upper] = 1.0
    inequalities[len(lower) + np.arange(len(upper)), -1] = -high[upper]
    inequalities[np.arange(m), n + np.arange(m)] = 1.0
    equalities = np.hstack([matrix, np.zeros((len(matrix), m)), -rhs[:, None]])
    objective = np.concatenate([np.zeros(n), -np.ones(m), [0.0]])
    limits = [(None, None)] * n + [(0.0, 1.0)] * m + [(1.0, None)]
    result = linprog(objective, A_ub=inequalities, b_ub=np.zeros(m), A_eq=equalities, b_eq=np.zeros(len(matrix)),
                     bounds=limits, method="highs")  # fmt: skip
    if result.status != 0:  # not feasible: cannot happen with the true figures; claim nothing
        return np.zeros(n, bool)
    tight = result.x[n : n + m] < 0.5
    pinned = np.concatenate([lower, upper])[tight]
    system = np.vstack([matrix, np.eye(n)[pinned]]) if len(pinned) else matrix
    _, singular, vt = np.linalg.svd(system)
    rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
    null = vt[rank:]
    return np.abs(null).max(axis=0) <= _TOLERANCE if len(null) else np.ones(n, bool)
