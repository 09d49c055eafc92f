"""The Vergelijken page: layout and callbacks called as plain functions on a small literal store."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from dash import dcc, html
from dash.exceptions import PreventUpdate

from db.engine import connect
from ingest.pipeline import load_file
from tests.dash_tree import by_id, find, text_of
from tests.dashboard_db import clicked, dashboard_on
from tests.workbooks import write_workbook

HEADER = [
    "Gemeente",
    "Kwartaal",
    "Plegers in beeld",
    "Plegers gestart met hulpverlening",
    "Consultaties forensische GGZ",
]
ROWS = [  # 2025 K1; Ouder-Amstel and three Flevoland municipalities deliver nothing
    ["Amsterdam", "2025 K1", 1000, 600, 500],  # 60%: far above the nation
    ["Aalsmeer", "2025 K1", 50, 20, 10],  # 40%: inside the funnel
    ["Amstelveen", "2025 K1", 200, 74, 40],  # 37%: below the 95% limit, not the 99.8% limit
    ["Diemen", "2025 K1", 40, 20, 8],  # 50%: inside
    ["Uithoorn", "2025 K1", 0, 0, None],  # delivered, but no perpetrators: no percentage
    ["Almere", "2025 K1", 800, 240, 100],
    ["Lelystad", "2025 K1", 300, 150, 60],
    ["Dronten", "2025 K1", 100, 45, 20],
]
# Nation: 1149 of 2490 = 46,1%; Amsterdam-Amstelland 714 of 1290 = 55,3% (5 of 6 delivered);
# Flevoland 435 of 1200 = 36,3% (3 of 6 delivered).
TODAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module on a database with one upload for 2025 K1."""
    folder = tmp_path_factory.mktemp("compare")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    path = write_workbook(folder / "plegers.xlsx", {"Blad1": [HEADER, *ROWS]})
    assert load_file(engine, path, today=TODAY)[1].status == "stored"
    engine.dispose()
    with dashboard_on(url):
        from dashboard.pages import compare

        yield compare


def notes(tree) -> list[str]:
    return [text_of(c) for c in find(tree, html.Figcaption)]


def table_rows(tree, table_id) -> list[list[str]]:
    table = by_id(tree, table_id)
    return [[text_of(cell) for cell in row.children] for row in find(table, html.Tr)]


def points(figure) -> dict[str, str]:
    """Area name -> the legend label of the trace it is drawn in (the funnel's points only)."""
    return {
        name: trace.name
        for trace in figure.data
        if trace.mode and "markers" in trace.mode
        for name in [h.split("</b>")[0].removeprefix("<b>") for h in trace.hovertext]
    }


def test_registered_as_the_third_page(page):
    import dash

    entry = dash.page_registry["dashboard.pages.compare"]
    assert (entry["path"], entry["name"], entry["order"]) == ("/vergelijken", "Vergelijken", 2)


def test_layout_defaults_to_the_latest_complete_quarter_and_all_regions(page):
    tree = page.layout()
    assert [h.children for h in find(tree, html.H1)] == ["Vergelijken"]
    assert [h.children for h in find(tree, html.H2)] == [
        "Trechter: verschilt een gebied meer dan toeval verklaart?",
        "Rangorde met betrouwbaarheidsintervallen",
    ]
    assert by_id(tree, page.INDICATOR_ID).value == "huisverbod_km"
    assert by_id(tree, page.PERIOD_ID).value == "2025Q1"
    assert by_id(tree, page.PERIOD_ID).options == [{"label": "2025 K1", "value": "2025Q1"}]
    compare_with = by_id(tree, page.COMPARE_ID)
    assert compare_with.value == "regios"
    assert compare_with.options[0] == {"label": "Alle regio's", "value": "regios"}
    assert {"label": "Gemeenten van regio Flevoland", "value": "VR25"} in compare_with.options
    for control in (page.INDICATOR_ID, page.PERIOD_ID, page.COMPARE_ID):  # every control has a visible label
        assert [label.htmlFor for label in find(tree, html.Label) if label.htmlFor == control] == [control]


def test_layout_from_the_address(page):
    tree = page.layout(indicator="plegerhulp_bereik", periode="2025Q1", vergelijk="VR13")
    assert by_id(tree, page.COMPARE_ID).value == "VR13"
    assert by_id(tree, page.INDICATOR_ID).value == "plegerhulp_bereik"
    unknown = page.layout(indicator="nope", periode="1999Q1", vergelijk="VR99")
    assert (by_id(unknown, page.INDICATOR_ID).value, by_id(unknown, page.COMPARE_ID).value) == (
        "huisverbod_km",
        "regios",
    )


