"""End to end over the normalising steps: literal workbooks in, records and problems out."""

import datetime as dt

import pytest

from ingest.columns import header_key
from ingest.pipeline import read_file
from reference.periods import Period
from tests.workbooks import write_workbook

TODAY = dt.date(2025, 11, 1)
Q1 = Period(2024, 1)


def read(tmp_path, sheets, name="upload.xlsx", **kwargs):
    path = write_workbook(tmp_path / name, sheets)
    return read_file(path, today=TODAY, **kwargs)


def values(result):
    """Records flattened and sorted: (municipality, period, element, value)."""
    return sorted((r.municipality, str(r.period), r.element, r.value) for r in result.records)


def codes(result):
    return [(p.where, p.code) for p in result.problems]


# --- layouts -----------------------------------------------------------------------------------

WIDE_TEMPLATE = {
    "Gegevens": [
        ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"],
        ["Utrecht", "2024 K1", 10, 4],
        ["Utrecht", "2024 K2", 12, 0],
        [None, "2024 K3", None, None],  # an unfilled template row
    ]
}
EXPECTED_TEMPLATE = [
    ("GM0344", "2024Q1", "thv_kindermishandeling", 4),
    ("GM0344", "2024Q1", "thv_totaal", 10),
    ("GM0344", "2024Q2", "thv_kindermishandeling", 0),
    ("GM0344", "2024Q2", "thv_totaal", 12),
]

TITLED_OFFSET = {  # a logo row, a title, notes; the table starts at C5
    "Rapport": [
        ["Gemeente Utrecht — monitor"],
        ["Aangemaakt op 3 april 2024"],
        [],
        [],
        [None, None, "Kwartaal", "THV, aantal", "Kindermishandeling THV", "Opmerking"],
        [None, None, "Q1 2024", 10, 4, "voorlopig"],
        [None, None, "2024-Q2", "12", "0"],
        [],
        [None, None, "* Bron: eigen registratie"],
    ]
}

LONG = {
    "Export": [
        ["Gemeente", "Periode", "Onderdeel", "Aantal"],
        ["0344", "jan-mrt 2024", "Plegers in beeld", 20],
        ["0344", "jan-mrt 2024", "Gestart met hulpverlening", "15"],
        ["GM0363", "1e kwartaal 2024", "Afgesloten trajecten", 8],
        ["GM0363", "1e kwartaal 2024", "Uitval", 0],
        ["Regio totaal", "jan-mrt 2024", "Plegers in beeld", 20],
    ]
}
EXPECTED_LONG = [
    ("GM0344", "2024Q1", "plegers_hulp_gestart", 15),
    ("GM0344", "2024Q1", "plegers_in_beeld", 20),
    ("GM0363", "2024Q1", "trajecten_afgesloten", 8),
    ("GM0363", "2024Q1", "trajecten_uitval", 0),
]

TRANSPOSED = {
    "Blad1": [
        ["Consultaties lokale teams Utrecht"],
        ["Onderdeel", "2024 K1", "2024 K2", "Totaal"],
        ["Consulten FGGZ", 3, 5, 8],
        ["Consultaties GGZ", 7, None, 7],
        ["Totaal", 10, 5, 15],
    ]
}
EXPECTED_TRANSPOSED = [
    ("GM0344", "2024Q1", "consultaties_fggz", 3),
    ("GM0344", "2024Q1", "consultaties_ggz", 7),
    ("GM0344", "2024Q2", "consultaties_fggz", 5),
]


@pytest.mark.parametrize(
    "sheets, kwargs, expected",
    [
        (WIDE_TEMPLATE, {}, EXPECTED_TEMPLATE),
        (TITLED_OFFSET, {"municipality": "Utrecht"}, EXPECTED_TEMPLATE),
        (LONG, {}, EXPECTED_LONG),
        (TRANSPOSED, {"municipality": "GM0344"}, EXPECTED_TRANSPOSED),
    ],
    ids=["wide-template", "wide-title-offset-single-municipality", "long", "transposed"],
)
def test_layouts(tmp_path, sheets, kwargs, expected):
    result = read(tmp_path, sheets, **kwargs)
    assert result.errors == []
    assert values(result) == expected


