"""The Aanleveren page: its callbacks called as plain functions against an SQLite file in tmp_path."""

import base64
import io
from contextvars import copy_context

import openpyxl
import pytest
from dash import dcc, html, no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from tests.workbooks import TEMPLATE_HEADER, write_workbook

XLSX = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
GOOD = {"Gegevens": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 30, 12], ["Utrecht", "2025 K3", 31, 11]]}
CHANGED = {"Gegevens": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 30, 15]]}
BAD = {"Blad1": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 10, 14], ["Atlantis", "2025 K2", -3, 1]]}
NO_MUNICIPALITY = {"Blad1": [TEMPLATE_HEADER[1:], ["2025 K2", 9, 2]]}


@pytest.fixture(scope="module")
def page():
    from dashboard.app import create_app

    create_app()  # registers the pages
    from dashboard.pages import upload

    return upload


@pytest.fixture
def db(tmp_path, monkeypatch):
    from dashboard import data
    from ingest.store import connect

    url = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    monkeypatch.setenv("MONITOR_DB_URL", url)
    data.engine.cache_clear()
    connect(url).dispose()  # the tables
    yield data.engine()
    data.engine().dispose()
    data.engine.cache_clear()


def contents(tmp_path, name, sheets) -> str:
    return XLSX + base64.b64encode(write_workbook(tmp_path / name, sheets).read_bytes()).decode()


def text(component) -> str:
    """All text of a component tree, in order."""
    if component is None or component is no_update:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def find(component, cls):
    """Every component of type `cls` in a tree."""
    found = [component] if isinstance(component, cls) else []
    children = component if isinstance(component, list | tuple) else getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            found += find(child, cls)
    elif children is not None and not isinstance(children, str | int | float):
        found += find(children, cls)
    return found


def rows(table_component) -> list[list[str]]:
    return [[text(td) for td in tr.children] for tr in find(table_component, html.Tr)]


def triggered(prop_id: str, function, *args):
    """Call a callback that reads `ctx.triggered_id`, as Dash would after a click on `prop_id`."""

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
        return function(*args)

    return copy_context().run(run)


# --- layout -----------------------------------------------------------------------------------


def test_layout_has_a_labelled_upload_and_fields(page, db):
    layout = page.layout()
    assert text(find(layout, html.H1)) == "Aanleveren"
    [upload] = find(layout, dcc.Upload)
    assert upload.id == "aanleveren-upload" and upload.multiple is True
    # the label wraps the upload, so the file input inside has the label's text as its name
    [wrapper] = [label for label in find(layout, html.Label) if find(label, dcc.Upload)]
    assert "Sleep uw Excel-bestanden hierheen of klik om te kiezen" in text(wrapper)
    assert "20 MB" in text(wrapper)
    labels = {label.htmlFor: text(label) for label in find(layout, html.Label) if getattr(label, "htmlFor", None)}
    assert labels == {
        "aanleveren-municipality": "Gemeente (alleen voor bestanden zonder gemeentekolom)",
        "aanleveren-values-municipality": "Gemeente",
        "aanleveren-values-period": "Kwartaal",
    }
    inputs = {i.id: i for i in find(layout, dcc.Input)}
    assert set(inputs) == set(labels)
    datalists = {d.id: [o.value for o in d.children] for d in find(layout, html.Datalist)}
    assert "Utrecht (GM0344)" in datalists[inputs["aanleveren-municipality"].list]
    assert [b for b in find(layout, html.Button) if b.id == "aanleveren-save"][0].disabled is True
    assert "Er is nog niets aangeleverd." in text(layout)


# --- dry run ----------------------------------------------------------------------------------


def test_check_shows_preview_and_problems_and_enables_opslaan(page, db, tmp_path):
    files = [contents(tmp_path, "gemeente_utrecht.xlsx", GOOD), contents(tmp_path, "fouten.xlsx", BAD)]
    check, disabled, problems_hidden, saved = page.check_files(files, None, ["gemeente_utrecht.xlsx", "fouten.xlsx"])
    assert disabled is False and problems_hidden is False and saved == []
    shown = text(check)
    assert "2 bestanden gecontroleerd: 1 in orde, 1 geweigerd." in shown
    assert "gemeente_utrecht.xlsx: in orde, 4 waarden" in shown
    assert "fouten.xlsx: geweigerd, 3 fouten; er wordt niets opgeslagen" in shown
    tables = find(check, html.Table)

    def captioned(words):
        [found] = [t for t in tables if words in text(t.children[0])]
        return found

    problem_rows = rows(captioned("Wat er aan het bestand moet veranderen: fouten.xlsx"))
    assert problem_rows[0] == ["Blad", "Cel", "Ernst", "Melding"]
    assert [row[:3] for row in problem_rows[1:]] == [
        ["Blad1", "D2", "fout"],
        ["Blad1", "A3", "fout"],
        ["Blad1", "C3", "fout"],
    ]
    assert problem_rows[3][3] == "-3 is negatief. Aantallen zijn 0 of meer; controleer de cel."
    assert all(th.scope == "col" for table in tables for th in find(table, html.Th))
    preview = rows(captioned("Wordt opgeslagen uit gemeente_utrecht.xlsx"))
    assert preview[0] == ["Gemeente", "Kwartaal", "Gegevenselement", "Waarde"]
    assert preview[1:3] == [
        ["Utrecht (GM0344)", "2025 K2", "Tijdelijke huisverboden (totaal)", "30"],
        ["Utrecht (GM0344)", "2025 K2", "waarvan bij kindermishandeling", "12"],
    ]
    # nothing was stored
    from ingest.store import list_uploads

    assert list_uploads(db).empty


