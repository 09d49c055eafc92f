"""The plain-language line above a trend chart: "Stijgend sinds 2022 K3, boven het landelijk gemiddelde".

How the line is decided, so that a steering group can rely on it:

- **Trend** over calendar quarters, on the 4-quarter moving average (the mean of a quarter and the
  three before it, which evens out seasons and small numbers). It needs values for the last eight
  quarters up to the latest quarter with a value; otherwise "Te weinig kwartalen voor een trend".
  *Rising* when the average of the last four quarters is more than 5% (relative) above the average
  of the four quarters before them, *falling* when more than 5% below, else *stable*. A rising trend
  runs *since* the quarter in which the moving average was lowest after it last stood higher than
  it stands now (over the whole series if it never did); a falling trend since its highest point
  after it last stood lower. The most recent such quarter when there are several.
- **Nation**: the region's latest value is *above* or *below* the national value of that quarter
  when the national value lies outside the region's 95% interval, else *comparable*
  (`indicators.compare`, the Fingertips rule).
- **Judgement**: "gunstig" or "ongunstig" follows the indicator's desired direction, for the trend
  and for the comparison; nothing is said about stable or comparable.
- **Completeness**: when fewer municipalities delivered in the latest quarter with a value than exist, a
  second sentence says so ("Let op: in 2025 K3 leverden 2 van 6 gemeenten aan.").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.compare import Comparison, compare, higher_or_lower
from indicators.registry import Direction
from reference.periods import Period

WINDOW = 4  # quarters in the moving average: one year
MIN_QUARTERS = 2 * WINDOW  # the last year and the year before it
THRESHOLD = 0.05  # relative change of the yearly average that counts as rising or falling

RISING, FALLING, STABLE, UNKNOWN = "stijgend", "dalend", "stabiel", "onbekend"


@dataclass(frozen=True)
class Trend:
    kind: str  # RISING, FALLING, STABLE or UNKNOWN
    since: str | None = None  # the period code the trend runs since (rising or falling only)


def trend(frame: pd.DataFrame) -> Trend:
    """The direction of the recent trend of `frame` (columns period, value); see the module docstring."""
    value = frame["value"].to_numpy(float)
    known = ~np.isnan(value)
    if known.sum() < MIN_QUARTERS:
        return Trend(UNKNOWN)
    index = np.array([Period.parse_code(p).index for p in frame["period"].to_numpy()[known]])
    first = int(index.min())
    values = np.full(int(index.max()) - first + 1, np.nan)  # every calendar quarter; NaN where unknown
    values[index - first] = value[known]
    moving = np.convolve(values, np.ones(WINDOW) / WINDOW, mode="valid")  # moving[k] ends at quarter k + 3
    if len(moving) <= WINDOW or np.isnan(moving[-1]) or np.isnan(moving[-1 - WINDOW]):
        return Trend(UNKNOWN)
    latest, year_before = moving[-1], moving[-1 - WINDOW]
    change = (latest - year_before) / abs(year_before) if year_before else (np.inf if latest else 0.0)
    if abs(change) <= THRESHOLD:
        return Trend(STABLE)
    rising = change > 0
    # The trend began at the lowest (highest) point since the average last stood above (below) today's.
    level_before = np.flatnonzero(moving[:-1] > latest if rising else moving[:-1] < latest)
    segment = moving[level_before[-1] + 1 if len(level_before) else 0 :]
    extreme = np.nanmin(segment) if rising else np.nanmax(segment)
    start = len(moving) - len(segment) + int(np.flatnonzero(segment == extreme)[-1])
    return Trend(RISING if rising else FALLING, str(Period.from_index(first + start + WINDOW - 1)))


def _judgement(favourable: bool | None) -> str | None:
    return None if favourable is None else ("gunstig" if favourable else "ongunstig")


def _trend_phrase(found: Trend, direction: Direction) -> tuple[str, str | None]:
    if found.kind == UNKNOWN:
        return "te weinig kwartalen voor een trend", None
    if found.kind == STABLE:
        return "stabiel in het afgelopen jaar", None
    label = Period.parse_code(found.since).label
    return f"{found.kind} sinds {label}", _judgement((found.kind == RISING) == (direction is Direction.UP))


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
    favourable = {Comparison.BETTER: True, Comparison.WORSE: False}.get(comparison)
    return words, _judgement(favourable)


def _completeness(latest: pd.Series) -> str:
    """`Let op: in 2025 K3 leverden 2 van 6 gemeenten aan.` when the latest quarter with a value is incomplete."""
    if "reported" not in latest or latest["reported"] >= latest["expected"]:
        return ""
    label = Period.parse_code(latest["period"]).label
    return f" Let op: in {label} leverden {latest['reported']} van {latest['expected']} gemeenten aan."


def describe(trend_frame: pd.DataFrame, national_frame: pd.DataFrame, direction: Direction) -> str:
    """One or two short Dutch sentences on the region's trend and its position against the nation.

    `trend_frame`: the region's rows of one indicator (period, value, ci_low, ci_high; with reported
    and expected, an incomplete latest quarter is mentioned); `national_frame`: the nation's rows of
    the same indicator (period, value).
    """
    known = trend_frame.loc[trend_frame["value"].notna()]
    if known.empty:
        return "Nog geen cijfers voor deze regio."
    latest = known.loc[known["period"].idxmax()]
    found = trend(known)
    trend_words, trend_judgement = _trend_phrase(found, direction)
    nation_words, nation_judgement = _nation_phrase(latest, trend_frame["period"].max(), national_frame, direction)
    return _sentence(found, trend_words, trend_judgement, nation_words, nation_judgement) + _completeness(latest)


def _sentence(found: Trend, trend_words: str, trend_judgement: str | None, nation_words: str,
              nation_judgement: str | None) -> str:  # fmt: skip
    if found.kind == UNKNOWN:
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
