"""Aandachtspunten: the region × indicator cells a steering group should look at first.

Pure functions over rows the page read for the signed-in user (`dashboard.data.indicators`), so a
list holds only what that user may see: a suppressed figure is not compared with the nation and
breaks the run of quarters the trend is tested on. Each source of attention points returns a frame
of `ATTENTION_COLUMNS`; `attention_list` puts the sources together: `worse_and_worsening` and
`targets_missed`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures.narrative import trend_phrase
from dashboard.figures.overview import STYLES, Category
from dashboard.format import period_label
from dashboard.links import region_href
from indicators.registry import INDICATORS, Indicator
from indicators.targets import Judgement, judge
from indicators.trend import recent_trend, worsening
from reference.periods import Period

ATTENTION_COLUMNS = ("area_code", "area_name", "indicator", "indicator_name", "reason", "detail", "href")
WORSE = (Category.WORSE_998, Category.WORSE_95)
WORSE_AND_WORSENING = "slechter dan landelijk en verslechterend"
TARGET_MISSED = "streefwaarde niet gehaald"


def empty_list() -> pd.DataFrame:
    """An attention list without points."""
    return pd.DataFrame(columns=list(ATTENTION_COLUMNS))


def worse_and_worsening(
    overview_rows: pd.DataFrame, series: pd.DataFrame, period: str, indicators: tuple[Indicator, ...] = INDICATORS
) -> pd.DataFrame:
    """The regions' cells of `period` that are significantly worse than the nation (the overview's
    Fingertips comparison, `overview_table`) and whose tested trend up to `period` goes the wrong way.

    `overview_rows`: `overview_table` of `period`; `series`: the regions' quarters of the indicators
    (rows of the indicator table), as the user may see them."""
    by_code = {indicator.code: indicator for indicator in indicators}
    worse = overview_rows.loc[
        (overview_rows["level"] == "region")
        & overview_rows["category"].isin([str(c) for c in WORSE])
        & overview_rows["indicator"].isin(list(by_code))
    ]
    if worse.empty:
        return empty_list()
    last = Period.parse_code(period).index
    up_to = series.loc[[Period.parse_code(str(p)).index <= last for p in series["period"]]]
    groups = dict(tuple(up_to.groupby([up_to["area_code"].astype(str), up_to["indicator"].astype(str)])))
    points = []
    for row in worse.itertuples(index=False):
        indicator = by_code[row.indicator]
        own = groups.get((str(row.area_code), indicator.code))
        if own is None:
            continue
        found = recent_trend(own, indicator.unit)
        if not worsening(found, indicator.direction):
            continue
        comparison = STYLES[Category(row.category)].label.replace("slechter", "slechter dan landelijk")
        points.append(
            {
                "area_code": row.area_code,
                "area_name": row.area_name,
                "indicator": indicator.code,
                "indicator_name": indicator.name,
                "reason": WORSE_AND_WORSENING,
                "detail": f"{comparison} in {period_label(period)}; {trend_phrase(found, indicator.direction)[0]}",
                "href": region_href(str(row.area_code), indicator.code),
            }
        )
    return pd.DataFrame(points, columns=list(ATTENTION_COLUMNS)) if points else empty_list()


def targets_missed(
    series: pd.DataFrame, targets: dict, period: str, indicators: tuple[Indicator, ...] = INDICATORS
) -> pd.DataFrame:
    """The regions' cells of `period` whose 95% interval lies wholly on the wrong side of the region's
    target (`indicators.targets.judge`; a suppressed figure has no interval and is not judged).

    `series`: the regions' rows of the indicator table as the user may see them; `targets`: the current
    targets per (area code, indicator), as `dashboard.data.targets` gives them."""
    by_code = {indicator.code: indicator for indicator in indicators}
    rows = series.loc[(series["period"].astype(str) == period) & series["indicator"].isin(list(by_code))]
    points = []
    for row in rows.itertuples(index=False):
        target = targets.get((str(row.area_code), str(row.indicator)))
        indicator = by_code[str(row.indicator)]
        if target is None or target.value is None:
            continue
        if judge(row.ci_low, row.ci_high, target.value, indicator.direction) is not Judgement.NOT_MET:
            continue
        points.append(
            {
                "area_code": row.area_code,
                "area_name": row.area_name,
                "indicator": indicator.code,
                "indicator_name": indicator.name,
                "reason": TARGET_MISSED,
                "detail": f"{TARGET_MISSED} in {period_label(period)} (het hele 95%-interval)",
                "href": region_href(str(row.area_code), indicator.code),
            }
        )
    return pd.DataFrame(points, columns=list(ATTENTION_COLUMNS)) if points else empty_list()


def attention_list(*sources: pd.DataFrame, indicators: tuple[Indicator, ...] = INDICATORS) -> pd.DataFrame:
    """The points of every source, by region code and then the indicator's place in the registry."""
    frames = [frame for frame in sources if not frame.empty]
    if not frames:
        return empty_list()
    order = {indicator.code: i for i, indicator in enumerate(indicators)}
    points = pd.concat(frames, ignore_index=True)[list(ATTENTION_COLUMNS)]
    rank = np.array([order.get(code, len(order)) for code in points["indicator"]])
    points = points.assign(_rank=rank).sort_values(["area_code", "_rank"], kind="stable")
    return points.drop(columns="_rank").reset_index(drop=True)
