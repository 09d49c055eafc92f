"""Tested recent trends (indicators.trend): hand-computed chi-squares and Fingertips' own formulas."""

import math

import numpy as np
import pandas as pd
import pytest

from indicators.registry import Direction, Unit
from indicators.statistics import wilson_interval
from indicators.trend import (
    CHI2_LIMIT,
    Trend,
    TrendKind,
    armitage_chi2,
    recent_run,
    recent_trend,
    strata,
    weighted_chi2,
    worsening,
)
from reference.periods import Period

RISING, FALLING, NO_CHANGE, CANNOT = TrendKind.RISING, TrendKind.FALLING, TrendKind.NO_CHANGE, TrendKind.CANNOT


def quarters(count, start="2023Q4"):
    first = Period.parse_code(start).index
    return [str(Period.from_index(first + i)) for i in range(count)]


def proportions(numerators, denominators, start="2023Q4"):
    """A region's quarters of a proportion from `start` (None: no figure), Wilson intervals as stored."""
    r = pd.array(numerators, dtype="Int64")
    n = pd.array(denominators if isinstance(denominators, list) else [denominators] * len(r), dtype="Int64")
    low, high = wilson_interval(r, n)
    value = r.to_numpy(float, na_value=np.nan) / n.to_numpy(float, na_value=np.nan)
    return pd.DataFrame({"period": quarters(len(r), start), "numerator": r, "denominator": n, "value": value,
                         "ci_low": low, "ci_high": high})  # fmt: skip


def rates(values, se=1.0, start="2023Q4"):
    """Quarters of a rate with a symmetric 95% interval of `se` standard errors (SE = width / 3.92)."""
    value = np.array([np.nan if v is None else v for v in values], dtype=float)
    return pd.DataFrame({"period": quarters(len(value), start), "numerator": pd.array([pd.NA] * len(value), "Int64"),
                         "denominator": pd.array([pd.NA] * len(value), "Int64"), "value": value,
                         "ci_low": value - 1.96 * se, "ci_high": value + 1.96 * se})  # fmt: skip


def test_the_limit_is_fingertips_chi_square_at_p_0_002():
    from scipy.stats import chi2

    assert pytest.approx(9.54953570608324, abs=1e-9) == CHI2_LIMIT
    assert float(chi2.isf(0.002, 1)) == CHI2_LIMIT  # bit for bit, without importing scipy.stats


# --- the formulas, with one stratum: exactly Fingertips' ------------------------------------------


def test_armitage_with_one_stratum_is_fingertips_formula():
    r, n, t = np.array([10, 20, 30, 40, 50]), np.array([100] * 5), np.arange(1, 6)
    # N = 500, R = 150, Σrt = 550, Σnt = 1500, Σnt² = 5500:
    # χ² = 500·(500·550 − 150·1500)² / (150·350·(500·5500 − 1500²)) = 1,25e12 / 2,625e10 = 47,619
    assert armitage_chi2(r, n, t, strata(t, 1)) == pytest.approx(1.25e12 / 2.625e10)


def test_weighted_regression_with_one_stratum_is_fingertips_formula():
    y, se, t = np.array([3.0, 4.5, 4.0, 6.0, 7.5]), np.array([1.0, 0.5, 2.0, 1.0, 0.8]), np.arange(1, 6)
    w = 1 / se**2  # Fingertips' sums: Val1 = 1/SE², Val2 = y·t/SE², Val3 = t/SE², Val4 = y/SE², Val5 = t²/SE²
    s1, s2, s3, s4, s5 = w.sum(), (w * y * t).sum(), (w * t).sum(), (w * y).sum(), (w * t * t).sum()
    slope = (s1 * s2 - s3 * s4) / (s1 * s5 - s3**2)
    beta = math.sqrt(s1 / (s1 * s5 - s3**2))
    assert weighted_chi2(y, se, t, strata(t, 1)) == pytest.approx((slope, (slope / beta) ** 2))


# --- quarters: eight of them, a stratum per quarter of the year ------------------------------------


