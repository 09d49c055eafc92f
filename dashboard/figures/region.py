"""Figures of the region page: one indicator's trend over quarters, and the municipalities of one quarter.

Pure functions over rows of the indicator table (`dashboard.data.indicators`): a frame in, a frame or
a `go.Figure` out. The one setting, the startfoto year, is read by `startfoto_year` and passed on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from config import settings
from config.errors import ConfigurationError
from dashboard.format import SUPPRESSED_TEXT, number, percent, period_label, shown_text, unit_title
from dashboard.theme import AXIS_LINE, BAND, BLUE, GRID, INK, MUTED, SOURCE, VERMILLION, base_layout
from indicators.registry import COUNT_OF_RATE, INDICATORS, Indicator, Unit
from ingest.elements import ELEMENTS_BY_CODE
from reference.areas import Reference
from reference.periods import Period

STARTFOTO_ENV = "MONITOR_STARTFOTO_JAAR"
DEFAULT_STARTFOTO_YEAR = int(settings.DEFAULTS[STARTFOTO_ENV])

# Okabe-Ito: the region blue, the nation vermillion (dashed), the startfoto dark grey (dotted).

# A count that also exists per inhabitants is charted as the rate; the count goes in the rate's table.
TREND_INDICATORS = tuple(i for i in INDICATORS if i.code not in COUNT_OF_RATE.values())
_ROW_COLUMNS = ["period", "numerator", "denominator", "value", "ci_low", "ci_high", "reported", "expected"]


def startfoto_year(environ: Mapping[str, str] | None = None) -> int:
    """The baseline (startfoto) year: $MONITOR_STARTFOTO_JAAR, 2018 when unset."""
    text = settings.get(STARTFOTO_ENV, environ)
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise ConfigurationError(f"{STARTFOTO_ENV} moet een jaartal zijn, zoals 2018, niet {text!r}.")
    return int(text)


# --- Dutch notation per unit ---------------------------------------------------------------------


def value_text(indicator: Indicator) -> Callable[[object], str]:
    """How a value of `indicator` reads: `12,5%`, `21,3` (per 100.000) or `1.234`."""
    if indicator.unit is Unit.PROPORTION:
        return lambda x: percent(x, 1)
    if indicator.unit is Unit.RATE:
        return lambda x: number(x, 1)
    return lambda x: number(x, 0)


def unit_suffix(indicator: Indicator) -> str:
    """What follows a value in a sentence: ` per 100.000 inwoners` for a rate, else nothing."""
    return f" per {number(indicator.per)} inwoners" if indicator.unit is Unit.RATE else ""


def subtitle(indicator: Indicator, scope: str = "per kwartaal") -> str:
    """What a chart measures, from the registry's description: `Aandeel van ..., per kwartaal, met ...`."""
    text = indicator.description.rstrip(".")
    for article in ("Het ", "De "):
        text = text.removeprefix(article)
    return f"{text[0].upper()}{text[1:]}, {scope}, met 95%-betrouwbaarheidsinterval."


def row_codes(indicator: Indicator) -> list[str]:
    """The indicator rows a chart of `indicator` needs: its own, and the count behind a rate."""
    return [indicator.code, *([COUNT_OF_RATE[indicator.code]] if indicator.code in COUNT_OF_RATE else [])]


def _count_headers(indicator: Indicator) -> tuple[str, str]:
    """Column headers for the denominator and numerator counts: `Plegers in beeld`, `Plegers gestart ...`."""
    if indicator.unit is not Unit.PROPORTION:
        return "Inwoners", "Consultaties"
    whole, part = ELEMENTS_BY_CODE[indicator.denominator].label, ELEMENTS_BY_CODE[indicator.numerator[0]].label
    return whole[0].upper() + whole[1:], part[0].upper() + part[1:]


def _axis(indicator: Indicator) -> dict:
    formats = {Unit.PROPORTION: ".0%", Unit.RATE: ",.1~f", Unit.COUNT: ",d"}
    return {"title": {"text": unit_title(indicator)}, "tickformat": formats[indicator.unit], "gridcolor": GRID,
            "rangemode": "tozero", "zeroline": True, "zerolinecolor": AXIS_LINE, "linecolor": AXIS_LINE}  # fmt: skip


