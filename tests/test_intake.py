"""Uploaded files on the server (dashboard.intake): decode, dry run, store, and the frames the page shows."""

import base64
import datetime as dt
import json
import re

import pandas as pd
import pytest

from accounts.scope import Role, Scope
from dashboard import intake
from dashboard.figures import upload as upload_figures
from db.values import current_values, store_version, value_history
from indicators.table import computed_version, read_indicators
from ingest import pipeline
from ingest.guard import Limits
from ingest.pipeline import FileResult
from ingest.store import StoreResult, list_uploads
from reference.areas import load_reference
from reference.periods import Period
from tests.dashboard_db import ADMIN
from tests.workbooks import TEMPLATE_HEADER, write_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GOOD = {
    "Gegevens": [
        TEMPLATE_HEADER,
        ["Utrecht", "2025 K2", 30, 12],
        ["Utrecht", "2025 K3", 31, "<5"],
    ]
}
GOOD_PREVIEW = [
    ["Utrecht (GM0344)", "2025 K2", "Tijdelijke huisverboden (totaal)", "30"],
    ["Utrecht (GM0344)", "2025 K2", "waarvan bij kindermishandeling", "12"],
    ["Utrecht (GM0344)", "2025 K3", "Tijdelijke huisverboden (totaal)", "31"],
    ["Utrecht (GM0344)", "2025 K3", "waarvan bij kindermishandeling", "<5 (afgeschermd)"],
]
BAD = {
    "Blad1": [
        [*TEMPLATE_HEADER, "Wachtlijst"],  # a note column: counts there would be a question (issue 9)
        ["Utrecht", "2025 K2", 10, 14, "ja"],
        ["Atlantis", "2025 K2", -3, 1],
    ]
}


def data_url(path, mime=XLSX_TYPE) -> str:
    """A file as the browser's FileReader.readAsDataURL gives it to dcc.Upload."""
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@pytest.fixture
def good(tmp_path):
    return data_url(write_workbook(tmp_path / "gemeente_utrecht.xlsx", GOOD))


@pytest.fixture
def bad(tmp_path):
    return data_url(write_workbook(tmp_path / "fouten.xlsx", BAD))


# --- dry run ----------------------------------------------------------------------------------


def test_good_workbook_gives_its_preview(good):
    result = intake.check_upload(good, "gemeente_utrecht.xlsx", scope=ADMIN)
    assert result.ok
    assert upload_figures.check_summary(result) == "gemeente_utrecht.xlsx: in orde, 4 waarden, 1 waarschuwing"
    preview = upload_figures.preview_frame(result, load_reference())
    assert list(preview.columns) == ["Gemeente", "Kwartaal", "Gegevenselement", "Waarde"]
    assert preview.values.tolist() == GOOD_PREVIEW


def test_bad_workbook_gives_problems_with_cell_and_dutch_message(bad):
    result = intake.check_upload(bad, "fouten.xlsx", scope=ADMIN)
    assert not result.ok
    assert upload_figures.check_summary(result) == (
        "fouten.xlsx: geweigerd, 3 fouten, 1 waarschuwing; er wordt niets opgeslagen"
    )
    frame = upload_figures.problems_frame([result])
    assert list(frame.columns) == ["Bestand", "Blad", "Cel", "Ernst", "Melding"]
    # errors first, then warnings; each top to bottom, left to right
    assert frame[["Bestand", "Blad", "Cel", "Ernst"]].values.tolist() == [
        ["fouten.xlsx", "Blad1", "D2", "fout"],
        ["fouten.xlsx", "Blad1", "A3", "fout"],
        ["fouten.xlsx", "Blad1", "C3", "fout"],
        ["fouten.xlsx", "Blad1", "E1", "waarschuwing"],
    ]
    messages = frame["Melding"].tolist()
    assert "groter dan 'Tijdelijke huisverboden (totaal)'" in messages[0]
    assert messages[1].startswith("Gemeente 'Atlantis' is onbekend.")
    assert messages[2] == "-3 is negatief. Aantallen zijn 0 of meer; controleer de cel."


def test_municipality_field_fills_a_file_without_municipality_column(tmp_path):
    contents = data_url(write_workbook(tmp_path / "k.xlsx", {"Blad1": [TEMPLATE_HEADER[1:], ["2025 K2", 9, 2]]}))
    without = intake.check_upload(contents, "k.xlsx", scope=ADMIN)
    assert [p.code for p in without.problems] == ["missing_municipality"]
    chosen = intake.check_upload(contents, "k.xlsx", intake.municipality_for_file("Utrecht (GM0344)"), scope=ADMIN)
    assert chosen.ok
    assert {r.municipality for r in chosen.records} == {"GM0344"}


