"""Tested recent trends: *stijgend* or *dalend* only when a chi-square test for trend says so.

The model is Fingertips' recent trend (`TrendMarkerCalculator` in fingertips-open, and
`assign_trend_markers` in PHEindicatormethods): a chi-square test for trend on the most recent
points, an unbroken run back from the latest value, significant at chi-square > 9.5495 (p < 0.002,
one degree of freedom), and a direction only when the slope keeps its sign in the fit on all points
and in every fit that leaves one point out.

- Proportions: the chi-square test for trend (Armitage) on numerators and denominators; the
  direction is the sign of the least-squares slope of logit(numerator / denominator) on time.
  Not calculated when a numerator in the run is 0 or equals its denominator (the logit is infinite).
- Counts and rates: weighted regression of the value on time, weights 1/SE² with
  SE = (upper95 − lower95) / 3.92; chi-square = (slope / SE of the slope)².

Quarters have seasons, and Fingertips tests annual data only. Adapted so: the **eight most recent
quarters** (two years), with a **quarter-of-year term** — the same quarter of the two years forms a
stratum, and the tests above are taken within the strata (the stratified Armitage test; a weighted
regression with an intercept per quarter of the year). With two points per stratum this is exactly
the year-over-year comparison: each quarter against the same quarter a year earlier, the four
differences pooled by inverse variance; a season does not look like a trend, and a trend is a move
that holds over the four quarters of the year. Leaving one point out leaves its quarter with one
point, which then says nothing: the direction holds only when no single quarter carries it.
With one stratum (`seasons=1`) the formulas are Fingertips' own, which the tests check.

Pure functions of numpy arrays and of frames of the indicator table (columns period, numerator,
denominator, value, ci_low, ci_high, and `shown` where a figure is suppressed for the user).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.special import chdtri  # what scipy.stats.chi2.isf computes, without importing scipy.stats

from indicators.registry import Direction, Unit
from reference.periods import Period

POINTS = 8  # the most recent quarters: two years
SEASONS = 4  # quarters of the year, each its own stratum
SIGNIFICANCE = 0.002
CHI2_LIMIT = float(chdtri(1, SIGNIFICANCE))  # 9.5495..., as Fingertips' 9.54953570608324
Z95 = 3.92  # width of a 95% interval in standard errors (2 × 1.96), as Fingertips


class TrendKind(StrEnum):
    RISING = "stijgend"
    FALLING = "dalend"
    NO_CHANGE = "geen duidelijke verandering"
    CANNOT = "niet te berekenen"


@dataclass(frozen=True)
class Trend:
    """The recent trend of one series: what it is, over which quarters, and the test behind it."""

    kind: TrendKind
    first: str | None = None  # period code of the run's first quarter (`2023Q4`)
    last: str | None = None  # and of its last: the latest quarter with a value
    chi2: float | None = None
    slope: float | None = None  # per quarter: logit for proportions, the value for counts and rates
    reason: str = ""  # Dutch: why it is not calculated, or why a significant slope was not called


def strata(t: np.ndarray, seasons: int) -> np.ndarray:
    """The stratum of each time point: its quarter of the year (t mod `seasons`); one stratum when 1."""
    return np.asarray(t, dtype=int) % max(seasons, 1)


def _centred(t: np.ndarray, stratum: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Time minus its weighted mean within the stratum (a point alone in its stratum gets 0)."""
    centred = np.zeros(len(t))
    for s in np.unique(stratum):
        at = stratum == s
        centred[at] = t[at] - np.sum(weight[at] * t[at]) / np.sum(weight[at])
    return centred


def armitage_chi2(numerator: np.ndarray, denominator: np.ndarray, t: np.ndarray, stratum: np.ndarray) -> float:
    """The chi-square test for trend in proportions (Armitage), stratified: U² / V with
    U = Σ t·(r − n·p_s) and V = Σ_s p_s(1 − p_s)·(Σ n·t² − (Σ n·t)² / N_s), p_s the stratum's pooled
    proportion. One stratum: N·(N·Σrt − R·Σnt)² / (R·(N − R)·(N·Σnt² − (Σnt)²)), as Fingertips."""
    r, n, t = (np.asarray(x, dtype=float) for x in (numerator, denominator, t))
    score, variance = 0.0, 0.0
    for s in np.unique(stratum):
        at = stratum == s
        total, cases = n[at].sum(), r[at].sum()
        p = cases / total
        score += np.sum(t[at] * (r[at] - n[at] * p))
        variance += p * (1 - p) * (np.sum(n[at] * t[at] ** 2) - np.sum(n[at] * t[at]) ** 2 / total)
    return float(score**2 / variance) if variance > 0 else float("nan")


def weighted_chi2(value: np.ndarray, se: np.ndarray, t: np.ndarray, stratum: np.ndarray) -> tuple[float, float]:
    """Weighted least squares of the value on time (weights 1/SE², an intercept per stratum):
    the slope and chi-square = (slope / SE of the slope)²."""
    y, w, t = np.asarray(value, dtype=float), 1.0 / np.asarray(se, dtype=float) ** 2, np.asarray(t, dtype=float)
    centred = _centred(t, stratum, w)
    spread = np.sum(w * centred**2)
    if spread <= 0:
        return float("nan"), float("nan")
    slope = np.sum(w * centred * y) / spread
    return float(slope), float(slope**2 * spread)  # Var(slope) = 1 / spread


