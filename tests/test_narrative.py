"""The plain-language line above a trend chart."""

import math

import pandas as pd
import pytest

from dashboard.figures.narrative import FALLING, RISING, STABLE, UNKNOWN, Trend, describe, trend
from indicators.registry import Direction
from reference.periods import Period

UP, DOWN = Direction.UP, Direction.DOWN


def region(values, start="2022Q1", half_width=0.01, reported=None, expected=None):
    """The region's quarters from `start`, one value each (None: no value), interval value ± half_width."""
    first = Period.parse_code(start).index
    periods = [str(Period.from_index(first + i)) for i in range(len(values))]
    value = pd.Series([math.nan if v is None else v for v in values], dtype=float)
    frame = pd.DataFrame(
        {"period": periods, "value": value, "ci_low": value - half_width, "ci_high": value + half_width}
    )
    if reported is not None:
        frame["reported"], frame["expected"] = reported, expected
    return frame


def nation(frame, value):
    return pd.DataFrame({"period": frame["period"], "value": value})


FLAT_THEN_RISING = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.18, 0.22, 0.24, 0.26, 0.28, 0.30, 0.32, 0.34, 0.36]
# A high year (2022), two low years, then a rise to a plateau at 0.3: it rises since the low after the
# moving average last stood above 0.3 (2023 K2, at 0.35): the most recent of the equal lows, 2024 K4.
PEAK_TROUGH_RISE = [0.5] * 4 + [0.2] * 8 + [0.25, 0.25, 0.3, 0.3, 0.3, 0.3, 0.3]


@pytest.mark.parametrize(
    "values, expected",
    [
        (FLAT_THEN_RISING, Trend(RISING, "2023Q3")),  # the moving average is lowest in 2023 K3 (0,195)
        ([1 - v for v in FLAT_THEN_RISING], Trend(FALLING, "2023Q3")),
        (PEAK_TROUGH_RISE, Trend(RISING, "2024Q4")),
        ([0.20] * 4 + [0.204] * 4, Trend(STABLE)),  # +2%
        ([20.0] * 4 + [20.8] * 4, Trend(STABLE)),  # +4%
        ([20.0] * 4 + [21.2] * 4, Trend(RISING, "2022Q4")),  # +6%: since the first full year
        ([20.0] * 4 + [18.8] * 4, Trend(FALLING, "2022Q4")),  # -6%
        ([0.0] * 8, Trend(STABLE)),
        ([0.0] * 4 + [1.0] * 4, Trend(RISING, "2022Q4")),  # from nothing to something
        ([0.2] * 7, Trend(UNKNOWN)),  # seven quarters are not two years
        ([0.2] * 4 + [None] + [0.3] * 3, Trend(UNKNOWN)),  # a gap in the last two years
        ([None] * 3, Trend(UNKNOWN)),
    ],
)
def test_trend(values, expected):
    assert trend(region(values)) == expected


def test_trend_looks_at_the_quarters_up_to_the_latest_with_a_value():
    values = [20.0] * 4 + [21.2] * 4 + [None, None]
    assert trend(region(values)) == Trend(RISING, "2022Q4")


def test_trend_ignores_the_order_of_the_rows():
    assert trend(region(FLAT_THEN_RISING).iloc[::-1]) == Trend(RISING, "2023Q3")


@pytest.mark.parametrize(
    "values, national, direction, expected",
    [
        (FLAT_THEN_RISING, 0.30, UP, "Stijgend sinds 2023 K3 en boven het landelijk gemiddelde: beide gunstig."),
        (FLAT_THEN_RISING, 0.30, DOWN, "Stijgend sinds 2023 K3 en boven het landelijk gemiddelde: beide ongunstig."),
        (FLAT_THEN_RISING, 0.50, UP,
         "Stijgend sinds 2023 K3 (gunstig), maar onder het landelijk gemiddelde (ongunstig)."),
        (FLAT_THEN_RISING, 0.36, UP, "Stijgend sinds 2023 K3 (gunstig), vergelijkbaar met het landelijk gemiddelde."),
        ([0.2] * 8, 0.30, UP, "Stabiel in het afgelopen jaar, onder het landelijk gemiddelde (ongunstig)."),
        ([0.2] * 8, 0.30, DOWN, "Stabiel in het afgelopen jaar, onder het landelijk gemiddelde (gunstig)."),
        ([0.2] * 8, 0.205, UP, "Stabiel in het afgelopen jaar, vergelijkbaar met het landelijk gemiddelde."),
        ([0.3] * 4 + [0.2] * 4, 0.10, DOWN,
         "Dalend sinds 2022 K4 (gunstig), maar boven het landelijk gemiddelde (ongunstig)."),
        ([0.2] * 5, 0.10, UP, "Boven het landelijk gemiddelde (gunstig). Te weinig kwartalen voor een trend."),
        ([0.2] * 5, 0.20, UP, "Vergelijkbaar met het landelijk gemiddelde. Te weinig kwartalen voor een trend."),
    ],
)  # fmt: skip
def test_describe(values, national, direction, expected):
    frame = region(values)
    assert describe(frame, nation(frame, national), direction) == expected


def test_describe_without_figures():
    frame = region([None, None])
    assert describe(frame, nation(frame, 0.3), UP) == "Nog geen cijfers voor deze regio."
    assert describe(frame.iloc[:0], nation(frame, 0.3), UP) == "Nog geen cijfers voor deze regio."


def test_describe_without_a_national_value():
    frame = region(FLAT_THEN_RISING)
    assert describe(frame, nation(frame, math.nan), UP) == "Stijgend sinds 2023 K3 (gunstig)."
    assert describe(frame, nation(frame, 0.3).iloc[:0], DOWN) == "Stijgend sinds 2023 K3 (ongunstig)."
    short = region([0.2] * 3)
    assert describe(short, nation(short, math.nan), UP) == "Te weinig kwartalen voor een trend."


def test_describe_says_which_quarter_when_the_latest_has_no_value():
    frame = region([0.2] * 8 + [None])
    assert describe(frame, nation(frame, 0.3), UP) == (
        "Stabiel in het afgelopen jaar, in 2023 K4 onder het landelijk gemiddelde (ongunstig)."
    )


def test_describe_warns_when_the_latest_quarter_is_incomplete():
    frame = region([0.2] * 8 + [None], reported=[6] * 7 + [2, 0], expected=[6] * 9)
    assert describe(frame, nation(frame, 0.2), UP) == (
        "Stabiel in het afgelopen jaar, in 2023 K4 vergelijkbaar met het landelijk gemiddelde. "
        "Let op: in 2023 K4 leverden 2 van 6 gemeenten aan."
    )
    complete = region([0.2] * 8, reported=[6] * 8, expected=[6] * 8)
    assert "Let op" not in describe(complete, nation(complete, 0.2), UP)