def test_problems_of_several_files_keep_their_file_order(good, bad):
    results = [intake.check_upload(bad, "b.xlsx", scope=ADMIN), intake.check_upload(good, "a.xlsx", scope=ADMIN)]
    frame = upload_figures.problems_frame(results)
    assert frame["Bestand"].tolist() == ["b.xlsx"] * 4 + ["a.xlsx"]
    assert frame.iloc[-1][["Blad", "Cel", "Ernst"]].tolist() == ["Gegevens", "D3", "waarschuwing"]


# --- the temporary file, sizes and broken contents ---------------------------------------------


def test_temporary_file_has_a_generated_name_and_is_gone_afterwards(good, temp_dir, monkeypatch):
    seen = []
    real_read_file = intake.read_file

    def spy(path, **kwargs):
        seen.append((path, path.exists(), path.parent))
        return real_read_file(path, **kwargs)

    monkeypatch.setattr(intake, "read_file", spy)
    result = intake.check_upload(good, "../../geheim/gemeente_utrecht.xlsx", scope=ADMIN)
    assert result.ok and result.file == "gemeente_utrecht.xlsx"
    [(path, existed, parent)] = seen
    assert existed and parent == temp_dir
    assert "utrecht" not in path.name and path.suffix == ".xlsx"
    assert list(temp_dir.iterdir()) == []


def test_temporary_file_is_gone_also_when_reading_fails(good, temp_dir, monkeypatch):
    def broken(path, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "_read_file", broken)  # read_file's last net turns it into a refusal
    result = intake.check_upload(good, "a.xlsx", scope=ADMIN)
    assert [p.code for p in result.problems] == ["unreadable"]
    assert "interne fout" in result.problems[0].message
    assert list(temp_dir.iterdir()) == []


def test_too_large_content_is_refused_before_decoding(temp_dir, monkeypatch):
    monkeypatch.setattr(base64, "b64decode", lambda *a, **k: pytest.fail("decoded a too large file"))
    huge = "data:application/octet-stream;base64," + "A" * 28_000_000  # 21 MB once decoded
    result = intake.check_upload(huge, "groot.xlsx", scope=ADMIN)
    assert not result.ok
    [found] = result.problems
    assert found.code == "file_too_large"
    assert found.message.startswith("Het bestand is 21 MB groot; de grens is 20 MB.")
    assert list(temp_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("size", "refused"),
    [(99, False), (100, False), (101, True)],
)
def test_size_limit_is_exact(size, refused):
    contents = "data:;base64," + base64.b64encode(b"x" * size).decode()
    data, problems = intake.decode_upload(contents, "a.xlsx", Limits(max_file_bytes=100))
    assert (data is None) is refused
    assert [p.code for p in problems] == (["file_too_large"] if refused else [])
    if not refused:
        assert data == b"x" * size


@pytest.mark.parametrize(
    "contents",
    [
        "data:application/octet-stream;base64,@@@ geen base64 @@@",
        "data:application/octet-stream;base64,QUJ",  # cut short
        "data:text/plain,platte tekst",  # not base64 at all
        "geen data-URL",
        None,
        ["data:;base64,QUJD"],
    ],
)
def test_undecodable_contents_are_refused_in_dutch(contents, temp_dir):
    result = intake.check_upload(contents, "kapot.xlsx", scope=ADMIN)
    [found] = result.problems
    assert (found.code, found.file, found.is_error) == ("unreadable", "kapot.xlsx", True)
    assert "het bestand is niet goed overgekomen; kies het opnieuw" in found.message
    assert list(temp_dir.iterdir()) == []


def test_empty_file_reaches_the_guard():
    result = intake.check_upload("data:", "leeg.xlsx", scope=ADMIN)
    assert [p.code for p in result.problems] == ["file_empty"]


def test_not_a_workbook_is_refused_by_the_guard():
    contents = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 nothing").decode()
    result = intake.check_upload(contents, "brief.pdf", scope=ADMIN)
    assert [p.code for p in result.problems] == ["not_xlsx"]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("gemeente_utrecht.xlsx", "gemeente_utrecht.xlsx"),
        ("map/sub/bestand.xlsx", "bestand.xlsx"),
        ("..\\..\\windows\\bestand.xlsx", "bestand.xlsx"),
        ("a\x00b\x1fc.xlsx", "abc.xlsx"),
        ("", "bestand.xlsx"),
        (None, "bestand.xlsx"),
        ("x" * 300 + ".xlsx", ("x" * 300 + ".xlsx")[-200:]),
    ],
)
def test_safe_label(name, label):
    assert intake.safe_label(name) == label


# --- storing ----------------------------------------------------------------------------------


