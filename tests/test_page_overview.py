"""The Landelijk overzicht page: layout and callbacks called as plain functions on a small literal store."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import json

import dash
import openpyxl
import plotly.graph_objects as go
import plotly.io
import pytest
from dash import dcc, html
from dash._callback_context import context_value
from dash._utils import AttributeDict

from db.engine import connect
from ingest.pipeline import load_file
from tests.dash_tree import by_id, find, text_of, walk
from tests.dashboard_db import dashboard_on, signed_in
from tests.workbooks import write_workbook

HEADER = [
    "Gemeente", "Kwartaal", "Plegertrajecten afgesloten", "waarvan voortijdig uitgevallen", "Plegers in beeld",
    "Plegers gestart met hulpverlening",
]  # fmt: skip
ROWS = [
    # Amsterdam-Amstelland: 4 of 6 deliver trajectories, 129 of 1290 = 10% dropout; only Amsterdam perpetrators
    ["Amsterdam", "2025 K1", 1000, 100, 1000, 600],
    ["Aalsmeer", "2025 K1", 50, 5, None, None],
    ["Amstelveen", "2025 K1", 200, 20, None, None],
    ["Diemen", "2025 K1", 40, 4, None, None],
    # Flevoland: 3 of 6 deliver, 480 of 1200 = 40% dropout
    ["Almere", "2025 K1", 800, 320, 800, 240],
    ["Lelystad", "2025 K1", 300, 120, 300, 150],
    ["Dronten", "2025 K1", 100, 40, 100, 46],
    # an earlier quarter, only Amsterdam
    ["Amsterdam", "2024 K4", 900, 90, 900, 500],
]
# Nation 2025 K1: dropout 609 of 2490 = 24,5%, reached 1036 of 2200 = 47,1%.
TODAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module on a database with one upload for 2024 K4 and 2025 K1."""
    folder = tmp_path_factory.mktemp("overview")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    path = write_workbook(folder / "plegers.xlsx", {"Blad1": [HEADER, *ROWS]})
    assert load_file(engine, path, today=TODAY)[1].status == "stored"
    engine.dispose()
    with dashboard_on(url):
        from dashboard.pages import overview

        yield overview


@pytest.fixture
def empty_page(tmp_path):
    """The page module on a database without uploads."""
    import dashboard.data

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
        dashboard.data.engine.cache_clear()
        from dashboard.app import create_app

        create_app()
        from dashboard.pages import overview

        with signed_in():
            yield overview
        dashboard.data.engine().dispose()
    dashboard.data.engine.cache_clear()


def body_rows(table) -> dict[str, list]:
    """Row header text -> the row's cells (html.Td)."""
    (body,) = find(table, html.Tbody)
    return {text_of(row.children[0]): row.children[1:] for row in body.children}


@contextlib.contextmanager
def triggered(component_id, value=1):
    """Run a callback as if `component_id` (a string or a pattern id) was clicked."""
    prop = json.dumps(component_id, sort_keys=True, separators=(",", ":")) if isinstance(component_id, dict) else (
        component_id)  # fmt: skip
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{prop}.n_clicks", "value": value}]))
    try:
        yield
    finally:
        context_value.reset(token)


def test_registered_as_the_home_page(page):
    entry = dash.page_registry["dashboard.pages.overview"]
    assert (entry["path"], entry["name"], entry["order"]) == ("/", "Landelijk overzicht", 0)


def test_layout_defaults_to_the_latest_complete_quarter(page):
    tree = page.layout()
    assert [h.children for h in find(tree, html.H1)] == ["Landelijk overzicht"]
    assert [h.children for h in find(tree, html.H2)] == [
        "Aandachtspunten",  # (two quarters: no trend, so none)
        "Regio's vergeleken met Nederland",
        "Kaart: Inzet huisverbod bij kindermishandeling",
    ]
    assert by_id(tree, "overzicht-periode").data == "2025Q1"
    quarters = [
        b for b in find(tree, html.Button) if isinstance(b.id, dict) and b.id["type"] == "overzicht-periode-keuze"
    ]
    assert [(b.id["index"], b.children, b.to_plotly_json()["props"]["aria-pressed"]) for b in quarters] == [
        ("2025Q1", "K1", "true"),
        ("2024Q4", "K4", "false"),
    ]
    caption = find(by_id(tree, "overzicht-tabel"), html.Caption)[0]
    assert caption.children == "Indicatoren per regio in 2025 K1, vergeleken met Nederland"


