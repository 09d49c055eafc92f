"""ingest.reader: every worksheet as plain rows at absolute positions, or Problems, never an exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from ingest import reader
from ingest.reader import Sheet, cell_name, read_workbook
from tests.test_guard import build_xlsx, sheet_xml


def value(sheet: Sheet, row: int, column: int) -> object:
    """rows[row][column], or None beyond the rows (the reader may drop trailing empty rows)."""
    return sheet.rows[row][column] if row < len(sheet.rows) else None


def one_column(path: Path, values: list[object]) -> Path:
    """`values` in A1, A2, ... of one sheet, as openpyxl writes them."""
    workbook = openpyxl.Workbook()
    for r, item in enumerate(values, start=1):
        workbook.active.cell(r, 1, item)
    workbook.save(path)
    return path


def test_positions_are_absolute_when_the_table_starts_at_c5(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cijfers"
    sheet["C5"], sheet["D5"], sheet["C6"], sheet["D6"] = "Gemeente", "Aantal", "Utrecht", 3
    workbook.save(tmp_path / "a.xlsx")

    [read], problems = read_workbook(tmp_path / "a.xlsx", "a.xlsx")

    assert problems == []
    assert read.name == "Cijfers"
    assert read.rows[4][2:4] == ["Gemeente", "Aantal"]
    assert read.rows[5][2:4] == ["Utrecht", 3.0]
    assert all(cell is None for row in read.rows[:4] for cell in row)
    assert read.rows[4][:2] == [None, None]
    assert len({len(row) for row in read.rows}) == 1  # rectangular


def test_every_worksheet_is_read_hidden_too_but_not_chart_sheets(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Toelichting"
    workbook.active["A1"] = "lees mij"
    for name, state in (("Gegevens", "hidden"), ("Lijsten", "veryHidden"), ("Leeg", "visible")):
        sheet = workbook.create_sheet(name)
        sheet.sheet_state = state
        if name != "Leeg":
            sheet["B2"] = name.lower()
    workbook.create_chartsheet("Grafiek")
    workbook.save(tmp_path / "a.xlsx")

    sheets, problems = read_workbook(tmp_path / "a.xlsx", "a.xlsx")

    assert problems == []
    assert [s.name for s in sheets] == ["Toelichting", "Gegevens", "Lijsten", "Leeg"]
    assert [value(s, 1, 1) for s in sheets[1:3]] == ["gegevens", "lijsten"]
    assert sheets[3].rows == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("tekst", "tekst"),
        (3, 3.0),
        (2.5, 2.5),
        (-0.0, 0.0),
        (True, True),
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31)),
        (dt.datetime(2024, 3, 31, 12, 30), dt.datetime(2024, 3, 31, 12, 30)),
        (dt.time(8, 15), dt.time(8, 15)),
        (dt.timedelta(hours=30), dt.timedelta(hours=30)),
        ("  Utrecht\u00a0", "Utrecht"),
        ("\tGM0363\n", "GM0363"),
        ("\u200bGM0363\ufeff", "GM0363"),
        ("a  b", "a  b"),
        ("", None),
        ("\u00a0 ", None),
        ("=1+1", None),  # openpyxl writes the formula without a cached value
        ("#N/A", None),  # openpyxl writes this as an error value
    ],
    ids=repr,
)
def test_values(tmp_path: Path, written: object, expected: object) -> None:
    path = one_column(tmp_path / "a.xlsx", ["kop", written])
    [sheet], problems = read_workbook(path, "a.xlsx")
    assert problems == []
    got = value(sheet, 1, 0)
    assert got == expected and type(got) is type(expected)


def test_cached_formula_values_are_read(tmp_path: Path) -> None:
    rows = (
        '<row r="2"><c r="B2"><f>1+1</f><v>2</v></c>'
        '<c r="C2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="D2" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="E2"><f>1+1</f></c></row>'
    )
    path = build_xlsx(tmp_path / "a.xlsx", sheets={"Cijfers": sheet_xml(rows)})
    [sheet], problems = read_workbook(path, "a.xlsx")
    assert problems == []
    assert sheet.rows[1][1:4] == [2.0, "ab", True]
    assert sheet.rows[1][4:] in ([], [None])  # never calculated: reads as empty


def test_trailing_empty_rows_are_dropped(tmp_path: Path) -> None:
    path = one_column(tmp_path / "a.xlsx", ["kop", 1, None, None, "   ", "\u00a0"])
    [sheet], _ = read_workbook(path, "a.xlsx")
    assert sheet.rows == [["kop"], [1.0]]


def test_guard_problems_come_back_without_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("calamine must not see a refused file")

    monkeypatch.setattr(reader.CalamineWorkbook, "from_path", parse, raising=False)
    path = build_xlsx(tmp_path / "a.xlsm", extra={"xl/vbaProject.bin": b"vba"})
    sheets, problems = read_workbook(path, "a.xlsm")
    assert (sheets, [p.code for p in problems]) == ([], ["macro_enabled"])
    assert problems[0].file == "a.xlsm"


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="1"><c r="A1"><v>1</v></row>',  # mismatched end tag
        '<row r="1"><c r="A1" t="s"><v>5</v></c></row>',  # no shared string 5
        '<row r="1"><c r="1A"><v>1</v></c></row>',  # not a cell reference
    ],
    ids=["bad XML", "missing shared string", "bad reference"],
)
def test_files_calamine_cannot_read_are_problems(tmp_path: Path, rows: str) -> None:
    path = build_xlsx(tmp_path / "a.xlsx", sheets={"Cijfers": sheet_xml(rows)})
    sheets, problems = read_workbook(path, "a.xlsx")
    assert (sheets, [p.code for p in problems]) == ([], ["unreadable"])
    assert "(" in problems[0].message and "Excel-werkmap" in problems[0].message


class PanicException(BaseException):
    """What a Rust panic inside calamine raises (pyo3_runtime.PanicException)."""


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (python_calamine.PasswordError("password required"), "encrypted"),
        (python_calamine.ZipError("invalid zip"), "unreadable"),
        (python_calamine.CalamineError("anything"), "unreadable"),
        (PanicException("index out of bounds"), "unreadable"),
    ],
    ids=lambda item: type(item).__name__ if isinstance(item, BaseException) else item,
)
def test_calamine_exceptions_become_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, code: str
) -> None:
    def parse(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(reader.CalamineWorkbook, "from_path", parse, raising=False)
    sheets, problems = read_workbook(build_xlsx(tmp_path / "a.xlsx"), "a.xlsx")
    assert (sheets, [p.code for p in problems]) == ([], [code])


def test_keyboard_interrupt_is_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(reader.CalamineWorkbook, "from_path", parse, raising=False)
    with pytest.raises(KeyboardInterrupt):
        read_workbook(build_xlsx(tmp_path / "a.xlsx"), "a.xlsx")


@pytest.mark.parametrize(
    ("row", "column", "name"),
    [
        (0, 0, "A1"),
        (6, 3, "D7"),
        (0, 25, "Z1"),
        (0, 26, "AA1"),
        (9, 51, "AZ10"),
        (0, 701, "ZZ1"),
        (0, 702, "AAA1"),
        (1_048_575, 16_383, "XFD1048576"),
    ],
)
def test_cell_name(row: int, column: int, name: str) -> None:
    assert cell_name(row, column) == name
