"""The pure builders of the Volledigheid page: matrix, totals, chart; literal frames in."""

import datetime as dt

import pandas as pd
import pytest
from dash import html

from dashboard import components
from dashboard.figures import completeness as fig
from indicators.completeness import quarter_totals
from reference.periods import Period, period_range

K1, K2 = Period(2022, 1), Period(2022, 2)
PERIODS = [K1, K2]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# Weesp existed in 2022 K1 only; Amsterdam delivered K1 late and partly; Aalsmeer has nothing for K2 yet.
DELIVERIES = pd.DataFrame(
    [
        ("GM0457", "Weesp", "2022Q1", 13, ts("2022-04-10 09:00"), dt.date(2022, 5, 13), "op tijd"),
        ("GM0363", "Amsterdam", "2022Q1", 7, ts("2022-06-20 09:00"), dt.date(2022, 5, 13), "te laat"),
        ("GM0358", "Aalsmeer", "2022Q1", 0, pd.NaT, dt.date(2022, 5, 13), "ontbreekt"),
        ("GM0363", "Amsterdam", "2022Q2", 13, ts("2022-07-10 09:00"), dt.date(2022, 8, 12), "op tijd"),
        ("GM0358", "Aalsmeer", "2022Q2", 0, pd.NaT, dt.date(2022, 8, 12), "nog niet nodig"),
    ],
    columns=["municipality", "name", "period", "elements", "first_delivery", "deadline", "status"],
)


def walk(component):
    """Every component in a Dash tree, depth first."""
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str | int | float):
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        yield from walk(child)


def text_of(component) -> str:
    if isinstance(component, str | int | float):
        return str(component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, list | tuple):
        return "".join(text_of(c) for c in children)
    return text_of(children)


# --- the matrix ----------------------------------------------------------------------------------


def test_matrix_cells_fill_quarters_in_which_a_municipality_did_not_exist():
    cells = fig.matrix_cells(DELIVERIES, PERIODS)
    assert [(c.name, c.period, c.status, c.elements) for c in cells.itertuples()] == [
        ("Aalsmeer", "2022Q1", "ontbreekt", 0),
        ("Aalsmeer", "2022Q2", "nog niet nodig", 0),
        ("Amsterdam", "2022Q1", "te laat", 7),
        ("Amsterdam", "2022Q2", "op tijd", 13),
        ("Weesp", "2022Q1", "op tijd", 13),
        ("Weesp", "2022Q2", "bestond niet", 0),
    ]


@pytest.mark.parametrize(
    "status, elements, first, deadline, expected",
    [
        ("op tijd", 13, ts("2022-04-10 09:00"), dt.date(2022, 5, 13), "op tijd, eerst aangeleverd op 10 april 2022"),
        (
            "te laat",
            7,
            ts("2022-06-20 09:00"),
            dt.date(2022, 5, 13),
            "te laat, eerst aangeleverd op 20 juni 2022; gedeeltelijk: 7 van 13 gegevens",
        ),
        ("ontbreekt", 0, pd.NaT, dt.date(2022, 5, 13), "ontbreekt (uiterlijk 13 mei 2022)"),
        ("nog niet nodig", 0, pd.NaT, dt.date(2022, 8, 12), "nog niet nodig (uiterlijk 12 augustus 2022)"),
        ("bestond niet", 0, pd.NaT, None, "bestond niet in dit kwartaal"),
    ],
)
def test_cell_text(status, elements, first, deadline, expected):
    assert fig.cell_text(status, elements, first, deadline) == expected


def test_matrix_table_is_an_accessible_table_with_symbols_colours_and_totals():
    cells = fig.matrix_cells(DELIVERIES, PERIODS)
    totals = quarter_totals(DELIVERIES, PERIODS)
    table = components.delivery_matrix(cells, totals, PERIODS, caption="Aanleveringen regio")
    caption, head, body, foot = table.children
    assert isinstance(caption, html.Caption) and caption.children == "Aanleveringen regio"
    assert [(th.children, th.scope) for th in head.children.children] == [
        ("Gemeente", "col"), ("2022 K1", "col"), ("2022 K2", "col"),
    ]  # fmt: skip
    rows = body.children
    assert [(r.children[0].children, r.children[0].scope) for r in rows] == [
        ("Aalsmeer", "row"), ("Amsterdam", "row"), ("Weesp", "row"),
    ]  # fmt: skip
    amsterdam_k1, amsterdam_k2 = rows[1].children[1:]
    assert amsterdam_k1.className == "delivery delivery-late delivery-partial-cell"
    assert text_of(amsterdam_k1.children[0]) == "!7/13"  # symbol and partial count, hidden from screen readers
    assert getattr(amsterdam_k1.children[0], "aria-hidden") == "true"
    assert amsterdam_k1.children[1].className == "delivery-sr-only"
    assert "20 juni 2022" in amsterdam_k1.title
    assert (amsterdam_k2.className, text_of(amsterdam_k2.children[0])) == ("delivery delivery-on-time", "✓")
    weesp_k2 = rows[2].children[2]
    assert (weesp_k2.className, text_of(weesp_k2.children[0])) == ("delivery delivery-not-existing", "–")
    aalsmeer = [(c.className, text_of(c.children[0])) for c in rows[0].children[1:]]
    assert aalsmeer == [("delivery delivery-missing", "✗"), ("delivery delivery-not-due", "…")]
    footer = {r.children[0].children: [text_of(td) for td in r.children[1:]] for r in foot.children}
    assert footer == {
        "Aangeleverd": ["2 van 3", "1 van 2"],
        "waarvan te laat": ["1", "0"],
        "Ontbreekt": ["1", "0"],
        "Volledig (13 van 13)": ["1", "1"],
        "Volledigheid": ["51%", "50%"],
    }
    assert all(r.children[0].scope == "row" for r in foot.children)


