"""Confidence intervals by the methods of PHE Fingertips and the R package PHEindicatormethods.

- Proportions: Wilson score method (PHEindicatormethods ``wilson_lower``/``wilson_upper``).
- Counts (and so rates = count / population): Byar's method for counts >= 10 and the exact
  chi-square method below 10, as ``phe_rate`` does (``if_else(x < 10, qchisq(...), byars_...)``).
- Exact Poisson limits on their own: lower = qchisq(alpha/2, 2x)/2,
  upper = qchisq(1-alpha/2, 2x+2)/2.

Conventions shared by all functions:

- Inputs are scalars or array-likes (lists, numpy arrays, pandas Series, nullable ``Int64``);
  they are broadcast against each other like numpy arrays.
- The result is always a pair ``(lower, upper)`` of float64 ``numpy.ndarray``; scalar input gives
  0-d arrays (use ``float(lower)``). A pandas index is not carried over.
- Proportion limits are fractions in 0..1, count limits are counts (divide by the population and
  multiply by e.g. 100_000 for rate limits).
- Rows with a missing input, a zero denominator, a negative count or a numerator above its
  denominator give NaN for both bounds; nothing raises on bad data. An invalid ``confidence``
  (not strictly between 0 and 1) raises ``ValueError``.
- ``confidence`` is a fraction: 0.95, or 0.998 for the Fingertips 99.8% limits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaincinv, ndtri  # not scipy.stats: importing it takes about a second

__all__ = ["BYAR_MIN_COUNT", "byar_interval", "exact_poisson_interval", "wilson_interval"]

BYAR_MIN_COUNT = 10
"""Counts at or above this use Byar's method; below it the exact method (as in ``phe_rate``)."""

Interval = tuple[np.ndarray, np.ndarray]


def _as_float(values: Any) -> np.ndarray:
    """Convert a scalar or array-like (including pandas NA/None) to a float64 array."""
    if isinstance(values, (pd.Series, pd.Index)) or pd.api.types.is_extension_array_dtype(values):
        return pd.Series(values).to_numpy(dtype=float, na_value=np.nan)
    arr = np.asarray(values)
    if arr.dtype == object:
        arr = np.asarray(pd.to_numeric(arr.ravel()), dtype=float).reshape(arr.shape)
    return arr.astype(float)


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level given as a fraction."""
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a fraction between 0 and 1, got {confidence!r}")
    return float(ndtri(0.5 + float(confidence) / 2.0))  # what scipy.stats.norm.ppf computes


def chi2_ppf(q: float, df: Any) -> np.ndarray:
    """The chi-square quantile, for 0 < q < 1 and df > 0: what scipy.stats.chi2.ppf computes, bit for bit."""
    return np.asarray(2.0 * gammaincinv(np.asarray(df, dtype=float) / 2.0, q), dtype=float)


def wilson_interval(numerator: Any, denominator: Any, confidence: float = 0.95) -> Interval:
    """Wilson score limits (fractions 0..1) for numerator/denominator, as PHEindicatormethods."""
    z = _z(confidence)
    x, n = np.broadcast_arrays(_as_float(numerator), _as_float(denominator))
    valid = (n > 0) & (x >= 0) & (x <= n)  # False wherever an input is NaN
    xs, ns = np.where(valid, x, 0.0), np.where(valid, n, 1.0)
    root = z * np.sqrt(z * z + 4.0 * xs * (1.0 - xs / ns))
    lower = (2.0 * xs + z * z - root) / (2.0 * (ns + z * z))
    upper = (2.0 * xs + z * z + root) / (2.0 * (ns + z * z))
    lower = np.where(xs == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(xs == ns, 1.0, np.clip(upper, 0.0, 1.0))
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


def exact_poisson_interval(count: Any, confidence: float = 0.95) -> Interval:
    """Exact chi-square Poisson limits: qchisq(a/2, 2x)/2 and qchisq(1-a/2, 2x+2)/2."""
    _z(confidence)  # validates confidence
    alpha = 1.0 - float(confidence)
    x = _as_float(count)
    valid = x >= 0
    xs = np.where(valid, x, 1.0)
    lower = np.where(xs > 0, chi2_ppf(alpha / 2.0, 2.0 * np.where(xs > 0, xs, 1.0)) / 2.0, 0.0)
    upper = chi2_ppf(1.0 - alpha / 2.0, 2.0 * xs + 2.0) / 2.0
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


def byar_interval(count: Any, confidence: float = 0.95) -> Interval:
    """Count limits as phe_rate: Byar's method for counts >= 10, exact Poisson limits below 10."""
    z = _z(confidence)
    x = _as_float(count)
    valid = x >= 0
    xs = np.where(valid & (x >= BYAR_MIN_COUNT), x, float(BYAR_MIN_COUNT))  # avoid 0 and NaN
    byar_lower = xs * (1.0 - 1.0 / (9.0 * xs) - z / (3.0 * np.sqrt(xs))) ** 3
    byar_upper = (xs + 1.0) * (1.0 - 1.0 / (9.0 * (xs + 1.0)) + z / (3.0 * np.sqrt(xs + 1.0))) ** 3
    exact_lower, exact_upper = exact_poisson_interval(np.where(valid, x, 0.0), confidence)
    small = x < BYAR_MIN_COUNT
    lower = np.where(small, exact_lower, byar_lower)
    upper = np.where(small, exact_upper, byar_upper)
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)
