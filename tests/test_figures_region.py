"""The region page's pure figure builders, on literal rows of the indicator table."""

import math

import numpy as np
import pandas as pd
import pytest

from config.errors import ConfigurationError
from dashboard.figures import region as fig
from indicators.registry import INDICATORS_BY_CODE
from reference.areas import load_reference

KM = INDICATORS_BY_CODE["huisverbod_km"]
UITVAL = INDICATORS_BY_CODE["plegerhulp_uitval"]
RATE = INDICATORS_BY_CODE["consultatie_specialistisch_per_100k"]
COUNT = INDICATORS_BY_CODE["consultatie_specialistisch"]


def rows(level, area, indicator, periods, numerators, denominators, values, reported, expected, half_width=0.05):
    """Rows as `dashboard.data.indicators` returns them; the interval is value ± half_width."""
    values = np.array(values, dtype=float)
    return pd.DataFrame(
        {
            "level": level,
            "area_code": area,
            "area_name": {"region": "Regio Test", "national": "Nederland"}.get(level, area),
            "period": periods,
            "indicator": indicator,
            "numerator": pd.array(numerators, dtype="Int64"),
            "denominator": pd.array(denominators, dtype="Int64"),
            "value": values,
            "ci_low": values - half_width,
            "ci_high": values + half_width,
            "reported": reported,
            "expected": expected,
        }
    )


PERIODS = ["2018Q1", "2018Q2", "2018Q3", "2018Q4", "2019Q1"]
# Mean of the 2018 ratios is 0.1625; pooled it is 100 / 600.
REGION = rows(
    "region", "VR99", "huisverbod_km", PERIODS,
    [10, 20, 30, 40, 25], [100, 100, 200, 200, 200], [0.1, 0.2, 0.15, 0.2, 0.125],
    [5, 5, 4, 5, 3], [5, 5, 5, 5, 5],
)  # fmt: skip
NATIONAL = rows("national", "NL", "huisverbod_km", PERIODS, [1] * 5, [3] * 5, [0.3] * 5, [9] * 5, [9] * 5)


def trend():
    return fig.prepare_trend(REGION.iloc[::-1], NATIONAL, KM)  # shuffled input comes out in order


def trace(figure, name):
    matches = [t for t in figure.data if t.name == name]
    assert len(matches) == 1, [t.name for t in figure.data]
    return matches[0]


# --- settings and registry -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, expected",
    [({}, 2018), ({"MONITOR_STARTFOTO_JAAR": ""}, 2018), ({"MONITOR_STARTFOTO_JAAR": " 2020 "}, 2020)],
)
def test_startfoto_year_from_the_environment(environ, expected):
    assert fig.startfoto_year(environ) == expected


@pytest.mark.parametrize("text", ["twintig", "18", "2018.5", "3000"])
def test_startfoto_year_refuses_what_is_not_a_year(text):
    with pytest.raises(ConfigurationError, match="MONITOR_STARTFOTO_JAAR"):
        fig.startfoto_year({"MONITOR_STARTFOTO_JAAR": text})


def test_the_count_is_charted_as_its_rate():
    assert {RATE.code: COUNT.code} == fig.COUNT_OF_RATE
    codes = [i.code for i in fig.TREND_INDICATORS]
    assert COUNT.code not in codes and RATE.code in codes and len(codes) == 6
    assert fig.row_codes(RATE) == [RATE.code, COUNT.code]
    assert fig.row_codes(KM) == [KM.code]


def test_subtitle_says_what_is_measured():
    assert fig.subtitle(KM) == (
        "Aandeel van de tijdelijke huisverboden dat bij kindermishandeling is opgelegd, per kwartaal, "
        "met 95%-betrouwbaarheidsinterval."
    )
    assert fig.subtitle(KM, "per gemeente in 2025 K3").endswith(
        ", per gemeente in 2025 K3, met 95%-betrouwbaarheidsinterval."
    )


@pytest.mark.parametrize(
    "indicator, value, text, label",
    [
        (KM, 0.125, "12,5%", "Percentage"),
        (RATE, 1234.56, "1.234,6", "Per 100.000 inwoners"),
        (COUNT, 1234, "1.234", "Aantal"),
    ],
)
def test_values_in_dutch_notation_per_unit(indicator, value, text, label):
    assert fig.value_text(indicator)(value) == text
    assert fig.unit_title(indicator) == label