def test_unknown_header_is_a_warning_with_its_cell(tmp_path):
    # Issue 9: an unread column of text is skipped with a warning; one of counts is a question (below).
    sheets = {"Blad1": [["Gemeente", "Kwartaal", "Aantal THV", "Wachttijd"], ["Utrecht", "2024 K1", 3, "kort"]]}
    result = read(tmp_path, sheets)
    assert codes(result) == [("Blad1!D1", "unknown_header")]
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 3)]


def test_an_unread_column_of_counts_is_a_question_until_mapped_or_skipped(tmp_path):
    sheets = {"Blad1": [["Gemeente", "Kwartaal", "Aantal THV", "Wachttijd"], ["Utrecht", "2024 K1", 3, 12]]}
    result = read(tmp_path, sheets)
    assert codes(result) == [("Blad1!D1", "unmapped_column")]
    assert not result.ok
    assert "Kolom 'Wachttijd' is niet herkend" in result.problems[0].message
    assert [(q.cell, q.header) for q in result.questions] == [("D1", "Wachttijd")]
    skipped = read(tmp_path, sheets, columns={"wachttijd": "skip"})
    assert skipped.ok and codes(skipped) == []
    assert values(skipped) == [("GM0344", "2024Q1", "thv_totaal", 3)]
    mapped = read(tmp_path, sheets, columns={"wachttijd": "plegers_in_beeld"})
    assert values(mapped) == [("GM0344", "2024Q1", "plegers_in_beeld", 12), ("GM0344", "2024Q1", "thv_totaal", 3)]


# A column of counts without a header (issue 9, part 4): asked as an unrecognised header is, named
# by its letter; answered with the letter (`--column "D=..."`), as the message says.
HEADERLESS_ROWS = [
    ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", None, "Opmerking", None],
    ["Utrecht", "2024 K1", 10, 4, "voorlopig", None],
    ["Zeist", "2024 K1", 6, 1, None, None],
]


def write_headerless(tmp_path, kind):
    if kind == "xlsx":
        return write_workbook(tmp_path / "export.xlsx", {"Blad1": HEADERLESS_ROWS})
    text = "\n".join(";".join("" if cell is None else str(cell) for cell in row) for row in HEADERLESS_ROWS)
    (tmp_path / "export.csv").write_text(text + "\n", encoding="utf-8")
    return tmp_path / "export.csv"


@pytest.mark.parametrize("kind, sheet", [("xlsx", "Blad1"), ("csv", "export")])
def test_a_column_of_counts_without_a_header_is_a_question_named_by_its_letter(tmp_path, kind, sheet):
    path = write_headerless(tmp_path, kind)
    result = read_file(path, today=TODAY)
    assert codes(result) == [(f"{sheet}!D1", "unmapped_column")]  # `Opmerking` is a listed header, skipped
    assert not result.ok
    message = result.problems[0].message
    assert message.startswith("Kolom D (zonder kop) is niet herkend, maar bevat aantallen.")
    assert "(misschien 'waarvan bij kindermishandeling' of 'waarvan preventief opgelegd' of" in message
    assert '--column "D=CODE"' in message
    [question] = result.questions
    assert (question.cell, question.header, question.name, question.title) == ("D1", "", "D", "D (zonder kop)")
    assert question.suggestions[:2] == ("thv_kindermishandeling", "thv_preventief")
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 10), ("GM0355", "2024Q1", "thv_totaal", 6)]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("written", ["D", "d", "Kolom D (zonder kop)"])
def test_a_column_without_a_header_is_mapped_or_skipped_by_its_letter(tmp_path, kind, written):
    path, key = write_headerless(tmp_path, kind), header_key(written)
    mapped = read_file(path, today=TODAY, columns={key: "thv_kindermishandeling"})
    assert mapped.ok and mapped.questions == []
    assert ("GM0344", "2024Q1", "thv_kindermishandeling", 4) in values(mapped)
    where = f"Kolom D (zonder kop) ({'Blad1' if kind == 'xlsx' else 'export'}!D1)"
    said = [r.text for r in mapped.readings if r.cell == "D1"]
    assert said == [f"{where} is gelezen als 'waarvan bij kindermishandeling' (zoals opgegeven)."]
    skipped = read_file(path, today=TODAY, columns={key: "skip"})
    assert skipped.ok and len(values(skipped)) == 2
    assert [r.text for r in skipped.readings if r.cell == "D1"] == [f"{where} wordt overgeslagen (zoals opgegeven)."]


