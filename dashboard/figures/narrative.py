"""The plain-language line above a trend chart: "Stijgend in de 8 kwartalen tot en met 2025 K3 en boven het
landelijk gemiddelde: beide gunstig."

How the line is decided, so that a steering group can rely on it:

- **Trend**: the tested recent trend of `indicators.trend` (Fingertips' chi-square test for trend on
  the eight most recent quarters, an unbroken run back from the latest quarter with a figure, with a
  quarter-of-year term). *Stijgend* or *dalend* only when the test says so (p < 0,002 and the
  direction holds when any one quarter is left out); otherwise *geen duidelijke verandering*, and
  *niet te berekenen* with the reason when there are too few quarters.
- **Nation**: the region's latest value is *above* or *below* the national value of that quarter
  when the national value lies outside the region's 95% interval, else *comparable*
  (`indicators.compare`, the Fingertips rule).
- **Judgement**: "gunstig" or "ongunstig" follows the indicator's desired direction, for the trend
  and for the comparison; nothing is said about no change or comparable.
- **Completeness**: when fewer municipalities delivered in the latest quarter with a value than exist, a
  second sentence says so ("Let op: in 2025 K3 leverden 2 van 6 gemeenten aan.").
"""

from __future__ import annotations

import pandas as pd

from indicators.compare import Comparison, compare, higher_or_lower
from indicators.registry import Direction, Unit
from indicators.trend import Trend, TrendKind, favourable, recent_trend
from reference.periods import Period


def _judgement(good: bool | None) -> str | None:
    return None if good is None else ("gunstig" if good else "ongunstig")


def trend_phrase(found: Trend, direction: Direction) -> tuple[str, str | None]:
    """`stijgend in de 8 kwartalen tot en met 2025 K3` and its judgement (None without a trend)."""
    if found.kind is TrendKind.CANNOT:
        return f"trend niet te berekenen: {found.reason}", None
    quarters = Period.parse_code(found.first).index, Period.parse_code(found.last).index
    span = f"in de {quarters[1] - quarters[0] + 1} kwartalen tot en met {Period.parse_code(found.last).label}"
    return f"{found.kind} {span}", _judgement(favourable(found, direction))


def _nation_phrase(
    latest: pd.Series, last_period: str, national: pd.DataFrame, direction: Direction
) -> tuple[str, str | None]:
    """`boven het landelijk gemiddelde` and its judgement, for the region's `latest` row with a value."""
    same = national.loc[(national["period"] == latest["period"]) & national["value"].notna(), "value"]
    if same.empty:
        return "", None
    benchmark, low, high = float(same.iloc[0]), float(latest["ci_low"]), float(latest["ci_high"])
    comparison = compare(low, high, benchmark, direction)
    if comparison is Comparison.NOT_COMPARED:
        return "", None
    side = higher_or_lower(low, high, benchmark)
    words = {1: "boven het", -1: "onder het", 0: "vergelijkbaar met het"}[side] + " landelijk gemiddelde"
    if latest["period"] != last_period:  # the region has no figure for the latest quarters
        words = f"in {Period.parse_code(latest['period']).label} {words}"
    good = {Comparison.BETTER: True, Comparison.WORSE: False}.get(comparison)
    return words, _judgement(good)


def _completeness(latest: pd.Series) -> str:
    """`Let op: in 2025 K3 leverden 2 van 6 gemeenten aan.` when the latest quarter with a value is incomplete."""
    if "reported" not in latest or latest["reported"] >= latest["expected"]:
        return ""
    label = Period.parse_code(latest["period"]).label
    return f" Let op: in {label} leverden {latest['reported']} van {latest['expected']} gemeenten aan."


def describe(trend_frame: pd.DataFrame, national_frame: pd.DataFrame, direction: Direction, unit: Unit) -> str:
    """One or two short Dutch sentences on the region's trend and its position against the nation.

    `trend_frame`: the region's rows of one indicator (period, numerator, denominator, value, ci_low,
    ci_high, and `shown` where suppressed; with reported and expected, an incomplete latest quarter
    is mentioned); `national_frame`: the nation's rows of the same indicator (period, value).
    """
    known = trend_frame.loc[trend_frame["value"].notna()]
    if known.empty:
        return "Nog geen cijfers voor deze regio."
    latest = known.loc[known["period"].idxmax()]
    found = recent_trend(trend_frame, unit)
    trend_words, trend_judgement = trend_phrase(found, direction)
    nation_words, nation_judgement = _nation_phrase(latest, trend_frame["period"].max(), national_frame, direction)
    return _sentence(found, trend_words, trend_judgement, nation_words, nation_judgement) + _completeness(latest)


def _sentence(found: Trend, trend_words: str, trend_judgement: str | None, nation_words: str,
              nation_judgement: str | None) -> str:  # fmt: skip
    if found.kind is TrendKind.CANNOT:
        sentences = [f"{nation_words} ({nation_judgement})" if nation_judgement else nation_words, trend_words]
        return " ".join(f"{s[0].upper()}{s[1:]}." for s in sentences if s)
    if not nation_words:
        text = f"{trend_words} ({trend_judgement})" if trend_judgement else trend_words
    elif trend_judgement and trend_judgement == nation_judgement:
        text = f"{trend_words} en {nation_words}: beide {trend_judgement}"
    else:
        first = f"{trend_words} ({trend_judgement})" if trend_judgement else trend_words
        second = f"{nation_words} ({nation_judgement})" if nation_judgement else nation_words
        joint = ", maar " if trend_judgement and nation_judgement else ", "
        text = first + joint + second
    return f"{text[0].upper()}{text[1:]}."
