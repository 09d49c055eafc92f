"""Vergelijken: a funnel plot and a ranked chart of areas against the nation (pure functions).

The page reads the indicator table rows of one indicator and quarter (the regions, or the
municipalities of one region) and the national row, and passes them in. The funnel's control
limits and each point's position come from `indicators.funnel` (the PHE Fingertips methods); the
ranked chart judges each area's 95% interval against the national value with `indicators.compare`.
For proportions and rates both judgements use the same test, so the two charts agree at 95%.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.format import number, percent, period_label, shown_text, unit_title
from dashboard.theme import BLUE, GREY, GRID, INK, LIMIT, ORANGE, SKY, SOURCE, VERMILLION, base_layout
from indicators.compare import Comparison, compare
from indicators.funnel import FunnelPosition, funnel_limits, funnel_position, proportion_limits, rate_limits
from indicators.registry import Direction, Indicator, Unit
from ingest.elements import ELEMENTS_BY_CODE

ALL_REGIONS = "regios"  # the "vergelijk" choice for every region; otherwise a region code
METHOD = "Controlegrenzen volgens de funnelplotmethode van PHE Fingertips (PHEindicatormethods)."


@dataclass(frozen=True)
class Style:
    """How a category looks: words, a marker shape and a colour (colour is never the only cue)."""

    label: str
    symbol: str  # plotly marker symbol
    colour: str
    size: int = 11


# Funnel: where a point lies, made direction-aware (high is better when the aim is an increase).
FUNNEL_BETTER_998, FUNNEL_BETTER_95 = "beter_998", "beter_95"
FUNNEL_INSIDE = "binnen"
FUNNEL_WORSE_95, FUNNEL_WORSE_998 = "slechter_95", "slechter_998"
FUNNEL_NONE = "geen_cijfer"
FUNNEL_STYLES: dict[str, Style] = {
    FUNNEL_BETTER_998: Style("▲▲ beter, buiten de 99,8%-grens", "triangle-up", BLUE, 14),
    FUNNEL_BETTER_95: Style("▲ beter, buiten de 95%-grens", "triangle-up", SKY, 11),
    FUNNEL_INSIDE: Style("● binnen de grenzen", "circle", GREY, 9),
    FUNNEL_WORSE_95: Style("▼ slechter, buiten de 95%-grens", "triangle-down", ORANGE, 11),
    FUNNEL_WORSE_998: Style("▼▼ slechter, buiten de 99,8%-grens", "triangle-down", VERMILLION, 14),
    FUNNEL_NONE: Style("geen cijfer", "x", GREY, 9),
}
OUTSIDE = (FUNNEL_BETTER_998, FUNNEL_BETTER_95, FUNNEL_WORSE_95, FUNNEL_WORSE_998)
MAX_NAMED = 8  # the funnel names the points outside its limits when there are at most this many
_HIGH_LOW = {
    FunnelPosition.HIGH_998: (FUNNEL_BETTER_998, FUNNEL_WORSE_998),
    FunnelPosition.HIGH_95: (FUNNEL_BETTER_95, FUNNEL_WORSE_95),
    FunnelPosition.INSIDE: (FUNNEL_INSIDE, FUNNEL_INSIDE),
    FunnelPosition.LOW_95: (FUNNEL_WORSE_95, FUNNEL_BETTER_95),
    FunnelPosition.LOW_998: (FUNNEL_WORSE_998, FUNNEL_BETTER_998),
    FunnelPosition.NONE: (FUNNEL_NONE, FUNNEL_NONE),
}

# Ranked chart: the 95% interval against the national value (indicators.compare).
RANK_STYLES: dict[Comparison, Style] = {
    Comparison.BETTER: Style("▲ beter dan landelijk", "triangle-up", BLUE, 12),
    Comparison.SIMILAR: Style("● gelijk aan landelijk", "circle", GREY, 10),
    Comparison.WORSE: Style("▼ slechter dan landelijk", "triangle-down", VERMILLION, 12),
    Comparison.NOT_COMPARED: Style("○ niet te vergelijken", "circle-open", INK, 10),
}
DIRECTION_WORDS = {Direction.UP: "een hoger cijfer is beter", Direction.DOWN: "een lager cijfer is beter"}


def funnel_category(position: str, direction: Direction) -> str:
    """A `FunnelPosition` as better / inside / worse for an indicator's desired direction."""
    up, down = _HIGH_LOW[FunnelPosition(position)]
    return up if direction is Direction.UP else down


