"""CSV files as sources write them, through the whole pipeline: every encoding and separator,
quoted fields, titles above the table, and the decimal comma in a count (an error, never a guess)."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest

from ingest.csv_guard import CsvFormat, detect_separator, inspect_csv
from ingest.pipeline import read_file
from ingest.values import read_count

TODAY = dt.date(2025, 11, 1)
ROWS = [
    ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"],
    ["Súdwest-Fryslân", "2024 K1", "10", "4"],
    ["'s-Hertogenbosch", "2024 K1", "1.234", "0"],
]
EXPECTED = [
    ("GM0796", "2024Q1", "thv_kindermishandeling", 0),
    ("GM0796", "2024Q1", "thv_totaal", 1234),
    ("GM1900", "2024Q1", "thv_kindermishandeling", 4),
    ("GM1900", "2024Q1", "thv_totaal", 10),
]
ENCODINGS = [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("cp1252", b""), ("latin-1", b"")]


def write_csv(path, rows, separator=";", encoding="utf-8", bom=b"", newline="\r\n"):
    text = newline.join(separator.join(_quoted(cell, separator) for cell in row) for row in rows) + newline
    path.write_bytes(bom + text.encode(encoding))
    return path


def _quoted(cell: str, separator: str) -> str:
    if separator in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def values(result):
    return sorted((r.municipality, str(r.period), r.element, r.value) for r in result.records)


def codes(result):
    return [(p.where, p.code) for p in result.problems]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
def test_every_separator_and_encoding_reads_the_same(tmp_path, separator, encoding, bom):
    rows = [[cell.replace("1.234", "1234") if separator == "," else cell for cell in row] for row in ROWS]
    path = write_csv(tmp_path / "export.csv", rows, separator, encoding, bom)
    found, problems = inspect_csv(path, "export.csv")
    expected_encoding = {"utf-8": "utf-8-sig" if bom else "utf-8"}.get(encoding, "cp1252")
    assert (found, problems) == (CsvFormat(expected_encoding, separator), [])
    result = read_file(path, today=TODAY)
    assert codes(result) == []
    assert values(result) == EXPECTED


def test_latin1_bytes_that_windows_1252_leaves_undefined():
    """0x81 is undefined in Windows-1252; such a file is read as Latin-1, not refused."""
    found, problems = inspect_csv(io.BytesIO(b"Gemeente;THV\nUtrecht;3\n" + b"\x81;1\n"), "x.csv")
    assert (found, problems) == (CsvFormat("latin-1", ";"), [])


def test_quoted_fields_hold_separators_quotes_and_line_breaks(tmp_path):
    rows = [
        ["Gemeente", "Kwartaal", "THV", "Opmerking"],
        ["Utrecht", "2024 K1", "3", 'zie "notitie"; regel 1\nregel 2'],
        ["Zeist", "2024 K1", "5", "a;b;c"],
    ]
    path = write_csv(tmp_path / "q.csv", rows)
    result = read_file(path, today=TODAY)
    assert [p.code for p in result.errors] == []
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 3), ("GM0355", "2024Q1", "thv_totaal", 5)]


def test_title_lines_above_the_table_and_cells_at_excel_positions(tmp_path):
    rows = [
        ["Monitor plegeraanpak, export van 3 april 2024"],
        [""],
        ["Gemeente", "Kwartaal", "THV"],
        ["Utrecht", "2024 K1", "-3"],
    ]
    result = read_file(write_csv(tmp_path / "titel.csv", rows), today=TODAY)
    assert codes(result) == [("titel!C4", "negative_count")]


@pytest.mark.parametrize(
    ("separator", "cell", "code"),
    [
        (";", "12,0", "decimal_comma"),  # in a workbook 12,0 reads as 12; in a CSV it is a decimal comma
        (";", "12,5", "decimal_comma"),
        (";", "1,234", "decimal_comma"),  # ; separated: the comma is the decimal mark, not thousands
        ("\t", "3,0", "decimal_comma"),
        (",", "12,0", "decimal_comma"),
    ],
)
def test_a_decimal_comma_in_a_count_is_an_error(tmp_path, separator, cell, code):
    rows = [["Gemeente", "Kwartaal", "THV"], ["Utrecht", "2024 K1", cell]]
    result = read_file(write_csv(tmp_path / "komma.csv", rows, separator), today=TODAY)
    assert codes(result) == [("komma!C2", code)]
    assert f"'{cell}' heeft een decimale komma" in result.problems[0].message


def test_thousands_with_a_comma_in_a_comma_separated_file(tmp_path):
    rows = [["Gemeente", "Kwartaal", "THV"], ["Utrecht", "2024 K1", "1,234"]]
    result = read_file(write_csv(tmp_path / "engels.csv", rows, ","), today=TODAY)
    assert values(result) == [("GM0344", "2024Q1", "thv_totaal", 1234)]


@pytest.mark.parametrize(
    ("text", "decimal_comma", "value", "code"),
    [
        ("12,0", None, 12, None),  # a workbook, as before
        ("12,0", True, None, "decimal_comma"),
        ("1.234", True, 1234, None),
        ("1,234", False, 1234, None),
        ("1,234", True, None, "decimal_comma"),
        ("1,5", False, None, "decimal_comma"),
        ("veel, heel veel", True, None, "not_a_number"),
    ],
)
def test_read_count_comma_conventions(text, decimal_comma, value, code):
    count = read_count(text, decimal_comma)
    assert (count.value, count.problem) == (value, code)


@pytest.mark.parametrize(
    ("sample", "separator"),
    [
        ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),  # decimal commas in a ; file
        ('a,b,c\n1,"2;3",4\n', ","),
        ("a\tb\n1\t2\n", "\t"),
        ("Titel, met komma\n\na;b;c\n1;2;3\n4;5;6\n", ";"),
        ("alleen een kolom\nwaarde\n", ";"),
    ],
)
def test_detect_separator(sample, separator):
    assert detect_separator(sample) == separator


def test_a_csv_without_a_table_says_so(tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_text("Zomaar wat tekst\n", encoding="utf-8")
    assert codes(read_file(path, today=TODAY)) == [("leeg.csv", "no_table")]


def _as_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:g}".replace(".", ",")
    return str(cell)


@pytest.mark.parametrize("layout", ["WIDE_TEMPLATE", "TITLED_OFFSET", "LONG", "TRANSPOSED", "ALL_WRONG"])
def test_every_layout_reads_from_csv_as_from_a_workbook(tmp_path, layout):
    """The same table as .xlsx and as .csv: the same records and the same problems at the same cells."""
    from tests import test_pipeline
    from tests.workbooks import write_workbook

    [(sheet, rows)] = getattr(test_pipeline, layout).items()
    defaults = {"TITLED_OFFSET": {"municipality": "Utrecht"}, "TRANSPOSED": {"municipality": "GM0344"}}
    kwargs = {"today": TODAY, **defaults.get(layout, {})}
    workbook = read_file(write_workbook(tmp_path / f"{sheet}.xlsx", {sheet: rows}), **kwargs)
    text_rows = [[_as_text(cell) for cell in row] for row in rows]
    comma_free = [[cell.replace("12,5", "12.5") for cell in row] for row in text_rows]
    csv_file = read_file(write_csv(tmp_path / f"{sheet}.csv", comma_free), **kwargs)
    assert values(csv_file) == values(workbook)
    assert sorted(codes(csv_file)) == sorted(codes(workbook))