def logit_slope(numerator: np.ndarray, denominator: np.ndarray, t: np.ndarray, stratum: np.ndarray) -> float:
    """The least-squares slope of logit(r / n) on time, an intercept per stratum (Fingertips' direction)."""
    r, n, t = (np.asarray(x, dtype=float) for x in (numerator, denominator, t))
    logit = np.log(r / (n - r))
    centred = _centred(t, stratum, np.ones(len(t)))
    spread = np.sum(centred**2)
    return float(np.sum(centred * logit) / spread) if spread > 0 else float("nan")


def _slope(unit: Unit, columns: dict[str, np.ndarray], t: np.ndarray, stratum: np.ndarray) -> float:
    if unit is Unit.PROPORTION:
        return logit_slope(columns["numerator"], columns["denominator"], t, stratum)
    return weighted_chi2(columns["value"], columns["se"], t, stratum)[0]


def _direction_holds(unit: Unit, columns: dict[str, np.ndarray], t: np.ndarray, stratum: np.ndarray) -> bool:
    """Whether the slope has one sign in the fit on all points and in each fit leaving one out."""
    full = _slope(unit, columns, t, stratum)
    tolerance = 1e-9 * abs(full)  # a slope this small is rounding, not a direction
    keep = np.ones(len(t), dtype=bool)
    for i in range(len(t)):
        keep[i] = False
        part = {name: column[keep] for name, column in columns.items()}
        refit = _slope(unit, part, t[keep], stratum[keep])
        keep[i] = True
        if np.isnan(refit) or abs(refit) <= tolerance or np.sign(refit) != np.sign(full):
            return False
    return full != 0


def _valid(frame: pd.DataFrame, unit: Unit) -> np.ndarray:
    """Which rows can be used: known and shown figures (a suppressed or missing one breaks the run)."""
    shown = frame["shown"].isna().to_numpy() if "shown" in frame else np.ones(len(frame), dtype=bool)
    if unit is Unit.PROPORTION:
        r = frame["numerator"].to_numpy(float, na_value=np.nan)
        n = frame["denominator"].to_numpy(float, na_value=np.nan)
        return shown & ~np.isnan(r) & ~np.isnan(n) & (n > 0)
    low, high = (frame[c].to_numpy(float, na_value=np.nan) for c in ("ci_low", "ci_high"))
    value = frame["value"].to_numpy(float, na_value=np.nan)
    return shown & ~np.isnan(value) & ~np.isnan(low) & ~np.isnan(high) & (high > low)


def recent_run(frame: pd.DataFrame, unit: Unit, points: int = POINTS) -> pd.DataFrame:
    """The last `points` rows of the unbroken run of calendar quarters back from the latest usable
    one (it stops at the first quarter that is missing, unknown or suppressed), oldest first."""
    if frame.empty:
        return frame.iloc[:0]
    index = np.array([Period.parse_code(str(p)).index for p in frame["period"]])
    order = np.argsort(index, kind="stable")
    rows, index = frame.iloc[order], index[order]
    valid = _valid(rows, unit)
    if not valid.any():
        return rows.iloc[:0]
    end = int(np.flatnonzero(valid)[-1])
    start = end
    while start > 0 and valid[start - 1] and index[start - 1] == index[start] - 1 and end - start + 1 < points:
        start -= 1
    return rows.iloc[start : end + 1]


def recent_trend(frame: pd.DataFrame, unit: Unit, points: int = POINTS, seasons: int = SEASONS) -> Trend:
    """The tested recent trend of one area's quarters of one indicator (see the module docstring)."""
    run = recent_run(frame, unit, points)
    if len(run) < points:
        return Trend(TrendKind.CANNOT, reason=f"minder dan {points} aaneengesloten kwartalen met een cijfer")
    first, last = str(run["period"].iloc[0]), str(run["period"].iloc[-1])
    t = np.arange(1, points + 1, dtype=float)
    stratum = strata(np.array([Period.parse_code(p).index for p in run["period"].astype(str)]), seasons)
    if unit is Unit.PROPORTION:
        r, n = (run[c].to_numpy(float, na_value=np.nan) for c in ("numerator", "denominator"))
        if np.any(r <= 0) or np.any(r >= n):
            return Trend(TrendKind.CANNOT, first, last, reason="een kwartaal met 0% of 100%")
        columns = {"numerator": r, "denominator": n}
        chi2 = armitage_chi2(r, n, t, stratum)
    else:
        low, high = (run[c].to_numpy(float, na_value=np.nan) for c in ("ci_low", "ci_high"))
        columns = {"value": run["value"].to_numpy(float, na_value=np.nan), "se": (high - low) / Z95}
        chi2 = weighted_chi2(columns["value"], columns["se"], t, stratum)[1]
    slope = _slope(unit, columns, t, stratum)
    if np.isnan(chi2) or np.isnan(slope):
        return Trend(TrendKind.CANNOT, first, last, reason="geen spreiding in de cijfers")
    if chi2 <= CHI2_LIMIT:
        return Trend(TrendKind.NO_CHANGE, first, last, chi2, slope, reason="chi-kwadraat niet boven de grens")
    if not _direction_holds(unit, columns, t, stratum):
        return Trend(TrendKind.NO_CHANGE, first, last, chi2, slope, reason="de richting hangt af van één kwartaal")
    return Trend(TrendKind.RISING if slope > 0 else TrendKind.FALLING, first, last, chi2, slope)


def favourable(trend: Trend, direction: Direction) -> bool | None:
    """True when the trend goes the desired way, False when it goes the wrong way, None without one."""
    if trend.kind not in (TrendKind.RISING, TrendKind.FALLING):
        return None
    return (trend.kind is TrendKind.RISING) == (direction is Direction.UP)


def worsening(trend: Trend, direction: Direction) -> bool:
    """Whether the tested trend goes against the indicator's desired direction."""
    return favourable(trend, direction) is False
