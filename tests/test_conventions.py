"""Real conventions (issue 9, DOMAIN.md): CBS StatLine downloads, CBS period codes and labels, provisional
marks, municipality names and codes as CBS and other registers write them, unit rows, columns recognised
by what they hold, mojibake; each a small workbook in tmp_path."""

import datetime as dt

import pytest

from ingest.columns import How
from ingest.pipeline import read_file
from tests.workbooks import write_workbook

TODAY = dt.date(2025, 11, 1)


def read(tmp_path, rows, name="upload.xlsx", **kwargs):
    return read_file(write_workbook(tmp_path / name, {"Blad1": rows}), today=TODAY, **kwargs)


def values(result):
    return sorted((r.municipality, str(r.period), r.element, r.value) for r in result.records)


def codes(result):
    return [(p.where, p.code) for p in result.problems]


# --- a CBS StatLine download as it comes ----------------------------------------------------------


def test_a_statline_style_workbook_goes_in(tmp_path):
    # StatLine's Excel download: a title, the topic header, a unit row, `Regio's` and `Perioden` with
    # CBS's labels (`Utrecht (gemeente)`, `2024 1e kwartaal`), `*` for provisional and `.` for unknown.
    rows = [
        ["Huiselijk geweld; tijdelijke huisverboden, regio (bewerkt)"],
        ["Onderwerp", None, "Tijdelijke huisverboden", "waarvan bij kindermishandeling"],
        ["Regio's", "Perioden", None, None],
        [None, None, "aantal", "aantal"],
        ["Utrecht (gemeente)", "2024 1e kwartaal", 10, 4],
        ["Utrecht (gemeente)", "2024 2e kwartaal*", 12, "."],
        ["Nuenen c.a.", "2024 1e kwartaal", 2, 0],
        ["Bron: CBS"],
    ]
    result = read(tmp_path, rows)
    assert result.errors == []
    assert values(result) == [
        ("GM0344", "2024Q1", "thv_kindermishandeling", 4),
        ("GM0344", "2024Q1", "thv_totaal", 10),
        ("GM0344", "2024Q2", "thv_totaal", 12),
        ("GM0820", "2024Q1", "thv_kindermishandeling", 0),
        ("GM0820", "2024Q1", "thv_totaal", 2),
    ]
    assert ("Blad1", "provisional_period") in [(p.where, p.code) for p in result.warnings]


def test_a_statline_header_row_with_units_under_it(tmp_path):
    rows = [
        ["Regio's", "Perioden", "Tijdelijke huisverboden", "Plegers in beeld"],
        [None, None, "(x 1)", "%"],
        ["Utrecht (gemeente)", "2024KW01", 10, 3],
    ]
    result = read(tmp_path, rows)
    assert result.errors == []
    assert values(result) == [("GM0344", "2024Q1", "plegers_in_beeld", 3), ("GM0344", "2024Q1", "thv_totaal", 10)]


def test_the_odata_names_and_padded_codes(tmp_path):
    # cbsodata / the OData API: `RegioS` with codes padded to eight characters, `Perioden` as `2024KW01`.
    rows = [
        ["RegioS", "Perioden", "TijdelijkeHuisverboden_1"],
        ["GM0344  ", "2024KW02", 7],
        ["  GM0363", "2024KW02", 9],
    ]
    result = read(tmp_path, rows, columns={"tijdelijkehuisverboden 1": "thv_totaal"})
    assert result.errors == []
    assert values(result) == [("GM0344", "2024Q2", "thv_totaal", 7), ("GM0363", "2024Q2", "thv_totaal", 9)]


# --- periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [("2024KW01", "2024Q1"), ("2024KW04", "2024Q4"), ("2024 1e kwartaal", "2024Q1"), ("2024 3e kwartaal", "2024Q3"),
     ("2024 eerste kwartaal", "2024Q1"), ("1e kwartaal 2024", "2024Q1"), ("2024KW02*", "2024Q2"),
     ("2024 2e kwartaal**", "2024Q2")],
)  # fmt: skip
def test_cbs_quarters_in_both_word_orders_and_with_marks(tmp_path, cell, expected):
    result = read(tmp_path, [["Gemeente", "Perioden", "THV"], ["Utrecht", cell, 1]])
    assert result.errors == []
    assert values(result) == [("GM0344", expected, "thv_totaal", 1)]


@pytest.mark.parametrize("cell", ["2024KW01*", "2024 1e kwartaal*"])
def test_a_provisional_mark_is_one_warning_per_sheet(tmp_path, cell):
    result = read(tmp_path, [["Gemeente", "Periode", "THV"], ["Utrecht", cell, 1], ["Zeist", cell, 2]])
    assert codes(result) == [("Blad1", "provisional_period")]
    assert "voorlopig" in result.problems[0].message


@pytest.mark.parametrize(
    "cell, kind",
    [("2024JJ00", "een jaar"), ("2024MM01", "een maand"), ("2024MM12*", "een maand"), ("2024HJ01", "een halfjaar"),
     ("1e halfjaar 2024", "een halfjaar"), ("2024 H2", "een halfjaar")],
)  # fmt: skip
def test_years_months_and_half_years_are_refused_saying_what_to_deliver(tmp_path, cell, kind):
    result = read(tmp_path, [["Gemeente", "Perioden", "THV"], ["Utrecht", cell, 1]])
    assert codes(result) == [("Blad1!B2", "not_a_quarter")]
    message = result.problems[0].message
    assert f"is {kind}, geen kwartaal" in message and "2024KW01" in message