def test_a_column_without_a_header_of_text_or_nothing_is_not_asked(tmp_path):
    rows = [["Gemeente", "Kwartaal", "Aantal THV", None, None], ["Utrecht", "2024 K1", 3, "let op", None]]
    result = read(tmp_path, {"Blad1": rows})
    assert result.ok and codes(result) == [] and result.questions == []
    # a letter mapping finds nothing to apply to in an empty column
    assert read(tmp_path, {"Blad1": rows}, columns={"e": "plegers_in_beeld"}).readings[-1].cell == "C1"


def test_a_column_without_a_header_is_asked_only_for_its_data_rows(tmp_path):
    """A count under the table (a note's number) does not make the column one of counts."""
    rows = [["Gemeente", "Kwartaal", "Aantal THV", None], ["Utrecht", "2024 K1", 3, None], [None, None, None, 12]]
    assert read(tmp_path, {"Blad1": rows}).ok


def test_a_remembered_mapping_of_a_column_without_a_header_says_so(tmp_path):
    path = write_headerless(tmp_path, "xlsx")
    result = read_file(path, today=TODAY, remembered={"d": "thv_preventief"}, source="VT Utrecht")
    assert result.ok
    assert (
        "Kolom D (zonder kop) (Blad1!D1) is gelezen als 'waarvan preventief opgelegd' (volgens de koppeling "
        "van VT Utrecht)." in [r.text for r in result.readings]
    )


# --- where the municipality comes from --------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [("GM0363", "GM0363"), ("0363", "GM0363"), (363, "GM0363"), ("Amsterdam", "GM0363"),
     ("Den Bosch", "GM0796"), ("'s-Hertogenbosch", "GM0796"), ("Sudwest Fryslan", "GM1900"),
     ("Middelburg (Z.)", "GM0687"), ("Gemeente Utrecht", "GM0344")],
)  # fmt: skip
def test_municipality_in_any_form(tmp_path, cell, expected):
    result = read(tmp_path, {"Blad1": [["Gemeente", "Kwartaal", "THV"], [cell, "2024 K1", 1]]})
    assert values(result) == [(expected, "2024Q1", "thv_totaal", 1)]


def test_code_column_is_preferred_over_name_column(tmp_path):
    sheets = {"VT": [["Gemeentecode", "Gemeente", "Aantal THV"], ["0363", "Amsterdam", 40]]}
    result = read(tmp_path, sheets, name="VT 2024 K1.xlsx")
    assert values(result) == [("GM0363", "2024Q1", "thv_totaal", 40)]


def test_municipality_from_a_label_above_the_table(tmp_path):
    sheets = {"Blad1": [["Gemeente:", "Zeist"], ["Periode: 2024 K2"], [], ["Onderdeel", "Aantal"], ["Uitval", 2]]}
    result = read(tmp_path, sheets)
    assert values(result) == [("GM0355", "2024Q2", "trajecten_uitval", 2)]


def test_single_municipality_file_without_municipality_is_refused(tmp_path):
    result = read(tmp_path, {"Blad1": [["Kwartaal", "THV"], ["2024 K1", 1]]})
    assert codes(result) == [("Blad1", "missing_municipality")]
    assert result.records == []


# --- where the period comes from --------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["2024Q1", "2024-Q1", "Q1 2024", "2024 K1", "1e kwartaal 2024", "jan-mrt 2024",
             dt.date(2024, 2, 15), "15-02-2024"],
)  # fmt: skip
def test_every_period_notation_in_a_column(tmp_path, cell):
    result = read(tmp_path, {"Blad1": [["Gemeente", "Periode", "THV"], ["Utrecht", cell, 1]]})
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 1)]


