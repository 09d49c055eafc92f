"""What the steering report says, gathered from the PUBLIC indicator table (as the steering group
sees it: regions and the nation, small numbers suppressed), the targets and the interpretations.

The trend sentence, the attention list and the definitions each come from one small function here
(`trend_sentence`, `attention_points`, `definitions`), so that a better source can replace them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard.figures import definitions as definition_figures
from dashboard.figures import region as figures
from dashboard.figures.narrative import describe
from dashboard.format import SUPPRESSED_TEXT, period_label, shown_text
from db.steering import Interpretation, current_interpretations, current_targets
from indicators.aggregate import NATIONAL_CODE
from indicators.compare import Comparison, compare
from indicators.registry import Indicator
from indicators.table import read_indicators
from indicators.targets import Judgement, judge
from indicators.trend import recent_trend, worsening
from reference.areas import load_reference
from reference.periods import Period


@dataclass
class IndicatorPart:
    """One indicator's page of the report."""

    indicator: Indicator
    trend: pd.DataFrame  # figures.prepare_trend, quarters up to the report's quarter
    latest: str  # `45,2%`, `<5` or `afgeschermd`
    interval: str
    national: str
    startfoto: str
    target: str
    judgement: str
    sentence: str
    completeness: str
    target_value: float | None = None
    startfoto_value: float | None = None
    interpretations: list[Interpretation] = field(default_factory=list)


@dataclass
class Report:
    region_code: str
    region_name: str
    period: str
    made_on: dt.date
    delivered: int
    expected: int
    parts: list[IndicatorPart]
    whole: list[Interpretation]  # the interpretations of the region as a whole in this quarter
    attention: list[str]
    definitions: list[dict]

    @property
    def title(self) -> str:
        return f"Stuurinformatie {self.region_name}, {period_label(self.period)}"


def trend_sentence(trend_frame: pd.DataFrame, national: pd.DataFrame, indicator: Indicator) -> str:
    """The plain-language line on the trend and the nation (the region page's line)."""
    return describe(trend_frame, national, indicator.direction, indicator.unit)


def attention_points(report_parts: list[IndicatorPart], period: str) -> list[str]:
    """Indicators significantly worse than the nation, worsening, or with a target not met, in `period`."""
    points = []
    for part in report_parts:
        row = part.trend.loc[part.trend["period"] == period]
        name = part.indicator.name
        if row.empty:
            continue
        r = row.iloc[0]
        if compare(r["ci_low"], r["ci_high"], r["national"], part.indicator.direction) is Comparison.WORSE:
            points.append(f"{name}: ongunstiger dan het landelijk gemiddelde in {period_label(period)}.")
        found = recent_trend(part.trend.loc[part.trend["period"] <= period], part.indicator.unit)
        if worsening(found, part.indicator.direction):
            points.append(f"{name}: {found.kind} in de 8 kwartalen tot en met {period_label(found.last)} (ongunstig).")
        if part.judgement.endswith(str(Judgement.NOT_MET)):
            points.append(f"{name}: streefwaarde niet gehaald in {period_label(period)}.")
    return points


def definitions() -> list[definition_figures.Definition]:
    """Per indicator every field of the /indicatoren page, from the registry (the report's annex)."""
    return definition_figures.definitions(figures.TREND_INDICATORS)


def _text(indicator: Indicator, value: object) -> str:
    return figures.value_text(indicator)(value) + (figures.unit_suffix(indicator) if pd.notna(value) else "")


def _part(engine_rows: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], indicator: Indicator, period: str,
          target, items: list[Interpretation]) -> IndicatorPart:  # fmt: skip
    region_rows, national_rows, year_rows = engine_rows
    own = region_rows.loc[region_rows["indicator"].isin(figures.row_codes(indicator))]
    trend_frame = figures.prepare_trend(own, national_rows, indicator)
    trend_frame = trend_frame.loc[trend_frame["period"] <= period].reset_index(drop=True)
    nation = national_rows.loc[(national_rows["indicator"] == indicator.code) & (national_rows["period"] <= period)]
    year = figures.startfoto_year()
    if figures.suppressed_in_year(trend_frame, year):
        baseline = figures.startfoto_of_year(year_rows.loc[year_rows["indicator"] == indicator.code], indicator)
    else:
        baseline = figures.startfoto(trend_frame, indicator, year)
    row = trend_frame.loc[trend_frame["period"] == period]
    text = figures.value_text(indicator)
    if row.empty:
        latest = interval = national = "geen cijfer"
        completeness, judgement = "geen aanleveringen", "–"
    else:
        r = row.iloc[0]
        latest = shown_text(r["shown"], _text(indicator, r["value"]))
        interval = shown_text(r["shown"], f"{text(r['ci_low'])} – {text(r['ci_high'])}")
        national = _text(indicator, r["national"])
        completeness = f"{r['reported']} van {r['expected']} gemeenten"
        judgement = "–" if target is None else figures.judgement_text(
            judge(r["ci_low"], r["ci_high"], target.value, indicator.direction))  # fmt: skip
        if judgement == "–" and target is not None and pd.notna(r["shown"]):
            judgement = f"niet te beoordelen ({SUPPRESSED_TEXT})"
    return IndicatorPart(
        indicator=indicator, trend=trend_frame, latest=latest, interval=interval, national=national,
        startfoto=_text(indicator, baseline) if baseline is not None else f"geen cijfers over {year}",
        target=figures.target_label(indicator, target.value, target.due_period) if target else "geen streefwaarde",
        judgement=judgement, sentence=trend_sentence(trend_frame, nation, indicator), completeness=completeness,
        target_value=target.value if target else None, startfoto_value=baseline,
        interpretations=[i for i in items if i.indicator == indicator.code],
    )  # fmt: skip


def gather(engine: Engine, region_code: str, period: str, today: dt.date | None = None) -> Report:
    """Everything the report shows for `region_code` in `period` (`2025Q3`), as the steering group sees it."""
    reference = load_reference()
    region = reference.regions.get(region_code)
    if region is None:
        raise ValueError(f"De regio '{region_code}' bestaat niet. Geef een regiocode zoals VR09.")
    period = str(Period.parse_code(period))
    public = read_indicators(engine, areas=[region_code, NATIONAL_CODE], public=True)
    is_quarter = public["period"].astype(str).str.contains("Q", regex=False).to_numpy()
    at_region = (public["area_code"] == region_code).to_numpy()
    quarters, years = public.loc[is_quarter], public.loc[~is_quarter & at_region]
    region_rows = quarters.loc[quarters["area_code"] == region_code]
    national_rows = quarters.loc[quarters["area_code"] == NATIONAL_CODE]
    targets = current_targets(engine, [region_code])
    items = [i for i in current_interpretations(engine, "region", [region_code]) if i.period == period]
    parts = [
        _part((region_rows, national_rows, years), indicator, period, targets.get((region_code, indicator.code)), items)
        for indicator in figures.TREND_INDICATORS
    ]
    members = reference.members(region_code, Period.parse_code(period))
    delivered = region_rows.loc[region_rows["period"] == period, "reported"]
    return Report(
        region_code, region.name, period, today or dt.date.today(), int(np.nanmax(delivered)) if len(delivered) else 0,
        len(members), parts, [i for i in items if not i.indicator], attention_points(parts, period), definitions(),
    )  # fmt: skip
