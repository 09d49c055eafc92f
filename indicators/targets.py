"""Judging a value against a target (streefwaarde), as Fingertips' target comparers do.

Per quarter, on the 95% interval, in the indicator's desired direction: *gehaald* when the whole
interval lies on the good side of the target, *niet gehaald* when it lies wholly on the bad side,
*nog niet te zeggen* when it contains the target. A quarter without a value or interval (also one
suppressed for the reader) is not judged.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from indicators.compare import Comparison, compare
from indicators.registry import Direction


class Judgement(StrEnum):
    MET = "gehaald"
    NOT_MET = "niet gehaald"
    UNDECIDED = "nog niet te zeggen"
    NOT_JUDGED = "niet te beoordelen"  # no value or interval


_FROM_COMPARISON = {
    Comparison.BETTER: Judgement.MET,
    Comparison.WORSE: Judgement.NOT_MET,
    Comparison.SIMILAR: Judgement.UNDECIDED,
    Comparison.NOT_COMPARED: Judgement.NOT_JUDGED,
}


def judge(low: float | None, high: float | None, target: float | None, direction: Direction) -> Judgement:
    """One quarter's 95% interval against the target."""
    values = [np.nan if x is None or x is pd.NA else float(x) for x in (low, high, target)]
    return _FROM_COMPARISON[compare(*values, direction)]


def judge_quarters(trend: pd.DataFrame, target: float | None, direction: Direction) -> list[Judgement]:
    """`judge` for every row of a frame with columns ci_low and ci_high."""
    return [judge(lo, hi, target, direction) for lo, hi in zip(trend["ci_low"], trend["ci_high"], strict=True)]


def latest_judgement(trend: pd.DataFrame, target: float | None, direction: Direction) -> tuple[str, Judgement] | None:
    """The latest quarter that could be judged and its judgement; None when none could."""
    judged = [(p, j) for p, j in zip(trend["period"], judge_quarters(trend, target, direction), strict=True)
              if j is not Judgement.NOT_JUDGED]  # fmt: skip
    return max(judged, key=lambda pj: pj[0]) if judged else None