# --- the trend -----------------------------------------------------------------------------------


def test_prepare_trend_orders_quarters_and_adds_the_nation_and_completeness():
    t = trend()
    assert t["period"].tolist() == PERIODS
    assert t["label"].tolist() == ["2018 K1", "2018 K2", "2018 K3", "2018 K4", "2019 K1"]
    assert t["national"].tolist() == [0.3] * 5
    assert t["incomplete"].tolist() == [False, False, True, False, True]
    assert "count" not in t


def test_prepare_trend_of_a_rate_carries_the_count():
    region = pd.concat(
        [
            rows("region", "VR99", RATE.code, PERIODS[:2], [5, 7], [50_000, 50_000], [10.0, 14.0], [2, 2], [2, 2]),
            rows("region", "VR99", COUNT.code, PERIODS[:2], [6, 8], [None, None], [6.0, 8.0], [2, 2], [2, 2]),
        ]
    )  # fmt: skip
    t = fig.prepare_trend(region, NATIONAL, RATE)
    assert t["value"].tolist() == [10.0, 14.0]
    assert t["count"].tolist() == [6, 8]
    assert t["national"].isna().all()  # no national rows of this indicator
    assert fig.startfoto(t, RATE, 2018) == pytest.approx(12 / 100_000 * 100_000)


def test_startfoto_pools_the_counts_of_the_year():
    assert fig.startfoto(trend(), KM, 2018) == pytest.approx((10 + 20 + 30 + 40) / (100 + 100 + 200 + 200))
    assert fig.startfoto(trend(), KM, 2019) == pytest.approx(25 / 200)
    assert fig.startfoto(trend(), KM, 2017) is None


def test_startfoto_skips_quarters_without_counts_and_of_a_count_takes_the_mean_per_quarter():
    t = trend()
    t.loc[0, ["numerator", "denominator"]] = pd.NA
    assert fig.startfoto(t, KM, 2018) == pytest.approx(90 / 500)
    counts = rows(
        "region", "VR99", COUNT.code, PERIODS[:3], [6, None, 9], [None] * 3, [6, math.nan, 9], [1] * 3, [1] * 3
    )
    assert fig.startfoto(fig.prepare_trend(counts, NATIONAL, COUNT), COUNT, 2018) == pytest.approx(7.5)


def test_trend_figure_band_lines_baseline_and_incomplete_markers():
    t = trend()
    figure = fig.make_trend_figure(t, KM, "Regio Test", baseline=100 / 600, baseline_year=2018)
    band = trace(figure, "95%-betrouwbaarheidsinterval")
    assert band.fill == "toself"
    assert list(band.x) == t["label"].tolist() + t["label"].tolist()[::-1]
    assert list(band.y) == pytest.approx([0.15, 0.25, 0.2, 0.25, 0.175, 0.075, 0.15, 0.1, 0.15, 0.05])
    region = trace(figure, "Regio Test")
    assert list(region.y) == pytest.approx([0.1, 0.2, 0.15, 0.2, 0.125])
    assert region.line.color == fig.BLUE and region.mode == "lines+markers"
    assert region.text[4] == "12,5% (95%-interval 7,5% – 17,5%); onvolledig: 3 van 5 gemeenten"
    assert region.text[3] == "20,0% (95%-interval 15,0% – 25,0%); 5 van 5 gemeenten"
    national = trace(figure, "Nederland")
    assert national.line.dash == "dash" and national.line.color == fig.VERMILLION
    assert list(national.y) == [0.3] * 5 and national.text[0] == "30,0%"
    baseline = trace(figure, "Startfoto 2018")
    assert baseline.line.dash == "dot" and list(baseline.y) == pytest.approx([100 / 600] * 2)
    assert list(baseline.x) == ["2018 K1", "2019 K1"]
    incomplete = trace(figure, "Onvolledig aangeleverd")
    assert list(incomplete.x) == ["2018 K3", "2019 K1"]
    assert list(incomplete.y) == pytest.approx([0.15, 0.125])
    assert list(incomplete.text) == ["onvolledig: 4 van 5 gemeenten", "onvolledig: 3 van 5 gemeenten"]
    assert incomplete.marker.symbol == "circle-open"
    layout = figure.layout
    assert layout.separators == ",." and layout.yaxis.tickformat == ".0%"
    assert list(layout.xaxis.tickvals) == ["2018 K1", "2019 K1"]
    assert layout.xaxis.title.text == "Kwartaal" and layout.yaxis.title.text == "Percentage"
    assert layout.annotations[0].text == "Startfoto 2018<br>16,7%"
    assert layout.title.text is None  # the heading above the chart is the title