def format_value(value: object, indicator: Indicator) -> str:
    """`12,5%` for a proportion, `48,6 per 100.000 inwoners` for a rate, `1.234` for a count."""
    if indicator.unit is Unit.PROPORTION:
        return percent(value)
    if indicator.unit is Unit.RATE:
        return f"{number(value, 1)} per {number(indicator.per)} inwoners"
    return number(value)


def base_title(indicator: Indicator) -> str:
    """The funnel's horizontal axis: what the value is taken over."""
    if indicator.unit is Unit.RATE:
        return "Aantal inwoners (van de gemeenten die aanleverden)"
    label = ELEMENTS_BY_CODE[indicator.denominator].label
    return f"Aantal {label[0].lower()}{label[1:]} (noemer)"


def benchmark_of(national: Mapping, indicator: Indicator) -> float:
    """The national value as a fraction (proportion) or per inhabitant (rate): the funnel's centre."""
    value = national.get("value")
    if value is None or pd.isna(value):
        return float("nan")
    return float(value) / (indicator.per or 1) if indicator.unit is Unit.RATE else float(value)


def _hover(row: pd.Series, indicator: Indicator, category: str) -> str:
    if pd.notna(row.get("shown", pd.NA)):
        return f"<b>{row['area_name']}</b><br>{shown_text(row['shown'], '')} (kleine aantallen)"
    if pd.isna(row["value"]):
        return f"<b>{row['area_name']}</b><br>geen cijfer"
    if indicator.unit is Unit.RATE:
        counts = f"{number(row['numerator'])} op {number(row['denominator'])} inwoners"
    else:
        counts = f"{number(row['numerator'])} van {number(row['denominator'])}"
    interval = f"95%-interval: {format_value(row['ci_low'], indicator)} – {format_value(row['ci_high'], indicator)}"
    return (
        f"<b>{row['area_name']}</b><br>{format_value(row['value'], indicator)} ({counts})<br>{interval}"
        f"<br>{FUNNEL_STYLES[category].label}"
    )


