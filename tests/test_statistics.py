"""Tests for indicators.statistics against values PUBLISHED by PHEindicatormethods / PHE.

Sources (all in the GitHub repository ukhsa-collaboration/PHEindicatormethods, formerly
PublicHealthEngland/PHEindicatormethods; the printed R output was produced by the package itself):

[A] inst/doc/IntroductiontoPHEindicatormethods.html, commit d7dcb0a1ce3a5fb2b59f94d525bd470872778176
    (vignette dated 2018-04-26): phe_proportion / phe_rate output for 8 areas.
[B] inst/doc/PHEindicatormethodsIntroVignette.html, commit b0fa919dc65e4ae212253b0566095b158f55bcd1
    (first-release vignette, v1.0.0): phe_proportion / phe_rate output for 8 areas.
[C] "vignettes/Introduction to PHEindicatormethods.html", commit
    a59b7b39fbb0a31fd5b9a7eadc3c901ebee92e3e (vignette dated 2019-03-07): phe_proportion /
    phe_rate output for 8 areas, plus grouped phe_rate output.
[F] tests/testthat/testdata_funnel_ratio_outputs.csv,
    commit 8ac28e54249d9b01d586b19d1d1b39f5af3d49ac:
    testthat expectations for the ratio funnel. For an observed count x the "exp_events" columns
    are the expected counts at which x sits on the 95% ("2s") / 99.8% ("3s") limit, i.e. the exact
    Poisson limits of x (upper_*_exp_events = lower limit, lower_*_exp_events = upper limit).
    They come from a numerical solution and agree with qchisq to about 1e-6 (5e-5 for the tiny
    99.8% lower limit of x = 1), hence rtol 1e-4.
[G] PHE Fingertips technical guidance, Rates:
    https://fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Basic_statistics/Rates.html
    ("Counts of 10 or greater": Byar; "Counts of less than 10": chi-square exact method), and
    the PHE "Technical Guide - Confidence Intervals" (25 May 2018): "for 95% confidence
    intervals, Byar's method is within 0.2% of the exact value for numerators of 10 or more".
[N] Newcombe RG (1998) Two-sided confidence intervals for the single proportion,
    Stat Med 17:857-872, Table I, Wilson score method without continuity correction:
    81/263 -> 0.2553 to 0.3662.

Rounding: R printed [A]-[C] with 7 significant digits, so rtol 1e-6 covers the rounding of the
published figures; the grouped rows of [C] are tibble output with 5 significant digits (rtol 5e-5).
The vignettes were made with package versions 1.0.x; the methods are unchanged in the current
R/Wilson.R and R/Rates.R (phe_rate: if_else(x < 10, qchisq(...)/2, byars_...)).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from indicators.statistics import byar_interval, exact_poisson_interval, wilson_interval

VIGNETTE_RTOL = 1e-6

# (numerator, denominator, published lowercl, published uppercl, source) - phe_proportion, 95%
WILSON_95 = [
    (68, 174, 0.32141284, 0.46491370, "A"),
    (86, 189, 0.38563304, 0.52621164, "A"),
    (18, 179, 0.06455836, 0.15334331, "A"),
    (29, 107, 0.19583556, 0.36209159, "A"),
    (99, 102, 0.91706943, 0.98994755, "A"),
    (74, 102, 0.63189437, 0.80271793, "A"),
    (8, 155, 0.02638210, 0.09853151, "A"),
    (94, 114, 0.74449994, 0.88346241, "A"),
    (87, 131, 0.579592491, 0.73930053, "B"),
    (1, 164, 0.001077181, 0.03372625, "B"),
    (44, 134, 0.254598570, 0.41168471, "B"),
    (13, 109, 0.071039739, 0.19341500, "B"),
    (7, 139, 0.024605552, 0.10029837, "B"),
    (5, 163, 0.013172190, 0.06978956, "B"),
    (24, 162, 0.10162049, 0.2109760, "C"),
    (6, 120, 0.02311436, 0.1048029, "C"),
    (95, 146, 0.57038874, 0.7232550, "C"),
    (56, 132, 0.34324611, 0.5095234, "C"),
]

# phe_proportion(..., confidence = 99.8)
WILSON_998 = [
    (68, 174, 0.28504658, 0.5079248, "A"),
    (86, 189, 0.34795803, 0.5664210, "A"),
    (18, 179, 0.05014823, 0.1914304, "A"),
    (99, 102, 0.86653064, 0.9940736, "A"),
    (8, 155, 0.01832319, 0.1369464, "A"),
    (94, 114, 0.69079867, 0.9081514, "A"),
    (87, 131, 0.5293576135, 0.77658434, "B"),
    (1, 164, 0.0005322047, 0.06601672, "B"),
    (13, 109, 0.0529712429, 0.24689949, "B"),
    (5, 163, 0.0084801369, 0.10481797, "B"),
    (24, 162, 0.08166047, 0.2538084, "C"),
    (6, 120, 0.01533517, 0.1510069, "C"),
    (95, 146, 0.52294492, 0.7599232, "C"),
]

# (count, population, published lowercl, uppercl, source) - phe_rate default: 95%, per 100,000.
# Counts below 10 are labelled method "Exact" in the published output, the others "Byars".
RATE_95_PER_100000 = [
    (1, 164, 15.43769, 3397.344, "B"),
    (5, 163, 996.00392, 7158.486, "B"),
    (6, 120, 1834.912, 10882.90, "C"),
    (7, 139, 2024.72162, 10376.025, "B"),
    (8, 155, 2228.279, 10169.80, "A"),
    (13, 109, 6344.25775, 20396.080, "B"),
    (18, 179, 5956.701, 15893.43, "A"),
    (24, 162, 9489.334, 22044.21, "C"),
    (29, 107, 18147.416, 38925.56, "A"),
    (44, 134, 23856.24577, 44081.622, "B"),
    (68, 174, 30346.142, 49544.53, "A"),
    (87, 131, 53191.89721, 81920.133, "B"),
    (99, 102, 78882.763, 118166.76, "A"),
]

# phe_rate(..., confidence = 99.8, multiplier = 100)
RATE_998_PER_100 = [
    (1, 164, 6.100612e-04, 5.63013, "B"),
    (5, 163, 4.536023e-01, 10.09494, "B"),
    (6, 120, 0.9225872, 15.05136, "C"),
    (7, 139, 1.093767e00, 14.11955, "B"),
    (8, 155, 1.271493, 13.64916, "A"),
    (13, 109, 4.192660e00, 26.14598, "B"),
    (18, 179, 4.259916, 19.77478, "A"),
    (24, 162, 7.1693910, 26.77154, "C"),
    (46, 143, 19.4573177, 49.71192, "C"),
    (68, 174, 26.042038, 56.07105, "A"),
    (95, 146, 46.3595418, 88.46988, "C"),
    (99, 102, 69.665053, 131.16634, "A"),
]

# [F]: count -> (lower 95%, upper 95%, lower 99.8%, upper 99.8%), exact Poisson limits.
EXACT_POISSON = {
    1: (0.025317898, 5.571644585, 0.001000547, 9.233410143),
    2: (0.242209467, 7.224687515, 0.04540199, 11.22886836),
    5: (1.623486324, 11.6683331, 0.739371928, 16.45474478),
    9: (4.11537405, 17.08479966, 2.452425215, 22.65737951),
    10: (4.795387629, 18.39035799, 2.960519925, 24.13397235),
    11: (5.491159964, 19.68203932, 3.491483541, 25.58929864),
    100: (81.36400699, 121.6268111, 71.92139974, 134.9243187),
    716: (664.5083011, 770.4222128, 636.1521174, 802.60414),
}
FUNNEL_RTOL = 1e-4


def _ids(cases):
    return [f"{c[0]}/{c[1]}[{c[-1]}]" for c in cases]


# ---------------------------------------------------------------- Wilson (proportions)


@pytest.mark.parametrize(("x", "n", "lower", "upper", "source"), WILSON_95, ids=_ids(WILSON_95))
def test_wilson_95_matches_phe_proportion(x, n, lower, upper, source):
    lo, hi = wilson_interval(x, n)
    assert lo == pytest.approx(lower, rel=VIGNETTE_RTOL)
    assert hi == pytest.approx(upper, rel=VIGNETTE_RTOL)


@pytest.mark.parametrize(("x", "n", "lower", "upper", "source"), WILSON_998, ids=_ids(WILSON_998))
def test_wilson_998_matches_phe_proportion(x, n, lower, upper, source):
    lo, hi = wilson_interval(x, n, confidence=0.998)
    assert lo == pytest.approx(lower, rel=VIGNETTE_RTOL)
    assert hi == pytest.approx(upper, rel=VIGNETTE_RTOL)


def test_wilson_newcombe_1998_table_1():
    # [N], published to 4 decimals.
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-5)
    assert hi == pytest.approx(0.3662, abs=5e-5)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("n", [1, 20, 1000])
def test_wilson_zero_and_all(n, confidence):
    # Closed forms of the Wilson formula: 0/n -> [0, z^2/(n+z^2)], n/n -> [n/(n+z^2), 1].
    z2 = {0.95: 1.959963984540054, 0.998: 3.090232306167813}[confidence] ** 2
    lo, hi = wilson_interval(0, n, confidence)
    assert lo == 0.0
    assert hi == pytest.approx(z2 / (n + z2), rel=1e-12)
    lo, hi = wilson_interval(n, n, confidence)
    assert lo == pytest.approx(n / (n + z2), rel=1e-12)
    assert hi == 1.0


@pytest.mark.parametrize(
    ("x", "n"),
    [(0, 0), (5, 0), (np.nan, 10), (3, np.nan), (None, 10), (pd.NA, 10), (-1, 10), (11, 10)],
)
def test_wilson_missing_or_invalid_gives_nan(x, n):
    lo, hi = wilson_interval(x, n)
    assert np.isnan(lo) and np.isnan(hi)


def test_wilson_vectorised_series_with_missing_value():
    num = pd.Series([68, None, 8, 0], dtype="Int64")
    den = pd.Series([174, 189, 155, 0], dtype="Int64")
    lo, hi = wilson_interval(num, den)
    assert isinstance(lo, np.ndarray) and lo.dtype == np.float64 and lo.shape == (4,)
    np.testing.assert_allclose(lo[[0, 2]], [0.32141284, 0.02638210], rtol=VIGNETTE_RTOL)
    np.testing.assert_allclose(hi[[0, 2]], [0.46491370, 0.09853151], rtol=VIGNETTE_RTOL)
    assert np.isnan(lo[[1, 3]]).all() and np.isnan(hi[[1, 3]]).all()


def test_wilson_broadcasts_scalar_denominator_and_returns_0d_for_scalars():
    lo, hi = wilson_interval(np.array([0, 50, 100]), 100)
    assert lo.shape == hi.shape == (3,)
    lo, hi = wilson_interval(68, 174)
    assert isinstance(lo, np.ndarray) and lo.shape == () and isinstance(float(lo), float)


# ---------------------------------------------------------------- counts (phe_rate logic)


@pytest.mark.parametrize(("x", "pop", "lower", "upper", "source"), RATE_95_PER_100000, ids=_ids(RATE_95_PER_100000))
def test_byar_95_matches_phe_rate(x, pop, lower, upper, source):
    lo, hi = byar_interval(x)
    assert lo / pop * 100_000 == pytest.approx(lower, rel=VIGNETTE_RTOL)
    assert hi / pop * 100_000 == pytest.approx(upper, rel=VIGNETTE_RTOL)


@pytest.mark.parametrize(("x", "pop", "lower", "upper", "source"), RATE_998_PER_100, ids=_ids(RATE_998_PER_100))
def test_byar_998_matches_phe_rate(x, pop, lower, upper, source):
    lo, hi = byar_interval(x, confidence=0.998)
    assert lo / pop * 100 == pytest.approx(lower, rel=VIGNETTE_RTOL)
    assert hi / pop * 100 == pytest.approx(upper, rel=VIGNETTE_RTOL)


@pytest.mark.parametrize(("x", "pop", "lower", "upper"), [(193, 601, 27742, 36977), (196, 607, 27927, 37141)])
def test_byar_95_matches_grouped_phe_rate(x, pop, lower, upper):
    # [C], grouped phe_rate by year, tibble output rounded to 5 significant digits.
    lo, hi = byar_interval(x)
    assert lo / pop * 100_000 == pytest.approx(lower, rel=5e-5)
    assert hi / pop * 100_000 == pytest.approx(upper, rel=5e-5)


def test_byar_large_count_matches_phe_smr():
    # [A], phe_smr by year, 2006 row: observed = expected = 14943, value 1.00, 0.984 to 1.02
    # (tibble output, 3 significant digits). SMR limits are byars_*(observed) / expected.
    lo, hi = byar_interval(14943)
    assert lo / 14943 == pytest.approx(0.984, abs=5e-4)
    assert hi / 14943 == pytest.approx(1.02, abs=5e-3)


@pytest.mark.parametrize("count", [1, 2, 5, 9])
@pytest.mark.parametrize(("confidence", "col"), [(0.95, 0), (0.998, 2)])
def test_byar_below_10_uses_exact_limits(count, confidence, col):
    lo, hi = byar_interval(count, confidence)
    assert lo == pytest.approx(EXACT_POISSON[count][col], rel=FUNNEL_RTOL)
    assert hi == pytest.approx(EXACT_POISSON[count][col + 1], rel=FUNNEL_RTOL)


@pytest.mark.parametrize("count", [10, 11])
def test_byar_from_10_uses_byar_not_exact(count):
    # At 10 the exact lower limit [F] differs from Byar's by ~0.17%: not equal (so Byar is used
    # from 10 on, as phe_rate's x < 10 switch), yet within the 0.2% stated in [G].
    lo, hi = byar_interval(count)
    exact_lo, exact_hi = EXACT_POISSON[count][:2]
    assert abs(lo / exact_lo - 1) > 1e-3
    assert abs(lo / exact_lo - 1) < 2e-3 and abs(hi / exact_hi - 1) < 2e-3
    lo998, _ = byar_interval(count, 0.998)
    assert abs(lo998 / EXACT_POISSON[count][2] - 1) > 1e-3


def test_byar_count_zero_and_missing():
    lo, hi = byar_interval(pd.Series([0, None, -1, 8], dtype="Int64"))
    assert lo[0] == 0.0
    # Upper exact limit for 0 is qchisq(1 - a/2, 2)/2 = -ln(a/2) (chi-square with 2 df).
    assert hi[0] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert np.isnan(lo[1:3]).all() and np.isnan(hi[1:3]).all()
    assert lo[3] / 155 * 100_000 == pytest.approx(2228.279, rel=VIGNETTE_RTOL)
    _, hi998 = byar_interval(0, 0.998)
    assert hi998 == pytest.approx(-math.log(0.001), rel=1e-12)


# ---------------------------------------------------------------- exact Poisson


@pytest.mark.parametrize("count", sorted(EXACT_POISSON))
def test_exact_poisson_matches_funnel_test_data(count):
    lo95, hi95, lo998, hi998 = EXACT_POISSON[count]
    lo, hi = exact_poisson_interval(count)
    assert lo == pytest.approx(lo95, rel=FUNNEL_RTOL)
    assert hi == pytest.approx(hi95, rel=FUNNEL_RTOL)
    lo, hi = exact_poisson_interval(count, confidence=0.998)
    assert lo == pytest.approx(lo998, rel=FUNNEL_RTOL)
    assert hi == pytest.approx(hi998, rel=FUNNEL_RTOL)


def test_exact_poisson_vectorised_zero_and_missing():
    lo, hi = exact_poisson_interval(np.array([0.0, np.nan, 10.0]))
    assert lo[0] == 0.0 and hi[0] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    assert lo[2] == pytest.approx(EXACT_POISSON[10][0], rel=FUNNEL_RTOL)


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, 99.8])
def test_invalid_confidence_raises(confidence):
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence)
    with pytest.raises(ValueError, match="confidence"):
        byar_interval(1, confidence)
    with pytest.raises(ValueError, match="confidence"):
        exact_poisson_interval(1, confidence)


# --- the intervals without scipy.stats: bit for bit the same -------------------------------------


@pytest.mark.parametrize("confidence", [0.95, 0.998, 0.99, 0.5])
def test_quantiles_are_bit_identical_to_scipy_stats(confidence):
    from scipy.stats import chi2, norm

    from indicators import statistics

    assert statistics._z(confidence) == float(norm.ppf(0.5 + confidence / 2.0))
    alpha = 1.0 - confidence
    df = np.concatenate([np.arange(2.0, 20_002.0, 2.0), np.random.default_rng(7).random(1000) * 50 + 0.01])
    for q in (alpha / 2.0, 1.0 - alpha / 2.0):
        assert np.array_equal(statistics.chi2_ppf(q, df), chi2.ppf(q, df))
        assert statistics.chi2_ppf(q, 2.0) == chi2.ppf(q, 2.0)


def test_the_intervals_do_not_import_scipy_stats():
    import subprocess
    import sys

    code = "import sys, indicators.statistics, indicators.funnel; print('scipy.stats' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_dashboard_worker_imports_neither_scipy_stats_nor_scipy_optimize():
    """Together about 50 MB per worker (issue 11, goal 5): the trend's limit comes from scipy.special and
    the linear program of the suppression is imported only by a refresh that needs it."""
    import subprocess
    import sys

    code = (
        "import sys, dashboard.app, dashboard.figures.attention, dashboard.figures.narrative, "
        "dashboard.figures.definitions, indicators.table, indicators.trend\n"
        "print(sorted(m for m in ('scipy.stats', 'scipy.optimize') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