def test_every_id_is_unique_and_every_callback_id_is_in_the_layout(page):
    ids = [json.dumps(c.id, sort_keys=True) for c in walk(page.layout()) if getattr(c, "id", None) is not None]
    assert len(ids) == len(set(ids))
    plain = {json.loads(i) for i in ids if not i.startswith("{")}
    for wanted in ("overzicht-location", "overzicht-kaart", "overzicht-tabel-xlsx", "overzicht-tabel-csv",
                   "overzicht-tabel-download", "overzicht-kaart-xlsx", "overzicht-kaart-csv",
                   "overzicht-kaart-download", "overzicht-tabel-sectie", "overzicht-kaart-sectie",
                   "overzicht-indicator"):  # fmt: skip
        assert wanted in plain


def test_table_is_accessible_and_links_every_region(page):
    table = by_id(page.layout(), "overzicht-tabel")
    head = find(table, html.Thead)[0]
    assert {th.scope for th in find(head, html.Th)} == {"col"}
    assert text_of(find(head, html.Th)[5]) == "Voortijdige uitval plegerhulp%, lager is beter"
    rows = body_rows(table)
    assert list(rows)[0] == "Nederland"
    (body,) = find(table, html.Tbody)
    assert {row.children[0].scope for row in body.children} == {"row"}
    links = {link.children: link.href for link in find(body, dcc.Link)}
    assert len(links) == 26  # every region of the division, also those without figures
    assert links["Amsterdam-Amstelland"] == "/regio?code=VR13"
    assert links["Haaglanden"] == "/regio?code=VR15"
    assert "Nederland" not in links


def test_cells_show_value_judgement_and_completeness(page):
    rows = body_rows(by_id(page.layout(periode="2025Q1"), "overzicht-tabel"))
    amsterdam, flevoland, nation = rows["Amsterdam-Amstelland"], rows["Flevoland"], rows["Nederland"]
    # columns: completeness, then the indicators in registry order; uitval is the 4th indicator
    assert text_of(amsterdam[4]) == "10,0%▲▲ beter (99,8%)◐ 4/6 gemeenten aangeleverd"
    assert "cell-better-strong" in amsterdam[4].className
    assert text_of(flevoland[4]) == "40,0%▼▼ slechter (99,8%)◐ 3/6 gemeenten aangeleverd"
    assert "cell-worse-strong" in flevoland[4].className
    # reached: Amsterdam alone of six is too few to judge; Flevoland 436 of 1200 is below 47,1%
    assert text_of(amsterdam[3]) == "60,0%te weinig gemeenten◐ 1/6 gemeenten aangeleverd"
    assert "cell-none" in amsterdam[3].className
    assert text_of(flevoland[3]).startswith("36,3%▼▼ slechter (99,8%)")
    assert text_of(rows["Haaglanden"][4]).startswith("–geen cijfer")
    assert text_of(nation[4]).startswith("24,5%maatstaf")
    assert text_of(amsterdam[0]) == "◐ 0–4/6"  # nobody delivered restraining orders


def test_legend_and_note(page):
    section = page.update_table("2025Q1")
    legend = [c for c in walk(section) if getattr(c, "className", None) == "legend"][0]
    assert text_of(legend) == (
        "▲▲ beter (99,8%)▲ beter (95%)● gelijk▼ slechter (95%)▼▼ slechter (99,8%)○ niet te vergelijken"
        "◐ niet alle gemeenten aangeleverd"
    )
    note = [text_of(p) for p in find(section, html.P) if p.className == "note"][0]
    assert note.startswith("Bron: aanleveringen van gemeenten en ketenpartners")
    assert "Volledigheid 2025 K1: 0 tot 7 van 342 gemeenten, per indicator." in note