def test_regions_against_the_nation(page):
    content = page.update_charts("plegerhulp_bereik", "2025Q1", "regios")
    funnel = by_id(content, page.FUNNEL_ID).figure
    assert points(funnel) == {
        "Amsterdam-Amstelland": "▲▲ beter, buiten de 99,8%-grens",
        "Flevoland": "▼▼ slechter, buiten de 99,8%-grens",
    }
    assert [t.name for t in funnel.data][:5] == ["99,8%-grens"] * 2 + ["95%-grens"] * 2 + ["Landelijk: 46,1%"]
    ranked = by_id(content, page.RANKED_ID).figure
    assert list(ranked.layout.yaxis.categoryarray) == ["Amsterdam-Amstelland", "Flevoland"]
    assert ranked.layout.shapes[0].x0 == pytest.approx(1149 / 2490)
    funnel_note, ranked_note = notes(content)
    assert "Volledigheid 2025 K1: 8 van 342 gemeenten." in funnel_note
    assert "Geen cijfers: Brabant-Noord, " in funnel_note and "(niet aangeleverd)" in funnel_note
    assert "Amsterdam-Amstelland" not in funnel_note.split("Geen cijfers:")[1]
    assert funnel_note.endswith("(PHEindicatormethods).") and "PHE" not in ranked_note
    rows = table_rows(content, f"{page.RANKED_ID}-tabel")
    assert rows[1][:6] == ["1", "VR13", "Amsterdam-Amstelland", "714", "1.290", "55,3"]
    assert rows[-1][2] == "Nederland" and rows[-1][-1] == "maatstaf"


def test_municipalities_of_one_region(page):
    content = page.update_charts("plegerhulp_bereik", "2025Q1", "VR13")
    funnel = by_id(content, page.FUNNEL_ID).figure
    assert points(funnel) == {
        "Amsterdam": "▲▲ beter, buiten de 99,8%-grens",
        "Diemen": "● binnen de grenzen",
        "Aalsmeer": "● binnen de grenzen",
        "Amstelveen": "▼ slechter, buiten de 95%-grens",
    }
    ranked = by_id(content, page.RANKED_ID).figure
    assert list(ranked.layout.yaxis.categoryarray) == ["Amsterdam", "Diemen", "Aalsmeer", "Amstelveen"]
    subtitle = text_of(find(content, html.P)[0])
    assert "de gemeenten van regio Amsterdam-Amstelland in 2025 K1" in subtitle
    funnel_note, _ = notes(content)
    assert "Volledigheid 2025 K1: 5 van 6 gemeenten." in funnel_note
    assert "Geen cijfers: Ouder-Amstel (niet aangeleverd); Uithoorn (noemer is 0)." in funnel_note


def test_a_count_is_compared_per_100000_inhabitants(page):
    content = page.update_charts("consultatie_specialistisch", "2025Q1", "VR25")
    funnel = by_id(content, page.FUNNEL_ID).figure
    assert funnel.layout.yaxis.title.text == "Per 100.000 inwoners"
    assert set(points(funnel)) == {"Almere", "Lelystad", "Dronten"}
    assert "Een trechter van absolute aantallen zegt niets" in text_of(content)
    assert "Geen cijfers: Noordoostpolder, Urk, Zeewolde (niet aangeleverd)." in notes(content)[0]


def test_update_without_choices_says_so(page):
    (message,) = page.charts(None, None, None)
    assert message.className == "message"


def test_download_funnel_as_excel(page):
    with clicked(f"{page.FUNNEL_ID}-xlsx"):
        sent = page.download_funnel(1, 0, "plegerhulp_bereik", "2025Q1", "VR13")
    assert sent["filename"] == "vergelijken_trechter_plegerhulp_bereik_2025Q1_VR13.xlsx"
    import base64

    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    values = list(sheet.values)
    assert values[0][:5] == ("Code", "Gebied", "Teller: Plegers gestart met hulpverlening", "Noemer: Plegers in beeld",
                             "Percentage")  # fmt: skip
    assert values[1][1:5] == ("Amsterdam", 600, 1000, 60)
    assert values[1][-1] == "▲▲ beter, buiten de 99,8%-grens"
    assert [row[1] for row in values[1:]] == ["Amsterdam", "Diemen", "Aalsmeer", "Amstelveen", "Ouder-Amstel",
                                              "Uithoorn"]  # fmt: skip


def test_download_ranked_as_dutch_csv(page):
    with clicked(f"{page.RANKED_ID}-csv"):
        sent = page.download_ranked(0, 1, "plegerhulp_bereik", "2025Q1", "regios")
    assert sent["filename"] == "vergelijken_rangorde_plegerhulp_bereik_2025Q1_regios.csv"
    lines = sent["content"].lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Rang;Code;Gebied;Teller: Plegers gestart met hulpverlening;Noemer: Plegers in beeld;")
    assert lines[1].startswith("1;VR13;Amsterdam-Amstelland;714;1290;55,35;")
    assert lines[-1].startswith(";NL;Nederland;1149;2490;46,14;")


def test_download_without_a_click_does_nothing(page):
    with clicked(f"{page.RANKED_ID}-csv"), pytest.raises(PreventUpdate):
        page.download_ranked(0, 0, "plegerhulp_bereik", "2025Q1", "regios")


def test_download_components_exist_for_each_chart(page):
    tree = page.layout()
    for chart in (page.FUNNEL_ID, page.RANKED_ID):
        assert isinstance(by_id(tree, f"{chart}-download"), dcc.Download)
        assert by_id(tree, f"{chart}-xlsx").children == "Download Excel"


def test_each_chart_links_to_the_definition_of_its_indicator(page):
    content = page.update_charts("plegerhulp_bereik", "2025Q1", "regios")
    sections = [c for c in content if isinstance(c, html.Section)]
    assert len(sections) == 2
    for section in sections:
        links = [link.href for link in find(section, dcc.Link)]
        assert links == ["/indicatoren#definitie-plegerhulp_bereik"]