def test_storing_records_values_and_refreshes_the_indicator_table(engine, good, bad, temp_dir):
    done = intake.store_files(engine, [(good, "gemeente_utrecht.xlsx"), (bad, "fouten.xlsx")], scope=ADMIN)
    assert [item.stored.status for item in done] == ["stored", "rejected"]
    first = done[0].stored
    assert isinstance(first, StoreResult)
    assert (first.added, first.replaced, first.unchanged) == (4, 0, 0)
    assert len(current_values(engine)) == 4  # the rejected file changed nothing
    assert computed_version(engine) == store_version(engine) == 1
    table = read_indicators(engine, level="municipality", areas=["GM0344"], indicators=["huisverbod_km"])
    values = table.set_index("period")["value"]
    assert values["2025Q2"] == pytest.approx(12 / 30)
    assert pd.isna(values["2025Q3"])  # "<5": unknown, never 0 or 5
    history = list_uploads(engine)
    assert history[["file_name", "status", "source", "uploaded_by"]].values.tolist() == [
        ["fouten.xlsx", "rejected", "uploadpagina (beheerder)", "test-beheerder"],
        ["gemeente_utrecht.xlsx", "stored", "uploadpagina (beheerder)", "test-beheerder"],
    ]
    assert list(temp_dir.iterdir()) == []
    assert [upload_figures.store_summary(item) for item in done] == [
        "gemeente_utrecht.xlsx: opgeslagen, 4 waarden (4 nieuw, 0 vervangen, 0 ongewijzigd)",
        "fouten.xlsx: geweigerd, 3 fouten; er is niets opgeslagen",
    ]
    frame = upload_figures.store_frame(done)
    assert frame.astype(object).where(frame.notna(), None).values.tolist() == [
        ["gemeente_utrecht.xlsx", "opgeslagen", 4, 0, 0],
        ["fouten.xlsx", "geweigerd", None, None, None],
    ]


def test_storing_again_is_a_duplicate_and_a_changed_file_replaces(engine, good, tmp_path):
    [first] = intake.store_files(engine, [(good, "a.xlsx")], scope=ADMIN)
    [again] = intake.store_files(engine, [(good, "a.xlsx")], scope=ADMIN)
    assert again.stored.status == "duplicate"
    assert upload_figures.store_summary(again) == (
        f"a.xlsx: dit bestand is al eerder opgeslagen (aanlevering {first.stored.upload_id}); "
        "er is niets nieuws opgeslagen"
    )
    changed = {"Gegevens": [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 30, 15]]}
    [later] = intake.store_files(
        engine, [(data_url(write_workbook(tmp_path / "b.xlsx", changed)), "b.xlsx")], scope=ADMIN
    )
    assert (later.stored.added, later.stored.replaced, later.stored.unchanged) == (0, 1, 1)
    table = read_indicators(engine, level="municipality", areas=["GM0344"], indicators=["huisverbod_km"])
    assert table.set_index("period")["value"]["2025Q2"] == pytest.approx(15 / 30)
    versions = upload_figures.value_history_frame(value_history(engine, municipality="GM0344", period="2025Q2"))
    assert versions[["Gegevenselement", "Waarde", "Status"]].values.tolist() == [
        ["Tijdelijke huisverboden (totaal)", "30", "huidige waarde"],
        ["waarvan bij kindermishandeling", "12", "vervangen"],
        ["waarvan bij kindermishandeling", "15", "huidige waarde"],
    ]
    assert versions["Aanlevering"].tolist() == [f"a.xlsx (nr. {first.stored.upload_id})"] * 2 + [
        f"b.xlsx (nr. {later.stored.upload_id})"
    ]
    assert versions["Vervangen op"].tolist()[0] == ""
    assert versions["Vervangen op"].tolist()[1] == versions["Tijdstip"].tolist()[2] != ""


def test_undecodable_upload_is_recorded_as_rejected(engine):
    [item] = intake.store_files(engine, [("data:;base64,@@", "kapot.xlsx")], scope=ADMIN)
    assert item.stored.status == "rejected"
    assert list_uploads(engine)["status"].tolist() == ["rejected"]
    assert computed_version(engine) is None  # nothing stored, nothing recomputed


# --- frames for the page ----------------------------------------------------------------------


def _uploads_frame(rows):
    frame = pd.DataFrame(
        rows,
        columns=[
            "uploaded_at",
            "file_name",
            "source",
            "uploaded_by",
            "status",
            "errors",
            "duplicate_of",
            "added",
            "replaced",
            "unchanged",
        ],  # fmt: skip
    )
    frame["uploaded_at"] = pd.to_datetime(frame["uploaded_at"], utc=True)
    frame["duplicate_of"] = frame["duplicate_of"].astype("Int64")
    return frame


