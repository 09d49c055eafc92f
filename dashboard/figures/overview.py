"""Landelijk overzicht: every region against the nation, as a table of categories and as a map.

Pure functions: the page reads the indicator table of one quarter and passes it in. A region is
better or worse than the nation when the national value lies outside the region's interval, in
the indicator's desired direction (Fingertips); at 99.8% the difference is very unlikely chance.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.format import number, percent, period_label, shown_text
from dashboard.theme import (
    BLUE,
    INK,
    MAP_BORDER,
    NO_FILL,
    ORANGE,
    SIMILAR_FILL,
    SKY,
    TRANSLUCENT_WHITE,
    VERMILLION,
    base_layout,
)
from indicators.aggregate import COLUMNS
from indicators.compare import Comparison, compare
from indicators.registry import INDICATORS, Direction, Indicator, Unit
from reference.areas import REFERENCE_DIR

GEOJSON_FILE = REFERENCE_DIR / "gemeenten_2023_wgs84.geojson"  # property `code`: GMxxxx
MIN_SHARE_REPORTED = 0.5  # below this share of municipalities delivering, a region is not judged


class Category(StrEnum):
    BETTER_998 = "beter_998"
    BETTER_95 = "beter_95"
    SIMILAR = "gelijk"
    WORSE_95 = "slechter_95"
    WORSE_998 = "slechter_998"
    NOT_COMPARED = "niet_vergeleken"


@dataclass(frozen=True)
class Style:
    """How a category looks: a symbol and words (colour is never the only cue), a cell class, a map colour."""

    symbol: str
    label: str
    css: str
    colour: str  # on the map; Okabe–Ito hues, the table cells use light tints of the same hues


STYLES: dict[Category, Style] = {
    Category.BETTER_998: Style("▲▲", "beter (99,8%)", "cell-better-strong", BLUE),
    Category.BETTER_95: Style("▲", "beter (95%)", "cell-better", SKY),
    Category.SIMILAR: Style("●", "gelijk", "cell-similar", SIMILAR_FILL),
    Category.WORSE_95: Style("▼", "slechter (95%)", "cell-worse", ORANGE),
    Category.WORSE_998: Style("▼▼", "slechter (99,8%)", "cell-worse-strong", VERMILLION),
    Category.NOT_COMPARED: Style("○", "niet te vergelijken", "cell-none", NO_FILL),
}

# Why a figure is not compared with the nation.
NO_VALUE = "geen cijfer"
SUPPRESSED = "afgeschermd: kleine aantallen"
TOO_FEW = "te weinig gemeenten"
ABSOLUTE = "aantal, niet vergeleken"
BENCHMARK = "maatstaf"
NO_REGION = "geen regio"

UNIT_LABELS = {Unit.PROPORTION: "%", Unit.COUNT: "aantal", Unit.RATE: "per 100.000 inwoners"}
DIRECTION_LABELS = {Direction.UP: "hoger is beter", Direction.DOWN: "lager is beter"}


def category_label(category: Category | str) -> str:
    """`beter_95` -> `▲ beter (95%)`."""
    style = STYLES[Category(category)]
    return f"{style.symbol} {style.label}"


def categorise(
    low95: float, high95: float, low998: float, high998: float, benchmark: float, direction: Direction
) -> Category:
    """The Fingertips judgement at 99.8% where it is that sure, else at 95%."""
    strict = compare(low998, high998, benchmark, direction)
    if strict is Comparison.BETTER:
        return Category.BETTER_998
    if strict is Comparison.WORSE:
        return Category.WORSE_998
    return {
        Comparison.BETTER: Category.BETTER_95,
        Comparison.WORSE: Category.WORSE_95,
        Comparison.SIMILAR: Category.SIMILAR,
        Comparison.NOT_COMPARED: Category.NOT_COMPARED,
    }[compare(low95, high95, benchmark, direction)]


def value_text(value: float, unit: Unit) -> str:
    """A value in Dutch notation: `34,5%`, `1.234`, `75,9`; missing -> `–`."""
    if unit is Unit.PROPORTION:
        return percent(value, 1)
    return number(value, 0 if unit is Unit.COUNT else 1)


def indicator_hint(indicator: Indicator) -> str:
    """Under a column header: the unit and which way is better (`%, lager is beter`)."""
    if indicator.unit is Unit.COUNT:
        return f"{UNIT_LABELS[indicator.unit]}, niet vergeleken"
    return f"{UNIT_LABELS[indicator.unit]}, {DIRECTION_LABELS[indicator.direction]}"


def completeness_text(reported: int, expected: int) -> str:
    """`24/26 gemeenten`."""
    return f"{number(reported)}/{number(expected)} gemeenten"


def empty_frame() -> pd.DataFrame:
    """An indicator table without rows."""
    return pd.DataFrame(columns=list(COLUMNS))


OVERVIEW_COLUMNS = (
    "level", "area_code", "area_name", "indicator", "value", "ci_low", "ci_high", "ci99_low", "ci99_high",
    "reported", "expected", "national", "category", "reason", "shown",
)  # fmt: skip


def overview_table(
    frame: pd.DataFrame,
    indicators: tuple[Indicator, ...] = INDICATORS,
    min_share: float = MIN_SHARE_REPORTED,
) -> pd.DataFrame:
    """One row per area and indicator (the nation first, then the regions by code) with the category
    of the comparison with the nation and, for a neutral category, the reason.

    `frame` holds the indicator table of one period, levels `national` and `region`."""
    order = {ind.code: i for i, ind in enumerate(indicators)}
    rows = frame.loc[frame["level"].isin(["national", "region"]) & frame["indicator"].isin(order)].copy()
    national = rows.loc[rows["level"] == "national"].set_index("indicator")["value"]
    rows["national"] = rows["indicator"].map(national).astype(float)
    if "shown" not in rows:
        rows["shown"] = pd.Series(pd.NA, index=rows.index, dtype="string")
    judged = [_judge(row, indicators[order[row.indicator]], min_share) for row in rows.itertuples(index=False)]
    rows["category"] = [category for category, _ in judged]
    rows["reason"] = [reason for _, reason in judged]
    rows["_level"] = (rows["level"] != "national").astype(int)
    rows["_indicator"] = rows["indicator"].map(order)
    rows = rows.sort_values(["_level", "area_code", "_indicator"], kind="stable")
    return rows[list(OVERVIEW_COLUMNS)].reset_index(drop=True)


def _judge(row, indicator: Indicator, min_share: float) -> tuple[Category, str]:
    if row.level == "national":
        return Category.NOT_COMPARED, BENCHMARK
    if pd.notna(row.shown):
        return Category.NOT_COMPARED, SUPPRESSED
    if pd.isna(row.value):
        return Category.NOT_COMPARED, NO_VALUE
    if indicator.unit is Unit.COUNT:
        return Category.NOT_COMPARED, ABSOLUTE
    if row.expected and row.reported / row.expected < min_share:
        return Category.NOT_COMPARED, TOO_FEW
    category = categorise(row.ci_low, row.ci_high, row.ci99_low, row.ci99_high, row.national, indicator.direction)
    return category, "" if category is not Category.NOT_COMPARED else NO_VALUE


def row_completeness(rows: pd.DataFrame) -> pd.DataFrame:
    """Per area: the fewest and most municipalities that delivered an indicator, of how many, as text."""
    grouped = rows.groupby("area_code", sort=False).agg(
        fewest=("reported", "min"), most=("reported", "max"), expected=("expected", "max")
    )
    grouped["complete"] = grouped["fewest"] >= grouped["expected"]
    grouped["text"] = [
        f"{number(lo)}/{number(exp)}" if lo == hi else f"{number(lo)}–{number(hi)}/{number(exp)}"
        for lo, hi, exp in zip(grouped["fewest"], grouped["most"], grouped["expected"], strict=True)
    ]
    return grouped


def comparison_text(category: str, reason: str) -> str:
    """The words of a cell's judgement: the category, or why there is none."""
    if category == Category.NOT_COMPARED and reason:
        return reason
    return category_label(category)


