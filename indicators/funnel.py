"""Funnel plot control limits and outlier levels by the methods of PHE Fingertips.

Follows the R package PHEindicatormethods (UKHSA, formerly Public Health England), which
implements the Fingertips technical guidance (https://fingertips.phe.org.uk/profile/guidance):

- ``R/Funnels.R``: ``phe_funnels`` (the limit curves), ``sigma_adjustment`` (limits for a
  proportion) and ``phe_funnel_significance`` (the level at which a point is an outlier);
- ``R/utils.R``: ``poisson_funnel`` (limits for a rate, by inverting the Poisson distribution) and
  ``funnel_ratio_significance`` (a rate's own Byar / exact interval against the average).

The funnel is drawn around a benchmark (here the national value) at two levels: 95% (two-sided,
p = 0.975 on each side, "2 sigma") and 99.8% (p = 0.999, "3 sigma").

Proportions. ``sigma_adjustment`` solves a quadratic whose roots are, in closed form,

    limit(n) = p ± z * sqrt(p * (1 - p) / n)

for the benchmark proportion p and denominator n, clipped to 0..1 (``phe_funnels`` clips the same
way). These are exactly the values at which an area's Wilson score interval would just touch the
benchmark, so a point lies outside the 95% limits precisely when its 95% Wilson interval (the
interval the indicator table stores) excludes the national value.

Rates (events per inhabitant). ``poisson_funnel`` finds, by bisection, the Poisson mean at which a
number of events sits at the 2.5% (0.1%) tail; ``phe_funnels`` then plots events / population over
a grid of events. Equivalently, for the expected number of events mu = rate * population, the
lower limit is the event count L with P(L + 1, mu) = 1 - alpha/2 and the upper limit the count U
with P(U, mu) = alpha/2, where P is the regularised lower incomplete gamma function (the exact
chi-square relation of the Poisson distribution). We solve those for L and U directly with
``scipy.special.gdtrib`` so the limits can be evaluated at any population.

Outlier levels follow ``phe_funnel_significance``: for a proportion, the point's value against the
limits at its own denominator; for a rate, the benchmark against the point's own interval (Byar's
method from 10 events, exact below, as ``funnel_ratio_significance`` and the indicator table do).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gdtrib, ndtri

from indicators.registry import Unit
from indicators.statistics import byar_interval

__all__ = [
    "LEVELS",
    "FunnelPosition",
    "funnel_limits",
    "funnel_position",
    "proportion_limits",
    "rate_limits",
]

LEVELS = (0.95, 0.998)
"""The Fingertips control limits: 95% ("2 sigma") and 99.8% ("3 sigma")."""

GRID_POINTS = 200

Interval = tuple[np.ndarray, np.ndarray]


class FunnelPosition(StrEnum):
    """Where a point lies against the funnel, as ``phe_funnel_significance`` labels it."""

    HIGH_998 = "high_998"  # above the 99.8% limit ("High (0.001)")
    HIGH_95 = "high_95"  # above the 95% limit only ("High (0.025)")
    INSIDE = "inside"  # "Not significant"
    LOW_95 = "low_95"  # below the 95% limit only ("Low (0.025)")
    LOW_998 = "low_998"  # below the 99.8% limit ("Low (0.001)")
    NONE = "none"  # no value: not plotted


def _z(confidence: float) -> float:
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a fraction between 0 and 1, got {confidence!r}")
    return float(ndtri(0.5 + float(confidence) / 2.0))  # scipy.stats.norm.ppf, without importing scipy.stats


def _floats(values: Any) -> np.ndarray:
    return pd.Series(np.atleast_1d(np.asarray(values, dtype=object))).astype("Float64").to_numpy(float, na_value=np.nan)


def proportion_limits(denominator: Any, benchmark: float, confidence: float = 0.95) -> Interval:
    """Control limits (fractions 0..1) at each denominator around a benchmark proportion.

    PHEindicatormethods ``sigma_adjustment`` in closed form: p ± z·sqrt(p(1-p)/n), clipped to 0..1.
    A denominator that is missing or not positive gives NaN.
    """
    z = _z(confidence)
    n = _floats(denominator)
    p = float(benchmark)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(p * (1.0 - p) / np.where(n > 0, n, np.nan))
    return np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)


def rate_limits(population: Any, benchmark: float, confidence: float = 0.95) -> Interval:
    """Control limits (events per inhabitant) at each population around a benchmark rate.

    The exact Poisson limits of PHEindicatormethods ``poisson_funnel``, solved for the event count
    at the expected count mu = benchmark × population; the lower limit is 0 where even no events
    would lie inside it. Multiply by e.g. 100_000 for a rate per 100,000.
    """
    alpha = 1.0 - float(confidence)
    _z(confidence)
    n = _floats(population)
    valid = n > 0
    mu = np.where(valid, float(benchmark) * np.where(valid, n, 1.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        low_events = gdtrib(1.0, 1.0 - alpha / 2.0, mu) - 1.0
        high_events = gdtrib(1.0, alpha / 2.0, mu)
        low = np.maximum(low_events, 0.0) / n
        high = high_events / n
    if float(benchmark) <= 0:  # no events expected: any event lies outside (PHE divides by zero here)
        low = high = np.zeros_like(n)
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def _limits(unit: Unit, x: Any, benchmark: float, confidence: float) -> Interval:
    if unit is Unit.PROPORTION:
        return proportion_limits(x, benchmark, confidence)
    if unit is Unit.RATE:
        return rate_limits(x, benchmark, confidence)
    raise ValueError(f"a funnel needs a proportion or a rate, not a {unit}")


def funnel_limits(
    unit: Unit, benchmark: float, x_min: float, x_max: float, points: int = GRID_POINTS, scale: float = 1.0
) -> pd.DataFrame:
    """The limit curves over [x_min, x_max]: columns x, centre, low_95, high_95, low_998, high_998.

    As ``phe_funnels``: the axis starts at 0 (the grid at 1) when the largest denominator is more
    than twice the smallest, and the grid is geometric so the curves are smooth where they bend.
    Values are multiplied by `scale` (e.g. 100_000 for a rate per 100,000).
    """
    x_min, x_max = float(x_min), float(x_max)
    start = 1.0 if x_max > 2 * x_min else max(1.0, x_min * 0.95)
    stop = max(x_max * 1.05, start + 1.0)
    x = np.geomspace(start, stop, points)
    frame = pd.DataFrame({"x": x, "centre": float(benchmark) * scale})
    for confidence, suffix in zip(LEVELS, ("95", "998"), strict=True):
        low, high = _limits(unit, x, benchmark, confidence)
        frame[f"low_{suffix}"] = low * scale
        frame[f"high_{suffix}"] = high * scale
    return frame


def funnel_position(numerator: Any, denominator: Any, benchmark: float, unit: Unit) -> np.ndarray:
    """`FunnelPosition` values for each point, as ``phe_funnel_significance``.

    Proportions: the value numerator/denominator against the limits at its denominator. Rates:
    the benchmark rate against the point's own 95% / 99.8% interval (Byar, exact below 10 events).
    A point without numerator or a positive denominator is `FunnelPosition.NONE`.
    """
    x, n = np.broadcast_arrays(_floats(numerator), _floats(denominator))
    valid = (n > 0) & (x >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = x / np.where(valid, n, np.nan)
    checks = []  # in the order phe_funnel_significance tests them
    for confidence, low_label, high_label in (
        (0.998, FunnelPosition.LOW_998, FunnelPosition.HIGH_998),
        (0.95, FunnelPosition.LOW_95, FunnelPosition.HIGH_95),
    ):
        if unit is Unit.PROPORTION:
            low, high = proportion_limits(n, benchmark, confidence)
            below, above = value < low, value > high
        elif unit is Unit.RATE:
            ci_low, ci_high = byar_interval(x, confidence)
            with np.errstate(divide="ignore", invalid="ignore"):
                below = benchmark > ci_high / n
                above = benchmark < ci_low / n
        else:
            raise ValueError(f"a funnel needs a proportion or a rate, not a {unit}")
        checks.append((below, low_label, above, high_label))
    result = np.full(x.shape, FunnelPosition.INSIDE.value, dtype=object)
    for below, low_label, above, high_label in reversed(checks):  # the 99.8% level wins
        result[above] = high_label.value
        result[below] = low_label.value
    result[~valid] = FunnelPosition.NONE.value
    return result
