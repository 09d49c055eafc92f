"""Raw values from a located table of each layout: one per non-empty count cell, totals and notes left out."""

import pytest

from ingest.layout import raw_values
from ingest.locate import locate_table
from ingest.problems import Severity
from ingest.reader import Sheet
from reference.periods import Period

Q1, Q2 = Period(2024, 1), Period(2024, 2)


def read(rows, name="Blad1"):
    table = locate_table(Sheet(name, rows))
    assert table is not None
    return raw_values(table, "upload.xlsx")


def flat(values):
    return [(v.cell, v.element, v.value, v.municipality, v.period) for v in values]


def where(problems):
    return [(p.sheet, p.cell, p.code) for p in problems]


WIDE = [
    ["Monitor plegeraanpak"],
    [],
    [None, None, "Gemeente", "Kwartaal", "THV", "Uitval", "Totaal", "Opmerking"],
    [None, None, "Utrecht", "2024 K1", 5, 1, 6, "voorlopig"],
    [],  # blank row
    [None, None, "Zeist", "2024 K1", "2", None, 2],
    [None, None, "Houten", "2024 K1", None, None, None, "nog niet aangeleverd"],  # a row without counts
    [None, None, "Totaal", "2024 K1", 7, 1, 8],
    [None, None, "Regio totaal", None, 7, 1, 8],
    [None, None, None, "Subtotaal", 7, 1, 8],
    [None, None, "TOTAAL REGIO", None, 7, 1, 8],
    [None, None, "* Bron: Veilig Thuis, bewerking gemeente"],  # a note row
]
EXPECTED_WIDE = [
    ("E4", "thv_totaal", 5, "Utrecht", "2024 K1"),
    ("F4", "trajecten_uitval", 1, "Utrecht", "2024 K1"),
    ("E6", "thv_totaal", "2", "Zeist", "2024 K1"),
]

LONG = [
    ["Gemeente", "Periode", "Onderdeel", "Aantal"],
    ["0344", "jan-mrt 2024", "Plegers in beeld", 20],
    ["0344", "jan-mrt 2024", "Gestart met hulpverlening", "15"],
    [None, None, None, None],
    ["GM0363", "1e kwartaal 2024", "Uitval", 0],
    ["GM0363", "1e kwartaal 2024", "Afgesloten trajecten", None],  # blank count: nothing
    ["Regio totaal", "jan-mrt 2024", "Plegers in beeld", 20],
    ["GM0363", "1e kwartaal 2024", "Totaal", 9],
    ["Subtotaal", None, "Uitval", 0],
    ["Bron: eigen registratie"],
]
EXPECTED_LONG = [
    ("D2", "plegers_in_beeld", 20, "0344", "jan-mrt 2024"),
    ("D3", "plegers_hulp_gestart", "15", "0344", "jan-mrt 2024"),
    ("D5", "trajecten_uitval", 0, "GM0363", "1e kwartaal 2024"),
]

TRANSPOSED = [
    ["Consultaties lokale teams Utrecht"],
    ["Onderdeel", "2024 K1", "2024 K2", "Totaal"],
    ["Consulten FGGZ", 3, 5, 8],
    [None, None, None, None],
    ["Consultaties GGZ", 7, None, 7],
    ["Consulten LVB", None, None, None],
    ["Totaal", 10, 5, 15],
    ["Subtotaal GGZ", 7, None, 7],
    ["Bron: wijkteams"],
]
EXPECTED_TRANSPOSED = [
    ("B3", "consultaties_fggz", 3, None, Q1),
    ("C3", "consultaties_fggz", 5, None, Q2),
    ("B5", "consultaties_ggz", 7, None, Q1),
]

TRANSPOSED_PER_MUNICIPALITY = [
    ["Gemeente", "Onderdeel", "2024 K1", "2024 K2"],
    ["Utrecht", "Consulten FGGZ", 3, 5],
    ["Zeist", "Consultaties GGZ", 0, None],
]
EXPECTED_TRANSPOSED_PER_MUNICIPALITY = [
    ("C2", "consultaties_fggz", 3, "Utrecht", Q1),
    ("D2", "consultaties_fggz", 5, "Utrecht", Q2),
    ("C3", "consultaties_ggz", 0, "Zeist", Q1),
]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (WIDE, EXPECTED_WIDE),
        (LONG, EXPECTED_LONG),
        (TRANSPOSED, EXPECTED_TRANSPOSED),
        (TRANSPOSED_PER_MUNICIPALITY, EXPECTED_TRANSPOSED_PER_MUNICIPALITY),
        pytest.param(
            [*TRANSPOSED_PER_MUNICIPALITY, ["Regio totaal", "Consulten FGGZ", 3, 5], ["Totaal", "Consulten GGZ", 0, 0]],
            EXPECTED_TRANSPOSED_PER_MUNICIPALITY,
        ),
    ],
    ids=["wide", "long", "transposed", "transposed-per-municipality", "transposed-per-municipality-total-rows"],
)
def test_every_count_cell_once_without_totals_blanks_and_notes(rows, expected):
    values, problems = read(rows)
    assert problems == []
    assert flat(values) == expected


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [["Gemeente", "Jaar", "Kwartaal", "THV"], ["Utrecht", 2024, 1, 3]],
            [("D2", "Utrecht", "A2", 1, "C2", 2024)],
        ),
        (
            [[None, "Onderdeel", "2024 K1"], [None, "Consulten FGGZ", 3], [None, "Consulten GGZ", 4]],
            [("C2", None, None, Q1, "C1", None), ("C3", None, None, Q1, "C1", None)],
        ),
        (
            [["Gemeente", "Onderdeel", "2024 K1"], ["Zeist", "Consulten FGGZ", 3], ["Zeist", "Consulten GGZ", 4]],
            [("C2", "Zeist", "A2", Q1, "C1", None), ("C3", "Zeist", "A3", Q1, "C1", None)],
        ),
        (
            [["Kwartaal", "Onderdeel", "Aantal"], ["2024 K1", "Uitval", 2]],
            [("C2", None, None, "2024 K1", "A2", None)],
        ),
    ],
    ids=["wide-year-and-quarter", "transposed", "transposed-per-municipality", "long"],
)
def test_each_value_points_at_its_context_cells(rows, expected):
    values, _ = read(rows)
    assert [(v.cell, v.municipality, v.municipality_cell, v.period, v.period_cell, v.year) for v in values] == expected


