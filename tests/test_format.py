import math

import pandas as pd
import pytest

from dashboard.format import number, percent, period_label


@pytest.mark.parametrize(
    "x, digits, expected",
    [(1234, 0, "1.234"), (1234567.891, 2, "1.234.567,89"), (36.25, 1, "36,3"), (0.5, 0, "1"), (2.5, 0, "3"),
     (-1234.5, 1, "-1.234,5"), (0, 0, "0"), (None, 0, "–"), (math.nan, 1, "–"), (pd.NA, 0, "–")],
)  # fmt: skip
def test_number_in_dutch_notation(x, digits, expected):
    assert number(x, digits) == expected


@pytest.mark.parametrize(
    "fraction, digits, expected",
    [(0.125, 1, "12,5%"), (0.3625, 1, "36,3%"), (1, 0, "100%"), (0.0004, 1, "0,0%"), (None, 1, "–")],
)
def test_percent(fraction, digits, expected):
    assert percent(fraction, digits) == expected


def test_period_label():
    assert period_label("2024Q1") == "2024 K1"
