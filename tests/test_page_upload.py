"""The Aanleveren page: its layout and callbacks called as plain functions, as the signed-in user of
each test, against a database of the test's own (SQLite and PostgreSQL)."""

import base64
import io
import json
import re
from contextvars import copy_context

import openpyxl
import pytest
from dash import dcc, html, no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from accounts.scope import Role, Scope
from dashboard import upload_view
from dashboard.access import signed_in_as
from db.audit import read_audit
from db.values import current_values
from ingest.guard import LIMITS
from ingest.store import list_uploads
from tests.dashboard_db import ADMIN, dashboard_on
from tests.workbooks import TEMPLATE_HEADER, write_workbook

XLSX = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
GOOD = {"Gegevens": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 30, 12], ["Utrecht", "2025 K3", 31, 11]]}
CHANGED = {"Gegevens": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 30, 15]]}
BAD = {"Blad1": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 10, 14], ["Atlantis", "2025 K2", -3, 1]]}
NO_MUNICIPALITY = {"Blad1": [TEMPLATE_HEADER[1:], ["2025 K2", 9, 2]]}


@pytest.fixture
def page(db_url):
    """The page module on an empty database (SQLite and PostgreSQL), called as a beheerder unless a
    test signs in as someone else."""
    with dashboard_on(db_url):
        from dashboard.pages import upload

        yield upload


@pytest.fixture
def db(page):
    from dashboard import data

    return data.engine()