def download_table(rows: pd.DataFrame, period: str, indicators: tuple[Indicator, ...] = INDICATORS) -> pd.DataFrame:
    """The overview rows with Dutch headers; values in the unit shown (percentages as 34.5)."""
    by_code = {ind.code: ind for ind in indicators}
    scale = rows["indicator"].map(lambda code: 100.0 if by_code[code].unit is Unit.PROPORTION else 1.0)
    table = pd.DataFrame(
        {
            "Regiocode": rows["area_code"],
            "Regio": rows["area_name"],
            "Periode": period_label(period),
            "Indicator": rows["indicator"].map(lambda code: by_code[code].name),
            "Eenheid": rows["indicator"].map(lambda code: UNIT_LABELS[by_code[code].unit]),
            "Gewenste richting": rows["indicator"].map(lambda code: DIRECTION_LABELS[by_code[code].direction]),
            "Waarde": rows["value"] * scale,
            "Ondergrens 95%": rows["ci_low"] * scale,
            "Bovengrens 95%": rows["ci_high"] * scale,
            "Ondergrens 99,8%": rows["ci99_low"] * scale,
            "Bovengrens 99,8%": rows["ci99_high"] * scale,
            "Landelijke waarde": rows["national"] * scale,
            "Vergelijking met landelijk": [
                STYLES[Category(c)].label if c != Category.NOT_COMPARED else r or STYLES[Category(c)].label
                for c, r in zip(rows["category"], rows["reason"], strict=True)
            ],
            "Gemeenten aangeleverd": rows["reported"],
            "Gemeenten verwacht": rows["expected"],
        }
    )
    if "shown" in rows and rows["shown"].notna().any():
        table["Afgeschermd"] = [shown_text(h, "") for h in rows["shown"]]
    for column in ("Waarde", "Ondergrens 95%", "Bovengrens 95%", "Ondergrens 99,8%", "Bovengrens 99,8%",
                   "Landelijke waarde"):  # fmt: skip
        table[column] = table[column].astype(float).round(4)
    return table.reset_index(drop=True)


