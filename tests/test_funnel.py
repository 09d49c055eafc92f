"""Funnel plot control limits and outlier levels against the published test values of PHEindicatormethods.

Every reference value below comes from the test data of the R package PHEindicatormethods
(github.com/ukhsa-collaboration/PHEindicatormethods, folder tests/testthat), the implementation of
the PHE Fingertips funnel plot methods; the file is named at each table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.funnel import FunnelPosition, funnel_limits, funnel_position, proportion_limits, rate_limits
from indicators.registry import Unit
from indicators.statistics import wilson_interval

# testdata_funnel_prop_outputs.csv (phe_funnels on testdata_funnel_prop_inputs.csv, multiplier 100):
# Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit; Baseline 80.642448.
PROPORTION_BASELINE = 0.80642448
PROPORTION_LIMITS = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (102, 72.974925, 88.309971, 68.553233, 92.731663),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (9998, 79.867989, 81.416907, 79.421375, 81.863521),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize(("n", "low95", "high95", "low998", "high998"), PROPORTION_LIMITS)
def test_proportion_limits_match_phe_funnels(n, low95, high95, low998, high998):
    for confidence, low, high in ((0.95, low95, high95), (0.998, low998, high998)):
        got_low, got_high = proportion_limits(n, PROPORTION_BASELINE, confidence)
        assert float(got_low[0]) * 100 == pytest.approx(low, abs=1e-5)
        assert float(got_high[0]) * 100 == pytest.approx(high, abs=1e-5)


# testdata_funnel_rate_outputs.csv (phe_funnels, statistic "rate", rate_type "dsr", multiplier
# 100000, years_of_data 3; baseline 116.1720835 per 100,000): Events, lower_2s_population_1_year,
# lower_2s_limit, upper_2s_population_1_year, upper_2s_limit, and the same for 3s (99.8%).
RATE_BASELINE = 116.1720835 / 100_000
RATE_YEARS = 3
RATE_LIMITS = [
    # events, population (1 year) and limit: lower 95%, upper 95%, lower 99.8%, upper 99.8%
    (1, (1598.675694, 20.85059119), (7.264481402, 4588.535848),
     (2649.348525, 12.58170943), (0.287087625, 116108.569)),
    (10, (5276.757672, 63.17010446), (1375.943768, 242.2579623),
     (6924.776769, 48.13632908), (849.4639547, 392.4043292)),
    (99, (34583.45945, 95.42133877), (23087.10848, 142.9369123),
     (38382.78582, 85.97604186), (20393.92315, 161.8129075)),
    (1360, (411529.9259, 110.158048), (369759.5622, 122.6021934),
     (424043.2424, 106.9073359), (358342.3275, 126.5084525)),
]  # fmt: skip


@pytest.mark.parametrize(("events", "low95", "high95", "low998", "high998"), RATE_LIMITS)
def test_rate_limits_match_phe_funnels(events, low95, high95, low998, high998):
    # phe_funnels gives, per number of events, the population at which it is the limit; at that
    # population our limit is that rate (per 100,000). Its bisection (poisson_funnel) stops at a step
    # of 1e-7 in v = mu / (1 + events + mu), a relative error near 1e-4 for the smallest mu; ours is exact.
    for confidence, side, (population_1_year, limit) in (
        (0.95, 0, low95), (0.95, 1, high95), (0.998, 0, low998), (0.998, 1, high998),
    ):  # fmt: skip
        population = population_1_year * RATE_YEARS
        got = rate_limits(population, RATE_BASELINE, confidence)[side]
        assert float(got[0]) * 100_000 == pytest.approx(limit, rel=1e-4)
        assert float(got[0]) * population == pytest.approx(events, rel=1e-4)  # the events behind the limit


# testdata_funnel_prop_inputs.csv: Area, numerator, denominator, significance (phe_funnel_significance);
# the average of all its rows is the Baseline above.
PROPORTION_SIGNIFICANCE = [
    ("New Forest PCT", 35078.4880, 41980, FunnelPosition.HIGH_998),  # High (0.001)
    ("Norwich PCT", 24803.6256, 31824, FunnelPosition.LOW_998),  # Low (0.001)
    ("South Gloucestershire PCT", 50050.7443, 61921, FunnelPosition.INSIDE),  # Not significant
    ("West Norfolk PCT", 26789.2380, 33012, FunnelPosition.HIGH_95),  # High (0.025)
    ("North Devon PCT", 30277.5312, 37828, FunnelPosition.LOW_95),  # Low (0.025)
    ("North Tees PCT", 36850.0492, 45449, FunnelPosition.HIGH_95),
    ("East Devon PCT", 21139.2936, 25992, FunnelPosition.HIGH_95),
    ("Mid Devon PCT", 20759.6500, 25750, FunnelPosition.INSIDE),
    ("Heywood and Middleton PCT", 14493.3552, 17964, FunnelPosition.INSIDE),
    ("Bradford City PCT", 18365.4621, 29277, FunnelPosition.LOW_998),
]


def test_proportion_positions_match_phe_funnel_significance():
    _, numerators, denominators, expected = zip(*PROPORTION_SIGNIFICANCE, strict=True)
    got = funnel_position(numerators, denominators, PROPORTION_BASELINE, Unit.PROPORTION)
    assert list(got) == [e.value for e in expected]


# testdata_funnel_rate_dsr_inputs.csv: count, pop and the column crude_per_100000_with_0
# (phe_funnel_significance, statistic "rate", rate_type "crude", multiplier 100000, all 40 rows;
# the average is the sum of the counts over the sum of the populations).
H3, H2, NS, L2, L3 = "high_998", "high_95", "inside", "low_95", "low_998"
RATE_SIGNIFICANCE = [
    (2419, 264102, H3), (2337, 259711, H3), (2291, 289247, H3), (2242, 265029, H3), (2218, 284649, H3),
    (2159, 293578, H3), (2130, 286718, H3), (2111, 307381, NS), (2105, 274145, H3), (2083, 297424, H2),
    (2078, 272628, H3), (2062, 269656, H3), (2061, 294692, H2), (2033, 277710, H3), (2033, 259213, H3),
    (2010, 285516, H2), (2004, 269449, H3), (2002, 290888, NS), (1977, 287112, NS), (1944, 286492, NS),
    (1932, 287012, NS), (1922, 291277, NS), (1912, 289859, NS), (1881, 289653, NS), (1844, 282519, NS),
    (1835, 274220, NS), (1833, 280271, NS), (1825, 284206, NS), (1816, 274508, NS), (1809, 288384, L2),
    (1798, 287072, L2), (1754, 282744, L3), (1746, 289208, L3), (1709, 287736, L3), (1694, 296175, L3),
    (1688, 303255, L3), (1649, 285959, L3), (1553, 274661, L3), (1332, 281425, L3), (0, 297820, L3),
]  # fmt: skip


def test_rate_positions_match_phe_funnel_significance():
    counts, populations, expected = (np.array(column) for column in zip(*RATE_SIGNIFICANCE, strict=True))
    average = counts.sum() / populations.sum()
    assert list(funnel_position(counts, populations, average, Unit.RATE)) == list(expected)
    # Without the row of 0 events the average rises, and the column crude_per_100000_without_0 says so.
    kept = counts > 0
    without = funnel_position(counts[kept], populations[kept], counts[kept].sum() / populations[kept].sum(), Unit.RATE)
    assert list(without[[13, 15, 23, 26, 27, 30]]) == [H2, NS, L2, L2, L2, L3]


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize(("numerator", "denominator"), [(0, 7), (3, 10), (12, 40), (40, 100), (330, 1000), (9, 9)])
def test_outside_the_proportion_limits_exactly_when_the_wilson_interval_excludes_the_benchmark(
    numerator, denominator, confidence
):
    benchmark = 0.3
    low, high = proportion_limits(denominator, benchmark, confidence)
    value = numerator / denominator
    outside_funnel = value < low[0] or value > high[0]
    ci_low, ci_high = wilson_interval(numerator, denominator, confidence)
    assert outside_funnel == (benchmark < ci_low or benchmark > ci_high)


def test_positions_of_missing_and_invalid_points_are_none():
    got = funnel_position([5, None, 3, -1], [10, 10, 0, 10], 0.5, Unit.PROPORTION)
    assert list(got) == ["inside", "none", "none", "none"]
    got = funnel_position(pd.array([5, pd.NA], dtype="Int64"), pd.array([1000, 1000], dtype="Int64"), 0.005, Unit.RATE)
    assert list(got) == ["inside", "none"]


def test_limits_frame_is_smooth_ordered_and_scaled():
    frame = funnel_limits(Unit.RATE, 48.6e-5, 3_000, 1_400_000, scale=100_000)
    assert list(frame.columns) == ["x", "centre", "low_95", "high_95", "low_998", "high_998"]
    assert len(frame) == 200
    assert frame["x"].iloc[0] == 1.0  # the largest base is more than twice the smallest: from the origin
    assert frame["x"].iloc[-1] == pytest.approx(1_400_000 * 1.05)
    assert frame["centre"].tolist() == pytest.approx([48.6] * 200)
    assert (frame["low_998"] <= frame["low_95"]).all() and (frame["low_95"] <= frame["centre"]).all()
    assert (frame["centre"] <= frame["high_95"]).all() and (frame["high_95"] <= frame["high_998"]).all()
    assert frame["high_95"].is_monotonic_decreasing and frame["low_95"].is_monotonic_increasing


def test_limits_frame_starts_near_the_smallest_base_when_the_bases_are_close():
    frame = funnel_limits(Unit.PROPORTION, 0.2, 400, 700)
    assert frame["x"].iloc[0] == pytest.approx(380)
    assert frame["low_998"].between(0, 1).all() and frame["high_998"].between(0, 1).all()


def test_funnel_of_a_count_is_refused():
    with pytest.raises(ValueError, match="proportion or a rate"):
        funnel_limits(Unit.COUNT, 10, 1, 100)
    with pytest.raises(ValueError, match="proportion or a rate"):
        funnel_position([1], [2], 0.5, Unit.COUNT)


def test_zero_benchmark_rate_has_zero_limits():
    low, high = rate_limits([1000, 0], 0.0)
    assert list(low[:1]) == [0.0] and list(high[:1]) == [0.0]
    assert np.isnan(low[1]) and np.isnan(high[1])
