"""Finding the table in a sheet: its header row, its layout, what each column means, and title defaults."""

import datetime as dt

import pytest

from ingest.elements import ELEMENTS
from ingest.headers import Role
from ingest.locate import Layout, locate_table
from ingest.reader import Sheet
from reference.periods import Period

MUN, PER, YEAR, ELEM, VAL, IGN = Role.MUNICIPALITY, Role.PERIOD, Role.YEAR, Role.ELEMENT, Role.VALUE, Role.IGNORE
Q1, Q2 = Period(2024, 1), Period(2024, 2)


def shape(table):
    """Everything locate_table decides about the columns, flattened for one comparison."""
    return (
        table.layout,
        table.header_row,
        table.roles,
        table.elements,
        table.periods,
        table.element_column,
        table.unknown_headers,
    )


# --- header row, layout and column meanings ---------------------------------------------------


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"],
             ["Utrecht", "2024 K1", 10, 4]],
            (Layout.WIDE, 0, {0: MUN, 1: PER}, {2: "thv_totaal", 3: "thv_kindermishandeling"}, {}, None, {}),
        ),
        (  # a logo row, a title and a note above; the table starts in column C
            [["Gemeente Utrecht — monitor"], ["Aangemaakt op 3 april 2024"], [], [None, "* voorlopig"],
             [None, None, "Gemeente", "Kwartaal", "THV, aantal", "Kindermishandeling THV", "Totaal", "Wachttijd"],
             [None, None, "Utrecht", "Q1 2024", 10, 4, 14, 3]],
            (Layout.WIDE, 4, {2: MUN, 3: PER, 6: IGN}, {4: "thv_totaal", 5: "thv_kindermishandeling"}, {}, None,
             {7: "Wachttijd"}),
        ),
        (
            [["Gemeente", "Jaar", "Kwartaal", "Plegers in beeld", "Gestart met hulpverlening"],
             ["Zeist", 2024, 1, 20, 15]],
            (Layout.WIDE, 0, {0: MUN, 1: YEAR, 2: PER}, {3: "plegers_in_beeld", 4: "plegers_hulp_gestart"}, {}, None,
             {}),
        ),
        (
            [["Gemeente", "Periode", "Onderdeel", "Aantal", "Bijzonderheden"],
             ["0344", "jan-mrt 2024", "Plegers in beeld", 20, None],
             ["0344", "jan-mrt 2024", "Uitval", 2, "voorlopig"]],
            (Layout.LONG, 0, {0: MUN, 1: PER, 2: ELEM, 3: VAL}, {}, {}, None, {4: "Bijzonderheden"}),
        ),
        (
            [["Export zorgaanbieder"], [], [None, "Kwartaal", "Indicator", "Waarde"],
             [None, "2024 K1", "Afgesloten trajecten", 8], [None, "2024 K1", "Uitval", 1]],
            (Layout.LONG, 2, {1: PER, 2: ELEM, 3: VAL}, {}, {}, None, {}),
        ),
        (
            [["Consultaties lokale teams Utrecht"],
             ["Onderdeel", "2024 K1", "2024 K2", "Totaal"],
             ["Consulten FGGZ", 3, 5, 8], ["Consultaties GGZ", 7, None, 7], ["Totaal", 10, 5, 15]],
            (Layout.TRANSPOSED, 1, {3: IGN}, {}, {1: Q1, 2: Q2}, 0, {}),
        ),
        (  # no header above the element labels, a numbering column and a notes column
            [["Nr", None, "Q1 2024", "Q2 2024", "Bron van de cijfers"],
             [1, "Consulten FGGZ", 3, 5, "wijkteam"], [2, "Consulten LVB", 1, 0, "wijkteam"]],
            (Layout.TRANSPOSED, 0, {0: IGN}, {}, {2: Q1, 3: Q2}, 1, {4: "Bron van de cijfers"}),
        ),
        (
            [["Gemeente", "Omschrijving", "2024 K1", "2024 K2"],
             ["Utrecht", "Consulten FGGZ", 3, 5], ["Zeist", "Consultaties GGZ", 7, None]],
            (Layout.TRANSPOSED, 0, {0: MUN}, {}, {2: Q1, 3: Q2}, 1, {}),
        ),
        (
            [[None, None]] * 199 + [["Gemeente", "THV"], ["Zeist", 3]],
            (Layout.WIDE, 199, {0: MUN}, {1: "thv_totaal"}, {}, None, {}),
        ),
    ],
    ids=["template", "titles-above-table-in-column-c", "year-and-quarter", "long", "long-titled", "transposed",
         "transposed-element-column-without-header", "transposed-per-municipality", "header-on-row-200"],
)  # fmt: skip
def test_header_row_layout_and_columns(rows, expected):
    table = locate_table(Sheet("Blad1", rows))
    assert table is not None
    assert shape(table) == expected