def test_history_frame_in_dutch_and_amsterdam_time():
    frame = upload_figures.history_frame(
        _uploads_frame(
            [
                ("2025-07-01T12:00:00Z", "b.xlsx", "uploadpagina", "dashboard", "duplicate", 0, 7, 0, 0, 0),
                ("2025-01-15T12:00:00Z", "a.xlsx", "gemeente", "piet", "rejected", 3, None, 0, 0, 0),
                ("2025-01-15T08:30:00Z", "c.xlsx", "gemeente", "piet", "stored", 0, None, 1200, 2, 0),
            ]
        )
    )
    assert list(frame.columns) == upload_figures.HISTORY_COLUMNS
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    assert rows == [
        ["01-07-2025 14:00", "b.xlsx", "uploadpagina", "dashboard", "al eerder opgeslagen (aanlevering 7)",
         None, None, None],
        ["15-01-2025 13:00", "a.xlsx", "gemeente", "piet", "geweigerd (3 fouten)", None, None, None],
        ["15-01-2025 09:30", "c.xlsx", "gemeente", "piet", "opgeslagen", 1200, 2, 0],
    ]  # fmt: skip


def test_history_frame_shows_the_last_ones():
    rows = [("2025-01-15T08:30:00Z", f"{i}.xlsx", "", "", "stored", 0, None, 1, 0, 0) for i in range(60)]
    assert len(upload_figures.history_frame(_uploads_frame(rows))) == 50
    assert len(upload_figures.history_frame(_uploads_frame(rows), limit=None)) == 60
    assert upload_figures.history_frame(_uploads_frame([])).columns.tolist() == upload_figures.HISTORY_COLUMNS


@pytest.mark.parametrize(
    ("value", "suppressed", "text"),
    [(1234, False, "1.234"), (0, False, "0"), (None, True, "<5 (afgeschermd)"), (None, False, "onbekend"),
     (pd.NA, False, "onbekend")],
)  # fmt: skip
def test_value_text(value, suppressed, text):
    assert upload_figures.value_text(value, suppressed) == text


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Utrecht (GM0344)", "GM0344"),
        ("Bergen (NH.) (GM0373)", "GM0373"),
        ("  Den Bosch ", "Den Bosch"),
        ("0344", "0344"),
        ("", None),
        (None, None),
    ],
)
def test_municipality_for_file(text, meant):
    assert intake.municipality_for_file(text) == meant


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Utrecht (GM0344)", "GM0344"),
        ("Weesp (GM0457, opgeheven 2022)", "GM0457"),
        ("utrecht", "GM0344"),
        ("344", "GM0344"),
        ("gm0344", "GM0344"),
        ("Den Bosch", "GM0796"),
        ("Bergen", None),  # two municipalities
        ("Atlantis", None),
        ("GM9999", None),
        ("", None),
    ],
)
def test_municipality_code(text, code):
    assert intake.municipality_code(text, load_reference()) == code


def test_municipality_choices():
    reference = load_reference()
    current = intake.municipality_choices(reference, dt.date(2025, 6, 1))
    assert len(current) == 342
    assert current[:2] == ["Aa en Hunze (GM1680)", "Aalsmeer (GM0358)"]
    assert "Utrecht (GM0344)" in current and not any(c.startswith("Weesp") for c in current)
    position = current.index("'s-Hertogenbosch (GM0796)")  # sorted as Hertogenbosch
    assert current.index("Heerlen (GM0917)") < position < current.index("Heusden (GM0797)")
    every = intake.municipality_choices(reference, dt.date(2025, 6, 1), current_only=False)
    assert "Weesp (GM0457, opgeheven 2022)" in every


def test_preview_of_a_file_without_records_is_empty():
    frame = upload_figures.preview_frame(FileResult("a.xlsx", [], []), load_reference())
    assert frame.empty and list(frame.columns) == upload_figures.PREVIEW_COLUMNS


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (pd.Timestamp("2025-03-30T00:59:00Z"), "30-03-2025 01:59"),  # before the clock goes forward
        (pd.Timestamp("2025-03-30T01:00:00Z"), "30-03-2025 03:00"),
        (dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC), "01-01-2026 00:30"),
        (pd.Timestamp("2025-06-01T10:00:00"), "01-06-2025 12:00"),  # naive: UTC
        (pd.NaT, ""),
        (None, ""),
    ],
)
def test_dutch_datetime(moment, text):
    assert upload_figures.dutch_datetime(moment) == text


# --- the user's scope -------------------------------------------------------------------------