def prepare(rows: pd.DataFrame, national: Mapping, indicator: Indicator) -> pd.DataFrame:
    """One row per area: its figures, the funnel limits at its own base, where it lies, how it compares.

    Sorted from the highest value to the lowest; areas without a value last, by name.
    """
    columns = ["area_code", "area_name", "numerator", "denominator", "value", "ci_low", "ci_high", "reported"]
    frame = rows[columns].copy()
    frame["shown"] = rows["shown"] if "shown" in rows else pd.Series(pd.NA, index=rows.index, dtype="string")
    frame = frame.reset_index(drop=True)
    scale = float(indicator.per or 1) if indicator.unit is Unit.RATE else 1.0
    benchmark = benchmark_of(national, indicator)
    limits = proportion_limits if indicator.unit is Unit.PROPORTION else rate_limits
    for confidence, suffix in ((0.95, "95"), (0.998, "998")):
        low, high = limits(frame["denominator"], benchmark, confidence)
        frame[f"limit_low_{suffix}"] = np.asarray(low, dtype=float) * scale
        frame[f"limit_high_{suffix}"] = np.asarray(high, dtype=float) * scale
    has_value = frame["value"].notna()
    positions = funnel_position(frame["numerator"], frame["denominator"], benchmark, indicator.unit)
    frame["position"] = pd.Series(positions, index=frame.index, dtype=object).where(has_value, FunnelPosition.NONE)
    frame["funnel"] = [funnel_category(p, indicator.direction) for p in frame["position"]]
    national_value = national.get("value")
    frame["comparison"] = [
        compare(lo, hi, national_value, indicator.direction) if has else Comparison.NOT_COMPARED
        for lo, hi, has in zip(frame["ci_low"], frame["ci_high"], has_value, strict=True)
    ]
    frame["hover"] = [_hover(row, indicator, row["funnel"]) for _, row in frame.iterrows()]
    frame = frame.sort_values(["value", "area_name"], ascending=[False, True], na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def missing_areas(prepared: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """The areas without a value, by name: where nothing was delivered, where the denominator is 0, and
    where the figure is suppressed for this user (small numbers)."""
    hidden = prepared["shown"].notna() if "shown" in prepared else pd.Series(False, index=prepared.index)
    missing = prepared.loc[prepared["value"].isna() & ~hidden]
    delivered = missing["reported"].fillna(0) > 0
    return (
        sorted(missing.loc[~delivered, "area_name"]),
        sorted(missing.loc[delivered, "area_name"]),
        sorted(prepared.loc[hidden, "area_name"]),
    )


def _axis(title: str, **extra) -> dict:
    axis = {
        "title": {"text": title}, "showgrid": True, "gridcolor": GRID, "showline": True, "linecolor": LIMIT,
        "ticks": "outside", "tickcolor": LIMIT, "zeroline": False, "automargin": True,
    }  # fmt: skip
    return axis | extra


def _layout(height: int, xaxis: dict, yaxis: dict, legend_gap: int = 80, **extra) -> dict:
    """A calm layout: white, light grid, Dutch separators, legend below, no title (the H2 is the title).

    An empty template: plotly's default template costs more to copy than the rest of the figure.
    """
    return (
        base_layout(
            height,
            margin={"l": 10, "r": 20, "t": 20, "b": 10},
            legend={"orientation": "h", "yanchor": "top", "y": -legend_gap / height, "xanchor": "left", "x": 0},
            hovermode="closest",
            showlegend=True,
            xaxis=xaxis,
            yaxis=yaxis,
        )
        | extra
    )


def _value_axis(indicator: Indicator) -> dict:
    if indicator.unit is Unit.PROPORTION:
        return {"tickformat": ".0%", "hoverformat": ".1%"}
    return {"tickformat": ",.0f", "hoverformat": ",.1f"}


def _marker(style: Style) -> dict:
    return {"symbol": style.symbol, "size": style.size, "color": style.colour, "line": {"color": INK, "width": 1}}


def limits_for(prepared: pd.DataFrame, national: Mapping, indicator: Indicator) -> pd.DataFrame:
    """The funnel's limit curves over the range of the areas' bases (empty without points)."""
    points = prepared.loc[prepared["value"].notna() & (prepared["denominator"].fillna(0) > 0)]
    benchmark = benchmark_of(national, indicator)
    if points.empty or np.isnan(benchmark):
        return pd.DataFrame(columns=["x", "centre", "low_95", "high_95", "low_998", "high_998"])
    scale = float(indicator.per or 1) if indicator.unit is Unit.RATE else 1.0
    base = points["denominator"].astype(float)
    return funnel_limits(indicator.unit, benchmark, base.min(), base.max(), scale=scale)


def _value_range(values: pd.Series, centre: object, indicator: Indicator) -> list[float]:
    """From just below the lowest to just above the highest value; a little past 0 and 100% so markers show whole."""
    values = pd.concat([values.astype(float), pd.Series([centre], dtype=float)]).dropna()
    low, high = float(values.min()), float(values.max())
    pad = max((high - low) * 0.12, abs(high) * 0.05, 1e-3)
    edge = 0.03 if indicator.unit is Unit.PROPORTION else 0.03 * (high + pad)
    low, high = max(low - pad, -edge), high + pad
    return [low, min(high, 1.0 + edge)] if indicator.unit is Unit.PROPORTION else [low, high]


def make_funnel(prepared: pd.DataFrame, limits: pd.DataFrame, national: Mapping, indicator: Indicator) -> go.Figure:
    """The funnel plot: points by their base and value, the national centre line, 95% and 99.8% limits."""
    traces = []
    national_value = national.get("value")
    if not limits.empty:
        for suffix, label, dash in (("998", "99,8%-grens", "dot"), ("95", "95%-grens", "dash")):
            for side in ("high", "low"):
                traces.append(
                    {"type": "scatter", "x": limits["x"].to_numpy(), "y": limits[f"{side}_{suffix}"].to_numpy(),
                     "mode": "lines", "name": label, "legendgroup": suffix, "showlegend": side == "high",
                     "hoverinfo": "skip", "line": {"color": LIMIT, "dash": dash, "width": 1.5}}
                )  # fmt: skip
        traces.append(
            {"type": "scatter", "x": limits["x"].to_numpy(), "y": limits["centre"].to_numpy(), "mode": "lines",
             "hoverinfo": "skip", "name": f"Landelijk: {format_value(national_value, indicator)}",
             "line": {"color": INK, "width": 2}}
        )  # fmt: skip
    points = prepared.loc[prepared["value"].notna()]
    named = points["funnel"].isin(OUTSIDE).sum() <= MAX_NAMED  # more names would overlap
    for category, style in FUNNEL_STYLES.items():
        group = points.loc[points["funnel"] == category]
        if group.empty:
            continue
        outside = named and category in OUTSIDE
        traces.append(
            {"type": "scatter", "x": group["denominator"].to_numpy(float), "y": group["value"].to_numpy(float),
             "name": style.label, "mode": "markers+text" if outside else "markers",
             "text": list(group["area_name"]) if outside else None, "textposition": "top center",
             "textfont": {"size": 12, "color": INK}, "marker": _marker(style),
             "hovertext": list(group["hover"]), "hovertemplate": "%{hovertext}<extra></extra>"}
        )  # fmt: skip
    yaxis = _axis(unit_title(indicator), **_value_axis(indicator))
    if not points.empty:
        narrowest = limits.iloc[-1][["low_95", "high_95", "low_998", "high_998"]] if len(limits) else []
        shown = pd.concat([points["value"].astype(float), pd.Series(narrowest, dtype=float)])
        yaxis["range"] = _value_range(shown, national_value, indicator)
    xaxis = _axis(base_title(indicator), tickformat=",d", rangemode="tozero")
    return go.Figure(data=traces, layout=_layout(560, xaxis, yaxis))


def make_ranked(prepared: pd.DataFrame, national: Mapping, indicator: Indicator) -> go.Figure:
    """Areas from the highest value to the lowest, each with its 95% interval and its comparison."""
    points = prepared.loc[prepared["value"].notna()]
    traces = []
    for comparison, style in RANK_STYLES.items():
        group = points.loc[points["comparison"] == comparison]
        if group.empty:
            continue
        value = group["value"].to_numpy(float)
        traces.append(
            {"type": "scatter", "x": value, "y": list(group["area_name"]), "mode": "markers", "name": style.label,
             "marker": _marker(style),
             "error_x": {"type": "data", "symmetric": False, "array": group["ci_high"].to_numpy(float) - value,
                         "arrayminus": value - group["ci_low"].to_numpy(float), "color": LIMIT, "thickness": 1.5,
                         "width": 4},
             "hovertext": list(group["hover"]), "hovertemplate": "%{hovertext}<extra></extra>"}
        )  # fmt: skip
    extra: dict = {"margin": {"l": 10, "r": 20, "t": 20, "b": 40}}
    national_value = national.get("value")
    if national_value is not None and not pd.isna(national_value):
        extra["shapes"] = [
            {"type": "line", "xref": "x", "yref": "paper", "x0": float(national_value), "x1": float(national_value),
             "y0": 0, "y1": 1, "line": {"color": INK, "width": 2}}
        ]  # fmt: skip
        extra["annotations"] = [
            {"xref": "x", "yref": "paper", "x": float(national_value), "y": 0, "yanchor": "top", "yshift": -4,
             "text": f"Landelijk: {format_value(national_value, indicator)}", "showarrow": False,
             "font": {"size": 13, "color": INK}, "bgcolor": "white"}
        ]  # fmt: skip
    xaxis = _axis(unit_title(indicator), side="top", **_value_axis(indicator))
    yaxis = _axis("", categoryorder="array", categoryarray=list(points["area_name"]), autorange="reversed")
    yaxis["showgrid"] = False
    return go.Figure(
        data=traces, layout=_layout(max(320, 30 * len(points) + 160), xaxis, yaxis, legend_gap=40, **extra)
    )


def _value_column(values: pd.Series, indicator: Indicator) -> pd.Series:
    """Percentages as 12.5 (not 0.125), rates per 100,000 as they are; unrounded (see `for_download`)."""
    values = values.astype(float)
    return values * 100 if indicator.unit is Unit.PROPORTION else values


def count_headers(indicator: Indicator) -> tuple[str, str]:
    """Dutch headers of the numerator and denominator columns."""
    if indicator.unit is Unit.RATE:
        return "Aantal", "Inwoners"
    numerator = ELEMENTS_BY_CODE[indicator.numerator[0]].label
    return f"Teller: {numerator}", f"Noemer: {ELEMENTS_BY_CODE[indicator.denominator].label}"


def _counts(prepared: pd.DataFrame, indicator: Indicator) -> dict[str, pd.Series]:
    numerator, denominator = count_headers(indicator)
    return {
        "Code": prepared["area_code"],
        "Gebied": prepared["area_name"],
        numerator: prepared["numerator"].astype("Int64"),
        denominator: prepared["denominator"].astype("Int64"),
        unit_title(indicator): _value_column(prepared["value"], indicator),
    }


def funnel_table(prepared: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The figures behind the funnel plot, with Dutch headers: the limits at each area's own base."""
    columns = _counts(prepared, indicator)
    for suffix, label in (("95", "95%"), ("998", "99,8%")):
        columns[f"Ondergrens {label}"] = _value_column(prepared[f"limit_low_{suffix}"], indicator)
        columns[f"Bovengrens {label}"] = _value_column(prepared[f"limit_high_{suffix}"], indicator)
    columns["Ligging in de trechter"] = prepared["funnel"].map(lambda c: FUNNEL_STYLES[c].label)
    return pd.DataFrame(columns)


def ranked_table(prepared: pd.DataFrame, national: Mapping, indicator: Indicator) -> pd.DataFrame:
    """The figures behind the ranked chart, with Dutch headers, followed by the national row."""
    has_value = prepared["value"].notna()
    columns = {"Rang": pd.Series(np.where(has_value, np.cumsum(has_value), np.nan)).astype("Int64")}
    columns.update(_counts(prepared, indicator))
    columns["Interval 95% onder"] = _value_column(prepared["ci_low"], indicator)
    columns["Interval 95% boven"] = _value_column(prepared["ci_high"], indicator)
    columns["Vergelijking met landelijk"] = [
        RANK_STYLES[c].label if has else shown_text(h, "geen cijfer")
        for c, has, h in zip(prepared["comparison"], has_value, prepared["shown"], strict=True)
    ]
    table = pd.DataFrame(columns)
    nation = pd.DataFrame(
        [{"area_code": national.get("area_code", "NL"), "area_name": national.get("area_name", "Nederland"),
          "numerator": national.get("numerator"), "denominator": national.get("denominator"),
          "value": national.get("value"), "ci_low": national.get("ci_low"), "ci_high": national.get("ci_high")}]
    )  # fmt: skip
    row = {"Rang": pd.Series([pd.NA], dtype="Int64")} | _counts(nation, indicator)
    row["Interval 95% onder"] = _value_column(nation["ci_low"], indicator)
    row["Interval 95% boven"] = _value_column(nation["ci_high"], indicator)
    row["Vergelijking met landelijk"] = ["maatstaf"]
    return pd.concat([table, pd.DataFrame(row)], ignore_index=True)


def for_download(table: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """A table for Excel and CSV: percentages and rates to two decimals."""
    return table.round({c: decimals for c in table.columns if pd.api.types.is_float_dtype(table[c])})


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """A table's numbers in Dutch notation for the HTML table (`1.234`, `12,5`); missing as `–`."""
    shown = table.copy().astype(object)
    for column in table.columns:
        if pd.api.types.is_integer_dtype(table[column]):
            shown[column] = [number(x) for x in table[column]]
        elif pd.api.types.is_float_dtype(table[column]):
            shown[column] = [number(x, 1) for x in table[column]]
        else:
            shown[column] = table[column].fillna("–")
    return shown


def scope_words(compare_with: str, region_name: str | None) -> str:
    """`de regio's` or `de gemeenten van regio Utrecht`."""
    return "de regio's" if compare_with == ALL_REGIONS else f"de gemeenten van regio {region_name}"


def funnel_subtitle(chosen: Indicator, shown: Indicator, period: str, scope: str) -> str:
    """What the funnel measures, and why a count is shown per inhabitants."""
    when = period_label(period)
    if shown.unit is Unit.PROPORTION:
        text = (
            f"{shown.name}: het percentage voor {scope} in {when}, uitgezet tegen het aantal waarover het "
            "percentage gaat. De middenlijn is het landelijke percentage; binnen de trechter (95%- en "
            "99,8%-controlegrenzen) is een verschil met landelijk goed door toeval te verklaren."
        )
    else:
        text = (
            f"{shown.name}: het aantal per {number(shown.per)} inwoners voor {scope} in {when}, uitgezet tegen "
            "het aantal inwoners. De middenlijn is het landelijke cijfer; binnen de trechter (95%- en "
            "99,8%-controlegrenzen) is een verschil met landelijk goed door toeval te verklaren."
        )
    if chosen.unit is Unit.COUNT:
        text += (
            " Een trechter van absolute aantallen zegt niets, want grote gebieden hebben vanzelf meer; "
            f"daarom per {number(shown.per)} inwoners."
        )
    return f"{text} Richting: {DIRECTION_WORDS[shown.direction]}."


def ranked_subtitle(chosen: Indicator, shown: Indicator, period: str, scope: str) -> str:
    """What the ranked chart shows and how an area is judged."""
    what = "het percentage" if shown.unit is Unit.PROPORTION else f"het aantal per {number(shown.per)} inwoners"
    text = (
        f"{shown.name}: {what} voor {scope} in {period_label(period)}, van hoog naar laag, met het "
        "95%-betrouwbaarheidsinterval. Beter of slechter dan landelijk: het hele interval ligt aan de goede of "
        f"de verkeerde kant van het landelijke cijfer ({DIRECTION_WORDS[shown.direction]})."
    )
    if chosen.unit is Unit.COUNT:
        text += f" Absolute aantallen zijn niet te vergelijken; daarom per {number(shown.per)} inwoners."
    return text


def completeness_note(
    period: str, reported: object, expected: object, missing: tuple[list[str], ...], method: bool
) -> str:
    """Source, how complete the quarter is, which areas have no figure and why (and the funnel method)."""
    parts = [SOURCE]
    if expected is not None and not pd.isna(expected):
        parts.append(f"Volledigheid {period_label(period)}: {number(reported)} van {number(expected)} gemeenten.")
    not_delivered, zero, *hidden = missing
    reasons = [f"{', '.join(not_delivered)} (niet aangeleverd)"] if not_delivered else []
    reasons += [f"{', '.join(zero)} (noemer is 0)"] if zero else []
    reasons += [f"{', '.join(hidden[0])} (afgeschermd: kleine aantallen)"] if hidden and hidden[0] else []
    if reasons:
        parts.append(f"Geen cijfers: {'; '.join(reasons)}.")
    if method:
        parts.append(METHOD)
    return " ".join(parts)
