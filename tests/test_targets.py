"""indicators.targets: a quarter's 95% interval judged against a target in the desired direction."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators.registry import Direction
from indicators.targets import Judgement, judge, judge_quarters, latest_judgement


@pytest.mark.parametrize(
    ("low", "high", "target", "direction", "expected"),
    [
        (0.50, 0.60, 0.45, Direction.UP, Judgement.MET),  # wholly above, up is good
        (0.30, 0.40, 0.45, Direction.UP, Judgement.NOT_MET),  # wholly below
        (0.40, 0.50, 0.45, Direction.UP, Judgement.UNDECIDED),  # contains the target
        (0.45, 0.50, 0.45, Direction.UP, Judgement.UNDECIDED),  # touching is containing
        (0.05, 0.08, 0.10, Direction.DOWN, Judgement.MET),  # wholly below, down is good
        (0.12, 0.20, 0.10, Direction.DOWN, Judgement.NOT_MET),
        (0.08, 0.12, 0.10, Direction.DOWN, Judgement.UNDECIDED),
        (math.nan, math.nan, 0.10, Direction.UP, Judgement.NOT_JUDGED),  # suppressed or no figure
        (None, 0.2, 0.10, Direction.UP, Judgement.NOT_JUDGED),
        (0.1, 0.2, None, Direction.UP, Judgement.NOT_JUDGED),
    ],
)
def test_judge(low, high, target, direction, expected):
    assert judge(low, high, target, direction) is expected


def test_judge_quarters_and_the_latest_judged_quarter():
    trend = pd.DataFrame({"period": ["2025Q1", "2025Q2", "2025Q3"], "ci_low": [0.3, 0.5, math.nan],
                          "ci_high": [0.4, 0.6, math.nan]})  # fmt: skip
    assert judge_quarters(trend, 0.45, Direction.UP) == [Judgement.NOT_MET, Judgement.MET, Judgement.NOT_JUDGED]
    assert latest_judgement(trend, 0.45, Direction.UP) == ("2025Q2", Judgement.MET)
    assert latest_judgement(trend.iloc[2:], 0.45, Direction.UP) is None