def test_check_of_only_bad_files_keeps_opslaan_disabled(page, db, tmp_path):
    _, disabled, problems_hidden, _ = page.check_files([contents(tmp_path, "f.xlsx", BAD)], None, ["f.xlsx"])
    assert disabled is True and problems_hidden is False


def test_check_without_files_clears_but_keeps_the_stored_result(page, db):
    assert page.check_files(None, None, None) == ([], True, True, no_update)


def test_check_uses_the_municipality_field(page, db, tmp_path):
    file = [contents(tmp_path, "k.xlsx", NO_MUNICIPALITY)]
    without, disabled, _, _ = page.check_files(file, None, ["k.xlsx"])
    assert disabled is True and "Het bestand noemt geen gemeente." in text(without)
    assert "Noemt een bestand geen gemeente, vul die dan hierboven in." in text(without)
    chosen, disabled, problems_hidden, _ = page.check_files(file, "Utrecht (GM0344)", ["k.xlsx"])
    assert disabled is False and problems_hidden is True
    assert "k.xlsx: in orde, 2 waarden" in text(chosen)
    typed, disabled, _, _ = page.check_files(file, "Bergen", ["k.xlsx"])
    assert disabled is True and "kan meerdere gemeenten zijn" in text(typed)


def test_check_refuses_a_too_large_or_broken_upload_in_dutch(page, db):
    huge = "data:;base64," + "A" * 28_000_000
    check, disabled, _, _ = page.check_files([huge, "data:;base64,@@"], None, ["groot.xlsx", "kapot.xlsx"])
    assert disabled is True
    shown = text(check)
    assert "Het bestand is 21 MB groot; de grens is 20 MB." in shown
    assert "het bestand is niet goed overgekomen" in shown


# --- storing ----------------------------------------------------------------------------------


def test_save_stores_valid_files_refreshes_and_clears_the_contents(page, db, tmp_path):
    from dashboard import data

    files = [contents(tmp_path, "gemeente_utrecht.xlsx", GOOD), contents(tmp_path, "fouten.xlsx", BAD)]
    saved, cleared, disabled, history, signal, municipality, period = page.save_files(
        1, files, ["gemeente_utrecht.xlsx", "fouten.xlsx"], None
    )
    shown = text(saved)
    assert "gemeente_utrecht.xlsx: opgeslagen, 4 waarden (4 nieuw, 0 vervangen, 0 ongewijzigd)" in shown
    assert "fouten.xlsx: geweigerd, 3 fouten; er is niets opgeslagen" in shown
    result_rows = rows([t for t in find(saved, html.Table) if getattr(t, "id", None) == "aanleveren-saved-tabel"][0])
    assert result_rows == [
        ["Bestand", "Resultaat", "Nieuw", "Vervangen", "Ongewijzigd"],
        ["gemeente_utrecht.xlsx", "opgeslagen", "4", "0", "0"],
        ["fouten.xlsx", "geweigerd", "–", "–", "–"],
    ]
    assert cleared is None and disabled is True
    history_rows = rows(history)
    assert history_rows[0] == ["Tijdstip", "Bestand", "Bron", "Door", "Resultaat", "Nieuw", "Vervangen", "Ongewijzigd"]
    assert [row[1:] for row in history_rows[1:]] == [
        ["fouten.xlsx", "uploadpagina", "dashboard", "geweigerd (3 fouten)", "–", "–", "–"],
        ["gemeente_utrecht.xlsx", "uploadpagina", "dashboard", "opgeslagen", "4", "0", "0"],
    ]
    assert isinstance(signal, int)
    assert (municipality, period) == ("Utrecht (GM0344)", "2025 K2")
    # the charts read the refreshed indicator table
    table = data.indicators(level="municipality", areas=["GM0344"], codes=["huisverbod_km"])
    assert table.set_index("period")["value"].round(3).to_dict() == {"2025Q2": 0.4, "2025Q3": 0.355}