def test_trend_figure_without_baseline_or_incomplete_quarters_leaves_those_out():
    t = fig.prepare_trend(REGION.assign(reported=5), NATIONAL, KM)
    names = [tr.name for tr in fig.make_trend_figure(t, KM, "Regio Test").data]
    assert names == ["95%-betrouwbaarheidsinterval", "Nederland", "Regio Test"]


def test_trend_figure_band_skips_quarters_without_interval():
    t = trend()
    t.loc[1, ["value", "ci_low", "ci_high"]] = math.nan
    figure = fig.make_trend_figure(t, KM, "Regio Test")
    assert "2018 K2" not in list(trace(figure, "95%-betrouwbaarheidsinterval").x)
    assert trace(figure, "Regio Test").text[1] == "geen cijfer; 5 van 5 gemeenten"


def test_trend_figure_without_values_says_so():
    figure = fig.make_trend_figure(trend().assign(value=math.nan), KM, "Regio Test")
    assert not figure.data
    assert figure.layout.annotations[0].text == "Nog geen cijfers voor deze regio."


def test_trend_figure_of_a_rate_has_its_axis():
    region = rows("region", "VR99", RATE.code, ["2024Q1"], [5], [50_000], [10.0], [2], [2])
    figure = fig.make_trend_figure(fig.prepare_trend(region, NATIONAL, RATE), RATE, "Regio Test", 12.5)
    assert figure.layout.yaxis.title.text == "Per 100.000 inwoners"
    assert figure.layout.annotations[0].text == "Startfoto 2018<br>12,5"


def test_trend_table_for_download_and_for_reading():
    t = trend()
    numbers = fig.trend_table(t, KM, "Regio Test", 100 / 600, 2018)
    assert list(numbers.columns) == [
        "Kwartaal", "Regio Test (percentage)", "Ondergrens 95%-interval", "Bovengrens 95%-interval",
        "Nederland (percentage)", "Startfoto 2018", "Tijdelijke huisverboden (totaal)",
        "Waarvan bij kindermishandeling", "Gemeenten aangeleverd", "Gemeenten in de regio",
    ]  # fmt: skip
    assert numbers.iloc[4].tolist() == ["2019 K1", 12.5, 7.5, 17.5, 30.0, 16.67, 200, 25, 3, 5]
    text = fig.trend_table(t, KM, "Regio Test", 100 / 600, 2018, formatted=True)
    assert text.iloc[4].tolist() == ["2019 K1", "12,5%", "7,5% – 17,5%", "30,0%", "200", "25", "3 van 5"]


def test_trend_table_of_a_rate_shows_the_count_and_inhabitants():
    region = pd.concat(
        [
            rows("region", "VR99", RATE.code, ["2024Q1"], [5], [1_250_000], [0.4], [2], [2]),
            rows("region", "VR99", COUNT.code, ["2024Q1"], [6], [None], [6.0], [2], [2]),
        ]
    )
    text = fig.trend_table(fig.prepare_trend(region, NATIONAL, RATE), RATE, "R", None, 2018, formatted=True)
    assert text.iloc[0][["Inwoners", "Consultaties"]].tolist() == ["1.250.000", "6"]


def test_trend_note_names_source_startfoto_and_completeness_of_the_latest_quarter():
    assert fig.trend_note(trend(), KM, 100 / 600, 2018) == (
        "Bron: aanleveringen van gemeenten en ketenpartners. Startfoto 2018: 16,7%. "
        "Volledigheid 2019 K1: 3 van 5 gemeenten."
    )
    assert "Geen startfoto: geen cijfers over 2017." in fig.trend_note(trend(), KM, None, 2017)
    assert "Startfoto 2018: 12,5 per 100.000 inwoners." in fig.trend_note(trend(), RATE, 12.5, 2018)


# --- the municipalities of one quarter -----------------------------------------------------------