GEMEENTE_UTRECHT = Scope(user="utrecht", role=Role.GEMEENTE, municipalities=frozenset({"GM0344"}))
GEMEENTE_AMSTERDAM = Scope(user="amsterdam", role=Role.GEMEENTE, municipalities=frozenset({"GM0363"}))
KETENPARTNER = Scope(user="reclassering", role=Role.KETENPARTNER, municipalities=frozenset({"GM0344", "GM0355"}))
PROJECTLEIDER = Scope(user="pl-utrecht", role=Role.PROJECTLEIDER, region="VR09")
STUURGROEP = Scope(user="stuurgroep", role=Role.STUURGROEP)

ROWS = {  # one row per municipality: Utrecht and Zeist (region Utrecht), Amsterdam (Amsterdam-Amstelland)
    "GM0344": ["Utrecht", "2025 K2", 30, 12],
    "GM0355": ["Zeist", "2025 K2", 9, 2],
    "GM0363": ["Amsterdam", "2025 K2", 80, 20],
}
UTRECHT_ONLY = "Utrecht (GM0344)"


def upload_of(tmp_path, name: str, *codes: str) -> str:
    """A template file with a row for each municipality code, in order, from row 2 on."""
    return data_url(write_workbook(tmp_path / name, {"Gegevens": [TEMPLATE_HEADER, *(ROWS[c] for c in codes)]}))


def refused(result: FileResult) -> list[tuple]:
    return [(p.sheet, p.cell, p.message) for p in result.problems if p.code == "outside_scope"]


def refused_codes(result: FileResult) -> list[str]:
    """The municipalities the outside-scope errors name (not the ones they allow)."""
    return [re.match(r"U mag geen cijfers aanleveren voor [^(]*\((GM\d{4})\)\. U levert", p.message)[1]
            for p in result.problems if p.code == "outside_scope"]  # fmt: skip


def outside_message(municipality: str, allowed: str) -> str:
    return (
        f"U mag geen cijfers aanleveren voor {municipality}. U levert aan voor: {allowed}. Haal deze gemeente uit "
        "het bestand of vraag de beheerder om uw account aan te passen."
    )


@pytest.mark.parametrize(
    ("scope", "text"),
    [
        (ADMIN, "alle gemeenten"),
        (PROJECTLEIDER, "de gemeenten van regio Utrecht (VR09)"),
        (GEMEENTE_UTRECHT, "Utrecht (GM0344)"),
        (KETENPARTNER, "Utrecht (GM0344) en Zeist (GM0355)"),
        (Scope("k", Role.KETENPARTNER, municipalities=frozenset({"GM0355", "GM0344", "GM0363"})),
         "Amsterdam (GM0363), Utrecht (GM0344) en Zeist (GM0355)"),
        (STUURGROEP, "geen enkele gemeente"),
        (Scope("k", Role.KETENPARTNER), "geen enkele gemeente"),
    ],
)  # fmt: skip
def test_allowed_text(scope, text):
    assert intake.allowed_text(scope, load_reference()) == text


@pytest.mark.parametrize(
    ("scope", "source"),
    [(ADMIN, "uploadpagina (beheerder)"), (GEMEENTE_UTRECHT, "uploadpagina (gemeente)"),
     (KETENPARTNER, "uploadpagina (ketenpartner)"), (PROJECTLEIDER, "uploadpagina (projectleider)")],
)  # fmt: skip
def test_source_names_the_role(scope, source):
    assert intake.source_of(scope) == source


def test_check_refuses_a_municipality_outside_the_scope_at_its_first_value(tmp_path):
    contents = upload_of(tmp_path, "a.xlsx", "GM0344", "GM0363")
    result = intake.check_upload(contents, "a.xlsx", scope=GEMEENTE_UTRECHT)
    assert not result.ok
    assert refused(result) == [("Gegevens", "C3", outside_message("Amsterdam (GM0363)", UTRECHT_ONLY))]
    assert [p.code for p in result.errors] == ["outside_scope"]  # the file itself is fine
    assert upload_figures.check_summary(result) == "a.xlsx: geweigerd, 1 fout; er wordt niets opgeslagen"
    # fine for a beheerder; Amsterdam may not send Utrecht's row
    assert intake.check_upload(contents, "a.xlsx", scope=ADMIN).ok
    other = intake.check_upload(contents, "a.xlsx", scope=GEMEENTE_AMSTERDAM)
    assert refused(other) == [("Gegevens", "C2", outside_message("Utrecht (GM0344)", "Amsterdam (GM0363)"))]