def test_every_status_has_its_own_symbol_and_class_and_is_in_the_legend():
    symbols = [look.symbol for look in fig.LOOKS.values()]
    classes = [look.css for look in fig.LOOKS.values()]
    assert len(set(symbols)) == len(symbols) == 5 and len(set(classes)) == 5
    legend = text_of(components.delivery_legend())
    for look in fig.LOOKS.values():
        assert f"{look.symbol} {look.label}" in legend
    assert "gedeeltelijk" in legend


def test_matrix_download_mirrors_the_matrix_with_dutch_headers():
    table = fig.matrix_download(fig.matrix_cells(DELIVERIES, PERIODS), PERIODS)
    assert list(table.columns) == ["Gemeentecode", "Gemeente", "2022 K1", "2022 K2"]
    assert table.values.tolist() == [
        ["GM0358", "Aalsmeer", "ontbreekt", "nog niet nodig"],
        ["GM0363", "Amsterdam", "te laat (20-06-2022), 7 van 13 gegevens", "op tijd"],
        ["GM0457", "Weesp", "op tijd", "bestond niet"],
    ]


def test_totals_download():
    table = fig.totals_download(quarter_totals(DELIVERIES, PERIODS))
    assert list(table.columns) == [
        "Kwartaal", "Gemeenten (bestonden)", "Aangeleverd", "Volledig (13 van 13 gegevens)", "Op tijd", "Te laat",
        "Ontbreekt", "Nog niet nodig", "Volledigheid (%)",
    ]  # fmt: skip
    assert table.values.tolist() == [["2022 K1", 3, 2, 1, 1, 1, 1, 0, 51.3], ["2022 K2", 2, 1, 1, 1, 0, 0, 1, 50.0]]


@pytest.mark.parametrize(
    "day, expected", [(dt.date(2025, 1, 3), "3 januari 2025"), (ts("2024-12-31 23:00"), "31 december 2024")]
)
def test_dutch_date(day, expected):
    assert fig.dutch_date(day) == expected


# --- the chart -----------------------------------------------------------------------------------

REGION = pd.DataFrame({"period": ["2024Q4", "2024Q1"], "share": [0.5, 0.985]})
NATION = pd.DataFrame({"period": ["2024Q1", "2024Q4"], "share": [0.9, 0.875]})


def test_prepare_orders_quarters_and_pairs_region_with_nation():
    series = fig.prepare(REGION, NATION)
    assert series.values.tolist() == [["2024Q1", "2024 K1", 0.985, 0.9], ["2024Q4", "2024 K4", 0.5, 0.875]]


def test_prepare_orders_across_years():
    region = pd.DataFrame({"period": ["2025Q1", "2024Q4", "2018Q1"], "share": [1.0, 1.0, 1.0]})
    assert fig.prepare(region, region)["label"].tolist() == ["2018 K1", "2024 K4", "2025 K1"]


def test_chart_tables_have_dutch_headers_and_numbers():
    series = fig.prepare(REGION, NATION)
    shown = fig.chart_table(series, "Utrecht")
    assert shown.values.tolist() == [["2024 K1", "98,5%", "90,0%"], ["2024 K4", "50,0%", "87,5%"]]
    assert list(shown.columns) == ["Kwartaal", "Utrecht", "Nederland"]
    download = fig.chart_download(series, "Utrecht")
    assert list(download.columns) == ["Kwartaal", "Volledigheid Utrecht (%)", "Volledigheid Nederland (%)"]
    assert download.iloc[0, 1:].tolist() == [98.5, 90.0]


def test_make_figure():
    figure = fig.make_figure(fig.prepare(REGION, NATION), "Utrecht")
    region, nation = figure.data
    assert (region.name, nation.name) == ("Utrecht", "Nederland")
    assert list(region.x) == ["2024 K1", "2024 K4"]
    assert list(region.y) == pytest.approx([98.5, 50.0])
    assert list(region.customdata) == ["98,5%", "50,0%"]
    assert (region.line.color, nation.line.color) == ("#0072B2", "#7f7f7f")
    assert region.marker.symbol != nation.marker.symbol and region.line.dash != nation.line.dash
    layout = figure.layout
    assert layout.separators == ",."
    assert layout.title.text is None  # the H2 above the chart is the title
    assert (layout.xaxis.title.text, layout.yaxis.title.text) == ("Kwartaal", "Aangeleverde gegevens (%)")
    assert layout.yaxis.ticksuffix == "%" and tuple(layout.yaxis.range) == (0, 102)
    assert layout.plot_bgcolor == "white"


def test_selected_periods_are_the_years_asked_for_in_order_or_the_last_two():
    available = period_range(Period(2018, 1), Period(2025, 2))
    assert fig.selected_periods(available, None, None) == period_range(Period(2024, 1), Period(2025, 2))
    assert fig.selected_periods(available, 2021, 2019) == period_range(Period(2019, 1), Period(2021, 4))
    assert fig.selected_periods(available, 1990, 2025) == period_range(Period(2024, 1), Period(2025, 2))


def test_download_name():
    assert (
        fig.download_name("VR09", [Period(2024, 1), Period(2025, 2)], "matrix")
        == "volledigheid_matrix_VR09_2024Q1-2025Q2"
    )
