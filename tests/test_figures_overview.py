"""Pure functions of the Landelijk overzicht: categories, the table, downloads and the map."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures import overview as fig
from dashboard.figures.overview import Category
from indicators.completeness import complete_periods
from indicators.registry import INDICATORS_BY_CODE, Direction, Unit
from reference.areas import Region

NAN = float("nan")
UITVAL = INDICATORS_BY_CODE["plegerhulp_uitval"]  # direction down
KM = INDICATORS_BY_CODE["huisverbod_km"]  # direction up
COUNT = INDICATORS_BY_CODE["consultatie_specialistisch"]
RATE = INDICATORS_BY_CODE["consultatie_specialistisch_per_100k"]


# ---- categories ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low95", "high95", "low998", "high998", "direction", "expected"),
    [
        (0.30, 0.40, 0.27, 0.43, Direction.UP, Category.BETTER_998),  # above the nation at both levels
        (0.26, 0.40, 0.22, 0.43, Direction.UP, Category.BETTER_95),  # above at 95%, not at 99.8%
        (0.20, 0.30, 0.18, 0.33, Direction.UP, Category.SIMILAR),  # contains 0.25
        (0.15, 0.24, 0.12, 0.27, Direction.UP, Category.WORSE_95),
        (0.05, 0.15, 0.03, 0.20, Direction.UP, Category.WORSE_998),
        # uitval: lower than the nation is better
        (0.05, 0.15, 0.03, 0.20, Direction.DOWN, Category.BETTER_998),
        (0.15, 0.24, 0.12, 0.27, Direction.DOWN, Category.BETTER_95),
        (0.26, 0.40, 0.22, 0.43, Direction.DOWN, Category.WORSE_95),
        (0.30, 0.40, 0.27, 0.43, Direction.DOWN, Category.WORSE_998),
        (0.20, 0.30, 0.18, 0.33, Direction.DOWN, Category.SIMILAR),
        (NAN, NAN, NAN, NAN, Direction.UP, Category.NOT_COMPARED),
    ],
)
def test_categorise_follows_direction_and_level(low95, high95, low998, high998, direction, expected):
    assert fig.categorise(low95, high95, low998, high998, 0.25, direction) is expected


def test_categorise_without_benchmark_is_not_compared():
    assert fig.categorise(0.3, 0.4, 0.2, 0.5, NAN, Direction.UP) is Category.NOT_COMPARED


@pytest.mark.parametrize(
    ("category", "label"),
    [
        ("beter_998", "▲▲ beter (99,8%)"),
        (Category.BETTER_95, "▲ beter (95%)"),
        (Category.SIMILAR, "● gelijk"),
        (Category.WORSE_95, "▼ slechter (95%)"),
        (Category.WORSE_998, "▼▼ slechter (99,8%)"),
        (Category.NOT_COMPARED, "○ niet te vergelijken"),
    ],
)
def test_category_label_is_dutch_with_a_symbol(category, label):
    assert fig.category_label(category) == label


def test_every_category_has_its_own_colour_class_and_symbol():
    styles = list(fig.STYLES.values())
    assert set(fig.STYLES) == set(Category)
    for attribute in ("symbol", "label", "css", "colour"):
        assert len({getattr(s, attribute) for s in styles}) == len(styles), attribute


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.345, Unit.PROPORTION, "34,5%"),
        (0.1, Unit.PROPORTION, "10,0%"),
        (8115.0, Unit.COUNT, "8.115"),
        (75.9103, Unit.RATE, "75,9"),
        (1234.56, Unit.RATE, "1.234,6"),
        (NAN, Unit.PROPORTION, "–"),
    ],
)
def test_value_text_in_dutch_notation(value, unit, text):
    assert fig.value_text(value, unit) == text


def test_indicator_hint_names_unit_and_direction():
    assert fig.indicator_hint(UITVAL) == "%, lager is beter"
    assert fig.indicator_hint(KM) == "%, hoger is beter"
    assert fig.indicator_hint(RATE) == "per 100.000 inwoners, hoger is beter"
    assert fig.indicator_hint(COUNT) == "aantal, niet vergeleken"


def test_complete_periods_are_ended_quarters_with_figures_newest_first():
    national = pd.DataFrame(
        {"period": ["2024Q3", "2024Q4", "2025Q1", "2025Q2", "2024Q2"], "reported": [10, 12, 11, 5, 0]}
    )
    assert complete_periods(national, today=dt.date(2025, 6, 1)) == ["2025Q1", "2024Q4", "2024Q3"]
    assert complete_periods(national, today=dt.date(2025, 7, 1)) == ["2025Q2", "2025Q1", "2024Q4", "2024Q3"]


# ---- the table ----------------------------------------------------------------------------------


def row(level, code, name, indicator, value, ci, ci99, reported=10, expected=10):
    return {
        "level": level, "area_code": code, "area_name": name, "period": "2025Q1", "indicator": indicator,
        "numerator": None, "denominator": None, "value": value, "ci_low": ci[0], "ci_high": ci[1],
        "reported": reported, "expected": expected, "ci99_low": ci99[0], "ci99_high": ci99[1], "population": None,
    }  # fmt: skip


FRAME = pd.DataFrame(
    [
        row("region", "VR25", "Flevoland", "plegerhulp_uitval", 0.40, (0.37, 0.43), (0.35, 0.45), 3, 6),
        row("region", "VR13", "Amsterdam-Amstelland", "plegerhulp_uitval", 0.10, (0.08, 0.12), (0.07, 0.14), 4, 6),
        row("region", "VR13", "Amsterdam-Amstelland", "huisverbod_km", 0.40, (0.36, 0.45), (0.33, 0.48), 6, 6),
        row("region", "VR25", "Flevoland", "huisverbod_km", NAN, (NAN, NAN), (NAN, NAN), 0, 6),
        row("region", "VR13", "Amsterdam-Amstelland", "consultatie_specialistisch", 500, (457, 546), (440, 560), 2, 6),
        row(
            "region",
            "VR13",
            "Amsterdam-Amstelland",
            "consultatie_specialistisch_per_100k",
            80,
            (70, 90),
            (66, 95),
            2,
            6,
        ),
        row("national", "NL", "Nederland", "huisverbod_km", 0.34, (0.33, 0.35), (0.32, 0.36), 300, 342),
        row("national", "NL", "Nederland", "plegerhulp_uitval", 0.245, (0.23, 0.26), (0.22, 0.27), 7, 342),
        row("national", "NL", "Nederland", "consultatie_specialistisch", 900, (850, 950), (830, 970), 7, 342),
        row("national", "NL", "Nederland", "consultatie_specialistisch_per_100k", 50, (48, 52), (47, 53), 7, 342),
        row("municipality", "GM0363", "Amsterdam", "huisverbod_km", 0.9, (0.8, 0.95), (0.7, 0.97), 1, 1),
    ]
)


def test_overview_table_orders_nation_first_then_regions_by_code_and_indicator():
    table = fig.overview_table(FRAME)
    assert list(table["area_code"]) == ["NL"] * 4 + ["VR13"] * 4 + ["VR25"] * 2
    assert list(table.loc[table["area_code"] == "VR13", "indicator"]) == [
        "huisverbod_km", "plegerhulp_uitval", "consultatie_specialistisch", "consultatie_specialistisch_per_100k",
    ]  # fmt: skip
    assert "municipality" not in set(table["level"])


def test_overview_table_judges_each_region_against_the_nation():
    table = fig.overview_table(FRAME).set_index(["area_code", "indicator"])
    judged = table[["category", "reason"]].apply(tuple, axis=1).to_dict()
    assert judged == {
        ("NL", "huisverbod_km"): (Category.NOT_COMPARED, fig.BENCHMARK),
        ("NL", "plegerhulp_uitval"): (Category.NOT_COMPARED, fig.BENCHMARK),
        ("NL", "consultatie_specialistisch"): (Category.NOT_COMPARED, fig.BENCHMARK),
        ("NL", "consultatie_specialistisch_per_100k"): (Category.NOT_COMPARED, fig.BENCHMARK),
        # uitval is 'down': far below the nation is better, far above is worse
        ("VR13", "plegerhulp_uitval"): (Category.BETTER_998, ""),
        ("VR25", "plegerhulp_uitval"): (Category.WORSE_998, ""),
        # 0.36–0.45 excludes 0.34 at 95%, but 0.33–0.48 contains it at 99.8%
        ("VR13", "huisverbod_km"): (Category.BETTER_95, ""),
        ("VR25", "huisverbod_km"): (Category.NOT_COMPARED, fig.NO_VALUE),
        ("VR13", "consultatie_specialistisch"): (Category.NOT_COMPARED, fig.ABSOLUTE),
        # 2 of 6 municipalities delivered: fewer than half, not judged
        ("VR13", "consultatie_specialistisch_per_100k"): (Category.NOT_COMPARED, fig.TOO_FEW),
    }
    assert table.loc[("VR13", "plegerhulp_uitval"), "national"] == pytest.approx(0.245)


def test_rate_is_judged_when_enough_municipalities_delivered():
    frame = FRAME.copy()
    frame.loc[frame["indicator"] == "consultatie_specialistisch_per_100k", "reported"] = [3, 7]
    table = fig.overview_table(frame).set_index(["area_code", "indicator"])
    assert table.loc[("VR13", "consultatie_specialistisch_per_100k"), "category"] == Category.BETTER_998


def test_overview_table_of_an_empty_frame_has_the_columns():
    assert list(fig.overview_table(fig.empty_frame()).columns) == list(fig.OVERVIEW_COLUMNS)


def test_row_completeness_gives_the_range_over_indicators():
    completeness = fig.row_completeness(fig.overview_table(FRAME))
    assert completeness.loc["VR13", "text"] == "2–6/6"
    assert completeness.loc["NL", "text"] == "7–300/342"
    assert not completeness.loc["VR13", "complete"]
    full = fig.row_completeness(pd.DataFrame({"area_code": ["A", "A"], "reported": [5, 5], "expected": [5, 5]}))
    assert (full.loc["A", "text"], full.loc["A", "complete"]) == ("5/5", True)


@pytest.mark.parametrize(
    ("category", "reason", "text"),
    [
        (Category.WORSE_95, "", "▼ slechter (95%)"),
        (Category.NOT_COMPARED, fig.TOO_FEW, "te weinig gemeenten"),
        (Category.NOT_COMPARED, "", "○ niet te vergelijken"),
    ],
)
def test_comparison_text_gives_the_reason_of_a_neutral_cell(category, reason, text):
    assert fig.comparison_text(category, reason) == text


def test_download_table_has_dutch_headers_and_percentages():
    table = fig.download_table(fig.overview_table(FRAME), "2025Q1")
    assert list(table.columns) == [
        "Regiocode", "Regio", "Periode", "Indicator", "Eenheid", "Gewenste richting", "Waarde", "Ondergrens 95%",
        "Bovengrens 95%", "Ondergrens 99,8%", "Bovengrens 99,8%", "Landelijke waarde", "Vergelijking met landelijk",
        "Gemeenten aangeleverd", "Gemeenten verwacht",
    ]  # fmt: skip
    uitval = table.loc[(table["Regiocode"] == "VR13") & (table["Indicator"] == UITVAL.name)].iloc[0]
    assert uitval["Periode"] == "2025 K1"
    assert uitval["Eenheid"] == "%"
    assert uitval["Gewenste richting"] == "lager is beter"
    assert (uitval["Waarde"], uitval["Ondergrens 95%"], uitval["Landelijke waarde"]) == (10.0, 8.0, 24.5)
    assert uitval["Vergelijking met landelijk"] == "beter (99,8%)"
    rate = table.loc[(table["Regiocode"] == "VR13") & (table["Indicator"] == RATE.name)].iloc[0]
    assert (rate["Waarde"], rate["Eenheid"], rate["Vergelijking met landelijk"]) == (
        80.0, "per 100.000 inwoners", "te weinig gemeenten",
    )  # fmt: skip
    assert table.loc[table["Regiocode"] == "NL", "Vergelijking met landelijk"].unique().tolist() == ["maatstaf"]


# ---- the map ------------------------------------------------------------------------------------


def square(code, x, name=None):
    ring = [[x, 0.0], [x + 1, 0.0], [x + 1, 1.0], [x, 1.0], [x, 0.0]]
    return {
        "type": "Feature",
        "properties": {"code": code, "naam": name or code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


GEOJSON = {  # four unit squares in a row; neighbours share their vertices
    "type": "FeatureCollection",
    "features": [square("GM0001", 0, "Een"), square("GM0002", 1, "Twee"), square("GM0003", 2), square("GM0009", 3)],
}
REGIONS = {"R1": Region("R1", "Regio Een"), "R2": Region("R2", "Regio Twee")}
MEMBERS = {"GM0001": "R1", "GM0002": "R1", "GM0003": "R2"}  # GM0009: in no region of this division
REFERENCE = SimpleNamespace(
    regions=REGIONS, region_of=lambda code: REGIONS.get(MEMBERS.get(code)) if code in MEMBERS else None
)


def map_regions(categories: dict[str, Category]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"level": "region", "area_code": code, "area_name": REGIONS[code].name, "indicator": "plegerhulp_uitval",
             "value": 0.1, "ci_low": 0.08, "ci_high": 0.12, "ci99_low": 0.07, "ci99_high": 0.14, "reported": 4,
             "expected": 6, "national": 0.245, "category": category, "reason": ""}
            for code, category in categories.items()
        ]
    )  # fmt: skip


def test_region_shapes_assign_municipalities_and_trace_the_region_borders():
    shapes = fig.region_shapes(GEOJSON, REFERENCE)
    assert shapes.region_of == {"GM0001": "R1", "GM0002": "R1", "GM0003": "R2", "GM0009": None}
    segments = set()
    lon, lat = shapes.outline
    points = list(zip(lon, lat, strict=True))
    for a, b in zip(points, points[1:], strict=False):
        if None not in a and None not in b:
            segments.add(tuple(sorted([a, b])))
    assert ((1.0, 0.0), (1.0, 1.0)) not in segments  # inside region R1
    assert ((2.0, 0.0), (2.0, 1.0)) in segments  # between R1 and R2
    assert ((0.0, 0.0), (0.0, 1.0)) in segments  # the outer border
    assert shapes.centres["R1"] == pytest.approx((1.0, 0.5))
    assert shapes.centres["R2"] == pytest.approx((2.5, 0.5))
    assert "" not in shapes.centres


def test_map_figure_has_one_location_per_municipality_coloured_by_its_region():
    shapes = fig.region_shapes(GEOJSON, REFERENCE)
    figure = fig.map_figure(map_regions({"R1": Category.BETTER_998, "R2": Category.WORSE_95}), shapes, UITVAL)
    choropleths = [t for t in figure.data if isinstance(t, go.Choropleth)]
    locations = [code for t in choropleths for code in t.locations]
    assert sorted(locations) == ["GM0001", "GM0002", "GM0003", "GM0009"]
    category_of = {code: t.name for t in choropleths for code in t.locations}
    assert category_of == {
        "GM0001": "▲▲ beter (99,8%)",
        "GM0002": "▲▲ beter (99,8%)",
        "GM0003": "▼ slechter (95%)",
        "GM0009": "○ niet te vergelijken",
    }
    colour_of = {t.name: t.colorscale[0][1] for t in choropleths}
    assert colour_of["▲▲ beter (99,8%)"] == "#0072B2"
    assert colour_of["▼ slechter (95%)"] == "#E69F00"
    # each trace carries only its own municipalities' shapes
    for trace in choropleths:
        assert [f["properties"]["code"] for f in trace.geojson["features"]] == list(trace.locations)
    clicks = {code: region for t in choropleths for code, region in zip(t.locations, t.customdata, strict=True)}
    assert clicks == {"GM0001": "R1", "GM0002": "R1", "GM0003": "R2", "GM0009": ""}


def test_map_hover_names_region_value_and_category():
    shapes = fig.region_shapes(GEOJSON, REFERENCE)
    figure = fig.map_figure(map_regions({"R1": Category.BETTER_998}), shapes, UITVAL)
    hover = {code: text for t in figure.data if isinstance(t, go.Choropleth) for code, text in zip(
        t.locations, t.text, strict=True)}  # fmt: skip
    assert hover["GM0002"] == (
        "<b>Regio Een</b><br>10,0% (landelijk 24,5%)<br>▲▲ beter (99,8%)<br>4/6 gemeenten aangeleverd<br>Gemeente Twee"
    )
    assert hover["GM0003"] == "<b>Regio Twee</b><br>Gemeente GM0003<br>geen cijfer"
    assert hover["GM0009"] == "<b>geen regio</b><br>Gemeente GM0009<br>geen cijfer"


def test_map_figure_is_calm_dutch_and_needs_no_tiles():
    shapes = fig.region_shapes(GEOJSON, REFERENCE)
    figure = fig.map_figure(map_regions({"R1": Category.SIMILAR, "R2": Category.WORSE_998}), shapes, UITVAL)
    assert figure.layout.separators == ",."
    assert figure.layout.geo.fitbounds == "locations"
    assert figure.layout.geo.visible is False
    assert not any(isinstance(t, go.Choroplethmap | go.Scattermap) for t in figure.data)
    # plotly.js fetches a world map from the internet when the first trace has a locationmode
    assert isinstance(figure.data[0], go.Scattergeo) and figure.data[0].locationmode is None
    symbols = next(t for t in figure.data if isinstance(t, go.Scattergeo) and t.mode == "text")
    assert dict(zip(symbols.customdata, symbols.text, strict=True)) == {"R1": "●", "R2": "▼▼"}
    assert figure.layout.title.text is None


def test_real_municipality_map_covers_every_region_of_the_division():
    from reference.areas import load_reference

    reference = load_reference()
    shapes = fig.region_shapes(fig.load_municipality_geojson(), reference)
    assert len(shapes.features) == 342
    assert set(shapes.region_of.values()) == set(reference.regions)  # also VR20-HVB and VR20-WB
    assert set(shapes.centres) == set(reference.regions)
    assert isinstance(next(iter(shapes.features.values()))["geometry"]["coordinates"][0][0], np.ndarray)


def test_map_table_display_and_numbers():
    regions = map_regions({"R1": Category.BETTER_998})
    shown = fig.map_table(regions, UITVAL, "2025Q1", display=True)
    assert shown.iloc[0][["Regio", "Waarde", "Landelijke waarde", "Vergelijking met landelijk"]].tolist() == [
        "Regio Een", "10,0%", "24,5%", "beter (99,8%)",
    ]  # fmt: skip
    numbers = fig.map_table(regions, UITVAL, "2025Q1")
    assert numbers.iloc[0]["Waarde"] == 10.0 and numbers.iloc[0]["Eenheid"] == "%"


# ---- the cell colours ---------------------------------------------------------------------------

ASSETS = Path(fig.__file__).resolve().parent.parent / "assets"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _background(css_class: str) -> str:
    text = (ASSETS / "overview.css").read_text() + (ASSETS / "style.css").read_text()
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", text))
    value = re.search(rf"\.{css_class}\s*{{\s*background:\s*([^;]+);", text).group(1).strip()
    return variables[value[6:-1]] if value.startswith("var(") else value


@pytest.mark.parametrize("category", list(Category))
def test_every_cell_class_has_a_background_with_dark_text_contrast(category):
    background = _background(fig.STYLES[category].css)
    contrast = (_luminance(background) + 0.05) / (_luminance("#1a1a1a") + 0.05)
    assert contrast >= 4.5, (category, background, math.floor(contrast * 10) / 10)