@pytest.mark.parametrize(
    ("scope", "codes", "outside"),
    [
        (GEMEENTE_UTRECHT, ["GM0344"], []),
        (GEMEENTE_UTRECHT, ["GM0355"], ["GM0355"]),
        (KETENPARTNER, ["GM0344", "GM0355"], []),
        (KETENPARTNER, ["GM0344", "GM0363", "GM0355"], ["GM0363"]),
        (PROJECTLEIDER, ["GM0344", "GM0355"], []),
        (PROJECTLEIDER, ["GM0363", "GM0344"], ["GM0363"]),
        (ADMIN, ["GM0363", "GM0344", "GM0355"], []),
        (STUURGROEP, ["GM0344", "GM0363"], ["GM0344", "GM0363"]),
    ],
)
def test_every_municipality_outside_the_scope_is_named_once(tmp_path, scope, codes, outside):
    contents = upload_of(tmp_path, "a.xlsx", *codes, *codes[:1])  # the first one twice
    result = intake.check_upload(contents, "a.xlsx", scope=scope)
    assert refused_codes(result) == outside
    assert result.ok is (not outside)


@pytest.mark.parametrize(
    ("choice", "codes", "outside"),
    [
        ("Utrecht (GM0344)", [], []),  # a file without municipality column, for the user's own
        ("Amsterdam (GM0363)", [], ["GM0363"]),  # chosen from a crafted list
        ("amsterdam", [], ["GM0363"]),  # typed
        ("363", [], ["GM0363"]),
        ("Amsterdam (GM0363)", ["GM0344"], ["GM0363"]),  # the file names its own, the choice another
        ("Utrecht (GM0344)", ["GM0363"], ["GM0363"]),
    ],
)
def test_the_municipality_choice_is_checked_too(tmp_path, choice, codes, outside):
    if codes:
        contents = upload_of(tmp_path, "k.xlsx", *codes)
    else:
        contents = data_url(write_workbook(tmp_path / "k.xlsx", {"Blad1": [TEMPLATE_HEADER[1:], ["2025 K2", 9, 2]]}))
    result = intake.check_upload(contents, "k.xlsx", intake.municipality_for_file(choice), scope=GEMEENTE_UTRECHT)
    assert refused_codes(result) == outside
    assert result.ok is (not outside)
    if not codes and not outside:
        assert {r.municipality for r in result.records} == {"GM0344"}


def test_a_merged_away_municipality_belongs_to_its_successor(tmp_path):
    contents = data_url(
        write_workbook(tmp_path / "w.xlsx", {"Gegevens": [TEMPLATE_HEADER, ["Weesp", "2021 K4", 5, 1]]})
    )
    assert intake.check_upload(contents, "w.xlsx", scope=GEMEENTE_AMSTERDAM).ok
    assert refused(intake.check_upload(contents, "w.xlsx", scope=GEMEENTE_UTRECHT)) == [
        ("Gegevens", "C2", outside_message("Weesp (GM0457)", UTRECHT_ONLY))
    ]


def _audit(engine, action):
    from db.audit import read_audit

    frame = read_audit(engine, action=action)
    return [(row.actor, row.subject, json.loads(row.details)) for row in frame.itertuples()]


def test_storing_for_another_municipality_is_rejected_and_recorded(engine, tmp_path, temp_dir):
    contents = upload_of(tmp_path, "amsterdam.xlsx", "GM0363")
    [item] = intake.store_files(engine, [(contents, "amsterdam.xlsx")], scope=GEMEENTE_UTRECHT)
    assert item.stored.status == "rejected"
    assert upload_figures.store_summary(item) == "amsterdam.xlsx: geweigerd, 1 fout; er is niets opgeslagen"
    assert current_values(engine).empty and computed_version(engine) is None
    history = list_uploads(engine)
    assert history[["file_name", "status", "source", "uploaded_by", "errors"]].values.tolist() == [
        ["amsterdam.xlsx", "rejected", "uploadpagina (gemeente)", "utrecht", 1]
    ]
    assert [p["code"] for p in history["problems"][0]] == ["outside_scope"]
    [(actor, subject, details)] = _audit(engine, "aanlevering")
    assert (actor, subject, details["status"], details["upload_id"]) == (
        "utrecht", "amsterdam.xlsx", "rejected", item.stored.upload_id
    )  # fmt: skip
    assert _audit(engine, "aanlevering_geweigerd") == [
        ("utrecht", "amsterdam.xlsx",
         {"upload_id": item.stored.upload_id, "reden": "buiten bereik", "gemeenten": ["GM0363"]})
    ]  # fmt: skip
    assert list(temp_dir.iterdir()) == []