@pytest.mark.parametrize(
    "sheets, name",
    [
        ({"Blad1": [["Rapportage eerste kwartaal 2024"], ["Gemeente", "THV"], ["Utrecht", 1]]}, "x.xlsx"),
        ({"2024 K1": [["Gemeente", "THV"], ["Utrecht", 1]]}, "x.xlsx"),
        ({"Blad1": [["Gemeente", "THV"], ["Utrecht", 1]]}, "huisverboden_2024Q1.xlsx"),
        ({"Blad1": [["Gemeente", "Jaar", "Kwartaal", "THV"], ["Utrecht", 2024, 1, 1]]}, "x.xlsx"),
        ({"Blad1": [["Gemeente", "Jaar", "Kwartaal", "THV"], ["Utrecht", "2024", "K1", 1]]}, "x.xlsx"),
    ],
    ids=["title", "sheet-name", "file-name", "year-and-quarter-number", "year-and-quarter-text"],
)
def test_period_outside_the_table(tmp_path, sheets, name):
    result = read(tmp_path, sheets, name=name)
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 1)]


def test_no_period_anywhere_is_refused(tmp_path):
    result = read(tmp_path, {"Blad1": [["Gemeente", "THV"], ["Utrecht", 1]]})
    assert codes(result) == [("Blad1", "missing_period")]


# --- values -----------------------------------------------------------------------------------


def test_blank_is_unknown_zero_is_zero_and_text_numbers_are_numbers(tmp_path):
    sheets = {"Blad1": [["Gemeente", "Kwartaal", "THV", "THV preventief", "Consulten GGZ"],
                        ["Amsterdam", "2024 K1", "1.234", 0, None]]}  # fmt: skip
    result = read(tmp_path, sheets)
    assert values(result) == [("GM0363", "2024Q1", "thv_preventief", 0), ("GM0363", "2024Q1", "thv_totaal", 1234)]


def test_source_suppressed_value_is_stored_as_unknown_with_a_warning(tmp_path):
    sheets = {"Blad1": [["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"], ["Vlieland", "2024 K1", "<5", "<5"]]}
    result = read(tmp_path, sheets)
    assert [(r.element, r.value, r.suppressed) for r in result.records] == [
        ("thv_totaal", None, True),
        ("thv_kindermishandeling", None, True),
    ]
    assert codes(result) == [("Blad1!C2", "suppressed_value"), ("Blad1!D2", "suppressed_value")]
    assert result.ok


def test_total_and_note_rows_are_not_counted(tmp_path):
    sheets = {"Blad1": [
        ["Gemeente", "Kwartaal", "THV"],
        ["Utrecht", "2024 K1", 5], ["Zeist", "2024 K1", 2],
        ["Totaal", "2024 K1", 7], ["Regio totaal", None, 7], [None, "Subtotaal", 7],
        ["Bron: Veilig Thuis, bewerking gemeente"],
    ]}  # fmt: skip
    result = read(tmp_path, sheets)
    assert result.problems == []
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 5), ("GM0355", "2024Q1", "thv_totaal", 2)]


def test_several_sheets_of_which_some_hold_data(tmp_path):
    sheets = {
        "Toelichting": [["Dit bestand bevat de cijfers van het eerste kwartaal van 2024 voor de monitor."]],
        "2024 K1": [["Gemeente", "THV"], ["Utrecht", 1]],
        "2024 K2": [["Gemeente", "THV"], ["Utrecht", 2]],
        "Lijsten": [["Gemeente"], ["Utrecht"], ["Zeist"]],
    }
    result = read(tmp_path, sheets)
    assert result.problems == []
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 1), ("GM0344", "2024Q2", "thv_totaal", 2)]


@pytest.mark.parametrize(
    "period, expected",
    [("2022 K1", [("GM0457", "2022Q1", "thv_totaal", 1)]), ("2022 K2", [])],
)
def test_merged_municipality_accepted_while_it_existed(tmp_path, period, expected):
    result = read(tmp_path, {"Blad1": [["Gemeente", "Kwartaal", "THV"], ["Weesp", period, 1]]})
    assert values(result) == expected
    assert [p.code for p in result.errors] == ([] if expected else ["municipality_not_in_period"])


