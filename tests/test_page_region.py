"""The Regio page: its layout and callbacks called as plain functions on a small seeded database.

The database holds the sample data of Amsterdam-Amstelland (VR13: six municipalities, and Weesp
until it joined Amsterdam in 2022) for 2018, 2024 and 2025.
"""

import base64
import io
import math
import sys
from contextvars import copy_context

import dash
import pandas as pd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from tests.dashboard_db import signed_in

REGION, REGION_NAME = "VR13", "Amsterdam-Amstelland"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module, reading a database seeded with VR13's sample data."""
    from dashboard import data
    from dashboard.app import create_app
    from db.engine import connect
    from sample_data.generate import generate
    from sample_data.seed import seed

    folder = tmp_path_factory.mktemp("regio")
    generate(folder / "sample", regions=[REGION], years=[2018, 2024, 2025])
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    statuses = seed(engine, folder / "sample", echo=lambda *_: None)
    engine.dispose()
    assert statuses["stored"] and not statuses["rejected"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", url)
        patch.delenv("MONITOR_STARTFOTO_JAAR", raising=False)
        data.engine.cache_clear()
        create_app()
        with signed_in():
            module = next(p["module"] for p in dash.page_registry.values() if p["path"] == "/regio")
            yield sys.modules[module]
        data.engine.cache_clear()


def find(component, component_id):
    """The component with `component_id` inside a layout tree."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


def of_type(component, name):
    """Every component of type `name` in a layout tree, in order."""
    if isinstance(component, list | tuple):
        return [found for child in component for found in of_type(child, name)]
    if component is None or isinstance(component, str | int | float):
        return []
    return ([component] if type(component).__name__ == name else []) + of_type(
        getattr(component, "children", None), name
    )


def texts(component):
    """Every string in a layout tree, in order."""
    if isinstance(component, str):
        return [component]
    children = component if isinstance(component, list) else getattr(component, "children", None)
    if children is None:
        return []
    return [t for child in (children if isinstance(children, list | tuple) else [children]) for t in texts(child)]


def with_trigger(prop_id, function, *args):
    """Call a callback as Dash would after `prop_id` changed."""

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
        return function(*args)

    return copy_context().run(run)


def rows_of(frame_table):
    """The body rows of an html.Table as lists of cell texts."""
    body = next(c for c in frame_table.children if type(c).__name__ == "Tbody")
    return [[cell.children for cell in row.children] for row in body.children]


# --- layout --------------------------------------------------------------------------------------


def test_layout_of_a_region(page):
    layout = page.layout(code=REGION)
    assert find(layout, "regio-titel").children == f"Regio {REGION_NAME}"
    selector = find(layout, "regio-code")
    assert selector.value == REGION and len(selector.options) == 26
    assert {"label": REGION_NAME, "value": REGION} in selector.options
    for code in ("huisverbod_km", "plegerhulp_uitval", "consultatie_specialistisch_per_100k"):
        for part in ("", "-duiding", "-tabel", "-bijschrift", "-xlsx", "-csv", "-download"):
            assert find(layout, f"regio-trend-{code}{part}") is not None  # every id a callback uses is there
    assert find(layout, "regio-trend-consultatie_specialistisch") is None  # the count is shown as its rate
    quarter = find(layout, "regio-kwartaal")
    assert quarter.value == "2025Q3"
    assert quarter.options[0] == {"label": "2025 K3", "value": "2025Q3"}
    assert [o["value"] for o in quarter.options][-1] == "2018Q1"
    assert "2021Q1" not in [o["value"] for o in quarter.options]  # no figures that year
    assert find(layout, "regio-indicator").value == "huisverbod_km"
    # the labels of the controls (the tables of the drawn charts have columns of those names too)
    labels = [c for label in of_type(layout, "Label") for c in texts(label) if c in ("Regio", "Kwartaal", "Indicator")]
    assert labels == ["Regio", "Kwartaal", "Indicator"]


def test_layout_arrives_drawn_so_that_opening_the_page_needs_no_callback(page):
    layout = page.layout(code=REGION)
    for code in ("huisverbod_km", "consultatie_specialistisch_per_100k"):
        callbacks = page.TREND_CALLBACKS[code]
        assert find(layout, f"regio-trend-{code}").figure == callbacks.figure(REGION)
        line, table, note = callbacks.text(REGION)
        assert find(layout, f"regio-trend-{code}-duiding").children == line
        assert find(layout, f"regio-trend-{code}-tabel").children == table and table
        assert find(layout, f"regio-trend-{code}-bijschrift").children == note
    drawn = find(layout, "regio-gemeenten-vak").children
    assert texts(drawn) == texts(page.update_breakdown(REGION, "2025Q3", "huisverbod_km"))
    assert find(layout, "regio-gemeenten").figure.data[0].type == "bar"


def test_the_callbacks_of_the_drawn_parts_do_not_run_on_opening_the_page(page):
    from dash._callback import GLOBAL_CALLBACK_LIST

    specs = [*GLOBAL_CALLBACK_LIST, *dash.get_app()._callback_list]
    drawn = {s["output"]: s for s in specs if "regio-trend-" in s["output"] or "regio-gemeenten-vak" in s["output"]}
    drawn = {k: s for k, s in drawn.items() if "download" not in k}
    # per chart its figure and its text, the municipalities, and the targets and interpretations
    assert len(drawn) == 2 * len(page.TREND_CALLBACKS) + 1 + 1
    assert any("regio-sturen-formulier" in k for k in drawn)
    assert all(spec["prevent_initial_call"] for spec in drawn.values())


@pytest.mark.parametrize("code", [None, "VR99", ["VR13", "VR09"]])
def test_layout_falls_back_to_the_first_region(page, code):
    layout = page.layout(code=code)
    assert find(layout, "regio-code").value == "VR01"
    assert find(layout, "regio-titel").children == "Regio Groningen"
    assert ("De regio 'VR99' bestaat niet. Kies hieronder een regio." in texts(layout)) is (code == "VR99")


# --- trend charts --------------------------------------------------------------------------------


def test_trend_callbacks_draw_region_nation_and_startfoto_and_describe_them(page):
    from dashboard import data

    callbacks = page.TREND_CALLBACKS["huisverbod_km"]
    figure = callbacks.figure(REGION)
    traces = {t.name: t for t in figure.data}
    assert {REGION_NAME, "Nederland", "Startfoto 2018", "95%-betrouwbaarheidsinterval"} <= traces.keys()
    rows = data.indicators(level="region", areas=[REGION], codes=["huisverbod_km"])
    in_2018 = rows.loc[rows["period"].str.startswith("2018")]
    assert len(in_2018) == 4
    pooled = in_2018["numerator"].sum() / in_2018["denominator"].sum()
    assert list(traces["Startfoto 2018"].y) == pytest.approx([pooled, pooled])
    assert traces[REGION_NAME].x[0] == "2018 K1" and traces[REGION_NAME].x[-1] == "2025 K3"
    assert len(traces[REGION_NAME].x) == 31  # the years without figures are quarters without a value

    narrative, table, note = callbacks.text(REGION)
    assert narrative.endswith(".") and "landelijk gemiddelde" in narrative
    caption, header, body = table
    assert caption.children == "Cijfers bij: Inzet huisverbod bij kindermishandeling"
    assert [th.children for th in header.children.children][:2] == ["Kwartaal", f"{REGION_NAME} (percentage)"]
    assert [th.scope for th in header.children.children] == ["col"] * 7
    assert len(body.children) == 31 and body.children[0].children[0].children == "2018 K1"
    latest = rows.loc[rows["period"] == "2025Q3"].iloc[0]
    assert note.endswith(f"Volledigheid 2025 K3: {latest['reported']} van 6 gemeenten.")
    assert f"Startfoto 2018: {page.figures.value_text(data.indicator('huisverbod_km'))(pooled)}." in note


def test_trend_text_of_the_rate_shows_counts_in_its_table(page):
    from dashboard import data
    from dashboard.format import number

    callbacks = page.TREND_CALLBACKS["consultatie_specialistisch_per_100k"]
    _, (_, header, body), note = callbacks.text(REGION)
    columns = [th.children for th in header.children.children]
    assert "Consultaties" in columns and "Inwoners" in columns
    counts = data.indicators(level="region", areas=[REGION], codes=["consultatie_specialistisch"], periods=["2025Q3"])
    last = [td.children for td in body.children[-1].children]
    assert last[columns.index("Consultaties")] == number(counts["numerator"].iloc[0])
    assert "per 100.000 inwoners" in note
    assert callbacks.figure(REGION).layout.yaxis.title.text == "Per 100.000 inwoners"


def test_trend_callbacks_for_a_region_without_figures(page):
    callbacks = page.TREND_CALLBACKS["huisverbod_km"]
    assert callbacks.text("VR01")[0] == "Nog geen cijfers voor deze regio."
    assert not callbacks.figure("VR01").data


def test_startfoto_year_is_configurable(page, monkeypatch):
    monkeypatch.setenv("MONITOR_STARTFOTO_JAAR", "2024")
    callbacks = page.TREND_CALLBACKS["huisverbod_km"]
    names = [t.name for t in callbacks.figure(REGION).data]
    assert "Startfoto 2024" in names and "Startfoto 2018" not in names
    assert "Startfoto 2024: " in callbacks.text(REGION)[2]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_trend_download(page, fmt):
    download_trend = page.TREND_CALLBACKS["huisverbod_km"].download
    sent = with_trigger(f"regio-trend-huisverbod_km-{fmt}.n_clicks", download_trend, 1, 0, REGION)
    assert sent["filename"] == f"huisverbod_km_{REGION}.{fmt}"
    if fmt == "csv":
        table = pd.read_csv(io.StringIO(sent["content"].lstrip("\ufeff")), sep=";", decimal=",")
    else:
        table = pd.read_excel(io.BytesIO(base64.b64decode(sent["content"])), engine="openpyxl")
    assert list(table.columns[:2]) == ["Kwartaal", f"{REGION_NAME} (percentage)"]
    assert table["Kwartaal"].iloc[0] == "2018 K1" and len(table) == 31
    assert table["Gemeenten in de regio"].iloc[0] == 7  # Weesp still existed in 2018
    assert table["Startfoto 2018"].nunique() == 1


def test_download_without_a_click_does_nothing(page):
    download_trend = page.TREND_CALLBACKS["huisverbod_km"].download

    def run():
        trigger = {"prop_id": "regio-trend-huisverbod_km-csv.n_clicks", "value": 0}
        context_value.set(AttributeDict(triggered_inputs=[trigger]))
        return download_trend(0, 0, REGION)

    with pytest.raises(PreventUpdate):
        copy_context().run(run)


# --- municipalities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, weesp",
    [("2025Q3", False), ("2018Q1", True)],  # a former municipality belongs to its successor's region
)
def test_breakdown_lists_the_municipalities_of_that_quarter(page, period, weesp):
    from dashboard import data

    chart, table = page.update_breakdown(REGION, period, "huisverbod_km")
    rows = rows_of(find(table, "regio-gemeententabel"))
    names = [r[0] for r in rows]
    assert ("Weesp" in names) is weesp
    assert len(names) == 6 + weesp
    stored = data.indicators(level="municipality", codes=["huisverbod_km"], periods=[period])
    stored = stored.loc[stored["area_name"].isin(names)]
    assert len(stored) == len(names)
    best = stored.sort_values("value", ascending=False).iloc[0]
    assert rows[0][0] == best["area_name"]
    assert rows[0][1:3] == [str(best["denominator"]), str(best["numerator"])]
    figure = find(chart, "regio-gemeenten").figure
    assert figure.data[0].type == "bar"
    assert find(chart, "regio-gemeenten-titel").children == (
        f"Inzet huisverbod bij kindermishandeling per gemeente, {period[:4]} K{period[-1]}"
    )
    lines = {t.name.split(":")[0] for t in figure.data if t.type == "scatter" and t.mode == "lines"}
    assert lines == {REGION_NAME, "Nederland"}


def test_breakdown_region_line_is_the_region_value(page):
    from dashboard import data

    chart, _ = page.update_breakdown(REGION, "2025Q3", "plegerhulp_bereik")
    region_line = next(t for t in find(chart, "regio-gemeenten").figure.data if (t.name or "").startswith(REGION_NAME))
    stored = data.indicators(level="region", areas=[REGION], codes=["plegerhulp_bereik"], periods=["2025Q3"])
    assert region_line.x[0] == pytest.approx(stored["value"].iloc[0])


def test_breakdown_without_a_quarter(page):
    assert texts(page.update_breakdown(REGION, None, "huisverbod_km")) == ["Er zijn nog geen cijfers."]


def test_breakdown_download(page):
    sent = with_trigger(
        "regio-gemeenten-csv.n_clicks", page.download_breakdown, 0, 1, REGION, "2018Q1", "plegerhulp_uitval"
    )
    assert sent["filename"] == f"plegerhulp_uitval_{REGION}_2018Q1.csv"
    table = pd.read_csv(io.StringIO(sent["content"].lstrip("\ufeff")), sep=";", decimal=",")
    assert set(table["Aangeleverd"]) <= {"ja", "nee"}
    assert "GM0457" in set(table["Gemeentecode"])
    delivered = table.loc[table["Aangeleverd"] == "ja"]
    assert not math.isnan(delivered["Percentage"].iloc[0])


# --- the region in the address -------------------------------------------------------------------


@pytest.mark.parametrize(
    "search, expected",
    [("?code=VR13", "VR13"), ("", "VR01"), (None, "VR01"), ("?code=nope", "VR01"), ("?x=1&code=VR09", "VR09")],
)
def test_region_code_from_the_address(page, search, expected):
    assert page.region_code(search, page._regions()) == expected


def test_choosing_a_region_writes_the_address_and_heading(page):
    result = with_trigger("regio-code.value", page.sync_region, REGION, "")
    assert result == (f"?code={REGION}", dash.no_update, f"Regio {REGION_NAME}")


def test_going_back_in_the_browser_sets_the_selector(page):
    result = with_trigger("regio-url.search", page.sync_region, "VR01", f"?code={REGION}")
    assert result == (dash.no_update, REGION, f"Regio {REGION_NAME}")
    with pytest.raises(PreventUpdate):  # the address already matches the selector
        with_trigger("regio-url.search", page.sync_region, REGION, f"?code={REGION}")


def test_callbacks_for_an_unknown_region_change_nothing(page):
    for callback in (page.TREND_CALLBACKS["huisverbod_km"].figure, page.TREND_CALLBACKS["huisverbod_km"].text):
        with pytest.raises(PreventUpdate):
            callback("VR99")
    with pytest.raises(PreventUpdate):
        page.update_breakdown("VR99", "2025Q3", "huisverbod_km")
    with pytest.raises(PreventUpdate):
        with_trigger("regio-code.value", page.sync_region, "VR99", "")


def test_every_trend_block_is_addressable_and_links_its_definition(page):
    from dash import dcc

    from tests.dash_tree import find as find_all

    layout = page.layout(code=REGION)
    for code in ("huisverbod_km", "plegerhulp_uitval", "consultatie_specialistisch_per_100k"):
        block = find(layout, f"regio-{code}")
        assert block is not None and find(block, f"regio-trend-{code}") is not None
        assert [link.href for link in find_all(block, dcc.Link)] == [f"/indicatoren#definitie-{code}"]
    breakdown = page.breakdown_section(REGION, "2025Q3", "plegerhulp_uitval")[0]
    assert [link.href for link in find_all(breakdown, dcc.Link)] == ["/indicatoren#definitie-plegerhulp_uitval"]


# --- targets, interpretations and the report -------------------------------------------------------


def test_the_beheerder_sets_a_target_and_writes_an_interpretation_and_sees_both(page):
    from dashboard import steering_view
    from tests.dashboard_db import signed_in as as_user

    with as_user():
        layout = page.layout(code=REGION)
        assert find(layout, "regio-streef-opslaan") is not None and find(layout, "regio-rapport-knop") is not None
        message, version = with_trigger("regio-streef-opslaan.n_clicks", steering_view.save_target, 1, REGION,
                                        "plegerhulp_uitval", "12,5", "2026Q4", [], 0)  # fmt: skip
        assert (message, version) == ("De streefwaarde voor Voortijdige uitval plegerhulp is opgeslagen.", 1)
        message, _ = steering_view.save_interpretation(1, REGION, "2025Q3", "plegerhulp_uitval", "Uitval <i>daalt</i>",
                                                       "Nazorg", "Wijkteam", "2026Q1", 0)  # fmt: skip
        assert "is opgeslagen" in message
        outputs = steering_view.steering_view(REGION)
        names = [f"{o.component_id}" for o in steering_view.outputs()]
        shown = dict(zip(names, outputs, strict=True))
        assert shown["regio-sturen-formulier"] is False
        target = shown["regio-trend-plegerhulp_uitval-streef"]
        assert target.startswith("Streefwaarde 12,5% uiterlijk 2026 K4. In 2025 K3: ")
        assert any(word in target for word in ("gehaald", "nog niet te zeggen"))
        cards = shown["regio-trend-plegerhulp_uitval-duidingen"]
        assert "Uitval <i>daalt</i>" in texts(cards) and "Nazorg" in texts(cards)
        drawn = page.layout(code=REGION)  # arrives with them: its callback runs only on a change
        assert find(drawn, "regio-sturen-formulier").hidden is False  # a beheerder may write them
        assert find(drawn, "regio-trend-plegerhulp_uitval-streef").children == target
        assert texts(find(drawn, "regio-trend-plegerhulp_uitval-duidingen").children) == texts(cards)
        assert texts(find(drawn, "regio-duidingen").children) == texts(shown["regio-duidingen"])
        figure = page.trend_figure(REGION, "plegerhulp_uitval")
        assert any("Streefwaarde 12,5%" in (t.name or "") for t in figure.data)
        assert any((t.name or "").startswith(("✔", "✘", "?")) for t in figure.data)
        _, table, _ = page.trend_text(REGION, "plegerhulp_uitval")
        assert "Tegen de streefwaarde" in str(table)


def test_the_report_downloads_as_pdf(page):
    from dashboard import steering_view

    with signed_in():
        answer = with_trigger("regio-rapport-knop.n_clicks", steering_view.download_report, 1, REGION, "2025Q3")
    content = base64.b64decode(answer["content"])
    assert answer["filename"] == f"stuurrapportage_{REGION}_2025Q3.pdf" and content.startswith(b"%PDF")


# --- a gemeente's note on its own figures (issue 12, part 2) --------------------------------------


def test_a_gemeente_notes_its_own_figures_and_those_who_see_it_in_full_read_it(page):
    from accounts.scope import Role, Scope
    from dashboard import municipal_notes as notes
    from tests.dashboard_db import signed_in as as_user

    amsterdam = Scope(user="gem-amsterdam", role=Role.GEMEENTE, municipalities=frozenset({"GM0363"}))
    diemen = Scope(user="gem-diemen", role=Role.GEMEENTE, municipalities=frozenset({"GM0384"}))
    leider = Scope(user="pl-vr13", role=Role.PROJECTLEIDER, region=REGION)
    stuurgroep = Scope(user="sg", role=Role.STUURGROEP)
    with as_user(amsterdam):
        block = find(page.layout(code=REGION), notes.BLOCK)
        assert block is not None and find(block, notes.FORM).hidden is False
        assert [o["value"] for o in find(block, notes.MUNICIPALITY).options] == ["GM0363"]
        text = "Meer <b>meldingen</b> door de nieuwe wijkteams"
        message, version = with_trigger(f"{notes.SAVE}.n_clicks", notes.save_note, 1, "GM0363", "2025Q3", text, 0)
        assert (message, version) == ("De notitie is opgeslagen.", 1)
        refused, same = with_trigger(f"{notes.SAVE}.n_clicks", notes.save_note, 1, "GM0384", "2025Q3", "x", 1)
        assert (refused, same) == ("U mag alleen bij de cijfers van uw eigen gemeente een notitie zetten.", 1)
    for reader in (amsterdam, leider):
        with as_user(reader):
            shown, _, _ = notes.update_notes(REGION, "2025Q3", 1)
            assert text in texts(shown) and "Amsterdam, 2025 K3" in texts(shown)
    with as_user(leider):
        assert notes.update_notes(REGION, "2025Q3", 1)[1] is True  # reads, may not write a gemeente's note
    for outsider in (diemen, stuurgroep):
        with as_user(outsider):
            shown, hidden, _ = notes.update_notes(REGION, "2025Q3", 1)
            assert text not in texts(shown)
            assert hidden is (outsider is stuurgroep)
    with as_user(amsterdam):
        assert text not in texts(notes.update_notes(REGION, "2025Q2", 1)[0])  # a note belongs to its quarter
        assert notes.update_notes(REGION, "geen kwartaal", 1)[1] is True  # a crafted quarter: nothing, no error