@pytest.mark.parametrize(
    "rows, expected_values, expected_problems",
    [
        (
            [["Gemeente", "Periode", "Onderdeel", "Aantal"],
             ["Zeist", "2024 K1", "Wachttijd", 12],
             ["Zeist", "2024 K1", "Uitval", 2],
             ["Zeist", "2024 K1", "Wachtlijst", None],  # no count: not worth a warning
             ["Zeist", "2024 K1", 2024, 5]],
            [("D3", "trajecten_uitval", 2, "Zeist", "2024 K1")],
            [("Blad1", "C2", "unknown_element", "Wachttijd"), ("Blad1", "C5", "unknown_element", "2024")],
        ),
        (
            [["Onderdeel", "2024 K1", "2024 K2"],
             ["Consulten FGGZ", 3, 5],
             ["Wachttijd in dagen", 12, 14],
             ["Consulten GGZ", 1, None],
             ["Wachtlijst", None, None]],
            [("B2", "consultaties_fggz", 3, None, Q1), ("C2", "consultaties_fggz", 5, None, Q2),
             ("B4", "consultaties_ggz", 1, None, Q1)],
            [("Blad1", "A3", "unknown_element", "Wachttijd in dagen")],
        ),
    ],
    ids=["long", "transposed"],
)  # fmt: skip
def test_unknown_element_names_are_warnings_at_their_cell(rows, expected_values, expected_problems):
    values, problems = read(rows)
    assert flat(values) == expected_values
    assert where(problems) == [tuple(place) for *place, _ in expected_problems]
    assert [(p.severity, p.message) for p in problems] == [
        (Severity.WARNING, f"'{text}' is geen onderdeel van de monitor; deze regel wordt overgeslagen.")
        for *_, text in expected_problems
    ]


@pytest.mark.parametrize(
    "header, row, expected",
    [
        (["Gemeentecode", "Gemeente"], ["0363", "Amsterdam"], ("0363", "A2")),
        (["Gemeentecode", "Gemeente"], [None, "Amsterdam"], ("Amsterdam", "B2")),  # no code: the name
        (["Gemeentecode", "Gemeente"], ["GM0363", None], ("GM0363", "A2")),
        pytest.param(
            ["Gemeente", "Gemeentecode"], ["Bergen", "GM0373"], ("GM0373", "B2"),
        ),
        pytest.param(
            ["Gemeentenaam", "CBS code"], ["Amsterdam", "GM0363"], ("GM0363", "B2"),
        ),
    ],
    ids=["code-left", "code-blank", "name-blank", "name-left", "name-left-cbs-code"],
)  # fmt: skip
def test_code_column_is_preferred_over_name_column(header, row, expected):
    values, _ = read([[*header, "Kwartaal", "THV"], [*row, "2024 K1", 40]])
    assert [(v.municipality, v.municipality_cell) for v in values] == [expected]


# A row is a total when it is labelled as one, not when an element's own name says "totaal".
@pytest.mark.parametrize(
    "rows, expected",
    [
        pytest.param(
            [["Gemeente", "Periode", "Onderdeel", "Aantal"],
             ["Utrecht", "2024 K1", "Tijdelijke huisverboden (totaal)", 12],
             ["Utrecht", "2024 K1", "waarvan preventief opgelegd", 3],
             ["Utrecht", "2024 K1", "Dossiers totaal", 40]],
            [("D2", "thv_totaal", 12, "Utrecht", "2024 K1"), ("D3", "thv_preventief", 3, "Utrecht", "2024 K1"),
             ("D4", "dossiers_totaal", 40, "Utrecht", "2024 K1")],
            id="long-template-label",
        ),
        pytest.param(
            [["Onderdeel", "2024 K1"],
             ["Tijdelijke huisverboden (totaal)", 12],
             ["waarvan preventief opgelegd", 3]],
            [("B2", "thv_totaal", 12, None, Q1), ("B3", "thv_preventief", 3, None, Q1)],
            id="transposed-template-label",
        ),
        pytest.param(
            [["Gemeente", "Kwartaal", "THV", "Opmerking"],
             ["Utrecht", "2024 K1", 3, "voorlopig totaal"],
             ["Zeist", "2024 K1", 4, "som van twee wijkteams"]],
            [("C2", "thv_totaal", 3, "Utrecht", "2024 K1"), ("C3", "thv_totaal", 4, "Zeist", "2024 K1")],
            id="wide-note-saying-totaal",
        ),
    ],
)  # fmt: skip
def test_a_label_or_note_with_the_word_totaal_is_not_a_total_row(rows, expected):
    values, problems = read(rows)
    assert (flat(values), problems) == (expected, [])
