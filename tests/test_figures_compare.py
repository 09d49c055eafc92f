"""The pure functions of the Vergelijken page, on literal frames of indicator table rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.figures import compare as fig
from indicators.compare import Comparison
from indicators.funnel import proportion_limits, rate_limits
from indicators.registry import INDICATORS_BY_CODE, shown_indicator
from indicators.statistics import byar_interval, wilson_interval

UP = INDICATORS_BY_CODE["plegerhulp_bereik"]  # proportion, higher is better
DOWN = INDICATORS_BY_CODE["plegerhulp_uitval"]  # proportion, lower is better
RATE = INDICATORS_BY_CODE["consultatie_specialistisch_per_100k"]
COUNT = INDICATORS_BY_CODE["consultatie_specialistisch"]


def rows(areas: list[tuple], indicator=UP) -> pd.DataFrame:
    """Indicator table rows from (code, name, numerator, denominator, reported), values as the table has them."""
    frame = pd.DataFrame(areas, columns=["area_code", "area_name", "numerator", "denominator", "reported"])
    frame["numerator"] = frame["numerator"].astype("Int64")
    frame["denominator"] = frame["denominator"].astype("Int64")
    x = frame["numerator"].to_numpy(float, na_value=np.nan)
    n = frame["denominator"].to_numpy(float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if indicator.unit.value == "proportion":
            frame["value"] = np.where(n > 0, x / n, np.nan)
            low, high = wilson_interval(x, n, 0.95)
        else:
            per = indicator.per
            frame["value"] = np.where(n > 0, x / n * per, np.nan)
            low, high = (np.asarray(b) / n * per for b in byar_interval(x, 0.95))
    frame["ci_low"], frame["ci_high"] = low, high
    frame["expected"] = 1
    return frame


def national(numerator: int, denominator: int, indicator=UP) -> dict:
    one = rows([("NL", "Nederland", numerator, denominator, 342)], indicator)
    return one.iloc[0].to_dict()


# Around a national 30% (300 of 1000), at a denominator of 100 the 95% limits are 21,0%–39,0% and the
# 99.8% limits 15,8%–44,2%.
AREAS = [
    ("R1", "Aa", 20, 100, 5),  # 20%: below the 95% limit only
    ("R2", "Bb", 45, 100, 5),  # 45%: above the 99.8% limit
    ("R3", "Cc", 30, 90, 5),  # 33%: inside
    ("R4", "Dd", 10, 100, 5),  # 10%: below the 99.8% limit
    ("R5", "Ee", 40, 100, 5),  # 40%: above the 95% limit only
    ("R6", "Ff", None, None, 0),  # nothing delivered
    ("R7", "Gg", 0, 0, 3),  # delivered, but the denominator is 0
]
NATION = national(300, 1000)


def test_the_reference_frame_lies_where_the_comments_say():
    low95, high95 = proportion_limits(100, 0.3, 0.95)
    low998, high998 = proportion_limits(100, 0.3, 0.998)
    assert (round(low95[0], 3), round(high95[0], 3), round(low998[0], 3), round(high998[0], 3)) == (
        0.21, 0.39, 0.158, 0.442,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        (UP, {"Aa": "slechter_95", "Bb": "beter_998", "Cc": "binnen", "Dd": "slechter_998", "Ee": "beter_95"}),
        (DOWN, {"Aa": "beter_95", "Bb": "slechter_998", "Cc": "binnen", "Dd": "beter_998", "Ee": "slechter_95"}),
    ],
)
def test_points_outside_the_limits_are_better_or_worse_by_the_desired_direction(indicator, expected):
    prepared = fig.prepare(rows(AREAS, indicator), national(300, 1000, indicator), indicator)
    got = dict(zip(prepared["area_name"], prepared["funnel"], strict=True))
    assert got == expected | {"Ff": "geen_cijfer", "Gg": "geen_cijfer"}


@pytest.mark.parametrize("indicator", [UP, DOWN])
def test_ranked_comparison_agrees_with_the_funnel_at_95_percent(indicator):
    prepared = fig.prepare(rows(AREAS, indicator), national(300, 1000, indicator), indicator)
    shown = prepared.loc[prepared["value"].notna()]
    for funnel, comparison in zip(shown["funnel"], shown["comparison"], strict=True):
        expected = {"beter": Comparison.BETTER, "slechter": Comparison.WORSE, "binnen": Comparison.SIMILAR}
        assert comparison == expected[funnel.split("_")[0]]
    assert list(prepared.loc[prepared["value"].isna(), "comparison"]) == [Comparison.NOT_COMPARED] * 2


def test_prepare_sorts_from_highest_to_lowest_with_missing_last():
    prepared = fig.prepare(rows(AREAS), NATION, UP)
    assert list(prepared["area_name"]) == ["Bb", "Ee", "Cc", "Aa", "Dd", "Ff", "Gg"]
    assert prepared["limit_low_95"].iloc[0] == pytest.approx(21.0 / 100, abs=1e-3)


def test_hover_text_is_dutch():
    prepared = fig.prepare(rows(AREAS), NATION, UP).set_index("area_name")
    assert prepared.loc["Bb", "hover"] == (
        "<b>Bb</b><br>45,0% (45 van 100)<br>95%-interval: 35,6% – 54,8%<br>▲▲ beter, buiten de 99,8%-grens"
    )


def test_suppressed_areas_are_named_as_such_not_as_missing():
    frame = rows(AREAS)
    frame["shown"] = pd.array(["<5" if a == "Aa" else ("" if a == "Bb" else pd.NA) for a in frame["area_name"]],
                              dtype="string")  # fmt: skip
    frame.loc[frame["area_name"].isin(["Aa", "Bb"]), ["numerator", "value", "ci_low", "ci_high"]] = None
    prepared = fig.prepare(frame, NATION, UP)
    missing = fig.missing_areas(prepared)
    assert missing[2] == ["Aa", "Bb"] and "Aa" not in missing[0] + missing[1]
    note = fig.completeness_note("2025Q2", 320, 342, missing, method=False)
    assert "Aa, Bb (afgeschermd: kleine aantallen)" in note
    hover = dict(zip(prepared["area_name"], prepared["hover"], strict=True))
    assert hover["Aa"] == "<b>Aa</b><br><5 (kleine aantallen)" and "afgeschermd" in hover["Bb"]
    ranked = fig.ranked_table(prepared, NATION, UP)
    assert set(ranked["Vergelijking met landelijk"]) >= {"<5", "afgeschermd"}


def test_missing_areas_are_named_with_the_reason():
    prepared = fig.prepare(rows(AREAS), NATION, UP)
    missing = fig.missing_areas(prepared)
    assert missing == (["Ff"], ["Gg"], [])
    note = fig.completeness_note("2025Q2", 320, 342, missing, method=False)
    assert note == (
        "Bron: aanleveringen van gemeenten en ketenpartners. Volledigheid 2025 K2: 320 van 342 gemeenten. "
        "Geen cijfers: Ff (niet aangeleverd); Gg (noemer is 0)."
    )
    assert fig.completeness_note("2025Q2", 1234, 1500, ([], []), method=True).endswith(
        "Volledigheid 2025 K2: 1.234 van 1.500 gemeenten. " + fig.METHOD
    )


def test_funnel_figure_has_limits_centre_and_points_by_category():
    prepared = fig.prepare(rows(AREAS), NATION, UP)
    limits = fig.limits_for(prepared, NATION, UP)
    figure = fig.make_funnel(prepared, limits, NATION, UP)
    names = [trace.name for trace in figure.data]
    assert names == [
        "99,8%-grens", "99,8%-grens", "95%-grens", "95%-grens", "Landelijk: 30,0%",
        "▲▲ beter, buiten de 99,8%-grens", "▲ beter, buiten de 95%-grens", "● binnen de grenzen",
        "▼ slechter, buiten de 95%-grens", "▼▼ slechter, buiten de 99,8%-grens",
    ]  # fmt: skip
    assert [trace.showlegend for trace in figure.data[:4]] == [True, False, True, False]
    assert limits["x"].iloc[0] == pytest.approx(85.5) and limits["x"].iloc[-1] == pytest.approx(105)  # 95%–105%
    assert set(figure.data[4].y) == {0.3}
    points = {trace.name: trace for trace in figure.data[5:]}
    better = points["▲▲ beter, buiten de 99,8%-grens"]
    assert (list(better.x), list(better.y), better.marker.symbol, better.marker.color) == (
        [100.0], [0.45], "triangle-up", "#0072B2",
    )  # fmt: skip
    worse = points["▼▼ slechter, buiten de 99,8%-grens"]
    assert (worse.marker.symbol, worse.marker.color, list(worse.text)) == ("triangle-down", "#D55E00", ["Dd"])
    assert points["● binnen de grenzen"].text is None  # only points outside the limits are named
    assert figure.layout.separators == ",."
    assert figure.layout.yaxis.tickformat == ".0%"
    assert figure.layout.xaxis.title.text == "Aantal plegers in beeld (noemer)"
    assert figure.layout.yaxis.title.text == "Percentage"
    assert figure.layout.title.text is None


def test_every_plotted_point_lies_where_its_category_says():
    prepared = fig.prepare(rows(AREAS), NATION, DOWN)
    figure = fig.make_funnel(prepared, fig.limits_for(prepared, NATION, DOWN), NATION, DOWN)
    for trace in figure.data[5:]:
        for x, y in zip(trace.x, trace.y, strict=True):
            low95, high95 = (b[0] for b in proportion_limits(x, 0.3, 0.95))
            low998, high998 = (b[0] for b in proportion_limits(x, 0.3, 0.998))
            if "binnen" in trace.name:
                assert low95 <= y <= high95
            elif "99,8%" in trace.name:
                assert y < low998 or y > high998
            else:
                assert low998 <= y < low95 or high95 < y <= high998
            assert ("beter" in trace.name) == (y < 0.3) or "binnen" in trace.name  # down: lower is better


def test_funnel_names_no_points_when_too_many_lie_outside():
    many = [(f"R{i}", f"Gebied {i}", 5 + i % 2 * 60, 100, 1) for i in range(fig.MAX_NAMED + 1)]
    prepared = fig.prepare(rows(many), NATION, UP)
    figure = fig.make_funnel(prepared, fig.limits_for(prepared, NATION, UP), NATION, UP)
    assert all(trace.text is None for trace in figure.data[5:])
    assert all(trace.mode == "markers" for trace in figure.data[5:])


def test_ranked_figure_sorted_with_intervals_and_national_line():
    prepared = fig.prepare(rows(AREAS), NATION, UP)
    figure = fig.make_ranked(prepared, NATION, UP)
    assert list(figure.layout.yaxis.categoryarray) == ["Bb", "Ee", "Cc", "Aa", "Dd"]
    assert figure.layout.yaxis.autorange == "reversed"  # the highest on top
    assert [trace.name for trace in figure.data] == [
        "▲ beter dan landelijk", "● gelijk aan landelijk", "▼ slechter dan landelijk",
    ]  # fmt: skip
    better = figure.data[0]
    assert list(better.y) == ["Bb", "Ee"] and better.marker.symbol == "triangle-up"
    low, high = wilson_interval(45, 100)
    assert better.error_x.array[0] == pytest.approx(float(high) - 0.45)
    assert better.error_x.arrayminus[0] == pytest.approx(0.45 - float(low))
    assert figure.data[2].marker.symbol == "triangle-down" and list(figure.data[2].y) == ["Aa", "Dd"]
    (line,) = figure.layout.shapes
    assert (line.x0, line.x1, line.yref) == (0.3, 0.3, "paper")
    assert figure.layout.annotations[0].text == "Landelijk: 30,0%"
    assert figure.layout.separators == ",." and figure.layout.xaxis.tickformat == ".0%"
    assert figure.layout.showlegend is True


def test_ranked_figure_with_one_category_still_has_a_legend():
    prepared = fig.prepare(rows([("R3", "Cc", 30, 90, 5)]), NATION, UP)
    figure = fig.make_ranked(prepared, NATION, UP)
    assert [trace.name for trace in figure.data] == ["● gelijk aan landelijk"]
    assert figure.layout.showlegend is True


RATE_AREAS = [
    ("R1", "Klein", 6, 20_000, 4),  # 30 per 100.000, but 6 events where 10 are expected: inside
    ("R2", "Groot", 900, 1_000_000, 9),  # 90 per 100.000: far above 50
    ("R3", "Midden", 190, 500_000, 7),  # 38 per 100.000: below
]


def test_rate_funnel_is_per_100000_over_the_population():
    nation = national(8_500, 17_000_000, RATE)  # 50 per 100.000
    prepared = fig.prepare(rows(RATE_AREAS, RATE), nation, RATE)
    assert dict(zip(prepared["area_name"], prepared["funnel"], strict=True)) == {
        "Groot": "beter_998", "Midden": "slechter_998", "Klein": "binnen",
    }  # fmt: skip
    low, high = rate_limits(20_000, 50 / 100_000, 0.95)
    klein = prepared.set_index("area_name").loc["Klein"]
    assert (klein["limit_low_95"], klein["limit_high_95"]) == pytest.approx((low[0] * 100_000, high[0] * 100_000))
    limits = fig.limits_for(prepared, nation, RATE)
    assert limits["centre"].iloc[0] == pytest.approx(50)
    figure = fig.make_funnel(prepared, limits, nation, RATE)
    assert figure.layout.xaxis.title.text == "Aantal inwoners (van de gemeenten die aanleverden)"
    assert figure.layout.yaxis.title.text == "Per 100.000 inwoners"
    assert figure.data[4].name == "Landelijk: 50,0 per 100.000 inwoners"
    assert "<b>Groot</b><br>90,0 per 100.000 inwoners (900 op 1.000.000 inwoners)" in prepared["hover"].iloc[0]


def test_a_count_is_shown_as_its_rate_and_the_subtitles_say_why():
    assert shown_indicator(COUNT) is RATE
    assert shown_indicator(UP) is UP
    funnel = fig.funnel_subtitle(COUNT, RATE, "2025Q2", "de regio's")
    assert "in 2025 K2" in funnel and "Een trechter van absolute aantallen zegt niets" in funnel
    assert "per 100.000 inwoners" in funnel
    assert "absolute aantallen" not in fig.funnel_subtitle(UP, UP, "2025Q2", "de regio's")
    assert "een lager cijfer is beter" in fig.ranked_subtitle(DOWN, DOWN, "2024Q4", "de regio's")
    assert fig.scope_words("VR09", "Utrecht") == "de gemeenten van regio Utrecht"
    assert fig.scope_words(fig.ALL_REGIONS, None) == "de regio's"


def test_tables_have_dutch_headers_and_the_figures_behind_the_charts():
    prepared = fig.prepare(rows(AREAS), NATION, UP)
    funnel = fig.funnel_table(prepared, UP)
    assert list(funnel.columns) == [
        "Code", "Gebied", "Teller: Plegers gestart met hulpverlening", "Noemer: Plegers in beeld", "Percentage",
        "Ondergrens 95%", "Bovengrens 95%", "Ondergrens 99,8%", "Bovengrens 99,8%", "Ligging in de trechter",
    ]  # fmt: skip
    first = funnel.iloc[0]
    assert (first["Gebied"], first["Percentage"]) == ("Bb", 45.0)
    assert first["Ondergrens 95%"] == pytest.approx(21.018, abs=1e-3)
    assert fig.for_download(funnel).iloc[0]["Ondergrens 95%"] == 21.02
    assert first["Ligging in de trechter"] == "▲▲ beter, buiten de 99,8%-grens"
    ranked = fig.ranked_table(prepared, NATION, UP)
    assert list(ranked["Rang"]) == [1, 2, 3, 4, 5, pd.NA, pd.NA, pd.NA]
    assert list(ranked["Gebied"]) == ["Bb", "Ee", "Cc", "Aa", "Dd", "Ff", "Gg", "Nederland"]
    assert list(ranked["Vergelijking met landelijk"])[-4:] == [
        "▼ slechter dan landelijk", "geen cijfer", "geen cijfer", "maatstaf",
    ]  # fmt: skip
    shown = fig.display_table(ranked)
    assert shown.iloc[0]["Percentage"] == "45,0" and shown.iloc[-1]["Noemer: Plegers in beeld"] == "1.000"
    assert shown.iloc[5]["Percentage"] == "–" and shown.iloc[5]["Rang"] == "–"


def test_rate_table_headers():
    nation = national(8_500, 17_000_000, RATE)
    table = fig.ranked_table(fig.prepare(rows(RATE_AREAS, RATE), nation, RATE), nation, RATE)
    assert list(table.columns)[1:6] == ["Code", "Gebied", "Aantal", "Inwoners", "Per 100.000 inwoners"]
    assert table["Per 100.000 inwoners"].tolist() == pytest.approx([90.0, 38.0, 30.0, 50.0])


def test_no_areas_gives_empty_but_valid_figures():
    prepared = fig.prepare(rows([]), NATION, UP)
    limits = fig.limits_for(prepared, NATION, UP)
    assert prepared.empty and limits.empty
    assert len(fig.make_funnel(prepared, limits, NATION, UP).data) == 0
    assert len(fig.make_ranked(prepared, NATION, UP).data) == 0
    assert list(fig.ranked_table(prepared, NATION, UP)["Gebied"]) == ["Nederland"]