# ---- the map ------------------------------------------------------------------------------------


@cache
def load_municipality_geojson(path: Path = GEOJSON_FILE) -> dict:
    """The municipality boundaries, read once per process; treat as read-only."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RegionShapes:
    """Municipality polygons grouped by the region they belong to in the division of the reference."""

    features: dict[str, dict]  # municipality code -> GeoJSON feature
    region_of: dict[str, str | None]  # municipality code -> region code (None: not in the division)
    region_names: dict[str, str]
    municipality_names: dict[str, str]
    outline: tuple[list[float | None], list[float | None]]  # lon, lat of region borders, None between lines
    centres: dict[str, tuple[float, float]]  # region code -> lon, lat of its area-weighted centre


def region_shapes(geojson: dict, reference) -> RegionShapes:
    """Assign every municipality polygon its region (`reference.region_of`) and trace the region borders.

    Works for any division: a border is an edge of a municipality polygon that no other
    municipality of the same region shares (neighbouring polygons share their vertices exactly)."""
    features, region_of, names = {}, {}, {}
    edges: dict[str, defaultdict] = defaultdict(lambda: defaultdict(int))
    area: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for feature in geojson["features"]:
        code = feature["properties"]["code"]
        region = reference.region_of(code)
        features[code] = _drawable(feature)
        region_of[code] = region.code if region else None
        names[code] = feature["properties"].get("naam", code)
        key = region.code if region else ""
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                for a, b in zip(ring, ring[1:], strict=False):
                    edges[key][_edge(a, b)] += 1
            _add_area(area[key], polygon[0])
    border = {edge for region_edges in edges.values() for edge, count in region_edges.items() if count == 1}
    lon, lat = _lines(border)
    centres = {code: (sx / a, sy / a) for code, (a, sx, sy) in area.items() if code and a}
    region_names = {region.code: region.name for region in reference.regions.values()}
    return RegionShapes(features, region_of, region_names, names, (lon, lat), centres)


def _drawable(feature: dict) -> dict:
    """The feature as a MultiPolygon of numpy rings: plotly copies and serialises arrays much faster."""
    rings = [[np.asarray(ring, dtype=float) for ring in polygon] for polygon in _polygons(feature["geometry"])]
    return {
        "type": "Feature",
        "properties": {"code": feature["properties"]["code"]},
        "geometry": {"type": "MultiPolygon", "coordinates": rings},
    }


def _polygons(geometry: dict) -> list:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def _edge(a, b) -> tuple:
    a, b = tuple(a), tuple(b)
    return (a, b) if a <= b else (b, a)


def _add_area(total: list[float], ring: list) -> None:
    """Shoelace: add the ring's area and first moments (for the centre) to `total`."""
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        total[0] += cross / 2
        total[1] += (x0 + x1) * cross / 6
        total[2] += (y0 + y1) * cross / 6


def _lines(edges: set[tuple]) -> tuple[list, list]:
    """Chain edges into polylines; plotly draws them as one trace with None between lines."""
    neighbours = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    unused, lon, lat = set(edges), [], []
    for edge in sorted(edges):
        if edge not in unused:
            continue
        unused.discard(edge)
        line = list(edge)
        while nxt := next((n for n in neighbours[line[-1]] if _edge(line[-1], n) in unused), None):
            unused.discard(_edge(line[-1], nxt))
            line.append(nxt)
        lon += [p[0] for p in line] + [None]
        lat += [p[1] for p in line] + [None]
    return lon, lat