# --- validation: every rule, all problems of a file at once ----------------------------------

ALL_WRONG = {
    "Blad1": [
        ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling", "Plegers in beeld", "Plegers gestart met hulp"],
        ["Utrecht", "2024 K1", -1, None, 5, 6],  # negative; part > whole
        ["Zeist", "2024 K1", 12.5, "veel", None, None],  # not whole; not a number
        ["Atlantis", "2024 K1", 1, None, None, None],  # unknown municipality
        ["Bergen", "2024 K1", 1, None, None, None],  # ambiguous
        ["Utrecht", "2026 K1", 1, None, None, None],  # not started yet (today is 2025-11-01)
        ["Utrecht", "2017 K4", 1, None, None, None],  # before the monitor
        ["Utrecht", "Q5 2024", 1, None, None, None],  # not a quarter
        ["Haaren", "2021 K1", 1, None, None, None],  # no longer existed
        ["Houten", "2024 K1", 3, 1, None, None],
        ["Houten", "2024 K1", 3, 2, None, None],  # the same key twice, another value
    ]
}


def test_every_rule_reported_with_its_cell(tmp_path):
    result = read(tmp_path, ALL_WRONG)
    assert sorted((p.where, p.code) for p in result.errors) == sorted([
        ("Blad1!C2", "negative_count"),
        ("Blad1!F2", "exceeds_total"),
        ("Blad1!C3", "not_whole_number"),
        ("Blad1!D3", "not_a_number"),
        ("Blad1!A4", "unknown_municipality"),
        ("Blad1!A5", "ambiguous_municipality"),
        ("Blad1!B6", "future_period"),
        ("Blad1!B7", "period_out_of_range"),
        ("Blad1!B8", "unknown_period"),
        ("Blad1!A9", "municipality_not_in_period"),
        ("Blad1!D10", "conflicting_values"),
    ])  # fmt: skip
    assert not result.ok


def test_messages_are_dutch_and_say_what_to_do(tmp_path):
    result = read(tmp_path, ALL_WRONG)
    by_code = {p.code: p.message for p in result.errors}
    assert by_code["exceeds_total"] == (
        "'Plegers gestart met hulpverlening' (6) is groter dan 'Plegers in beeld' (5) voor Utrecht in 2024 K1. "
        "Het deel kan niet groter zijn dan het geheel; controleer beide cellen."
    )
    assert by_code["ambiguous_municipality"].startswith(
        "'Bergen' kan meerdere gemeenten zijn (Bergen (NH.) (GM0373), Bergen (L.) (GM0893))"
    )
    assert "Gebruik de CBS-code" in by_code["ambiguous_municipality"]
    assert by_code["future_period"] == "Kwartaal 2026 K1 is nog niet begonnen. Controleer het jaartal en het kwartaal."


def test_identical_repeated_value_is_not_a_conflict(tmp_path):
    sheets = {"Blad1": [["Gemeente", "Kwartaal", "THV"], ["Houten", "2024 K1", 3], ["GM0321", "2024 K1", 3]]}
    result = read(tmp_path, sheets)
    assert (result.problems, values(result)) == ([], [("GM0321", "2024Q1", "thv_totaal", 3)])


@pytest.mark.parametrize(
    "sheets, expected",
    [
        ({"Blad1": [["Hallo"], ["Dit is geen tabel"]]}, [("upload.xlsx", "no_table")]),
        ({"Blad1": [["Gemeente", "Kwartaal", "THV"], ["Utrecht", "2024 K1", None]]}, [("upload.xlsx", "no_values")]),
    ],
)
def test_files_without_figures(tmp_path, sheets, expected):
    assert codes(read(tmp_path, sheets)) == expected


def test_uploaders_municipality_must_exist(tmp_path):
    result = read(tmp_path, {"Blad1": [["Kwartaal", "THV"], ["2024 K1", 1]]}, municipality="Atlantis")
    assert codes(result) == [("upload.xlsx", "unknown_municipality")]


def test_hostile_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "macro.xlsx"
    path.write_bytes(b"not a zip at all")
    result = read_file(path, today=TODAY)
    assert codes(result) == [("macro.xlsx", "not_xlsx")]
