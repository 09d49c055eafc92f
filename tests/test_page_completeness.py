"""The Volledigheid page: layout and callbacks called as plain functions on a small literal store."""

import datetime as dt
import io

import openpyxl
import pytest
from dash import dcc, html

from db.engine import connect
from ingest.pipeline import load_file
from tests.dash_tree import by_id, find, text_of
from tests.dashboard_db import clicked, signed_in
from tests.workbooks import write_workbook

HEADER = ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"]
TODAY = dt.date(2022, 8, 1)  # 2022 K1's deadline (13 May) has passed, 2022 K2's (12 August) not yet
DELIVERED = [  # file, rows, uploaded at (UTC)
    ("amsterdam-2021", [["Amsterdam", f"2021 K{q}", 20, 2] for q in (1, 2, 3, 4)], "2022-01-20T09:00"),
    ("amsterdam-k1", [["Amsterdam", "2022 K1", 30, 3]], "2022-04-20T09:00"),
    ("weesp-k1", [["Weesp", "2022 K1", 2, 0]], "2022-06-01T09:00"),
    ("amsterdam-k2", [["Amsterdam", "2022 K2", 28, 3]], "2022-07-15T10:00"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module on a database of four uploads in Amsterdam-Amstelland, today fixed."""
    folder = tmp_path_factory.mktemp("completeness")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    for name, rows, uploaded in DELIVERED:
        path = write_workbook(folder / f"{name}.xlsx", {"Blad1": [HEADER, *rows]})
        at = dt.datetime.fromisoformat(uploaded).replace(tzinfo=dt.UTC)
        assert load_file(engine, path, uploaded_at=at, today=TODAY)[1].status == "stored"
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", url)
        import dashboard.data

        dashboard.data.engine.cache_clear()
        from dashboard.app import create_app

        create_app()
        with signed_in():
            from dashboard.pages import completeness

            patch.setattr(completeness, "_today", lambda: TODAY)
            yield completeness
        dashboard.data.engine().dispose()
        dashboard.data.engine.cache_clear()


def matrix(tree) -> dict[str, list[str]]:
    """The matrix as {municipality: [cell class per quarter]}, with the quarter headers under ''."""
    (table,) = [t for t in find(tree, html.Table) if getattr(t, "className", None) == "delivery-matrix"]
    _, head, body, _ = table.children
    rows = {"": [th.children for th in head.children.children[1:]]}
    for row in body.children:
        rows[row.children[0].children] = [td.className.split()[1] for td in row.children[1:]]
    return rows


def test_registered_as_the_fourth_page(page):
    import dash

    entry = dash.page_registry["dashboard.pages.completeness"]
    assert (entry["path"], entry["name"], entry["order"]) == ("/volledigheid", "Volledigheid", 3)


def test_layout_defaults_to_the_first_region_and_the_last_two_years(page):
    tree = page.layout()
    assert [h.children for h in find(tree, html.H1)] == ["Volledigheid van de aanleveringen"]
    assert by_id(tree, page.REGION).value == "VR01"
    assert (by_id(tree, page.FIRST).value, by_id(tree, page.LAST).value) == (2021, 2022)
    assert [o["value"] for o in by_id(tree, page.FIRST).options] == list(range(2018, 2023))
    labels = {label.htmlFor: label.children for label in find(tree, html.Label)}
    assert labels == {page.REGION: "Regio", page.FIRST: "Van jaar", page.LAST: "Tot en met jaar"}
    assert "tot en met 42 dagen (6 weken) na het einde van het kwartaal" in text_of(tree)
    assert "dus tot en met 13 mei" in text_of(tree)
    # 2022 K2 is the last quarter that ended
    assert not [p for p in find(tree, html.P) if getattr(p, "className", None) == "message"]
    assert matrix(tree)[""] == ["2021 K1", "2021 K2", "2021 K3", "2021 K4", "2022 K1", "2022 K2"]


def test_layout_says_which_ended_quarters_nobody_delivered_yet(page, monkeypatch):
    monkeypatch.setattr(page, "_today", lambda: dt.date(2023, 5, 2))
    (message,) = [p for p in find(page.layout(), html.P) if getattr(p, "className", None) == "message"]
    assert message.children == (
        "Na 2022 K2 is nog niets aangeleverd, door geen enkele gemeente of ketenpartner; "
        "2022 K3 tot en met 2023 K1 staan daarom niet in de matrix."
    )


def test_layout_from_the_address(page):
    tree = page.layout(regio="VR13", van="2022", tot="2022")
    assert by_id(tree, page.REGION).value == "VR13"
    rows = matrix(tree)
    assert rows[""] == ["2022 K1", "2022 K2"]
    assert rows["Amsterdam"] == ["delivery-on-time", "delivery-on-time"]
    assert rows["Weesp"] == ["delivery-late", "delivery-not-existing"]  # merged into Amsterdam in 2022 K1
    assert rows["Diemen"] == ["delivery-missing", "delivery-not-due"]


def test_update_shows_the_region_its_totals_and_the_chart(page):
    content = page.update("VR13", 2021, 2022)
    rows = matrix(content)
    assert len(rows[""]) == 6 and "Weesp" in rows  # up to 2022 K2, the latest quarter delivered
    assert rows["Amsterdam"][:4] == ["delivery-late"] * 3 + ["delivery-on-time"]  # 2021 sent on 20 January 2022
    assert [h.children for h in find(content, html.H2)] == [
        "Aanleveringen per gemeente en kwartaal: Amsterdam-Amstelland",
        "Volledigheid per kwartaal: Amsterdam-Amstelland en Nederland",
    ]
    graph = by_id(content, page.GRAPH)
    assert isinstance(graph, dcc.Graph)
    region, nation = graph.figure.data
    assert region.name == "Amsterdam-Amstelland"
    assert list(region.x)[-2:] == ["2022 K1", "2022 K2"]
    # 2022 K1: Amsterdam and Weesp 2 of 13 elements each, of 7 municipalities
    assert region.y[-2] == pytest.approx(100 * 4 / (7 * 13))
    note = text_of(content)
    assert "Volledigheid 2022 K2: 1 van 6 gemeenten leverden aan" in note
    for button in (f"{page.MATRIX}-xlsx", f"{page.TOTALS}-csv", f"{page.GRAPH}-xlsx"):
        by_id(content, button)


def test_update_repairs_what_it_is_given(page):
    swapped = page.update("VR13", 2022, 2021)
    assert matrix(swapped) == matrix(page.update("VR13", 2021, 2022))
    unknown = page.update("VR99", None, None)
    assert "Groningen" in text_of(find(unknown, html.H2)[0])


def test_download_matrix_as_excel(page):
    with clicked(f"{page.MATRIX}-xlsx"):
        sent = page.download_matrix(1, 0, "VR13", 2022, 2022)
    assert sent["filename"] == "volledigheid_matrix_VR13_2022Q1-2022Q2.xlsx"
    import base64

    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Gemeentecode", "Gemeente", "2022 K1", "2022 K2"]
    assert ["GM0457", "Weesp", "te laat (01-06-2022), 2 van 13 gegevens", "bestond niet"] in rows


def test_download_totals_as_csv(page):
    with clicked(f"{page.TOTALS}-csv"):
        sent = page.download_totals(0, 1, "VR13", 2022, 2022)
    assert sent["filename"] == "volledigheid_totalen_VR13_2022Q1-2022Q2.csv"
    lines = sent["content"].lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Kwartaal;Gemeenten (bestonden);Aangeleverd;")
    assert lines[1] == "2022 K1;7;2;0;1;1;5;0;4,4"
    assert lines[2] == "2022 K2;6;1;0;1;0;0;5;2,6"


def test_download_chart(page):
    with clicked(f"{page.GRAPH}-csv"):
        sent = page.download_chart(0, 1, "VR13", 2022, 2022)
    lines = sent["content"].lstrip("\ufeff").splitlines()
    assert lines[0] == "Kwartaal;Volledigheid Amsterdam-Amstelland (%);Volledigheid Nederland (%)"
    assert lines[1].startswith("2022 K1;4,4;")