def map_rows(rows: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The region rows of `overview_table` for one indicator."""
    return rows.loc[(rows["level"] == "region") & (rows["indicator"] == indicator)].reset_index(drop=True)


def map_figure(regions: pd.DataFrame, shapes: RegionShapes, indicator: Indicator, height: int = 680) -> go.Figure:
    """Municipalities coloured by their region's category, one trace per category (the legend), the
    region borders, and the category's symbol at each region's centre. Click data: the region code."""
    category = {row.area_code: Category(row.category) for row in regions.itertuples(index=False)}
    hover = {row.area_code: _region_hover(row, indicator) for row in regions.itertuples(index=False)}
    # The borders go first: plotly.js fetches a world map from its CDN (unreachable here, and not
    # needed) when the first trace of a geo subplot has a `locationmode`, which every choropleth has.
    lon, lat = shapes.outline
    figure = go.Figure(
        go.Scattergeo(
            lon=lon, lat=lat, mode="lines", line={"color": MAP_BORDER, "width": 1}, hoverinfo="skip", showlegend=False
        )
    )
    for rank, (shown, style) in enumerate(STYLES.items()):
        codes = [m for m, r in shapes.region_of.items() if category.get(r, Category.NOT_COMPARED) == shown]
        figure.add_trace(
            go.Choropleth(
                geojson={"type": "FeatureCollection", "features": [shapes.features[m] for m in codes]},
                featureidkey="properties.code",
                locations=codes,
                z=[1] * len(codes),
                colorscale=[[0, style.colour], [1, style.colour]],
                showscale=False,
                marker={"line": {"color": "white", "width": 0.3}},
                customdata=[shapes.region_of[m] or "" for m in codes],
                text=[_municipality_hover(m, shapes, hover) for m in codes],
                hovertemplate="%{text}<extra></extra>",
                name=category_label(shown),
                legendrank=rank,
                showlegend=True,
            )
        )
    centred = [code for code in category if code in shapes.centres]
    figure.add_trace(
        go.Scattergeo(
            lon=[shapes.centres[c][0] for c in centred],
            lat=[shapes.centres[c][1] for c in centred],
            mode="text",
            text=[STYLES[category[c]].symbol for c in centred],
            textfont={"size": 14, "color": INK, "shadow": "0 0 2px white, 0 0 3px white"},
            customdata=centred,
            hovertext=[hover[c] for c in centred],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator", bgcolor="white")
    figure.update_layout(
        base_layout(height, margin={"l": 0, "r": 0, "t": 10, "b": 10}),
        legend={
            "title": {"text": "Vergeleken met Nederland"},
            "orientation": "v",
            "x": 0,
            "y": 1,
            "bgcolor": TRANSLUCENT_WHITE,
            "font": {"size": 14},
        },  # fmt: skip
        clickmode="event",
    )
    return figure


def _region_hover(row, indicator: Indicator) -> str:
    return (
        f"<b>{row.area_name}</b><br>{shown_text(getattr(row, 'shown', None), value_text(row.value, indicator.unit))}"
        f" (landelijk {value_text(row.national, indicator.unit)})<br>"
        f"{comparison_text(row.category, row.reason)}<br>{completeness_text(row.reported, row.expected)} aangeleverd"
    )


def _municipality_hover(municipality: str, shapes: RegionShapes, hover: dict[str, str]) -> str:
    region = shapes.region_of[municipality]
    name = shapes.municipality_names[municipality]
    if region in hover:
        return f"{hover[region]}<br>Gemeente {name}"
    label = shapes.region_names.get(region, NO_REGION) if region else NO_REGION
    return f"<b>{label}</b><br>Gemeente {name}<br>{NO_VALUE}"


def map_table(regions: pd.DataFrame, indicator: Indicator, period: str, display: bool = False) -> pd.DataFrame:
    """The figures behind the map with Dutch headers; `display` formats them as on the page."""
    table = download_table(regions, period, (indicator,))
    table = table[["Regiocode", "Regio", "Periode", "Eenheid", "Waarde", "Ondergrens 95%", "Bovengrens 95%",
                   "Landelijke waarde", "Vergelijking met landelijk", "Gemeenten aangeleverd",
                   "Gemeenten verwacht", *(["Afgeschermd"] if "Afgeschermd" in table else [])]]  # fmt: skip
    if display:
        table = table.drop(columns=["Eenheid"]).astype(object)
        for column in ("Waarde", "Ondergrens 95%", "Bovengrens 95%", "Landelijke waarde"):
            values = regions[_SOURCE[column]]
            hidden = regions.get("shown", pd.Series(pd.NA, index=regions.index))
            hidden = hidden if column != "Landelijke waarde" else pd.Series(pd.NA, index=regions.index)
            table[column] = [shown_text(h, value_text(v, indicator.unit)) for v, h in zip(values, hidden, strict=True)]
    return table


_SOURCE = {"Waarde": "value", "Ondergrens 95%": "ci_low", "Bovengrens 95%": "ci_high", "Landelijke waarde": "national"}