def test_a_clear_rise():
    # 200 a quarter; each quarter 16 more than the same quarter a year before. Per stratum (two
    # points four quarters apart): U_s = 4·(r_b·n_a − r_a·n_b)/(n_a + n_b) = 4·3200/400 = 32, and
    # V_s = 16·p_s(1 − p_s)·n_a·n_b/(n_a + n_b) = 1600·p_s(1 − p_s) with p_s = 0,24 / 0,26 / 0,28 / 0,30.
    frame = proportions([40, 44, 48, 52, 56, 60, 64, 68], 200)
    chi2 = 128**2 / (1600 * (0.24 * 0.76 + 0.26 * 0.74 + 0.28 * 0.72 + 0.30 * 0.70))  # 13,02
    found = recent_trend(frame, Unit.PROPORTION)
    assert (found.kind, found.first, found.last) == (RISING, "2023Q4", "2025Q3")
    assert found.chi2 == pytest.approx(chi2) and chi2 > CHI2_LIMIT
    assert worsening(found, Direction.DOWN) and not worsening(found, Direction.UP)


def test_a_clear_fall():
    frame = proportions([68, 64, 60, 56, 52, 48, 44, 40], 200)
    found = recent_trend(frame, Unit.PROPORTION)
    assert found.kind is FALLING and found.slope < 0
    assert found.chi2 == pytest.approx(128**2 / (1600 * (0.30 * 0.70 + 0.28 * 0.72 + 0.26 * 0.74 + 0.24 * 0.76)))
    assert worsening(found, Direction.UP)


def test_a_noisy_flat_series_is_no_trend():
    # 20 a quarter (a 95% band some 35 points wide); the second year is 15% above the first, which the
    # old rule called rising. U_s = 2·(r_b − r_a) = 4, 2, 0, 2; V_s = 160·p_s(1 − p_s), p_s = 10/40,
    # 19/40, 10/40, 17/40: χ² = 8² / (160·0,86875) = 0,46.
    frame = proportions([4, 9, 5, 8, 6, 10, 5, 9], 20)
    found = recent_trend(frame, Unit.PROPORTION)
    assert found.kind is NO_CHANGE
    assert found.chi2 == pytest.approx(64 / (160 * (0.1875 + 0.249375 + 0.1875 + 0.244375)))
    assert frame["ci_high"].iloc[0] - frame["ci_low"].iloc[0] > 0.3


def test_a_seasonal_series_without_trend_is_no_trend():
    # The same four quarters twice: every stratum has r_b = r_a, so U = 0 and χ² = 0. Without the
    # quarter-of-year term the rise within each year would pass the test: N = 800, R = 280, Σrt = 1360,
    # Σnt = 3600, Σnt² = 20400: χ² = 800·80000² / (280·520·3360000) = 10,47.
    frame = proportions([20, 30, 40, 50, 20, 30, 40, 50], 100)
    assert recent_trend(frame, Unit.PROPORTION) == Trend(NO_CHANGE, "2023Q4", "2025Q3", 0.0, 0.0,
                                                         "chi-kwadraat niet boven de grens")  # fmt: skip
    without_seasons = recent_trend(frame, Unit.PROPORTION, seasons=1)
    assert without_seasons.chi2 == pytest.approx(800 * 80000**2 / (280 * 520 * 3_360_000))
    assert without_seasons.kind is RISING


def test_a_rate_that_rises_year_over_year():
    # SE 1 everywhere: each quarter 4 above the same quarter a year before, variance 1 + 1 = 2; pooled
    # by inverse variance: χ² = (Σ d/2)² / Σ 1/2 = 8² / 2 = 32, slope 4 per year = 1 per quarter.
    found = recent_trend(rates([10, 11, 9, 10, 14, 15, 13, 14]), Unit.RATE)
    assert (found.kind, found.chi2, found.slope) == (RISING, pytest.approx(32.0), pytest.approx(1.0))


def test_a_rate_with_a_wide_interval_is_no_trend():
    found = recent_trend(rates([10, 11, 9, 10, 14, 15, 13, 14], se=4.0), Unit.RATE)
    assert found.kind is NO_CHANGE and found.chi2 == pytest.approx(2.0)  # 32 / 16


