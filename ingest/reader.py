"""Read every worksheet of an uploaded .xlsx into plain Python rows, via python-calamine.

The file is first checked by `ingest.guard.inspect_file`; calamine only sees files that passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

from ingest.guard import inspect_file
from ingest.problems import Problem, problem

# Surrounding whitespace, including non-breaking, zero-width and byte-order-mark spaces.
_BLANK_EDGES = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_EDGE_CHARS = "\u200b\ufeff"


@dataclass(frozen=True)
class Sheet:
    """One worksheet; rows[r][c] is the cell at Excel row r+1, column c+1 (rows[0][0] is A1).

    `decimal_comma` is how a comma in a number reads: None in a workbook (as a thousands separator
    or, with a zero fraction, a decimal comma: `1,234`, `12,0`), True in a CSV file whose comma is
    the decimal mark (`;` or tab separated), False in a comma-separated CSV file (only `1,234`).
    """

    name: str
    rows: list[list[object]]
    decimal_comma: bool | None = None


def read_workbook(path: Path, label: str) -> tuple[list[Sheet], list[Problem]]:
    """Read all worksheets (visible and hidden, not chart sheets) with absolute cell positions.

    Values are what calamine gives: str, float (also for whole numbers), bool, date, datetime,
    time or timedelta; empty cells and blank strings are None and strings are stripped.
    Formulas read as the value Excel cached when it last calculated the file. A formula without a
    cached value (written by a program that never calculated it, such as openpyxl) reads as None,
    and so does an error value such as #DIV/0!.
    """
    problems = inspect_file(path, label)
    if problems:
        return [], problems
    return read_calamine(path, label)


def read_calamine(path: Path, label: str, by_content: bool = False) -> tuple[list[Sheet], list[Problem]]:
    """Every worksheet of a workbook that passed its guard; its format told by the path's extension,
    or by its content (`by_content`: an .ods saved under a temporary name)."""
    try:
        with _open_workbook(Path(path), by_content) as workbook:
            sheets = []
            for meta in workbook.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:  # chart, dialog and macro sheets
                    continue
                data = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                sheets.append(Sheet(meta.name, normalise(data)))
    except PasswordError:
        return [], [problem(label, "encrypted")]
    except MemoryError:  # the child's memory limit: not a damaged file but an unsafe one (ingest.isolation)
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on a bad file is a Problem
        return [], [problem(label, "unreadable", detail=_detail(exc))]
    except BaseException as exc:  # a Rust panic inside calamine surfaces as PanicException
        if type(exc).__name__ != "PanicException":
            raise
        return [], [problem(label, "unreadable", detail=_detail(exc))]
    return sheets, []


def _open_workbook(path: Path, by_content: bool) -> CalamineWorkbook:
    if not by_content:
        return CalamineWorkbook.from_path(str(path))
    with path.open("rb") as handle:  # calamine reads it whole; the guard bounded its size
        return CalamineWorkbook.from_filelike(handle)


def column_letter(col_index: int) -> str:
    """The letters of a zero-based column as Excel shows them: 0 -> "A", 3 -> "D", 26 -> "AA"."""
    letters = ""
    number = col_index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def cell_name(row_index: int, col_index: int) -> str:
    """The A1-style name of a zero-based position: (0, 0) -> "A1", (6, 3) -> "D7"."""
    return f"{column_letter(col_index)}{row_index + 1}"


def normalise(rows: list[list[object]]) -> list[list[object]]:
    """Blank strings to None, strings stripped, trailing empty rows dropped."""
    result = [[_value(cell) for cell in row] for row in rows]
    while result and all(cell is None for cell in result[-1]):
        result.pop()
    return result


def _value(cell: object) -> object:
    if isinstance(cell, str):
        first, last = cell[:1], cell[-1:]
        if first and not (first.isspace() or last.isspace() or first in _EDGE_CHARS or last in _EDGE_CHARS):
            return cell  # the common case, without a regular expression
        return _BLANK_EDGES.sub("", cell) or None
    return cell


def _detail(exc: BaseException) -> str:
    """A short, single-line reason for the user message."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
