"""Compare an area with a benchmark (the nation, or its own baseline) the way Fingertips does.

An area differs significantly from the benchmark value when the benchmark lies outside the area's
confidence interval. Whether higher is better follows the indicator's desired direction.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from indicators.registry import Direction


class Comparison(StrEnum):
    BETTER = "beter"
    SIMILAR = "gelijk"
    WORSE = "slechter"
    NOT_COMPARED = "niet te vergelijken"  # no value, or no interval


def higher_or_lower(low: float, high: float, benchmark: float) -> int:
    """+1 when the whole interval lies above the benchmark, -1 below, 0 when it contains it."""
    if low > benchmark:
        return 1
    if high < benchmark:
        return -1
    return 0


def compare(low: float, high: float, benchmark: float, direction: Direction) -> Comparison:
    """The Fingertips judgement of one interval against a benchmark value."""
    if any(x is None or (isinstance(x, float) and np.isnan(x)) for x in (low, high, benchmark)):
        return Comparison.NOT_COMPARED
    side = higher_or_lower(low, high, benchmark)
    if side == 0:
        return Comparison.SIMILAR
    better = side > 0 if direction is Direction.UP else side < 0
    return Comparison.BETTER if better else Comparison.WORSE


def compare_frame(frame: pd.DataFrame, benchmark: pd.Series, direction: Direction, level: str = "95") -> pd.Series:
    """`compare` for each row of `frame` (columns ci_low/ci_high, or ci99_low/ci99_high for level '99.8')."""
    low, high = ("ci_low", "ci_high") if level == "95" else ("ci99_low", "ci99_high")
    return pd.Series(
        [compare(lo, hi, b, direction) for lo, hi, b in zip(frame[low], frame[high], benchmark, strict=True)],
        index=frame.index,
        dtype=object,
    )