def test_one_quarter_alone_does_not_make_a_trend():
    # Only the last quarter moved: χ² = (20/2)² / 2 = 50, but leaving it out leaves no slope.
    found = recent_trend(rates([10, 10, 10, 10, 10, 10, 10, 30]), Unit.COUNT)
    assert (found.kind, found.chi2) == (NO_CHANGE, pytest.approx(50.0))
    assert found.reason == "de richting hangt af van één kwartaal"


# --- which quarters ---------------------------------------------------------------------------------


def test_a_series_with_a_gap_uses_the_unbroken_run_back_from_the_latest_value():
    # a gap two years and a quarter ago: the eight quarters after it are used
    rising = [40, 44, 48, 52, 56, 60, 64, 68]
    frame = proportions([100, 10, None, *rising], 200, start="2023Q1")
    found = recent_trend(frame, Unit.PROPORTION)
    assert (found.kind, found.first, found.last) == (RISING, "2023Q4", "2025Q3")
    assert found.chi2 == pytest.approx(recent_trend(proportions(rising, 200), Unit.PROPORTION).chi2)


def test_a_gap_within_the_last_eight_quarters_leaves_too_few():
    frame = proportions([40, 44, 48, 52, 56, None, 64, 68, 72], 200, start="2023Q3")
    found = recent_trend(frame, Unit.PROPORTION)
    assert found == Trend(CANNOT, reason="minder dan 8 aaneengesloten kwartalen met een cijfer")
    assert list(recent_run(frame, Unit.PROPORTION)["period"]) == ["2025Q1", "2025Q2", "2025Q3"]


def test_a_quarter_without_a_row_is_a_gap_too():
    frame = proportions([40, 44, 48, 52, 56, 60, 64, 68, 72], 200, start="2023Q3").drop(index=4)
    assert recent_trend(frame, Unit.PROPORTION).kind is CANNOT


def test_the_run_ends_at_the_latest_quarter_with_a_value_and_ignores_row_order():
    frame = proportions([40, 44, 48, 52, 56, 60, 64, 68, None], 200).iloc[::-1]
    found = recent_trend(frame, Unit.PROPORTION)
    assert (found.kind, found.first, found.last) == (RISING, "2023Q4", "2025Q3")


def test_a_suppressed_quarter_breaks_the_run():
    frame = proportions([40, 44, 48, 52, 56, 60, 64, 68], 200)
    frame["shown"] = pd.array([pd.NA] * 3 + ["<5"] + [pd.NA] * 4, dtype="string")
    assert recent_trend(frame, Unit.PROPORTION).kind is CANNOT
    assert len(recent_run(frame, Unit.PROPORTION)) == 4


@pytest.mark.parametrize("numerators", [[0, 44, 48, 52, 56, 60, 64, 68], [40, 44, 48, 52, 56, 60, 64, 200]])
def test_a_quarter_of_0_or_100_percent_cannot_be_tested(numerators):
    found = recent_trend(proportions(numerators, 200), Unit.PROPORTION)
    assert (found.kind, found.reason) == (CANNOT, "een kwartaal met 0% of 100%")


def test_too_few_quarters_and_none():
    assert recent_trend(proportions([40] * 7, 200), Unit.PROPORTION).kind is CANNOT
    assert recent_trend(proportions([None] * 9, 200), Unit.PROPORTION).kind is CANNOT
    assert recent_trend(proportions([], 200), Unit.PROPORTION).kind is CANNOT


def test_only_the_eight_latest_quarters_count():
    older_fall = [90, 85, 80, 75, 70, 65, 60]
    frame = proportions([*older_fall, 40, 44, 48, 52, 56, 60, 64, 68], 200, start="2022Q1")
    assert recent_trend(frame, Unit.PROPORTION) == recent_trend(proportions([40, 44, 48, 52, 56, 60, 64, 68], 200),
                                                                Unit.PROPORTION)  # fmt: skip