def test_update_table_for_another_quarter(page):
    section = page.update_table("2024Q4")
    assert find(by_id(section, "overzicht-tabel"), html.Caption)[0].children.endswith(
        "2024 K4, vergeleken met Nederland"
    )
    # only Amsterdam delivered in 2024 K4: one of six municipalities is too few to judge
    rows = body_rows(by_id(section, "overzicht-tabel"))
    assert text_of(rows["Amsterdam-Amstelland"][4]).startswith("10,0%te weinig gemeenten")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2099Q1", "2099 K1 is nog niet afgelopen; kies een eerder kwartaal."),
        ("2019Q1", "Er zijn geen cijfers over 2019 K1; kies een ander kwartaal."),
        (None, "Er zijn nog geen cijfers van een afgelopen kwartaal."),
    ],
)
def test_update_table_without_figures_says_so(page, period, message):
    section = page.update_table(period)
    assert [p.children for p in find(section, html.P) if p.className == "message"] == [message]
    assert by_id(section, "overzicht-tabel-xlsx") is not None  # the buttons stay, for the download callback


def test_map_for_uitval(page):
    section = page.update_map("2025Q1", "plegerhulp_uitval")
    assert find(section, html.H2)[0].children == "Kaart: Voortijdige uitval plegerhulp"
    assert "lager is beter" in text_of(find(section, html.P)[0])
    figure = by_id(section, "overzicht-kaart").figure
    choropleths = [t for t in figure.data if isinstance(t, go.Choropleth)]
    assert sum(len(t.locations) for t in choropleths) == 342
    category = {code: t.name for t in choropleths for code in t.locations}
    assert category["GM0363"] == "▲▲ beter (99,8%)"  # Amsterdam: its region Amsterdam-Amstelland
    assert category["GM0437"] == "▲▲ beter (99,8%)"  # Ouder-Amstel delivered nothing, but lies in that region
    assert category["GM0034"] == "▼▼ slechter (99,8%)"  # Almere
    assert category["GM0518"] == "○ niet te vergelijken"  # 's-Gravenhage: no figures in Haaglanden
    note = text_of(find(section, html.Figcaption)[0])
    assert note.endswith("Landelijk 24,5%. Volledigheid 2025 K1: 7 van 342 gemeenten.")
    rows = [[text_of(c) for c in r.children] for r in find(by_id(section, "overzicht-kaart-tabel"), html.Tr)]
    assert rows[0][:4] == ["Regiocode", "Regio", "Periode", "Waarde"]
    assert ["VR13", "Amsterdam-Amstelland", "2025 K1", "10,0%"] in [r[:4] for r in rows]


def test_map_falls_back_to_a_comparable_indicator(page):
    for code in (None, "consultatie_specialistisch", "nope"):
        section = page.update_map("2025Q1", code)
        assert find(section, html.H2)[0].children == "Kaart: Inzet huisverbod bij kindermishandeling"


@pytest.mark.parametrize(
    ("click", "href"),
    [
        ({"points": [{"location": "GM0363", "customdata": "VR13"}]}, "/regio?code=VR13"),
        ({"points": [{"customdata": ["VR20-HVB"]}]}, "/regio?code=VR20-HVB"),
        ({"points": [{"customdata": "Regio met spatie"}]}, "/regio?code=Regio%20met%20spatie"),
    ],
)
def test_click_on_the_map_opens_the_region(page, click, href):
    assert page.open_region(click) == href


@pytest.mark.parametrize("click", [None, {"points": []}, {"points": [{"customdata": ""}]}])
def test_click_outside_a_region_does_nothing(page, click):
    assert page.open_region(click) is dash.no_update


def test_pressing_a_quarter_chooses_it(page):
    button = {"type": "overzicht-periode-keuze", "index": "2024Q4"}
    with triggered(button):
        assert page.press_period([0, 1], "2025Q1") == "2024Q4"
    with triggered(button):
        assert page.press_period([0, 1], "2024Q4") is dash.no_update
    with triggered(button, value=0):  # drawn, not pressed
        assert page.press_period([0, 0], "2025Q1") is dash.no_update
    ids = [{"type": "overzicht-periode-keuze", "index": p} for p in ("2025Q1", "2024Q4")]
    assert page.show_period("2024Q4", ids) == ["false", "true"]