# --- sheets that hold no table ------------------------------------------------------------------

TEMPLATE_INSTRUCTIONS = [
    ["Kolom", "Betekenis"],
    ["Gemeente", "De naam of CBS-code van de gemeente (bijvoorbeeld GM0363)."],
    ["Kwartaal", "Het kwartaal, geschreven als '2024 K1'."],
    *([element.label, element.meaning] for element in ELEMENTS),
]


@pytest.mark.parametrize(
    "name, rows",
    [
        ("Blad1", []),
        ("Uitleg", [["Dit bestand bevat de cijfers van het eerste kwartaal van 2024 voor de monitor."]]),
        ("Uitleg", [["Stap 1", "Vul bij Tijdelijke huisverboden (totaal) het aantal opgelegde huisverboden in."],
                    ["Stap 2", "Vul bij Plegers in beeld het aantal bekende plegers in, 0 als er geen waren."]]),
        ("Lijsten", [["Gemeente"], ["Utrecht"], ["Zeist"], ["Houten"]]),
        ("Blad2", [["THV"], [3], [4]]),
        ("Toelichting", TEMPLATE_INSTRUCTIONS),
        ("Toelichting", [["Onderdeel", "Toelichting"],
                         ["Tijdelijke huisverboden (totaal)",
                          "Het aantal opgelegde tijdelijke huisverboden in het kwartaal, ook verlengingen."],
                         ["Plegers in beeld",
                          "Het aantal plegers dat in beeld is bij het lokale team of Veilig Thuis."]]),
        pytest.param(
            "Toelichting",
            [["Code", "Kolomkop", "Uitleg"],
             ["thv_totaal", "Tijdelijke huisverboden (totaal)", "Het aantal opgelegde tijdelijke huisverboden."],
             ["plegers_in_beeld", "Plegers in beeld", "Het aantal plegers dat in beeld is bij het lokale team."]],
        ),
        ("Blad1", [[None, None]] * 200 + [["Gemeente", "THV"], ["Zeist", 3]]),
    ],
    ids=["empty", "instruction-sentence", "instruction-steps", "list-of-names", "single-header-word",
         "template-instructions", "toelichting", "toelichting-with-codes", "header-below-row-200"],
)  # fmt: skip
def test_sheets_without_a_table(name, rows):
    assert locate_table(Sheet(name, rows)) is None


# --- defaults from above the table and from the sheet name -----------------------------------

WIDE_HEADER = [["THV", "Uitval"], [3, 1]]  # no municipality or period column of its own
LONG_TWO_ROWS = [["Onderdeel", "Aantal"], ["Uitval", 2], ["Plegertrajecten afgesloten", 5]]


