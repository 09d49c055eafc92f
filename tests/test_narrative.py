"""The plain-language line above a trend chart."""

import math

import pandas as pd
import pytest

from dashboard.figures.narrative import describe
from indicators.registry import Direction, Unit
from reference.periods import Period

UP, DOWN, PROPORTION = Direction.UP, Direction.DOWN, Unit.PROPORTION


def region(values, start="2022Q1", half_width=0.01, reported=None, expected=None, denominator=1000):
    """The region's quarters from `start`, one proportion each (None: no value) of `denominator`,
    interval value ± half_width."""
    first = Period.parse_code(start).index
    periods = [str(Period.from_index(first + i)) for i in range(len(values))]
    value = pd.Series([math.nan if v is None else v for v in values], dtype=float)
    numerator = pd.array([None if v is None else round(v * denominator) for v in values], dtype="Int64")
    frame = pd.DataFrame(
        {"period": periods, "numerator": numerator, "denominator": pd.array([denominator] * len(values), "Int64"),
         "value": value, "ci_low": value - half_width, "ci_high": value + half_width}
    )  # fmt: skip
    if reported is not None:
        frame["reported"], frame["expected"] = reported, expected
    return frame


def nation(frame, value):
    return pd.DataFrame({"period": frame["period"], "value": value})


RISING = [0.20, 0.22, 0.24, 0.26, 0.28, 0.30, 0.32, 0.34]  # 1000 a quarter: a tested rise, 2022 K1 - 2023 K4
TOO_FEW = "Trend niet te berekenen: minder dan 8 aaneengesloten kwartalen met een cijfer."


def test_the_old_rule_is_gone_a_four_quarter_average_up_6_percent_over_a_wide_band_is_no_trend():
    frame = region([0.20] * 4 + [0.212] * 4, denominator=50, half_width=0.12)
    assert describe(frame, nation(frame, 0.2), UP, PROPORTION).startswith("Geen duidelijke verandering")


@pytest.mark.parametrize(
    "values, national, direction, expected",
    [
        (RISING, 0.30, UP, "Stijgend in de 8 kwartalen tot en met 2023 K4 en boven het landelijk gemiddelde: "
                           "beide gunstig."),
        (RISING, 0.30, DOWN, "Stijgend in de 8 kwartalen tot en met 2023 K4 en boven het landelijk gemiddelde: "
                             "beide ongunstig."),
        (RISING, 0.50, UP, "Stijgend in de 8 kwartalen tot en met 2023 K4 (gunstig), maar onder het landelijk "
                           "gemiddelde (ongunstig)."),
        (RISING, 0.34, UP, "Stijgend in de 8 kwartalen tot en met 2023 K4 (gunstig), vergelijkbaar met het "
                           "landelijk gemiddelde."),
        (RISING[::-1], 0.10, DOWN, "Dalend in de 8 kwartalen tot en met 2023 K4 (gunstig), maar boven het "
                                   "landelijk gemiddelde (ongunstig)."),
        ([0.2] * 8, 0.30, UP, "Geen duidelijke verandering in de 8 kwartalen tot en met 2023 K4, onder het "
                              "landelijk gemiddelde (ongunstig)."),
        ([0.2] * 8, 0.30, DOWN, "Geen duidelijke verandering in de 8 kwartalen tot en met 2023 K4, onder het "
                                "landelijk gemiddelde (gunstig)."),
        ([0.2] * 8, 0.205, UP, "Geen duidelijke verandering in de 8 kwartalen tot en met 2023 K4, vergelijkbaar "
                               "met het landelijk gemiddelde."),
        ([0.2] * 5, 0.10, UP, f"Boven het landelijk gemiddelde (gunstig). {TOO_FEW}"),
        ([0.2] * 5, 0.20, UP, f"Vergelijkbaar met het landelijk gemiddelde. {TOO_FEW}"),
    ],
)  # fmt: skip
def test_describe(values, national, direction, expected):
    frame = region(values)
    assert describe(frame, nation(frame, national), direction, PROPORTION) == expected


def test_describe_a_rate_by_its_interval():
    frame = region([10.0, 11.0, 9.0, 10.0, 14.0, 15.0, 13.0, 14.0], half_width=1.96)  # SE 1: chi-square 32
    assert describe(frame, nation(frame, math.nan), UP, Unit.RATE) == (
        "Stijgend in de 8 kwartalen tot en met 2023 K4 (gunstig)."
    )
    wide = region([10.0, 11.0, 9.0, 10.0, 14.0, 15.0, 13.0, 14.0], half_width=4 * 1.96)  # SE 4: chi-square 2
    assert describe(wide, nation(wide, math.nan), UP, Unit.RATE).startswith("Geen duidelijke verandering")


def test_describe_without_figures():
    frame = region([None, None])
    assert describe(frame, nation(frame, 0.3), UP, PROPORTION) == "Nog geen cijfers voor deze regio."
    assert describe(frame.iloc[:0], nation(frame, 0.3), UP, PROPORTION) == "Nog geen cijfers voor deze regio."


def test_describe_without_a_national_value():
    frame = region(RISING)
    assert describe(frame, nation(frame, math.nan), UP, PROPORTION) == (
        "Stijgend in de 8 kwartalen tot en met 2023 K4 (gunstig)."
    )
    assert describe(frame, nation(frame, 0.3).iloc[:0], DOWN, PROPORTION) == (
        "Stijgend in de 8 kwartalen tot en met 2023 K4 (ongunstig)."
    )
    short = region([0.2] * 3)
    assert describe(short, nation(short, math.nan), UP, PROPORTION) == TOO_FEW


def test_describe_says_which_quarter_when_the_latest_has_no_value():
    frame = region([0.2] * 8 + [None])
    assert describe(frame, nation(frame, 0.3), UP, PROPORTION) == (
        "Geen duidelijke verandering in de 8 kwartalen tot en met 2023 K4, in 2023 K4 onder het landelijk "
        "gemiddelde (ongunstig)."
    )


def test_describe_warns_when_the_latest_quarter_is_incomplete():
    frame = region([0.2] * 8 + [None], reported=[6] * 7 + [2, 0], expected=[6] * 9)
    assert describe(frame, nation(frame, 0.2), UP, PROPORTION) == (
        "Geen duidelijke verandering in de 8 kwartalen tot en met 2023 K4, in 2023 K4 vergelijkbaar met het "
        "landelijk gemiddelde. "
        "Let op: in 2023 K4 leverden 2 van 6 gemeenten aan."
    )
    complete = region([0.2] * 8, reported=[6] * 8, expected=[6] * 8)
    assert "Let op" not in describe(complete, nation(complete, 0.2), UP, PROPORTION)