def test_a_ketenpartner_file_with_one_unlisted_municipality_is_rejected_whole(engine, tmp_path):
    contents = upload_of(tmp_path, "keten.xlsx", "GM0344", "GM0355", "GM0363")
    [item] = intake.store_files(engine, [(contents, "keten.xlsx")], scope=KETENPARTNER)
    assert item.stored.status == "rejected"
    assert len(item.result.records) == 6  # read fine, but none stored
    assert current_values(engine).empty
    [(_, _, details)] = _audit(engine, "aanlevering_geweigerd")
    assert details["gemeenten"] == ["GM0363"]
    listed = upload_of(tmp_path, "keten2.xlsx", "GM0344", "GM0355")
    [item] = intake.store_files(engine, [(listed, "keten2.xlsx")], scope=KETENPARTNER)
    assert item.stored.status == "stored"
    assert sorted(current_values(engine)["municipality"].unique()) == ["GM0344", "GM0355"]
    assert list_uploads(engine)["uploaded_by"].tolist() == ["reclassering", "reclassering"]


def test_a_projectleider_stores_for_its_region_only(engine, tmp_path):
    inside = upload_of(tmp_path, "regio.xlsx", "GM0344", "GM0355")
    outside = upload_of(tmp_path, "buiten.xlsx", "GM0363")
    done = intake.store_files(engine, [(inside, "regio.xlsx"), (outside, "buiten.xlsx")], scope=PROJECTLEIDER)
    assert [item.stored.status for item in done] == ["stored", "rejected"]
    assert sorted(current_values(engine)["municipality"].unique()) == ["GM0344", "GM0355"]
    assert [d["gemeenten"] for _, _, d in _audit(engine, "aanlevering_geweigerd")] == [["GM0363"]]


def test_a_beheerder_stores_for_every_municipality(engine, tmp_path):
    contents = upload_of(tmp_path, "alles.xlsx", "GM0344", "GM0355", "GM0363")
    [item] = intake.store_files(engine, [(contents, "alles.xlsx")], scope=ADMIN)
    assert item.stored.status == "stored"
    assert len(current_values(engine)) == 6
    assert _audit(engine, "aanlevering_geweigerd") == []


def test_a_stuurgroep_cannot_store_anything(engine, tmp_path, temp_dir):
    contents = upload_of(tmp_path, "a.xlsx", "GM0344")
    with pytest.raises(PermissionError):
        intake.store_files(engine, [(contents, "a.xlsx")], scope=STUURGROEP)
    with pytest.raises(PermissionError):
        intake.store_file(engine, "data:;base64,@@", "kapot.xlsx", scope=STUURGROEP)
    assert list_uploads(engine).empty and current_values(engine).empty
    assert list(temp_dir.iterdir()) == []
    intake.refuse_upload(engine, STUURGROEP, ["../../a.xlsx", None])
    assert _audit(engine, "aanlevering_geweigerd") == [
        ("stuurgroep", "a.xlsx, bestand.xlsx",
         {"reden": "geen recht om aan te leveren", "rol": "stuurgroep", "bestanden": ["a.xlsx", "bestand.xlsx"]})
    ]  # fmt: skip


def test_storing_uses_a_generated_temporary_name_and_leaves_nothing(engine, tmp_path, temp_dir, monkeypatch):
    seen = []
    real_read_file = pipeline.read_file

    def spy(path, **kwargs):
        seen.append((path.name, path.parent, kwargs["label"]))
        return real_read_file(path, **kwargs)

    monkeypatch.setattr(pipeline, "read_file", spy)  # storing reads through ingest.pipeline.load_files
    good = upload_of(tmp_path, "u.xlsx", "GM0344")
    names = ["../../etc/gemeente_utrecht.xlsx", "C:\\temp\\amsterdam.xlsx"]
    files = [(good, names[0]), (upload_of(tmp_path, "x.xlsx", "GM0363"), names[1])]
    done = intake.store_files(engine, files, scope=GEMEENTE_UTRECHT)
    assert [item.stored.status for item in done] == ["stored", "rejected"]
    assert [label for *_, label in seen] == ["gemeente_utrecht.xlsx", "amsterdam.xlsx"]
    assert all(parent == temp_dir and "utrecht" not in name and "amsterdam" not in name for name, parent, _ in seen)
    assert list(temp_dir.iterdir()) == []
    assert list_uploads(engine)["file_name"].tolist() == ["amsterdam.xlsx", "gemeente_utrecht.xlsx"]


@pytest.mark.parametrize(
    ("scope", "count", "includes", "excludes"),
    [
        (ADMIN, 342, ["Utrecht (GM0344)", "Amsterdam (GM0363)"], []),
        (PROJECTLEIDER, 26, ["Utrecht (GM0344)", "Zeist (GM0355)"], ["Amsterdam (GM0363)"]),
        (GEMEENTE_UTRECHT, 1, ["Utrecht (GM0344)"], ["Zeist (GM0355)"]),
        (KETENPARTNER, 2, ["Utrecht (GM0344)", "Zeist (GM0355)"], ["Amsterdam (GM0363)"]),
        (STUURGROEP, 0, [], ["Utrecht (GM0344)"]),
    ],
)
def test_upload_choices_are_the_municipalities_of_the_scope(scope, count, includes, excludes):
    choices = intake.upload_choices(scope, load_reference(), dt.date(2025, 6, 1))
    assert len(choices) == count
    assert set(includes) <= set(choices) and not set(excludes) & set(choices)


