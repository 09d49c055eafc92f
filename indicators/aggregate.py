"""Indicators per municipality, region and the nation, per quarter, with confidence intervals.

`aggregate` is pure: it takes the current values (the frame `store.current_values` returns) and
the reference data, and returns one row per level, area, period and indicator. Areas pool counts:
a region's proportion is the sum of its reporting municipalities' numerators over the sum of their
denominators, never an average of ratios (DOMAIN.md, "Indicators").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.registry import INDICATORS, Indicator, Unit
from indicators.statistics import byar_interval, wilson_interval
from reference.areas import Reference
from reference.periods import Period, period_range

LEVELS = ("municipality", "region", "national")
NATIONAL_CODE, NATIONAL_NAME = "NL", "Nederland"
CONFIDENCE, CONFIDENCE_99 = 0.95, 0.998  # the Fingertips 95% and 99.8% limits
COLUMNS = (
    "level", "area_code", "area_name", "period", "indicator", "numerator", "denominator",
    "value", "ci_low", "ci_high", "reported", "expected", "ci99_low", "ci99_high", "population",
)  # fmt: skip
_KEYS = ["level", "area_code", "area_name", "period", "indicator"]


def aggregate(values: pd.DataFrame, reference: Reference, periods: list[Period] | None = None) -> pd.DataFrame:
    """Every indicator for every municipality, region and the nation in `periods`."""
    if periods is None:
        periods = _observed_periods(values)
    if not periods:
        return _empty()
    members = _members(reference, periods)
    parts = _contributions(_wide(values, members))
    rows = _areas(members).merge(parts, on=["municipality", "period"])
    grouped = rows.groupby(_KEYS, sort=False, observed=True)
    table = grouped[["numerator", "denominator", "population"]].sum(min_count=1)
    table["reported"] = grouped["reported"].sum().astype("int64")
    table["expected"] = grouped.size().astype("int64")
    table = table.reset_index()
    add_values(table)
    table["indicator"] = pd.Categorical(table["indicator"], categories=[i.code for i in INDICATORS])
    table = table.sort_values(["level", "area_code", "period", "indicator"], kind="stable")
    return _typed(table[list(COLUMNS)].reset_index(drop=True))


def _observed_periods(values: pd.DataFrame) -> list[Period]:
    """Every quarter from the earliest to the latest period in `values`."""
    if values.empty:
        return []
    codes = values["period"].astype(str)
    return period_range(Period.parse_code(codes.min()), Period.parse_code(codes.max()))


def _members(reference: Reference, periods: list[Period]) -> pd.DataFrame:
    """One row per municipality that existed in a period, with its name, region and population."""
    attributes = pd.DataFrame(
        [
            {
                "municipality": m.code,
                "name": m.name,
                "region_code": region.code if region else None,
                "region_name": region.name if region else None,
                "population": reference.population.get(m.code),
            }
            for m in reference.municipalities.values()
            for region in [reference.region_of(m.code)]
        ]
    ).astype({"population": "Int64"})
    existing = pd.DataFrame(
        [(m.code, str(p)) for p in periods for m in reference.existing(p)],
        columns=["municipality", "period"],
    )
    return existing.merge(attributes, on="municipality")


def _wide(values: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Member rows with one nullable column per data element; <NA> where unknown or suppressed."""
    elements = sorted({e for indicator in INDICATORS for e in indicator.elements})
    known = values.loc[values["element"].isin(elements)].copy()
    known["period"] = known["period"].astype(str)
    known["value"] = known["value"].astype("Int64")
    if "suppressed" in known:
        known["value"] = known["value"].mask(known["suppressed"].fillna(False).astype(bool))
    known = known.drop_duplicates(["municipality", "period", "element"], keep="last")
    wide = known.pivot(index=["municipality", "period"], columns="element", values="value")
    wide = wide.reindex(columns=elements).astype("Int64").reset_index()
    wide.columns.name = None
    return members.merge(wide, on=["municipality", "period"], how="left")


def _contributions(wide: pd.DataFrame) -> pd.DataFrame:
    """Per member and indicator: its numerator and denominator when it reported, and whether."""
    frames = []
    for indicator in INDICATORS:
        numerator, denominator, reported = _contribution(indicator, wide)
        frames.append(
            pd.DataFrame(
                {
                    "municipality": wide["municipality"],
                    "period": wide["period"],
                    "indicator": indicator.code,
                    "numerator": numerator.where(reported),
                    "denominator": denominator.where(reported),
                    "reported": reported,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _contribution(indicator: Indicator, wide: pd.DataFrame) -> tuple[pd.Series, ...]:
    parts = wide[list(indicator.numerator)]
    nothing = pd.Series(pd.NA, index=wide.index, dtype="Int64")
    if indicator.unit is Unit.PROPORTION:
        numerator = parts.sum(axis=1, min_count=len(indicator.numerator))  # every part known
        denominator = wide[indicator.denominator]
        return numerator, denominator, numerator.notna() & denominator.notna()
    count = parts.sum(axis=1, min_count=1)  # the parts that were delivered
    if indicator.unit is Unit.COUNT:
        return count, nothing, count.notna()
    population = wide["population"]  # Unit.RATE
    return count, population, count.notna() & population.notna()


def _areas(members: pd.DataFrame) -> pd.DataFrame:
    """Each member once per level: as itself, in its region (if it has one), in the nation."""
    base = members[["municipality", "period", "population"]]
    own = base.assign(level="municipality", area_code=members["municipality"], area_name=members["name"])
    regional = base.assign(level="region", area_code=members["region_code"], area_name=members["region_name"]).loc[
        members["region_code"].notna()
    ]
    national = base.assign(level="national", area_code=NATIONAL_CODE, area_name=NATIONAL_NAME)
    areas = pd.concat([own, regional, national], ignore_index=True)
    areas["level"] = pd.Categorical(areas["level"], categories=LEVELS, ordered=True)
    return areas


def add_values(table: pd.DataFrame) -> None:
    """Value and 95% / 99.8% limits from the pooled counts, by the indicator's unit."""
    units = table["indicator"].map({i.code: i.unit for i in INDICATORS})
    per = table["indicator"].map({i.code: i.per or 1 for i in INDICATORS}).to_numpy(float)
    numerator = table["numerator"].to_numpy(float, na_value=np.nan)
    denominator = table["denominator"].to_numpy(float, na_value=np.nan)
    proportion, rate = (units == Unit.PROPORTION).to_numpy(), (units == Unit.RATE).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(rate, per / np.where(denominator > 0, denominator, np.nan), 1.0)
        ratio = np.where(denominator > 0, numerator / denominator, np.nan)
    table["value"] = np.where(proportion, ratio, numerator * scale)
    for low, high, confidence in (
        ("ci_low", "ci_high", CONFIDENCE),
        ("ci99_low", "ci99_high", CONFIDENCE_99),
    ):
        wilson = wilson_interval(numerator, denominator, confidence)
        byar = byar_interval(numerator, confidence)
        table[low] = np.where(proportion, wilson[0], byar[0] * scale)
        table[high] = np.where(proportion, wilson[1], byar[1] * scale)


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    table["level"] = table["level"].astype(str)
    table["indicator"] = table["indicator"].astype(str)
    for column in ("numerator", "denominator", "population"):
        table[column] = table[column].astype("Int64")
    return table


def _empty() -> pd.DataFrame:
    return _typed(pd.DataFrame({column: [] for column in COLUMNS}))