def test_save_without_contents_does_nothing(page, db):
    with pytest.raises(PreventUpdate):
        page.save_files(1, None, None, None)


def test_save_reads_the_file_again_and_never_trusts_the_check(page, db, tmp_path):
    # the check saw a good file; what arrives at Opslaan is a bad one: it is refused
    good = [contents(tmp_path, "a.xlsx", GOOD)]
    assert page.check_files(good, None, ["a.xlsx"])[1] is False
    saved, *_ = page.save_files(1, [contents(tmp_path, "a.xlsx", BAD)], ["a.xlsx"], None)
    assert "a.xlsx: geweigerd, 3 fouten; er is niets opgeslagen" in text(saved)
    from ingest.store import current_values

    assert current_values(db).empty


def test_value_history_shows_replaced_values(page, db, tmp_path):
    page.save_files(1, [contents(tmp_path, "a.xlsx", GOOD)], ["a.xlsx"], None)
    page.save_files(2, [contents(tmp_path, "b.xlsx", CHANGED)], ["b.xlsx"], None)
    shown = page.show_values("Utrecht (GM0344)", "2025 K2", 2)
    assert "3 versies, waarvan 1 vervangen." in text(shown)
    [table] = find(shown, html.Table)
    assert [row[:3] for row in rows(table)] == [
        ["Gegevenselement", "Waarde", "Status"],
        ["Tijdelijke huisverboden (totaal)", "30", "huidige waarde"],
        ["waarvan bij kindermishandeling", "12", "vervangen"],
        ["waarvan bij kindermishandeling", "15", "huidige waarde"],
    ]
    assert [tr.className for tr in find(table.children[2], html.Tr)] == ["current", "superseded", "current"]
    # typed instead of chosen works too
    assert text(page.show_values("utrecht", "2025Q2", None)) == text(shown)


@pytest.mark.parametrize(
    ("municipality", "period", "says"),
    [
        (None, None, "Kies een gemeente en een kwartaal."),
        ("Utrecht (GM0344)", None, "Kies een gemeente en een kwartaal."),
        ("Atlantis", "2025 K2", "'Atlantis' is geen bekende gemeente."),
        ("Utrecht (GM0344)", "volgend jaar", "'volgend jaar' is geen kwartaal."),
        ("Utrecht (GM0344)", "2019 K1", "Voor Utrecht (GM0344) zijn over 2019 K1 geen cijfers opgeslagen."),
    ],
)
def test_value_history_prompts(page, db, municipality, period, says):
    assert says in text(page.show_values(municipality, period, None))


# --- downloads --------------------------------------------------------------------------------


def test_template_download(page):
    sent = page.download_template(1)
    assert sent["filename"] == "sjabloon_monitor_plegeraanpak.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert "Gegevens" in workbook.sheetnames


def test_problems_download_as_csv_and_excel(page, db, tmp_path):
    files, names = [contents(tmp_path, "f.xlsx", BAD)], ["f.xlsx"]
    sent = triggered("aanleveren-problems-csv.n_clicks", page.download_problems, None, 1, files, names, None)
    assert sent["filename"] == "meldingen_aanlevering.csv"
    lines = sent["content"].lstrip("\ufeff").splitlines()
    assert lines[0] == "Bestand;Blad;Cel;Ernst;Melding"
    assert lines[1].startswith("f.xlsx;Blad1;D2;fout;")
    sent = triggered("aanleveren-problems-xlsx.n_clicks", page.download_problems, 1, None, files, names, None)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    assert [c.value for c in sheet[1]] == ["Bestand", "Blad", "Cel", "Ernst", "Melding"]
    assert sheet.max_row == 4
    with pytest.raises(PreventUpdate):
        triggered("aanleveren-problems-csv.n_clicks", page.download_problems, None, 1, None, None, None)


def test_history_and_values_downloads(page, db, tmp_path):
    page.save_files(1, [contents(tmp_path, "a.xlsx", GOOD)], ["a.xlsx"], None)
    sent = triggered("aanleveren-history-csv.n_clicks", page.download_history, None, 1)
    lines = sent["content"].lstrip("\ufeff").splitlines()
    assert lines[0] == "Tijdstip;Bestand;Bron;Door;Resultaat;Nieuw;Vervangen;Ongewijzigd"
    assert lines[1].endswith(";a.xlsx;uploadpagina;dashboard;opgeslagen;4;0;0")
    sent = triggered("aanleveren-values-xlsx.n_clicks", page.download_values, 1, None, "Utrecht (GM0344)", "2025 K3")
    assert sent["filename"] == "geschiedenis_GM0344_2025Q3.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    assert [c.value for c in sheet[2]][:3] == ["Tijdelijke huisverboden (totaal)", "31", "huidige waarde"]
