"""The Auditlog page: the beheerder sees and downloads the log; nobody else gets anything of it.

Layout and callbacks are called as plain functions, as Dash would call them, with a faked
server-side scope (`dashboard.access.signed_in_as`).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json

import dash
import openpyxl
import pytest
from dash import dcc, html
from dash.exceptions import PreventUpdate

from accounts.scope import Role, Scope
from dashboard.access import signed_in_as
from dashboard.figures import audit as audit_figures
from db.audit import Action, record
from db.engine import connect
from tests.dash_tree import by_id, find, text_of
from tests.dashboard_db import clicked, dashboard_on

UTC = dt.UTC
ADMIN = Scope(user="beheerder", role=Role.BEHEERDER)
OTHERS = [
    Scope(user="pl", role=Role.PROJECTLEIDER, region="VR13"),
    Scope(user="gm", role=Role.GEMEENTE, municipalities=frozenset({"GM0363"})),
    Scope(user="kp", role=Role.KETENPARTNER, municipalities=frozenset({"GM0363", "GM0014"})),
    Scope(user="sg", role=Role.STUURGROEP),
]
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
LOG = [  # actor, action, subject, details, at
    ("jan", Action.LOGIN, "", {}, T0),
    ("jan", Action.UPLOAD, "amsterdam.xlsx", {"upload_id": 1, "status": "stored", "added": 13}, T0 + HOUR),
    ("jan", Action.VALUES_SUPERSEDED, "amsterdam.xlsx",
     {"upload_id": 1, "count": 12, "values": [{"municipality": "GM0363", "period": "2024Q4", "element": "thv_totaal",
                                               "old": n, "new": n + 1, "old_id": n, "new_id": 100 + n}
                                              for n in range(12)]},
     T0 + HOUR),
    ("beheerder", Action.USER_ADDED, "piet", {"rol": "ketenpartner"}, T0 + dt.timedelta(days=1)),
    ("piet", Action.LOGIN_FAILED, "=HYPERLINK(\"http://kwaad.example\")", {"reden": "geheimgeheim"},
     dt.datetime(2025, 3, 4, 23, 30, tzinfo=UTC)),  # 5 March in Amsterdam
]  # fmt: skip
SECRETS = ["jan", "amsterdam.xlsx", "piet", "geheimgeheim", "HYPERLINK", "GM0363"]  # in the log, never for others


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('audit') / 'monitor.sqlite'}"
    engine = connect(url)
    with engine.begin() as conn:
        for actor, action, subject, details, at in LOG:
            record(conn, actor=actor, action=action, subject=subject, details=details, at=at)
    engine.dispose()
    with dashboard_on(url):
        from dashboard.pages import audit

        yield audit


def show(page, actor=None, action=None, since=None, until=None, text=None):
    return page.show(actor, action, since, until, text)


def rows(tree) -> list[list[str]]:
    (table,) = find(tree, html.Table)
    body = table.children[2]
    return [[text_of(cell) for cell in row.children] for row in body.children]


def download(page, fmt, *filters):
    with clicked(f"{page.DOWNLOAD}-{fmt}"):
        return page.download(1, 0, *(filters or (None,) * 5))


def test_registered_outside_the_generic_navigation(page):
    entry = dash.page_registry["dashboard.pages.audit"]
    assert (entry["path"], entry["name"], entry["order"]) == ("/auditlog", "Auditlog", None)


# --- the beheerder --------------------------------------------------------------------------------


def test_admin_layout_has_labelled_filters_and_no_entries_yet(page):
    with signed_in_as(ADMIN):
        tree = page.layout()
    labels = {label.htmlFor: label.children for label in find(tree, html.Label)}
    assert labels == {page.ACTOR: "Wie", page.ACTION: "Handeling", page.SINCE: "Van datum",
                      page.UNTIL: "Tot en met datum", page.TEXT: "Zoektekst (onderwerp en details)"}  # fmt: skip
    options = by_id(tree, page.ACTION).options
    assert {"label": "Aanlevering", "value": "aanlevering"} in options and len(options) == len(Action)
    assert by_id(tree, page.SINCE).type == "date"
    # the entries come from the callback, so that Dash's validation layout never holds any
    assert find(tree, html.Table) == [] and not any(s in text_of(tree) for s in SECRETS)
    assert by_id(tree, f"{page.DOWNLOAD}-download") is not None


def test_admin_layout_takes_the_filter_from_the_address(page):
    with signed_in_as(ADMIN):
        tree = page.layout(wie="jan", handeling="aanlevering", van="2025-03-04", tot="2025-03-01", zoek="xlsx")
    values = [by_id(tree, i).value for i in (page.ACTOR, page.ACTION, page.SINCE, page.UNTIL, page.TEXT)]
    assert values == ["jan", "aanlevering", "2025-03-01", "2025-03-04", "xlsx"]  # dates put in order


def test_admin_gets_every_entry_newest_first(page):
    with signed_in_as(ADMIN):
        tree = show(page)
    table = rows(tree)
    assert [row[1:3] for row in table] == [
        ["piet", "Inloggen mislukt"], ["beheerder", "Gebruiker toegevoegd"], ["jan", "Waarden vervangen"],
        ["jan", "Aanlevering"], ["jan", "Ingelogd"],
    ]  # fmt: skip
    assert table[0][0] == "05-03-2025 00:30"  # Dutch time
    assert table[3][4] == "aanlevering: 1; resultaat: opgeslagen; nieuw: 13"
    assert table[2][4].startswith("aanlevering: 1; aantal: 12; waarden: GM0363 2024Q4 thv_totaal: 0 → 1; ")
    assert table[2][4].endswith("9 → 10; en nog 2 (zie de download)")
    (caption,) = find(tree, html.Caption)
    assert caption.children == "Auditlog, nieuwste eerst: alle regels"
    assert "5 regels." in text_of(tree)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"action": "aanlevering"}, ["Aanlevering"]),
        ({"actor": "JAN", "action": "inloggen"}, ["Ingelogd"]),
        ({"since": "2025-03-05"}, ["Inloggen mislukt"]),
        ({"since": "2025-03-04", "until": "2025-03-04"}, ["Gebruiker toegevoegd"]),
        ({"until": "2025-03-04", "since": "2025-03-05"}, ["Inloggen mislukt", "Gebruiker toegevoegd"]),  # swapped
        ({"text": "geheim"}, ["Inloggen mislukt"]),
        ({"text": "amsterdam", "action": "waarden_vervangen"}, ["Waarden vervangen"]),
    ],
)
def test_admin_filters(page, filters, expected):
    with signed_in_as(ADMIN):
        tree = show(page, **filters)
    assert [row[2] for row in rows(tree)] == expected


def test_nothing_found_says_so(page):
    with signed_in_as(ADMIN):
        tree = show(page, actor="niemand")
    assert find(tree, html.Table) == []
    assert "Geen regels gevonden (wie bevat 'niemand')." in text_of(tree)


def test_only_the_newest_rows_are_shown_with_a_note(page, monkeypatch):
    monkeypatch.setattr(page, "SHOWN_ROWS", 2)
    with signed_in_as(ADMIN):
        tree = show(page)
    assert [row[2] for row in rows(tree)] == ["Inloggen mislukt", "Gebruiker toegevoegd"]
    assert "De nieuwste 2 van 5 regels staan hier; de download bevat ze allemaal." in text_of(tree)


@pytest.mark.parametrize(
    "crafted",
    [
        ([1], {"a": 1}, 7, ["2025"], None),
        ("x" * 10_000, "alles", "gisteren", "2025-13-45", 3.5),
        (None, "aanlevering' OR 1=1 --", "2025-03-04T99", None, "%"),
    ],
)
def test_admin_crafted_values_are_ignored_not_fatal(page, crafted):
    with signed_in_as(ADMIN):
        tree = page.show(*crafted)
        sent = download(page, "csv", *crafted)
    assert isinstance(tree, list)
    assert sent["filename"].endswith(".csv")


def test_admin_downloads_every_matching_entry_safely(page, monkeypatch):
    monkeypatch.setattr(page, "SHOWN_ROWS", 1)  # the download is not limited to what is shown
    with signed_in_as(ADMIN):
        sent = download(page, "csv", None, None, None, None, None)
    assert sent["content"].startswith("\ufeff")
    table = list(csv.reader(io.StringIO(sent["content"][1:]), delimiter=";"))
    assert table[0] == ["Nummer", "Tijdstip (Nederlandse tijd)", "Wie", "Handeling", "Onderwerp", "Details (JSON)"]
    assert [row[1:4] for row in table[1:]] == [
        ["2025-03-05 00:30:00", "piet", "Inloggen mislukt"],
        ["2025-03-04 10:00:00", "beheerder", "Gebruiker toegevoegd"],
        ["2025-03-03 11:00:00", "jan", "Waarden vervangen"], ["2025-03-03 11:00:00", "jan", "Aanlevering"],
        ["2025-03-03 10:00:00", "jan", "Ingelogd"],
    ]  # fmt: skip
    # the formula-shaped subject is neutralised: a spreadsheet shows it as text, never runs it
    assert table[1][4] == '\'=HYPERLINK("http://kwaad.example")'
    # the full superseded list is in the download
    assert len(json.loads(table[3][5])["values"]) == 12


def test_admin_downloads_excel_of_the_filter(page):
    with signed_in_as(ADMIN):
        sent = download(page, "xlsx", "jan", "aanlevering", None, None, None)
    assert sent["filename"].startswith("auditlog_") and sent["filename"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[3] for row in values[1:]] == ["Aanlevering"]
    assert json.loads(values[1][5]) == {"added": 13, "status": "stored", "upload_id": 1}


def test_excel_download_neutralises_formulas(page):
    with signed_in_as(ADMIN):
        sent = download(page, "xlsx", "piet", None, None, None, None)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    subject = sheet.cell(row=2, column=5)
    assert subject.value.endswith('HYPERLINK("http://kwaad.example")')
    assert subject.data_type == "s"  # text, never a formula (openpyxl reads a formula as "f")


# --- everybody else -------------------------------------------------------------------------------


def _no_entries(tree) -> None:
    shown = text_of(tree)
    assert not any(secret in shown for secret in SECRETS), shown
    assert find(tree, html.Table) == []


@pytest.mark.parametrize("scope", OTHERS, ids=lambda s: s.role.value)
def test_others_get_a_message_from_the_layout(page, scope):
    with signed_in_as(scope):
        tree = page.layout(wie="jan", zoek="geheim")
    assert "Alleen de beheerder kan het auditlog zien." in text_of(tree)
    _no_entries(tree)
    assert find(tree, dcc.Input) == [] and find(tree, dcc.Download) == []


@pytest.mark.parametrize("scope", OTHERS, ids=lambda s: s.role.value)
@pytest.mark.parametrize("filters", [(None,) * 5, ("jan", "aanlevering", "2025-01-01", "2025-12-31", "xlsx")])
def test_others_get_nothing_from_crafted_callback_calls(page, scope, filters):
    with signed_in_as(scope):
        tree = page.show(*filters)
        assert "Alleen de beheerder kan het auditlog zien." in text_of(tree)
        _no_entries(tree)
        for fmt in ("csv", "xlsx"):
            with pytest.raises(PreventUpdate):
                download(page, fmt, *filters)


def test_without_a_session_nothing_is_given(page):
    import flask

    with flask.Flask("zonder-sessie").test_request_context("/"):  # no scope on flask.g: not signed in
        assert "Alleen de beheerder" in text_of(page.layout())
        _no_entries(page.layout())
        _no_entries(page.show(None, None, None, None, None))
        with pytest.raises(PreventUpdate):
            download(page, "csv", None, None, None, None, None)


# --- pure helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "details, expected",
    [
        ("{}", ""),
        ('{"upload_id": 3, "status": "rejected", "errors": 2}', "aanlevering: 3; resultaat: geweigerd; fouten: 2"),
        ('{"status": "conflict"}', "resultaat: niet opgeslagen (gelijktijdige wijziging)"),
        ('{"sha256": "0123456789abcdef0123"}', "sha256: 0123456789ab"),
        ('{"added": 12345}', "nieuw: 12.345"),
        ('{"rol": "gemeente", "gemeenten": ["GM0363"]}', 'rol: gemeente; gemeenten: ["GM0363"]'),
        ('{"status": "stored", "added": 2, "upload_id": 4, "zzz": 1, "count": 2}',
         "aanlevering: 4; resultaat: opgeslagen; aantal: 2; nieuw: 2; zzz: 1"),
        ('{"values": [{"municipality": "GM0014", "period": "2024Q1", "element": "thv_totaal", "old": null, '
         '"new": "afgeschermd"}]}', "waarden: GM0014 2024Q1 thv_totaal: onbekend → afgeschermd"),
        ("geen json", "geen json"),
        ("[1, 2]", "[1, 2]"),
    ],
)  # fmt: skip
def test_details_text(page, details, expected):
    assert audit_figures.details_text(details) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ((" jan ", "inloggen", "2025-03-01", "2025-03-31", ""), ("jan", Action.LOGIN, dt.date(2025, 3, 1),
                                                                  dt.date(2025, 3, 31), None)),
        (("", "onbekend", "", None, "  "), (None, None, None, None, None)),
        ((None, None, "2025-03-31", "2025-03-01", "x"), (None, None, dt.date(2025, 3, 1), dt.date(2025, 3, 31), "x")),
    ],
)  # fmt: skip
def test_selection_cleans_what_the_browser_sends(page, raw, expected):
    chosen = audit_figures.selection(*raw)
    assert tuple(chosen[k] for k in ("actor", "action", "since", "until", "text")) == expected
    assert len(audit_figures.selection("x" * 5000, None, None, None, None)["actor"]) == audit_figures.MAX_TEXT