def _layout(height: int, **extra: object) -> dict:
    defaults = {"margin": {"l": 64, "r": 24, "t": 48, "b": 48},
                "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}}  # fmt: skip
    return base_layout(height, **(defaults | extra))


def _trace(kind: str, **trace: object) -> dict:
    """A trace as a plain dict: `go.Figure` validates it once, not twice as with `go.Scatter`."""
    return {"type": kind, **trace}


def _scatter(**trace: object) -> dict:
    return _trace("scatter", **trace)


def empty_figure(message: str) -> go.Figure:
    return go.Figure(
        layout=_layout(
            200,
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[{"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        )
    )


# --- the trend of one indicator ------------------------------------------------------------------


def prepare_trend(region: pd.DataFrame, national: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """One row per quarter: the region's counts, value and interval, completeness, the national value."""
    own = region.loc[region["indicator"].to_numpy() == indicator.code]
    order = np.argsort(own["period"].to_numpy(), kind="stable")
    periods = own["period"].to_numpy()[order]
    nation = national.loc[national["indicator"].to_numpy() == indicator.code]
    national_by_period = dict(zip(nation["period"], nation["value"].to_numpy(float), strict=True))
    columns = {"period": periods, "label": [period_label(p) for p in periods]}
    columns.update({column: own[column].array[order] for column in _ROW_COLUMNS[1:]})
    columns["national"] = np.array([national_by_period.get(p, np.nan) for p in periods], dtype=float)
    if indicator.code in COUNT_OF_RATE:
        counts = region.loc[region["indicator"].to_numpy() == COUNT_OF_RATE[indicator.code]]
        count_by_period = dict(zip(counts["period"], counts["numerator"], strict=True))
        columns["count"] = pd.array([count_by_period.get(p) for p in periods], dtype="Int64")
    columns["incomplete"] = np.asarray(columns["reported"]) < np.asarray(columns["expected"])
    # "<5" or "" (afgeschermd) where the figure is suppressed for this user, <NA> where shown
    columns["shown"] = own["shown"].array[order] if "shown" in own else pd.array([pd.NA] * len(periods), "string")
    return pd.DataFrame(columns)


def suppressed_in_year(trend: pd.DataFrame, year: int) -> bool:
    """Whether a quarter of `year` is suppressed: then the startfoto comes from the year's own row."""
    in_year = np.array([p.startswith(f"{year}Q") for p in trend["period"]], dtype=bool)
    return bool(trend["shown"].notna().to_numpy()[in_year].any()) if "shown" in trend else False


def startfoto_of_year(year_row: pd.DataFrame, indicator: Indicator) -> float | None:
    """The startfoto from the published yearly row (four quarters pooled, protected like the quarters):
    the mean count per quarter, or summed numerators over summed denominators."""
    if year_row.empty or pd.notna(year_row["shown"].iloc[0]) or pd.isna(year_row["numerator"].iloc[0]):
        return None
    numerator = float(year_row["numerator"].iloc[0])
    if indicator.unit is Unit.COUNT:
        return numerator / 4
    denominator = year_row["denominator"].iloc[0]
    if pd.isna(denominator) or float(denominator) <= 0:
        return None
    scale = (indicator.per or 1) if indicator.unit is Unit.RATE else 1
    return numerator / float(denominator) * scale


def startfoto(trend: pd.DataFrame, indicator: Indicator, year: int) -> float | None:
    """The region's own value over the four quarters of `year`, pooled: summed numerators over summed
    denominators (times `per` for a rate); for a count the mean count per quarter with figures."""
    in_year = np.array([p.startswith(f"{year}Q") for p in trend["period"]], dtype=bool)
    numerator = trend["numerator"].to_numpy(float, na_value=np.nan)[in_year]
    if indicator.unit is Unit.COUNT:
        known = numerator[~np.isnan(numerator)]
        return float(known.mean()) if len(known) else None
    denominator = trend["denominator"].to_numpy(float, na_value=np.nan)[in_year]
    both = ~np.isnan(numerator) & ~np.isnan(denominator)
    if denominator[both].sum() <= 0:
        return None
    scale = (indicator.per or 1) if indicator.unit is Unit.RATE else 1
    return float(numerator[both].sum() / denominator[both].sum() * scale)


def make_trend_figure(
    trend: pd.DataFrame,
    indicator: Indicator,
    region_name: str,
    baseline: float | None = None,
    baseline_year: int = DEFAULT_STARTFOTO_YEAR,
) -> go.Figure:
    """The region's line with its 95% band, the nation (dashed), the startfoto (dotted), and open
    circles on quarters with incomplete deliveries."""
    value = trend["value"].to_numpy(float)
    if not len(value) or np.isnan(value).all():
        return empty_figure("Nog geen cijfers voor deze regio.")
    text = value_text(indicator)
    labels = trend["label"].tolist()
    low, high = trend["ci_low"].to_numpy(float), trend["ci_high"].to_numpy(float)
    national = trend["national"].to_numpy(float)
    reported, expected = trend["reported"].tolist(), trend["expected"].tolist()
    in_band = np.flatnonzero(~np.isnan(low) & ~np.isnan(high))
    band_x = [labels[i] for i in in_band]
    hover = [
        (f"{text(v)} (95%-interval {text(lo)} – {text(hi)}); " if not np.isnan(v) else "geen cijfer; ")
        + f"{'onvolledig: ' if r < e else ''}{r} van {e} gemeenten"
        for v, lo, hi, r, e in zip(value.tolist(), low.tolist(), high.tolist(), reported, expected, strict=True)
    ]
    traces = [
        _scatter(
            x=band_x + band_x[::-1], y=np.concatenate([high[in_band], low[in_band][::-1]]),
            fill="toself", fillcolor=BAND, line={"width": 0}, mode="lines", hoverinfo="skip",
            name="95%-betrouwbaarheidsinterval", legendrank=4,
        ),
        _scatter(
            x=labels, y=national, name="Nederland", mode="lines",
            line={"color": VERMILLION, "dash": "dash", "width": 2}, legendrank=2,
            text=[text(v) for v in national.tolist()], hovertemplate="%{text}",
        ),
        _scatter(
            x=labels, y=value, name=region_name, mode="lines+markers", legendrank=1,
            line={"color": BLUE, "width": 3}, marker={"size": 7, "color": BLUE},
            text=hover, hovertemplate="%{text}",
        ),
    ]  # fmt: skip
    annotations = []
    if baseline is not None:
        name = f"Startfoto {baseline_year}"
        traces.append(
            _scatter(
                x=[labels[0], labels[-1]], y=[baseline, baseline], mode="lines", name=name, legendrank=3,
                line={"color": MUTED, "dash": "dot", "width": 2}, text=[text(baseline)] * 2, hovertemplate="%{text}",
            )
        )  # fmt: skip
        annotations.append(  # a direct label in the right margin, clear of the data
            {"xref": "paper", "x": 1, "y": baseline, "text": f"{name}<br>{text(baseline)}", "showarrow": False,
             "xanchor": "left", "align": "left", "xshift": 6, "font": {"color": MUTED, "size": 12}}
        )  # fmt: skip
    incomplete = [
        i for i, (r, e) in enumerate(zip(reported, expected, strict=True)) if r < e and not np.isnan(value[i])
    ]
    if incomplete:
        traces.append(
            _scatter(
                x=[labels[i] for i in incomplete], y=value[incomplete], mode="markers",
                name="Onvolledig aangeleverd", legendrank=5,
                marker={"symbol": "circle-open", "size": 16, "color": INK, "line": {"width": 2}},
                text=[f"onvolledig: {reported[i]} van {expected[i]} gemeenten" for i in incomplete],
                hoverinfo="skip",  # the region's own hover says it already
            )
        )  # fmt: skip
    ticks = [label for label in labels if label.endswith("K1")] or labels[:1]
    return go.Figure(
        data=traces,
        layout=_layout(
            380,
            margin={"l": 64, "r": 110, "t": 48, "b": 48},
            hovermode="x unified",
            annotations=annotations,
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "tickvals": ticks,
                   "title": {"text": "Kwartaal"}, "gridcolor": GRID, "linecolor": AXIS_LINE},
            yaxis=_axis(indicator),
        ),
    )  # fmt: skip


def trend_table(
    trend: pd.DataFrame,
    indicator: Indicator,
    region_name: str,
    baseline: float | None = None,
    baseline_year: int = DEFAULT_STARTFOTO_YEAR,
    *,
    formatted: bool = False,
) -> pd.DataFrame:
    """The figures behind a trend chart with Dutch headers: numbers for downloads, or Dutch text for the
    table beside the chart (the startfoto, one number, is in the chart's note there)."""
    unit = unit_title(indicator).lower()
    whole, part = _count_headers(indicator)
    part_values = trend["count"] if "count" in trend else trend["numerator"]
    shown = trend["shown"] if "shown" in trend else pd.Series(pd.NA, index=trend.index, dtype="string")
    if formatted:
        text = value_text(indicator)
        return pd.DataFrame(
            {
                "Kwartaal": trend["label"],
                f"{region_name} ({unit})": [shown_text(h, text(v)) for v, h in zip(trend["value"], shown, strict=True)],
                "95%-interval": [shown_text(h, f"{text(lo)} – {text(hi)}") for lo, hi, h in zip(trend["ci_low"],
                                 trend["ci_high"], shown, strict=True)],
                f"Nederland ({unit})": [text(v) for v in trend["national"]],
                whole: [SUPPRESSED_TEXT if pd.notna(h) else number(v) for v, h in zip(trend["denominator"], shown,
                                                                                      strict=True)],
                part: [shown_text(h, number(v)) for v, h in zip(part_values, shown, strict=True)],
                "Gemeenten aangeleverd": [f"{r} van {e}" for r, e in zip(trend["reported"], trend["expected"],
                                                                        strict=True)],
            }
        )  # fmt: skip
    scale = 100.0 if indicator.unit is Unit.PROPORTION else 1.0
    return pd.DataFrame(
        {
            "Kwartaal": trend["label"],
            f"{region_name} ({unit})": (trend["value"] * scale).round(2),
            "Ondergrens 95%-interval": (trend["ci_low"] * scale).round(2),
            "Bovengrens 95%-interval": (trend["ci_high"] * scale).round(2),
            f"Nederland ({unit})": (trend["national"] * scale).round(2),
            f"Startfoto {baseline_year}": np.nan if baseline is None else round(baseline * scale, 2),
            whole: trend["denominator"],
            part: part_values,
            "Gemeenten aangeleverd": trend["reported"],
            "Gemeenten in de regio": trend["expected"],
            **({"Afgeschermd": [shown_text(h, "") for h in shown]} if shown.notna().any() else {}),
        }
    )


def trend_note(trend: pd.DataFrame, indicator: Indicator, baseline: float | None, baseline_year: int) -> str:
    """Source, startfoto and completeness of the latest quarter, under a trend chart."""
    parts = [SOURCE]
    parts.append(
        f"Startfoto {baseline_year}: {value_text(indicator)(baseline)}{unit_suffix(indicator)}."
        if baseline is not None
        else f"Geen startfoto: geen cijfers over {baseline_year}."
    )
    if not trend.empty:
        last = trend.iloc[-1]
        parts.append(f"Volledigheid {last['label']}: {last['reported']} van {last['expected']} gemeenten.")
    return " ".join(parts)


# --- the municipalities of one quarter -----------------------------------------------------------


def region_members(reference: Reference, region_code: str, period_code: str) -> dict[str, str]:
    """The municipalities of a region as they existed in a quarter (code -> name); a former
    municipality belongs to the region of its successor."""
    return {m.code: m.name for m in reference.members(region_code, Period.parse_code(period_code))}


def prepare_breakdown(rows: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The region's municipalities for one quarter, highest value first, those without figures last."""
    own = rows.loc[rows["indicator"] == indicator.code, ["area_code", "area_name", *_ROW_COLUMNS[1:]]]
    if indicator.code in COUNT_OF_RATE:
        counts = rows.loc[rows["indicator"] == COUNT_OF_RATE[indicator.code], ["area_code", "numerator"]]
        own = own.merge(counts.rename(columns={"numerator": "count"}), on="area_code", how="left")
    own = own.assign(delivered=own["reported"] > 0)
    return own.sort_values(["value", "area_name"], ascending=[False, True], na_position="last").reset_index(drop=True)


def pooled_value(breakdown: pd.DataFrame, indicator: Indicator) -> float:
    """The region's value from its municipalities that delivered: summed numerators over summed
    denominators (times `per` for a rate), or the summed count; NaN when there is nothing to pool."""
    delivered = breakdown.loc[breakdown["delivered"]]
    numerator = float(delivered["numerator"].sum())
    if indicator.unit is Unit.COUNT:
        return numerator if len(delivered) else float("nan")
    denominator = float(delivered["denominator"].sum())
    scale = (indicator.per or 1) if indicator.unit is Unit.RATE else 1
    return numerator / denominator * scale if denominator > 0 else float("nan")


def make_breakdown_figure(
    breakdown: pd.DataFrame, indicator: Indicator, region_name: str, region_value: float, national_value: float
) -> go.Figure:
    """Horizontal bars with 95% intervals per municipality, the region (dotted) and the nation (dashed)."""
    if breakdown.empty:
        return empty_figure("Geen gemeenten in deze regio in dit kwartaal.")
    text = value_text(indicator)
    names = breakdown["area_name"].tolist()[::-1]  # the highest value on top
    shown = breakdown.loc[breakdown["value"].notna()]
    missing = breakdown.loc[breakdown["value"].isna()]
    missing_text = np.where(missing["delivered"].to_numpy(bool), " 0 van 0", " niet aangeleverd").tolist()
    missing = missing["area_name"].tolist()
    value = shown["value"].to_numpy(float)
    traces = [
        _trace(
            "bar", x=value, y=shown["area_name"].tolist(), orientation="h", marker={"color": BLUE},
            error_x={"type": "data", "array": shown["ci_high"].to_numpy(float) - value,
                     "arrayminus": value - shown["ci_low"].to_numpy(float), "color": INK, "thickness": 1.5},
            text=[f"{text(v)} (95%-interval {text(lo)} – {text(hi)})"
                  for v, lo, hi in zip(value, shown["ci_low"], shown["ci_high"], strict=True)],
            textposition="none", hovertemplate="%{y}: %{text}<extra></extra>", showlegend=False,
        )
    ]  # fmt: skip
    if missing:
        traces.append(
            _scatter(
                x=[0] * len(missing), y=missing, mode="text", text=missing_text,
                textposition="middle right", textfont={"color": MUTED}, hoverinfo="skip", showlegend=False,
            )
        )  # fmt: skip
    for name, level, colour, dash in (
        (region_name, region_value, MUTED, "dot"),
        ("Nederland", national_value, VERMILLION, "dash"),
    ):
        if level is not None and not np.isnan(level):
            traces.append(
                _scatter(
                    x=[level, level], y=[names[0], names[-1]], mode="lines", name=f"{name}: {text(level)}",
                    line={"color": colour, "dash": dash, "width": 2}, hoverinfo="skip",
                )
            )  # fmt: skip
    return go.Figure(
        data=traces,
        layout=_layout(
            max(260, 26 * len(names) + 110),
            margin={"l": 180, "r": 24, "t": 48, "b": 48},
            bargap=0.35,
            xaxis=_axis(indicator),
            yaxis={"type": "category", "categoryorder": "array", "categoryarray": names, "automargin": True},
        ),
    )


def breakdown_table(breakdown: pd.DataFrame, indicator: Indicator, *, formatted: bool = False) -> pd.DataFrame:
    """The municipalities' figures with Dutch headers: numbers for downloads, or Dutch text."""
    unit = unit_title(indicator)
    whole, part = _count_headers(indicator)
    part_values = breakdown["count"] if "count" in breakdown else breakdown["numerator"]
    delivered = breakdown["delivered"].map({True: "ja", False: "nee"})
    if formatted:
        text = value_text(indicator)
        return pd.DataFrame(
            {
                "Gemeente": breakdown["area_name"],
                whole: [number(v) for v in breakdown["denominator"]],
                part: [number(v) for v in part_values],
                unit: [text(v) for v in breakdown["value"]],
                "95%-interval": [f"{text(lo)} – {text(hi)}" if pd.notna(lo) else "–"
                                 for lo, hi in zip(breakdown["ci_low"], breakdown["ci_high"], strict=True)],
                "Aangeleverd": delivered,
            }
        )  # fmt: skip
    scale = 100.0 if indicator.unit is Unit.PROPORTION else 1.0
    return pd.DataFrame(
        {
            "Gemeentecode": breakdown["area_code"],
            "Gemeente": breakdown["area_name"],
            whole: breakdown["denominator"],
            part: part_values,
            unit: (breakdown["value"] * scale).round(2),
            "Ondergrens 95%-interval": (breakdown["ci_low"] * scale).round(2),
            "Bovengrens 95%-interval": (breakdown["ci_high"] * scale).round(2),
            "Aangeleverd": delivered,
        }
    )


def breakdown_note(breakdown: pd.DataFrame, period_code: str) -> str:
    label = period_label(period_code)
    delivered = int(breakdown["delivered"].sum()) if not breakdown.empty else 0
    return (
        f"{SOURCE} Volledigheid {label}: {delivered} van {len(breakdown)} gemeenten. "
        f"Gemeenten zoals ze in {label} bestonden; een opgeheven gemeente hoort bij de regio van haar opvolger."
    )