def test_value_choices_include_former_municipalities_of_the_scope():
    reference = load_reference()
    amsterdam = intake.value_choices(GEMEENTE_AMSTERDAM, reference, dt.date(2025, 6, 1))
    assert amsterdam == ["Amsterdam (GM0363)", "Weesp (GM0457, opgeheven 2022)"]
    region = intake.value_choices(PROJECTLEIDER, reference, dt.date(2025, 6, 1))
    assert len(region) == 29 and "Amsterdam (GM0363)" not in region
    assert intake.value_choices(STUURGROEP, reference) == []
    assert len(intake.value_choices(ADMIN, reference)) == len(reference.municipalities)


@pytest.mark.parametrize(
    ("scope", "code", "may"),
    [
        (GEMEENTE_UTRECHT, "GM0344", True), (GEMEENTE_UTRECHT, "GM0355", False),
        (GEMEENTE_AMSTERDAM, "GM0457", True), (KETENPARTNER, "GM0355", True), (KETENPARTNER, "GM0363", False),
        (PROJECTLEIDER, "GM0545", True), (PROJECTLEIDER, "GM0363", False), (STUURGROEP, "GM0344", False),
        (ADMIN, "GM0363", True),
    ],
)  # fmt: skip
def test_may_view_values(scope, code, may):
    assert intake.may_view_values(scope, code, load_reference()) is may


def test_visible_uploads_are_a_users_own_unless_beheerder():
    frame = _uploads_frame(
        [
            ("2025-01-15T12:00:00Z", "a.xlsx", "", "utrecht", "stored", 0, None, 1, 0, 0),
            ("2025-01-15T11:00:00Z", "b.xlsx", "", "test-beheerder", "stored", 0, None, 1, 0, 0),
            ("2025-01-15T10:00:00Z", "c.xlsx", "", "Utrecht", "rejected", 1, None, 0, 0, 0),  # another user
            ("2025-01-15T09:00:00Z", "d.xlsx", "", "utrecht", "rejected", 1, None, 0, 0, 0),
        ]
    )
    assert intake.visible_uploads(frame, GEMEENTE_UTRECHT)["file_name"].tolist() == ["a.xlsx", "d.xlsx"]
    assert intake.visible_uploads(frame, ADMIN)["file_name"].tolist() == ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx"]
    assert intake.visible_uploads(frame, KETENPARTNER).empty
    assert upload_figures.history_frame(intake.visible_uploads(frame, KETENPARTNER)).empty


def test_a_ketenpartners_value_history_shows_what_it_delivered_only(engine, tmp_path):
    """The gemeente delivered Utrecht's figures, then the ketenpartner Zeist's and Utrecht's again:
    the ketenpartner sees only its own versions, the gemeente every version of its municipality."""
    gemeente = intake.store_files(engine, [(upload_of(tmp_path, "g.xlsx", "GM0344"), "g.xlsx")], scope=GEMEENTE_UTRECHT)
    rows = [TEMPLATE_HEADER, ["Utrecht", "2025 K2", 31, 13], ROWS["GM0355"]]  # Utrecht's figures corrected
    keten = data_url(write_workbook(tmp_path / "k.xlsx", {"Gegevens": rows}))
    partner = intake.store_files(engine, [(keten, "k.xlsx")], scope=KETENPARTNER)
    assert [item.stored.status for item in gemeente + partner] == ["stored", "stored"]
    quarter = Period.parse_code("2025Q2")
    everything = value_history(engine, municipality="GM0344", period=quarter)
    assert sorted(set(everything["uploaded_by"])) == ["reclassering", "utrecht"]
    seen = intake.visible_history(engine, KETENPARTNER, "GM0344", quarter)
    assert len(seen) == 2 and set(seen["uploaded_by"]) == {"reclassering"}
    assert len(intake.visible_history(engine, GEMEENTE_UTRECHT, "GM0344", quarter)) == len(everything) == 4
    assert len(intake.visible_history(engine, PROJECTLEIDER, "GM0344", quarter)) == 4
    assert len(intake.visible_history(engine, ADMIN, "GM0344", quarter)) == 4
    assert intake.visible_history(engine, KETENPARTNER, "GM0363", quarter).empty
    assert intake.visible_history(engine, GEMEENTE_UTRECHT, "GM0355", quarter).empty