MUNICIPALITIES = rows(
    "municipality", ["GM0001", "GM0002", "GM0003", "GM0004"], "huisverbod_km", "2025Q3",
    [3, 0, None, 5], [10, 0, None, 10], [0.3, math.nan, math.nan, 0.5], [1, 1, 0, 1], [1, 1, 1, 1],
).assign(area_name=["Alfa", "Bravo", "Charlie", "Delta"])  # fmt: skip


def test_breakdown_highest_first_then_those_without_a_value():
    b = fig.prepare_breakdown(MUNICIPALITIES.iloc[::-1], KM)
    assert b["area_name"].tolist() == ["Delta", "Alfa", "Bravo", "Charlie"]
    assert b["delivered"].tolist() == [True, True, True, False]


def test_pooled_value_is_the_region_value():
    b = fig.prepare_breakdown(MUNICIPALITIES, KM)
    assert fig.pooled_value(b, KM) == pytest.approx((3 + 0 + 5) / (10 + 0 + 10))
    assert math.isnan(fig.pooled_value(b.iloc[3:], KM))


def test_breakdown_figure_bars_intervals_and_who_has_no_value():
    b = fig.prepare_breakdown(MUNICIPALITIES, KM)
    figure = fig.make_breakdown_figure(b, KM, "Regio Test", 0.4, 0.3)
    bars = figure.data[0]
    assert bars.type == "bar" and bars.orientation == "h"
    assert list(bars.y) == ["Delta", "Alfa"] and list(bars.x) == [0.5, 0.3]
    assert list(bars.error_x.array) == pytest.approx([0.05, 0.05])
    assert bars.text[0] == "50,0% (95%-interval 45,0% – 55,0%)"
    missing = figure.data[1]
    assert list(missing.y) == ["Bravo", "Charlie"]
    assert [s.strip() for s in missing.text] == ["0 van 0", "niet aangeleverd"]
    assert [t.name for t in figure.data[2:]] == ["Regio Test: 40,0%", "Nederland: 30,0%"]
    assert figure.data[3].line.dash == "dash" and list(figure.data[3].x) == [0.3, 0.3]
    assert list(figure.layout.yaxis.categoryarray) == ["Charlie", "Bravo", "Alfa", "Delta"]  # highest on top
    assert figure.layout.separators == ",."


def test_breakdown_figure_without_municipalities_says_so():
    figure = fig.make_breakdown_figure(fig.prepare_breakdown(MUNICIPALITIES.iloc[:0], KM), KM, "R", math.nan, 0.3)
    assert figure.layout.annotations[0].text == "Geen gemeenten in deze regio in dit kwartaal."


def test_breakdown_tables():
    b = fig.prepare_breakdown(MUNICIPALITIES, KM)
    text = fig.breakdown_table(b, KM, formatted=True)
    assert list(text.columns) == [
        "Gemeente", "Tijdelijke huisverboden (totaal)", "Waarvan bij kindermishandeling", "Percentage",
        "95%-interval", "Aangeleverd",
    ]  # fmt: skip
    assert text.values.tolist() == [
        ["Delta", "10", "5", "50,0%", "45,0% – 55,0%", "ja"],
        ["Alfa", "10", "3", "30,0%", "25,0% – 35,0%", "ja"],
        ["Bravo", "0", "0", "–", "–", "ja"],
        ["Charlie", "–", "–", "–", "–", "nee"],
    ]
    numbers = fig.breakdown_table(b, KM)
    assert numbers.iloc[0].tolist() == ["GM0004", "Delta", 10, 5, 50.0, 45.0, 55.0, "ja"]
    assert fig.breakdown_note(b, "2025Q3").startswith(
        "Bron: aanleveringen van gemeenten en ketenpartners. Volledigheid 2025 K3: 3 van 4 gemeenten."
    )


@pytest.mark.parametrize(
    "period, has_weesp",
    [("2022Q1", True), ("2022Q2", False)],  # Weesp joined Amsterdam on 24 March 2022
)
def test_region_members_as_they_existed_in_the_quarter(period, has_weesp):
    members = fig.region_members(load_reference(), "VR13", period)
    assert ("GM0457" in members) is has_weesp
    assert members["GM0363"] == "Amsterdam"
    assert len(members) == 6 + has_weesp