# --- municipalities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [("Utrecht (gemeente)", "GM0344"), ("'s-Gravenhage (gemeente)", "GM0518"), ("Groningen (gemeente)", "GM0014"),
     ("Nuenen c.a.", "GM0820"), ("gem. Zeist", "GM0355"), ("G0363", "GM0363"), ("GM 0363", "GM0363"),
     ("  0363  ", "GM0363"), ("Hengelo (O.)", "GM0164"), ("Tietjerksteradeel", "GM0737"),
     ("De Friese Meren", "GM1940")],
)  # fmt: skip
def test_municipality_names_and_codes_as_registers_write_them(tmp_path, cell, expected):
    result = read(tmp_path, [["Gemeente", "Kwartaal", "THV"], [cell, "2024 K1", 1]])
    assert result.errors == []
    assert values(result) == [(expected, "2024Q1", "thv_totaal", 1)]


def test_mojibake_is_repaired_with_a_warning(tmp_path):
    result = read(tmp_path, [["Gemeente", "Kwartaal", "THV"], ["SÃºdwest-FryslÃ¢n", "2024 K1", 1]])
    assert values(result) == [("GM1900", "2024Q1", "thv_totaal", 1)]
    assert codes(result) == [("Blad1!A2", "repaired_text")]
    assert "'SÃºdwest-FryslÃ¢n' als 'Súdwest-Fryslân'" in result.problems[0].message


# --- columns by what they hold --------------------------------------------------------------------


def test_municipality_column_by_content_whatever_its_header(tmp_path):
    rows = [["Organisatie-eenheid", "Kwartaal", "THV"], ["Utrecht", "2024 K1", 3], ["Zeist", "2024 K1", 4]]
    result = read(tmp_path, rows)
    assert result.errors == []
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 3), ("GM0355", "2024Q1", "thv_totaal", 4)]
    read_as = {(r.reading.header, r.reading.meaning, r.reading.how) for r in result.readings}
    assert ("Organisatie-eenheid", "municipality", How.CONTENT) in read_as


def test_a_regio_column_holding_municipalities_is_the_municipality_column(tmp_path):
    rows = [["Regio", "Kwartaal", "THV"], ["GM0344", "2024 K1", 3], ["GM0355", "2024 K1", 4]]
    assert values(read(tmp_path, rows)) == [
        ("GM0344", "2024Q1", "thv_totaal", 3),
        ("GM0355", "2024Q1", "thv_totaal", 4),
    ]


def test_period_and_year_columns_by_content(tmp_path):
    by_period = read(tmp_path, [["Gemeente", "Wanneer", "THV"], ["Utrecht", "2024 K2", 3]], name="a.xlsx")
    assert values(by_period) == [("GM0344", "2024Q2", "thv_totaal", 3)]
    rows = [["Gemeente", "Boekjaar", "Kwartaal", "THV"], ["Utrecht", 2024, 3, 5], ["Utrecht", 2024, 4, 6]]
    by_year = read(tmp_path, rows, name="b.xlsx")
    assert values(by_year) == [("GM0344", "2024Q3", "thv_totaal", 5), ("GM0344", "2024Q4", "thv_totaal", 6)]


def test_counts_as_text_are_not_taken_for_municipality_codes(tmp_path):
    rows = [["Gemeente", "Kwartaal", "THV", "Aantal gesprekken"], ["Utrecht", "2024 K1", 3, "14"]]
    result = read(tmp_path, rows)
    assert codes(result) == [("Blad1!D1", "unmapped_column")]


# --- headers by meaning, and the question --------------------------------------------------------


def test_a_header_read_by_meaning_is_said(tmp_path):
    rows = [["Gemeente", "Kwartaal", "Aantal THV's (voorlopig)", "Consulten F-GGZ"], ["Utrecht", "2024 K1", 3, 2]]
    result = read(tmp_path, rows)
    assert result.errors == []
    assert values(result) == [("GM0344", "2024Q1", "consultaties_fggz", 2), ("GM0344", "2024Q1", "thv_totaal", 3)]
    said = [r.text for r in result.readings if r.reading.how is How.SIMILAR]
    assert said == [
        "Kolom 'Aantal THV's (voorlopig)' (Blad1!C1) is gelezen als 'Tijdelijke huisverboden (totaal)' "
        "(de kop lijkt erop).",
        "Kolom 'Consulten F-GGZ' (Blad1!D1) is gelezen als 'Consultaties forensische GGZ' (de kop lijkt erop).",
    ]


def test_a_close_call_is_a_question_with_both_suggestions(tmp_path):
    rows = [["Gemeente", "Kwartaal", "Cliëntdossiers", "Dossiers met plan"], ["Utrecht", "2024 K1", 9, 4]]
    result = read(tmp_path, rows)
    assert codes(result) == [("Blad1!D1", "unmapped_column")]
    assert result.questions[0].suggestions[:2] == ("dossiers_totaal", "dossiers_met_veiligheidsplan")
    assert "misschien 'Cliëntdossiers (huiselijk geweld)' of 'waarvan met gemeenschappelijk veiligheidsplan'" in (
        result.problems[0].message
    )
    answered = read(tmp_path, rows, columns={"dossiers met plan": "dossiers_met_veiligheidsplan"})
    assert answered.ok
    assert ("GM0344", "2024Q1", "dossiers_met_veiligheidsplan", 4) in values(answered)