@pytest.mark.parametrize(
    "name, rows, expected",
    [
        ("Blad1", [["Periode: 2024 K1"], ["Gemeente: Zeist"], *WIDE_HEADER], (Layout.WIDE, 2, Q1, "Zeist")),
        ("Blad1", [["Periode:", "2024 K1"], ["Gemeente:", "Zeist"], *WIDE_HEADER], (Layout.WIDE, 2, Q1, "Zeist")),
        ("Blad1", [["Periode", "2024 K1"], ["Gemeente", "Zeist"], *WIDE_HEADER], (Layout.WIDE, 2, Q1, "Zeist")),
        ("Blad1", [["Gemeente:", None, "Zeist"], *WIDE_HEADER], (Layout.WIDE, 1, None, "Zeist")),
        ("Blad1", [["Gemeentecode:", "GM0355"], *WIDE_HEADER], (Layout.WIDE, 1, None, "GM0355")),
        ("Blad1", [["Kwartaal: 1e kwartaal 2024"], *WIDE_HEADER], (Layout.WIDE, 1, Q1, None)),
        ("Blad1", [["Rapportage tweede kwartaal 2023 gemeente Zeist"], *WIDE_HEADER],
         (Layout.WIDE, 1, Period(2023, 2), None)),
        ("Blad1", [["Monitor plegeraanpak"], [None, "Cijfers Q3 2024"], *WIDE_HEADER],
         (Layout.WIDE, 2, Period(2024, 3), None)),
        ("2024 K1", WIDE_HEADER, (Layout.WIDE, 0, Q1, None)),
        ("Cijfers Q3 2023", [["Gemeente: Zeist"], *WIDE_HEADER], (Layout.WIDE, 1, Period(2023, 3), "Zeist")),
        ("Q3 2023", [["Periode: 2024 K1"], *WIDE_HEADER], (Layout.WIDE, 1, Q1, None)),  # the title wins
        ("Blad1", [["Gemeente:", "Zeist"], ["Periode: 2024 K2"], [], ["Onderdeel", "Aantal"], ["Uitval", 2]],
         (Layout.LONG, 3, Q2, "Zeist")),
        pytest.param(
            "Blad1", [["Periode", "2024 K2"], ["Gemeente", "Zeist"], [], *LONG_TWO_ROWS], (Layout.LONG, 3, Q2, "Zeist"),
        ),
        pytest.param(
            "Blad1", [["Aangemaakt op:", dt.datetime(2024, 4, 3)], ["Periode:", "2024 K1"], *WIDE_HEADER],
            (Layout.WIDE, 2, Q1, None),
        ),
    ],
    ids=["one-cell", "two-cells-with-colon", "two-cells-without-colon", "value-after-an-empty-cell",
         "municipality-code", "period-in-words", "period-in-title-sentence", "period-in-title-in-column-b",
         "period-in-sheet-name", "period-in-sheet-name-with-title-municipality",
         "title-period-before-sheet-name", "long-below-two-cell-labels", "long-below-two-cell-labels-two-rows",
         "creation-date-above-period-label"],
)  # fmt: skip
def test_title_defaults(name, rows, expected):
    table = locate_table(Sheet(name, rows))
    assert table is not None
    assert (table.layout, table.header_row, table.title_period, table.title_municipality) == expected


# --- the real header wins over data rows that name elements ----------------------------------


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [["Gemeente", "Periode", "Onderdeel", "Aantal"],
             ["Utrecht", "2024 K1", "Uitval", 2], ["Utrecht", "2024 K1", "Plegers in beeld", 5]],
            (Layout.LONG, 0),
        ),
        (
            [["Gemeente", "Kwartaal", "THV", "Opmerking"],
             ["Utrecht", "2024 K1", 3, "THV en Uitval nagekomen"], ["Zeist", "2024 K1", 4, "Uitval"]],
            (Layout.WIDE, 0),
        ),
        (
            [["Onderdeel", "2024 K1", "2024 K2"], ["Consulten FGGZ", 3, 5], ["Consultaties GGZ", 7, 1]],
            (Layout.TRANSPOSED, 0),
        ),
        (
            [["Kwartaal", "Onderdeel", "Aantal"], ["2024 K1", "Uitval", 2], ["2024 K2", "Uitval", 1]],
            (Layout.LONG, 0),
        ),
        pytest.param(
            [["Code", "Onderdeel", "Aantal"],
             ["thv_totaal", "Tijdelijke huisverboden (totaal)", 12],
             ["thv_preventief", "waarvan preventief opgelegd", 3]],
            (Layout.LONG, 0),
        ),
        pytest.param(
            [["Onderdeel", "Aantal", "Peilmoment"],
             ["Uitval", 2, "2024 K1"], ["Plegertrajecten afgesloten", 5, "2024 K1"]],
            (Layout.LONG, 0),
        ),
    ],
    ids=["long", "wide-with-notes-naming-elements", "transposed", "long-with-period-column",
         "long-with-code-and-label-columns", "long-with-unknown-period-header"],
)  # fmt: skip
def test_data_rows_naming_elements_do_not_win_over_the_header(rows, expected):
    table = locate_table(Sheet("Blad1", rows))
    assert table is not None
    assert (table.layout, table.header_row) == expected