def as_user(scope, function, *args, prop_id: str | None = None):
    """Call a callback (or the layout) as `scope`, as a crafted request of that user would."""
    with signed_in_as(scope):
        return triggered(prop_id, function, *args) if prop_id else function(*args)


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
        "aanleveren-mapping-remove-choice": "Koppeling om te verwijderen",  # a dropdown (issue 9, part 5)
    }
    inputs = {i.id: i for i in find(layout, dcc.Input)}
    assert set(inputs) == set(labels) - {"aanleveren-mapping-remove-choice"}
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
    assert list_uploads(db).empty  # nothing was stored


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
    saved, cleared, disabled, history, signal, municipality, period, answers = page.save_files(
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
    assert cleared is None and disabled is True and answers == {}  # stored: the answers are remembered now
    history_rows = rows(history)
    assert history_rows[0] == ["Tijdstip", "Bestand", "Bron", "Door", "Resultaat", "Nieuw", "Vervangen", "Ongewijzigd"]
    assert [row[1:] for row in history_rows[1:]] == [
        ["fouten.xlsx", "uploadpagina (beheerder)", "test-beheerder", "geweigerd (3 fouten)", "–", "–", "–"],
        ["gemeente_utrecht.xlsx", "uploadpagina (beheerder)", "test-beheerder", "opgeslagen", "4", "0", "0"],
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
    assert lines[1].endswith(";a.xlsx;uploadpagina (beheerder);test-beheerder;opgeslagen;4;0;0")
    sent = triggered("aanleveren-values-xlsx.n_clicks", page.download_values, 1, None, "Utrecht (GM0344)", "2025 K3")
    assert sent["filename"] == "geschiedenis_GM0344_2025Q3.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    assert [c.value for c in sheet[2]][:3] == ["Tijdelijke huisverboden (totaal)", "31", "huidige waarde"]


# --- who may do what -------------------------------------------------------------------------

GEMEENTE = Scope(user="utrecht", role=Role.GEMEENTE, municipalities=frozenset({"GM0344"}))
KETENPARTNER = Scope(user="reclassering", role=Role.KETENPARTNER, municipalities=frozenset({"GM0344", "GM0355"}))
PROJECTLEIDER = Scope(user="pl-utrecht", role=Role.PROJECTLEIDER, region="VR09")
STUURGROEP = Scope(user="stuurgroep", role=Role.STUURGROEP)
ROW = {"GM0344": ["Utrecht", "2025 K2", 30, 12], "GM0355": ["Zeist", "2025 K2", 9, 2],
       "GM0363": ["Amsterdam", "2025 K2", 80, 20]}  # fmt: skip


def file_of(tmp_path, name, *codes) -> str:
    return contents(tmp_path, name, {"Gegevens": [TEMPLATE_HEADER, *(ROW[c] for c in codes)]})


def datalists(layout) -> dict[str, list[str]]:
    """The suggestions of the municipality fields (not the quarters)."""
    return {d.id: [o.value for o in d.children] for d in find(layout, html.Datalist) if "municipality" in d.id}


def component_ids(layout) -> set[str]:
    found = set()

    def walk(component):
        if isinstance(component, list | tuple):
            for child in component:
                walk(child)
        elif hasattr(component, "to_plotly_json"):
            if isinstance(getattr(component, "id", None), str):
                found.add(component.id)
            walk(getattr(component, "children", None))

    walk(layout)
    return found


def refusals(engine) -> list[tuple[str, str, dict]]:
    frame = read_audit(engine, action="aanlevering_geweigerd")
    return [(row.actor, row.subject, json.loads(row.details)) for row in frame.itertuples()]


def test_a_stuurgroep_page_says_so_and_has_no_upload_control(page, db, tmp_path):
    page.save_files(1, [file_of(tmp_path, "a.xlsx", "GM0344")], ["a.xlsx"], None)  # something to leak
    layout = as_user(STUURGROEP, page.layout)
    shown = text(layout)
    assert "Met dit account kunt u geen cijfers aanleveren" in shown
    assert "vraag dan de beheerder om uw account aan te passen" in shown
    for kind in (dcc.Upload, dcc.Input, html.Datalist, html.Button, html.Table, dcc.Download):
        assert find(layout, kind) == []
    assert "a.xlsx" not in shown and "test-beheerder" not in shown


def test_a_gemeente_page_offers_only_its_own_municipality_and_uploads(page, db, tmp_path):
    page.save_files(1, [file_of(tmp_path, "beheer.xlsx", "GM0363")], ["beheer.xlsx"], None)
    as_user(GEMEENTE, page.save_files, 1, [file_of(tmp_path, "eigen.xlsx", "GM0344")], ["eigen.xlsx"], None)
    layout = as_user(GEMEENTE, page.layout)
    assert "U levert aan voor: Utrecht (GM0344)." in text(layout)
    assert datalists(layout) == {
        "aanleveren-municipality-keuzes": ["Utrecht (GM0344)"],
        "aanleveren-values-municipality-keuzes": ["Utrecht (GM0344)"],
    }
    history = rows(find(layout, html.Table))
    assert [row[1:4] for row in history[1:]] == [["eigen.xlsx", "uploadpagina (gemeente)", "utrecht"]]
    assert "beheer.xlsx" not in text(layout)
    # the beheerder sees both
    admin = page.layout()
    assert [row[1] for row in rows(find(admin, html.Table))[1:]] == ["eigen.xlsx", "beheer.xlsx"]
    assert len(datalists(admin)["aanleveren-municipality-keuzes"]) > 300


def test_ketenpartner_and_projectleider_choices(page, db):
    keten = datalists(as_user(KETENPARTNER, page.layout))
    assert keten["aanleveren-municipality-keuzes"] == ["Utrecht (GM0344)", "Zeist (GM0355)"]
    region = datalists(as_user(PROJECTLEIDER, page.layout))
    assert "Zeist (GM0355)" in region["aanleveren-municipality-keuzes"]
    assert "Amsterdam (GM0363)" not in region["aanleveren-municipality-keuzes"]
    assert "Amsterdam (GM0363)" not in region["aanleveren-values-municipality-keuzes"]


def test_the_layout_without_a_user_has_every_component_and_no_data(page, db, tmp_path):
    """Dash builds its validation layout, sent to every browser, before the gate knows the user."""
    import dash._callback

    page.save_files(1, [file_of(tmp_path, "geheim.xlsx", "GM0344")], ["geheim.xlsx"], None)
    layout = as_user(None, page.layout)
    wired = set()
    for key, spec in dash._callback.GLOBAL_CALLBACK_MAP.items():
        named = [key, *(i["id"] for i in spec["inputs"]), *(s["id"] for s in spec["state"])]
        wired |= {found for part in named for found in re.findall(r"aanleveren-[\w-]+?(?=\.|$)", str(part))}
    assert wired and wired <= component_ids(layout)
    assert all(options == [] for options in datalists(layout).values())
    assert "geheim.xlsx" not in text(layout) and find(layout, html.Table) == []


def test_upload_limits_are_on_the_control_and_in_words(page, db):
    layout = page.layout()
    [upload] = find(layout, dcc.Upload)
    assert upload.max_size == LIMITS.max_file_bytes == 20_000_000
    hint = text(find(layout, dcc.Upload))
    assert "maximaal 20 MB per bestand; een groter bestand neemt de browser niet aan" in hint
    assert "samen hoogstens 50 MB per keer" in hint  # 64 MB per request, base64-encoded


def test_a_stuurgroep_gets_nothing_from_any_callback(page, db, tmp_path):
    files, names = [file_of(tmp_path, "a.xlsx", "GM0344")], ["a.xlsx"]
    page.save_files(1, files, names, None)  # there is history and there are values to leak
    before = list_uploads(db)
    calls = [
        (page.download_template, (1,), None),
        (page.check_files, (files, None, names), None),
        (page.check_files, (files, "Utrecht (GM0344)", names), None),
        (page.check_files, (None, None, None), None),
        (page.save_files, (1, files, names, "Utrecht (GM0344)"), None),
        (page.save_files, (1, None, None, None), None),
        (page.download_problems, (None, 1, files, names, None), "aanleveren-problems-csv.n_clicks"),
        (page.download_history, (None, 1), "aanleveren-history-csv.n_clicks"),
        (page.download_history, (1, None), "aanleveren-history-xlsx.n_clicks"),
        (page.show_values, ("Utrecht (GM0344)", "2025 K2", None), None),
        (page.show_values, (None, None, None), None),
        (page.download_values, (None, 1, "Utrecht (GM0344)", "2025 K2"), "aanleveren-values-csv.n_clicks"),
    ]
    for function, args, prop_id in calls:
        with pytest.raises(PreventUpdate):
            as_user(STUURGROEP, function, *args, prop_id=prop_id)
    after = list_uploads(db)
    assert after[["id", "status"]].values.tolist() == before[["id", "status"]].values.tolist()  # nothing stored
    # the crafted Opslaan is in the audit log
    assert refusals(db) == [
        (
            "stuurgroep",
            "a.xlsx",
            {"reden": "geen recht om aan te leveren", "rol": "stuurgroep", "bestanden": ["a.xlsx"]},
        )
    ]


def test_a_gemeente_delivering_for_another_municipality_is_refused(page, db, tmp_path, temp_dir):
    files, names = [file_of(tmp_path, "amsterdam.xlsx", "GM0363")], ["amsterdam.xlsx"]
    check, disabled, problems_hidden, _ = as_user(GEMEENTE, page.check_files, files, None, names)
    assert disabled is True and problems_hidden is False
    assert "U mag geen cijfers aanleveren voor Amsterdam (GM0363). U levert aan voor: Utrecht (GM0344)." in text(check)
    saved, *_ = as_user(GEMEENTE, page.save_files, 1, files, names, None)
    assert "amsterdam.xlsx: geweigerd, 1 fout; er is niets opgeslagen" in text(saved)
    assert "U mag geen cijfers aanleveren voor Amsterdam (GM0363)" in text(saved)
    assert current_values(db).empty
    assert list_uploads(db)[["status", "uploaded_by", "source"]].values.tolist() == [
        ["rejected", "utrecht", "uploadpagina (gemeente)"]
    ]
    [(actor, subject, details)] = refusals(db)
    assert (actor, subject, details["gemeenten"]) == ("utrecht", "amsterdam.xlsx", ["GM0363"])
    sent = as_user(GEMEENTE, page.download_problems, None, 1, files, names, None,
                   prop_id="aanleveren-problems-csv.n_clicks")  # fmt: skip
    assert "U mag geen cijfers aanleveren voor Amsterdam (GM0363)" in sent["content"]
    assert list(temp_dir.iterdir()) == []


def test_a_crafted_municipality_choice_is_refused(page, db, tmp_path):
    files, names = [contents(tmp_path, "k.xlsx", NO_MUNICIPALITY)], ["k.xlsx"]
    check, disabled, *_ = as_user(GEMEENTE, page.check_files, files, "Amsterdam (GM0363)", names)
    assert disabled is True and "U mag geen cijfers aanleveren voor Amsterdam (GM0363)" in text(check)
    saved, *_ = as_user(GEMEENTE, page.save_files, 1, files, names, "Amsterdam (GM0363)")
    assert "k.xlsx: geweigerd" in text(saved) and current_values(db).empty
    _, disabled, *_ = as_user(GEMEENTE, page.check_files, files, "Utrecht (GM0344)", names)
    assert disabled is False


def test_a_ketenpartner_file_with_an_unlisted_municipality_is_refused_whole(page, db, tmp_path):
    files, names = [file_of(tmp_path, "keten.xlsx", "GM0344", "GM0363", "GM0355")], ["keten.xlsx"]
    check, disabled, *_ = as_user(KETENPARTNER, page.check_files, files, None, names)
    shown = text(check)
    assert disabled is True and "keten.xlsx: geweigerd, 1 fout" in shown
    assert "U levert aan voor: Utrecht (GM0344) en Zeist (GM0355)." in shown
    as_user(KETENPARTNER, page.save_files, 1, files, names, None)
    assert current_values(db).empty and list_uploads(db)["status"].tolist() == ["rejected"]


def test_a_projectleider_delivers_for_its_region_only(page, db, tmp_path):
    files = [file_of(tmp_path, "regio.xlsx", "GM0344", "GM0355"), file_of(tmp_path, "buiten.xlsx", "GM0363")]
    saved, *_ = as_user(PROJECTLEIDER, page.save_files, 1, files, ["regio.xlsx", "buiten.xlsx"], None)
    assert "regio.xlsx: opgeslagen, 4 waarden" in text(saved)
    assert "buiten.xlsx: geweigerd, 1 fout" in text(saved)
    assert sorted(current_values(db)["municipality"].unique()) == ["GM0344", "GM0355"]


def test_a_beheerder_delivers_for_every_municipality(page, db, tmp_path):
    files = [file_of(tmp_path, "alles.xlsx", "GM0344", "GM0355", "GM0363")]
    saved, *_ = page.save_files(1, files, ["alles.xlsx"], "Amsterdam (GM0363)")
    assert "alles.xlsx: opgeslagen, 6 waarden" in text(saved)
    assert refusals(db) == []


def test_history_and_its_download_are_a_users_own(page, db, tmp_path):
    page.save_files(1, [file_of(tmp_path, "beheer.xlsx", "GM0344")], ["beheer.xlsx"], None)
    as_user(GEMEENTE, page.save_files, 1, [file_of(tmp_path, "eigen.xlsx", "GM0344")], ["eigen.xlsx"], None)
    _, _, _, history, *_ = as_user(
        GEMEENTE, page.save_files, 1, [file_of(tmp_path, "fout.xlsx", "GM0363")], ["fout.xlsx"], None
    )
    assert [row[1] for row in rows(history)[1:]] == ["fout.xlsx", "eigen.xlsx"]
    sent = as_user(GEMEENTE, page.download_history, None, 1, prop_id="aanleveren-history-csv.n_clicks")
    lines = sent["content"].lstrip("\ufeff").splitlines()[1:]
    assert [line.split(";")[1] for line in lines] == ["fout.xlsx", "eigen.xlsx"]
    assert (
        as_user(KETENPARTNER, page.download_history, None, 1, prop_id="aanleveren-history-csv.n_clicks")["content"]
        .lstrip("\ufeff")
        .splitlines()[1:]
        == []
    )
    everything = triggered("aanleveren-history-csv.n_clicks", page.download_history, None, 1)
    assert len(everything["content"].splitlines()) == 4  # the beheerder: a header and three uploads


@pytest.mark.parametrize(
    ("scope", "municipality", "allowed"),
    [
        (GEMEENTE, "Amsterdam (GM0363)", True),  # may not see Amsterdam
        (GEMEENTE, "zeist", True),
        (KETENPARTNER, "363", True),
        (PROJECTLEIDER, "Amsterdam", True),
        (GEMEENTE, "Utrecht (GM0344)", False),
        (KETENPARTNER, "Zeist (GM0355)", False),
        (PROJECTLEIDER, "Zeist", False),
    ],
)
def test_the_value_viewer_shows_only_municipalities_of_the_scope(page, db, tmp_path, scope, municipality, allowed):
    page.save_files(1, [file_of(tmp_path, "alles.xlsx", "GM0344", "GM0355", "GM0363")], ["alles.xlsx"], None)
    refused = allowed  # the parameter says whether the viewer must refuse
    shown = text(as_user(scope, page.show_values, municipality, "2025 K2", None))
    download = (page.download_values, None, 1, municipality, "2025 K2")
    if refused:
        assert shown.startswith("U mag de cijfers van ") and "niet inzien" in shown
        assert "versies" not in shown and "alles.xlsx" not in shown
        with pytest.raises(PreventUpdate):
            as_user(scope, *download, prop_id="aanleveren-values-csv.n_clicks")
    elif scope.role is Role.KETENPARTNER:  # it sees what it delivered itself: here nothing (issue 10)
        assert "geen cijfers aangeleverd" in shown and "alles.xlsx" not in shown
        sent = as_user(scope, *download, prop_id="aanleveren-values-csv.n_clicks")
        assert len(sent["content"].splitlines()) == 1
    else:
        assert "2 versies, waarvan 0 vervangen." in shown and "alles.xlsx" in shown  # delivered by the beheerder
        sent = as_user(scope, *download, prop_id="aanleveren-values-csv.n_clicks")
        assert len(sent["content"].splitlines()) == 3


def test_check_and_save_leave_no_temporary_file(page, db, tmp_path, temp_dir):
    files = [file_of(tmp_path, "a.xlsx", "GM0344"), file_of(tmp_path, "b.xlsx", "GM0363"), "data:;base64,@@"]
    names = ["../a.xlsx", "b.xlsx", "c.xlsx"]
    as_user(GEMEENTE, page.check_files, files, None, names)
    assert list(temp_dir.iterdir()) == []
    saved, *_ = as_user(GEMEENTE, page.save_files, 1, files, names, None)
    assert list(temp_dir.iterdir()) == []
    assert list_uploads(db)["file_name"].tolist() == ["c.xlsx", "b.xlsx", "a.xlsx"]


def test_the_upload_offers_the_accepted_formats(page, db):
    [upload] = find(page.layout(), dcc.Upload)
    assert upload.accept == ".xlsx,.csv,.ods"
    [wrapper] = [label for label in find(page.layout(), html.Label) if find(label, dcc.Upload)]
    assert all(suffix in text(wrapper) for suffix in (".xlsx", ".csv", ".ods"))


def test_a_column_of_the_same_problem_is_one_row_on_the_page_and_every_cell_in_the_download(page, db, tmp_path):
    sheet = [TEMPLATE_HEADER] + [["Utrecht", f"2024 T{q}", 3, 1] for q in (1, 2, 3, 4)]
    files, names = [contents(tmp_path, "cbs.xlsx", {"Blad1": sheet})], ["cbs.xlsx"]
    check, *_ = page.check_files(files, None, names)
    [table] = [t for t in find(check, html.Table) if "cbs.xlsx" in text(t.children[0])]
    assert [row[:3] for row in rows(table)[1:]] == [["Blad1", "kolom B, rij 2–5 (4 cellen)", "fout"]]
    sent = triggered("aanleveren-problems-csv.n_clicks", page.download_problems, None, 1, files, names, None)
    cells = [line.split(";")[2] for line in sent["content"].lstrip("\ufeff").splitlines()[1:]]
    assert cells == ["B2", "B3", "B4", "B5"]


def test_a_csv_upload_is_checked(page, db):
    data = b"Gemeente;Kwartaal;Tijdelijke huisverboden (totaal)\nUtrecht;2025 K2;12,0\n"
    files = ["data:text/csv;base64," + base64.b64encode(data).decode()]
    check, disabled, *_ = page.check_files(files, None, ["export.csv"])
    assert disabled is True
    assert "'12,0' heeft een decimale komma" in text(check)


# --- the mapping step (issue 9): a column of counts that is not recognised -------------------------

OPEN = {"Gegevens": [[*TEMPLATE_HEADER, "Dossiers met plan"], ["Utrecht", "2025 K2", 30, 12, 4]]}


def test_an_open_column_is_asked_with_a_labelled_dropdown_suggestions_first(page, db, tmp_path):
    files = [contents(tmp_path, "eigen.xlsx", OPEN)]
    check, disabled, _, _ = page.check_files(files, None, ["eigen.xlsx"])
    assert disabled is True
    assert "Niet elke kolom is herkend: kies bij 'Kolommen koppelen' wat erin staat." in text(check)
    [box] = [s for s in find(check, html.Section) if getattr(s, "id", None) == "aanleveren-mapping-box"]
    [dropdown] = find(box, dcc.Dropdown)
    [label] = find(box, html.Label)
    assert text(label) == "Kolom 'Dossiers met plan' (eigen.xlsx, Gegevens!E1)"
    assert dropdown.id == {"type": page.COLUMN, "header": "dossiers met plan"}
    assert [o["value"] for o in dropdown.options][:3] == ["dossiers_totaal", "dossiers_met_veiligheidsplan", "skip"]
    assert dropdown.options[2]["label"] == "overslaan"
    assert dropdown.options[0]["label"] == "Cliëntdossiers (huiselijk geweld) (voorstel)"
    assert [b for b in find(box, html.Button) if b.id == {"type": page.APPLY, "index": 0}]


def test_the_answer_is_kept_checked_again_and_stored_with_it(page, db, tmp_path):
    files, names = [contents(tmp_path, "eigen.xlsx", OPEN)], ["eigen.xlsx"]
    ids = [{"type": page.COLUMN, "header": "dossiers met plan"}]
    given = page.apply_columns([1], ["dossiers_met_veiligheidsplan"], ids, {})
    assert given == {"dossiers met plan": "dossiers_met_veiligheidsplan"}
    check, disabled, _, _ = page.check_files(files, None, names, given)
    assert disabled is False
    shown = text(check)
    assert "eigen.xlsx: in orde, 3 waarden" in shown
    assert (
        "Kolom 'Dossiers met plan' (Gegevens!E1) is gelezen als 'waarvan met gemeenschappelijk veiligheidsplan' "
        "(zoals opgegeven)." in shown
    )
    [dropdown] = find(check, dcc.Dropdown)  # still there, to change the answer
    assert dropdown.value == "dossiers_met_veiligheidsplan"
    *_, answers = page.save_files(1, files, names, None, given)
    assert answers == {}  # remembered for the organisation now: the next check says so
    *_, answers = page.save_files(1, [contents(tmp_path, "fout.xlsx", BAD)], ["fout.xlsx"], None, given)
    assert answers is no_update  # nothing stored: the answers stay for the corrected file
    stored = current_values(db)
    assert ("dossiers_met_veiligheidsplan", 4) in list(zip(stored["element"], stored["value"], strict=True))
    assert page.apply_columns([2], [None], ids, given) == {}  # an emptied choice is withdrawn


def test_the_mapping_from_the_browser_is_not_trusted(page, db, tmp_path):
    files, names = [contents(tmp_path, "eigen.xlsx", OPEN)], ["eigen.xlsx"]
    _, disabled, _, _ = page.check_files(files, None, names, {"dossiers met plan": "drop table"})
    assert disabled is True  # an unknown code is no answer
    _, disabled, _, _ = page.check_files(files, None, names, ["not", "a", "mapping"])
    assert disabled is True
    with pytest.raises(PreventUpdate):
        page.apply_columns([0], [], [], {})  # only rendered, not clicked
    with pytest.raises(PreventUpdate):
        as_user(STUURGROEP, page.apply_columns, [1], ["skip"], [{"type": page.COLUMN, "header": "x"}], {})


# --- remembered per organisation (issue 9, part 5) ------------------------------------------------


def test_an_answer_stored_is_remembered_for_the_organisation_and_applied_next_time(page, db, tmp_path):
    files, names = [contents(tmp_path, "eigen.xlsx", OPEN)], ["eigen.xlsx"]
    given = {"dossiers met plan": "dossiers_met_veiligheidsplan"}
    as_user(GEMEENTE, page.save_files, 1, files, names, None, given)
    later = [contents(tmp_path, "later.xlsx", {"Gegevens": [OPEN["Gegevens"][0], ["Utrecht", "2025 K3", 3, 1, 2]]})]
    check, disabled, _, _ = as_user(GEMEENTE, page.check_files, later, None, ["later.xlsx"])
    assert disabled is False
    assert (
        "Kolom 'Dossiers met plan' (Gegevens!E1) is gelezen als 'waarvan met gemeenschappelijk veiligheidsplan' "
        "(volgens de koppeling van gemeente Utrecht)." in text(check)
    )
    _, disabled, _, _ = as_user(KETENPARTNER, page.check_files, later, None, ["later.xlsx"])
    assert disabled is True  # another organisation is asked
    mine = as_user(GEMEENTE, upload_view.mappings_block, db, GEMEENTE)
    assert "Onthouden kolomkoppelingen van gemeente Utrecht" in text(mine)
    shown, said = as_user(GEMEENTE, page.remove_mapping, 0, None, 7, prop_id="aanleveren-stored-signal.data")
    assert "dossiers met plan" in text(shown) and said == ""  # the list is shown again once a file is stored
    assert "dossiers met plan" in text(mine)
    assert "dossiers met plan" not in text(upload_view.mappings_block(db, KETENPARTNER))
    assert "dossiers met plan" in text(upload_view.mappings_block(db, ADMIN))  # a beheerder sees every source
    entries = read_audit(db)
    assert entries.loc[entries["action"] == "koppeling_gewijzigd", "actor"].tolist() == ["utrecht"]


def test_a_remembered_mapping_is_removed_by_its_owner_or_a_beheerder_only(page, db, tmp_path):
    files, names = [contents(tmp_path, "eigen.xlsx", OPEN)], ["eigen.xlsx"]
    as_user(GEMEENTE, page.save_files, 1, files, names, None, {"dossiers met plan": "skip"})
    choice = "gemeente Utrecht\tdossiers met plan"
    blocks, said = as_user(KETENPARTNER, page.remove_mapping, 1, choice, prop_id="aanleveren-mapping-remove.n_clicks")
    assert said == "U mag de koppelingen van gemeente Utrecht niet wijzigen."
    blocks, said = as_user(GEMEENTE, page.remove_mapping, 1, choice, prop_id="aanleveren-mapping-remove.n_clicks")
    assert said == "De koppeling van kolom 'dossiers met plan' voor gemeente Utrecht is verwijderd."
    assert "Er zijn nog geen kolomkoppelingen onthouden." in text(blocks)
    entries = read_audit(db)
    assert entries.loc[entries["action"] == "koppeling_verwijderd", "actor"].tolist() == ["utrecht"]
    with pytest.raises(PreventUpdate):
        as_user(STUURGROEP, page.remove_mapping, 1, choice, prop_id="aanleveren-mapping-remove.n_clicks")


HEADERLESS = {"Gegevens": [[*TEMPLATE_HEADER, None], ["Utrecht", "2025 K2", 30, 12, 5]]}


def test_a_column_without_a_header_is_asked_by_its_letter_stored_and_remembered(page, db, tmp_path):
    files, names = [contents(tmp_path, "eigen.xlsx", HEADERLESS)], ["eigen.xlsx"]
    check, disabled, _, _ = as_user(GEMEENTE, page.check_files, files, None, names)
    assert disabled is True
    assert "Kolom E (zonder kop) is niet herkend, maar bevat aantallen." in text(check)
    [box] = [s for s in find(check, html.Section) if getattr(s, "id", None) == "aanleveren-mapping-box"]
    [dropdown], [label] = find(box, dcc.Dropdown), find(box, html.Label)
    assert text(label) == "Kolom E (zonder kop) (eigen.xlsx, Gegevens!E1)"
    assert dropdown.id == {"type": page.COLUMN, "header": "e"}
    assert [o["value"] for o in dropdown.options][:2] == ["thv_preventief", "plegers_in_beeld"]  # the template's next
    given = page.apply_columns([1], ["thv_preventief"], [dropdown.id], {})
    check, disabled, _, _ = as_user(GEMEENTE, page.check_files, files, None, names, given)
    assert disabled is False
    assert "Kolom E (zonder kop) (Gegevens!E1) is gelezen als 'waarvan preventief opgelegd' (zoals opgegeven)." in text(
        check
    )
    as_user(GEMEENTE, page.save_files, 1, files, names, None, given)
    later = {"Gegevens": [HEADERLESS["Gegevens"][0], ["Utrecht", "2025 K3", 20, 2, 3]]}
    check, disabled, _, _ = as_user(GEMEENTE, page.check_files, [contents(tmp_path, "later.xlsx", later)], None,
                                    ["later.xlsx"])  # fmt: skip
    assert disabled is False
    assert (
        "Kolom E (zonder kop) (Gegevens!E1) is gelezen als 'waarvan preventief opgelegd' "
        "(volgens de koppeling van gemeente Utrecht)." in text(check)
    )
    stored = current_values(db)
    assert ("thv_preventief", 5) in list(zip(stored["element"], stored["value"], strict=True))


def test_a_ketenpartner_sees_and_downloads_only_the_values_it_delivered(page, db, tmp_path):
    """Utrecht's figures come from the gemeente, then Zeist's from the ketenpartner, who also delivers
    for Utrecht: the ketenpartner's history of Utrecht has nothing (it delivered none), the gemeente's
    has every version; of Zeist the ketenpartner sees its own."""
    as_user(GEMEENTE, page.save_files, 1, [file_of(tmp_path, "g.xlsx", "GM0344")], ["g.xlsx"], None)
    as_user(KETENPARTNER, page.save_files, 1, [file_of(tmp_path, "k.xlsx", "GM0355")], ["k.xlsx"], None)
    assert sorted(current_values(db)["municipality"].unique()) == ["GM0344", "GM0355"]
    assert "U heeft voor Utrecht (GM0344) over 2025 K2 geen cijfers aangeleverd." in text(
        as_user(KETENPARTNER, page.show_values, "Utrecht (GM0344)", "2025 K2", None)
    )
    assert "2 versies" in text(as_user(GEMEENTE, page.show_values, "Utrecht (GM0344)", "2025 K2", None))
    assert "2 versies" in text(as_user(KETENPARTNER, page.show_values, "Zeist (GM0355)", "2025 K2", None))
    with signed_in_as(KETENPARTNER):
        sent = triggered("aanleveren-values-csv.n_clicks", page.download_values, None, 1, "Utrecht (GM0344)", "2025 K2")
    assert sent["content"].lstrip("\ufeff").splitlines()[1:] == []
