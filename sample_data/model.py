"""The synthetic counts: one tidy row per municipality, quarter and data element.

Magnitudes follow population; the proportions behind the indicators move over time by a trend
chosen from the region code (improving, flat or worsening). Every part is drawn as a binomial of
its whole, so part <= whole holds by construction. Deterministic: a fixed seed and a fixed order.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ingest.elements import ELEMENT_CODES
from reference.areas import load_reference
from reference.periods import Period, period_range
from sample_data.population import population

SEED = 20180101
FIRST = Period(2018, 1)
LAST = Period(2025, 3)
PERIODS = tuple(period_range(FIRST, LAST))
THV_PER_YEAR = 3500  # national temporary restraining orders a year

TRENDS = ("verbetering", "stabiel", "verslechtering")
# Change of the log-odds from 2018 K1 to 2025 K3 per trend, for proportions that should go up;
# `uitval` (should go down) uses the negated change.
_LOGIT_CHANGE = {"verbetering": 1.3, "stabiel": 0.0, "verslechtering": -0.45}
_CONSULT_GROWTH = {"verbetering": 1.0, "stabiel": 0.05, "verslechtering": -0.2}  # log-rate change

# 2018 baselines of the proportions (before municipality variation).
_BASE = {
    "km": 0.30,  # thv_kindermishandeling / thv_totaal
    "preventief": 0.10,  # thv_preventief / thv_totaal
    "bereik": 0.35,  # plegers_hulp_gestart / plegers_in_beeld
    "uitval": 0.36,  # trajecten_uitval / trajecten_afgesloten
    "veiligheidsplan": 0.25,  # dossiers_met_veiligheidsplan / dossiers_totaal
}
# Expected counts per 1,000 inhabitants per quarter.
_RATE = {
    "plegers_in_beeld": 0.85,
    "dossiers_totaal": 1.5,
    "consultaties_fggz": 0.06,
    "consultaties_ggz": 0.12,
    "consultaties_verslavingszorg": 0.05,
    "consultaties_lvb": 0.04,
}
COLUMNS = ["municipality", "period", "element", "value"]


@dataclass(frozen=True)
class Frame:
    """The municipality-quarters that existed, in a fixed order."""

    municipality: np.ndarray
    region: np.ndarray
    period: np.ndarray  # of Period
    t: np.ndarray  # 0 at 2018 K1, 1 at 2025 K3
    population: np.ndarray


def region_trend(region_code: str) -> str:
    """The trend of a region, fixed by its code."""
    return TRENDS[zlib.crc32(region_code.encode()) % len(TRENDS)]


def _frame() -> Frame:
    ref = load_reference()
    rows = []
    for period in PERIODS:
        for m in sorted(ref.existing(period), key=lambda m: m.code):
            rows.append((m.code, ref.region_of(m.code).code, period, population(m.code, period)))
    codes, regions, periods, inhabitants = zip(*rows, strict=True)
    t = np.array([(p.index - FIRST.index) / (LAST.index - FIRST.index) for p in periods])
    return Frame(
        np.array(codes),
        np.array(regions),
        np.array(periods, dtype=object),
        t,
        np.array(inhabitants),
    )


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


@cache
def build_model() -> pd.DataFrame:
    """All synthetic counts: municipality (GM code), period (Period), element, value (int)."""
    f = _frame()
    rng = np.random.default_rng(SEED)
    codes = sorted(set(f.municipality))
    regions = sorted(set(f.region))
    # Fixed effects per municipality and region: how much busier or better than average.
    muni_index = np.searchsorted(codes, f.municipality)
    region_index = np.searchsorted(regions, f.region)
    n_muni, n_region = len(codes), len(regions)

    def municipality_factor(shape: float) -> np.ndarray:  # mean 1, per row
        return rng.gamma(shape, 1 / shape, n_muni)[muni_index]

    def logit_offset(sd_region: float, sd_muni: float) -> np.ndarray:
        return (rng.normal(0, sd_region, n_region)[region_index]
                + rng.normal(0, sd_muni, n_muni)[muni_index])  # fmt: skip

    trend = np.array([region_trend(r) for r in regions])[region_index]
    change = np.vectorize(_LOGIT_CHANGE.get)(trend) * f.t

    def proportion(name: str, sign: float = 1.0, sd_region=0.25, sd_muni=0.3) -> np.ndarray:
        return _logistic(_logit(_BASE[name]) + logit_offset(sd_region, sd_muni) + sign * change)

    def binomial(whole: np.ndarray, p: np.ndarray) -> np.ndarray:
        return rng.binomial(whole, p)

    values: dict[str, np.ndarray] = {}
    # Temporary restraining orders: Poisson around the population share of ~3,500 a year, a little
    # more in the pandemic quarters of 2020.
    by_period = pd.Series(f.period).map(str)
    total_per_period = pd.Series(f.population).groupby(by_period).transform("sum")
    pandemic = np.array([1.12 if p.year == 2020 and p.quarter > 1 else 1.0 for p in f.period])
    thv_rate = THV_PER_YEAR / 4 * f.population / total_per_period.to_numpy() * pandemic
    varied = thv_rate * municipality_factor(8.0) * rng.gamma(30, 1 / 30, n_region)[region_index]
    # Rescale so the national expectation stays on target in every quarter.
    target = pd.Series(thv_rate).groupby(by_period).transform("sum")
    thv_rate = varied * (target / pd.Series(varied).groupby(by_period).transform("sum")).to_numpy()
    values["thv_totaal"] = rng.poisson(thv_rate)
    values["thv_kindermishandeling"] = binomial(values["thv_totaal"], proportion("km", sign=0.3))
    values["thv_preventief"] = binomial(values["thv_totaal"], proportion("preventief"))

    per_1000 = f.population / 1000
    busy = municipality_factor(6.0)
    in_beeld_rate = _RATE["plegers_in_beeld"] * per_1000 * busy
    values["plegers_in_beeld"] = rng.poisson(in_beeld_rate)
    bereik = proportion("bereik")
    values["plegers_hulp_gestart"] = binomial(values["plegers_in_beeld"], bereik)
    values["trajecten_afgesloten"] = rng.poisson(0.9 * in_beeld_rate * bereik)
    values["trajecten_uitval"] = binomial(values["trajecten_afgesloten"], proportion("uitval", -1))

    growth = np.exp(np.vectorize(_CONSULT_GROWTH.get)(trend) * f.t)
    for element in ("consultaties_fggz", "consultaties_ggz", "consultaties_verslavingszorg",
                    "consultaties_lvb"):  # fmt: skip
        values[element] = rng.poisson(_RATE[element] * per_1000 * municipality_factor(3.0) * growth)
    values["dossiers_totaal"] = rng.poisson(_RATE["dossiers_totaal"] * per_1000 * busy)
    values["dossiers_met_veiligheidsplan"] = binomial(values["dossiers_totaal"], proportion("veiligheidsplan"))

    wide = pd.DataFrame({"municipality": f.municipality, "period": f.period})
    for element in ELEMENT_CODES:
        wide[element] = values[element].astype("int64")
    tidy = wide.melt(["municipality", "period"], var_name="element", value_name="value")
    return tidy[COLUMNS].reset_index(drop=True)


def model_wide() -> pd.DataFrame:
    """The model with one column per element, indexed by (municipality, period)."""
    tidy = build_model()
    wide = tidy.pivot(index=["municipality", "period"], columns="element", values="value")
    return wide[list(ELEMENT_CODES)]
