"""The attention list (dashboard.figures.attention): worse than the nation and worsening, by the tests."""

import numpy as np
import pandas as pd

from dashboard.figures.attention import (
    ATTENTION_COLUMNS,
    WORSE_AND_WORSENING,
    attention_list,
    empty_list,
    worse_and_worsening,
)
from dashboard.figures.overview import overview_table
from indicators.aggregate import COLUMNS
from indicators.statistics import wilson_interval
from reference.periods import Period

PERIODS = [str(Period.from_index(Period.parse_code("2023Q2").index + i)) for i in range(8)]  # 2023 K2 - 2025 K1
LAST = PERIODS[-1]
RISING = [200, 220, 240, 260, 280, 300, 320, 340]  # of 800: a tested rise, ending at 42,5%
FLAT = [340] * 8


def series(level, code, indicator, numerators, denominator, shown=None):
    r = np.array(numerators, dtype=float)
    n = np.full(len(r), float(denominator))
    low, high = wilson_interval(r, n)
    low99, high99 = wilson_interval(r, n, 0.998)
    frame = pd.DataFrame({
        "level": level, "area_code": code, "area_name": f"Regio {code}" if level == "region" else "Nederland",
        "period": PERIODS, "indicator": indicator, "numerator": pd.array(numerators, "Int64"),
        "denominator": pd.array([denominator] * len(r), "Int64"), "value": r / n, "ci_low": low, "ci_high": high,
        "reported": 5, "expected": 5, "ci99_low": low99, "ci99_high": high99,
        "population": pd.array([pd.NA] * len(r), "Int64"),
    })  # fmt: skip
    frame["shown"] = pd.array(shown or [pd.NA] * len(r), dtype="string")
    return frame[[*COLUMNS, "shown"]]


def table(*frames):
    return pd.concat(frames, ignore_index=True)


NATION = [
    series("national", "NL", "plegerhulp_uitval", [2000] * 8, 10_000),  # 20% dropout: lower is better
    series("national", "NL", "huisverbod_km", [5000] * 8, 10_000),  # 50%: higher is better
]


def points(frame):
    regions = frame.loc[frame["level"] == "region"]
    return worse_and_worsening(overview_table(frame.loc[frame["period"] == LAST]), regions, LAST)


def test_worse_and_worsening_is_listed_with_its_link():
    found = points(table(*NATION, series("region", "VR01", "plegerhulp_uitval", RISING, 800)))
    assert list(found.columns) == list(ATTENTION_COLUMNS)
    assert found.to_dict("records") == [
        {
            "area_code": "VR01",
            "area_name": "Regio VR01",
            "indicator": "plegerhulp_uitval",
            "indicator_name": "Voortijdige uitval plegerhulp",
            "reason": WORSE_AND_WORSENING,
            "detail": "slechter dan landelijk (99,8%) in 2025 K1; stijgend in de 8 kwartalen tot en met 2025 K1",
            "href": "/regio?code=VR01#regio-plegerhulp_uitval",
        }
    ]


def test_the_desired_direction_decides_what_worsening_is():
    falling = [600, 575, 550, 525, 500, 475, 450, 425]  # of 1000, higher is better; worse at the end
    found = points(table(*NATION, series("region", "VR05", "huisverbod_km", falling, 1000)))
    assert list(found["indicator"]) == ["huisverbod_km"]
    assert found["detail"].iloc[0].endswith("dalend in de 8 kwartalen tot en met 2025 K1")


def test_worse_but_not_worsening_or_worsening_but_not_worse_is_not_listed():
    frame = table(
        *NATION,
        series("region", "VR02", "plegerhulp_uitval", FLAT, 800),  # worse, no change
        series("region", "VR03", "plegerhulp_uitval", [10, 12, 14, 16, 18, 20, 22, 24], 800),  # rising, but better
        series("region", "VR04", "plegerhulp_uitval", [400, 380, 360, 340, 320, 300, 280, 260], 800),  # improving
    )
    assert points(frame).empty


def test_a_suppressed_quarter_leaves_the_cell_off_the_list():
    hidden_earlier = [pd.NA] * 3 + [""] + [pd.NA] * 4  # breaks the run of quarters: no trend
    hidden_latest = [pd.NA] * 7 + [""]  # not compared with the nation
    frame = table(
        *NATION,
        series("region", "VR06", "plegerhulp_uitval", RISING, 800, shown=hidden_earlier),
        series("region", "VR07", "plegerhulp_uitval", RISING, 800, shown=hidden_latest),
        series("region", "VR08", "plegerhulp_uitval", RISING, 800),
    )
    assert list(points(frame)["area_code"]) == ["VR08"]


def test_the_list_is_ordered_by_region_and_indicator_and_takes_more_sources():
    frame = table(
        *NATION,
        series("region", "VR09", "plegerhulp_uitval", RISING, 800),
        series("region", "VR01", "plegerhulp_uitval", RISING, 800),
    )
    other = pd.DataFrame([{"area_code": "VR01", "area_name": "Regio VR01", "indicator": "huisverbod_km",
                           "indicator_name": "Inzet huisverbod bij kindermishandeling", "reason": "een andere bron",
                           "detail": "", "href": "/regio?code=VR01#regio-huisverbod_km"}])  # fmt: skip
    combined = attention_list(points(frame), other)
    assert list(zip(combined["area_code"], combined["indicator"], strict=True)) == [
        ("VR01", "huisverbod_km"),
        ("VR01", "plegerhulp_uitval"),
        ("VR09", "plegerhulp_uitval"),
    ]
    assert attention_list().empty and attention_list(empty_list()).empty
    assert list(attention_list().columns) == list(ATTENTION_COLUMNS)


def test_a_target_missed_on_the_whole_interval_is_an_attention_point():
    from dashboard.figures.attention import TARGET_MISSED, targets_missed
    from db.steering import Target
    from indicators.registry import INDICATORS_BY_CODE

    uitval, bereik = INDICATORS_BY_CODE["plegerhulp_uitval"], INDICATORS_BY_CODE["plegerhulp_bereik"]  # down, up
    series = pd.DataFrame(
        [
            # area, indicator, period, ci_low, ci_high: uitval 30-40% against 20% (down is better): missed
            ("VR01", "Groningen", uitval.code, "2025Q1", 0.30, 0.40),
            ("VR02", "Friesland", uitval.code, "2025Q1", 0.15, 0.25),  # contains the target: not yet to say
            ("VR03", "Drenthe", bereik.code, "2025Q1", 0.50, 0.60),  # above 45% (up is better): met
            ("VR04", "IJsselland", bereik.code, "2025Q1", None, None),  # suppressed: not judged
            ("VR01", "Groningen", uitval.code, "2024Q4", 0.30, 0.40),  # another quarter
        ],
        columns=["area_code", "area_name", "indicator", "period", "ci_low", "ci_high"],
    )
    targets = {
        ("VR01", uitval.code): Target("region", "VR01", uitval.code, 0.20, "2026Q4"),
        ("VR02", uitval.code): Target("region", "VR02", uitval.code, 0.20, "2026Q4"),
        ("VR03", bereik.code): Target("region", "VR03", bereik.code, 0.45, "2026Q4"),
        ("VR04", bereik.code): Target("region", "VR04", bereik.code, 0.45, "2026Q4"),
    }
    points = targets_missed(series, targets, "2025Q1")
    assert points[["area_code", "indicator", "reason"]].values.tolist() == [["VR01", uitval.code, TARGET_MISSED]]
    assert points["href"].tolist() == ["/regio?code=VR01#regio-plegerhulp_uitval"]
    assert targets_missed(series, {}, "2025Q1").empty