def test_pressing_an_indicator_chooses_it(page):
    with triggered({"type": "overzicht-kaart-indicator", "index": "plegerhulp_uitval"}):
        assert page.press_indicator([0, 1], "huisverbod_km") == "plegerhulp_uitval"
    ids = [{"type": "overzicht-kaart-indicator", "index": c} for c in ("huisverbod_km", "plegerhulp_uitval")]
    assert page.show_indicator("plegerhulp_uitval", ids) == ["false", "true"]


def test_download_the_table_as_excel(page):
    with triggered("overzicht-tabel-xlsx"):
        sent = page.download_overview(1, 0, "2025Q1")
    assert sent["filename"] == "landelijk-overzicht-2025Q1.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Regiocode", "Regio", "Periode", "Indicator", "Eenheid", "Gewenste richting", "Waarde")
    uitval = [r for r in rows if r[0] == "VR13" and r[3] == "Voortijdige uitval plegerhulp"][0]
    assert uitval[6] == pytest.approx(10.0)
    assert uitval[12] == "beter (99,8%)"
    assert len(rows) == 1 + 27 * 7


def test_download_the_map_as_csv(page):
    with triggered("overzicht-kaart-csv"):
        sent = page.download_map(0, 1, "2025Q1", "plegerhulp_uitval")
    assert sent["filename"] == "kaart-plegerhulp_uitval-2025Q1.csv"
    lines = sent["content"].lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Regiocode;Regio;Periode;Eenheid;Waarde;")
    assert any(line.startswith("VR25;Flevoland;2025 K1;%;40,0;") for line in lines)


def test_download_needs_a_press(page):
    with triggered("overzicht-tabel-csv", value=0):
        assert page.download_overview(0, 0, "2025Q1") is dash.no_update
    with triggered("overzicht-kaart-xlsx"):
        assert page.download_map(1, 0, None, "huisverbod_km") is dash.no_update


def as_json(component) -> str:
    return plotly.io.json.to_json_plotly(component)


def test_the_page_arrives_with_the_map_the_callback_would_draw(page):
    first, second = (ind.code for ind in page.MAP_INDICATORS[:2])
    section = by_id(page.layout(periode="2025Q1", indicator=second), "overzicht-kaart-sectie").children
    assert by_id(section, "overzicht-kaart").figure.data
    assert as_json(section) == as_json(page.update_map("2025Q1", second)) != as_json(page.update_map("2025Q1", first))


def test_empty_store_shows_a_message_and_keeps_the_controls(empty_page):
    tree = empty_page.layout()
    assert "Er zijn nog geen cijfers van een afgelopen kwartaal." in text_of(tree)
    assert by_id(tree, "overzicht-periode").data is None
    assert by_id(tree, "overzicht-kaart").figure.data  # the map arrives with the page: municipalities, all neutral
    assert empty_page.update_map(None, None).children
    for control in ("overzicht-tabel-xlsx", "overzicht-kaart-csv", "overzicht-location"):
        assert by_id(tree, control) is not None


def test_every_indicator_heading_and_the_map_link_to_the_definition(page):
    tree = page.layout()
    head = find(by_id(tree, "overzicht-tabel"), html.Thead)[0]
    links = [(link.children, link.href) for link in find(head, dcc.Link)]
    assert links[3] == ("Voortijdige uitval plegerhulp", "/indicatoren#definitie-plegerhulp_uitval")
    assert len(links) == 7
    map_section = page.update_map("2025Q1", "plegerhulp_uitval")
    assert [link.href for link in find(map_section, dcc.Link)] == ["/indicatoren#definitie-plegerhulp_uitval"]


def test_without_eight_quarters_there_are_no_attention_points(page):
    section = by_id(page.layout(), "overzicht-aandacht-sectie")
    assert text_of(by_id(section, "overzicht-aandachtspunten")).startswith("Geen aandachtspunten in 2025 K1")
