import math

import pandas as pd
import pytest

from indicators.compare import Comparison, compare, compare_frame
from indicators.registry import Direction

UP, DOWN = Direction.UP, Direction.DOWN


@pytest.mark.parametrize(
    "low, high, benchmark, direction, expected",
    [
        (0.30, 0.40, 0.25, UP, Comparison.BETTER),  # wholly above, and up is good
        (0.30, 0.40, 0.25, DOWN, Comparison.WORSE),  # wholly above, and down is good
        (0.10, 0.20, 0.25, UP, Comparison.WORSE),
        (0.10, 0.20, 0.25, DOWN, Comparison.BETTER),
        (0.20, 0.30, 0.25, UP, Comparison.SIMILAR),
        (0.25, 0.30, 0.25, UP, Comparison.SIMILAR),  # touching the benchmark is not a difference
        (math.nan, math.nan, 0.25, UP, Comparison.NOT_COMPARED),
        (0.2, 0.3, math.nan, UP, Comparison.NOT_COMPARED),
        (None, 0.3, 0.25, UP, Comparison.NOT_COMPARED),
    ],
)
def test_compare_respects_the_desired_direction(low, high, benchmark, direction, expected):
    assert compare(low, high, benchmark, direction) is expected


def test_compare_frame_at_both_levels():
    frame = pd.DataFrame(
        {"ci_low": [0.30, 0.30], "ci_high": [0.40, 0.40], "ci99_low": [0.24, 0.26], "ci99_high": [0.45, 0.44]}
    )
    benchmark = pd.Series([0.25, 0.25])
    assert compare_frame(frame, benchmark, UP).tolist() == [Comparison.BETTER, Comparison.BETTER]
    assert compare_frame(frame, benchmark, UP, level="99.8").tolist() == [Comparison.SIMILAR, Comparison.BETTER]
