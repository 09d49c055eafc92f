"""The export table (the columns other tools rely on, DOMAIN.md) and writing it as CSV or xlsx."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, TextIO

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from indicators.aggregate import LEVELS, aggregate
from reference.areas import Reference

EXPORT_COLUMNS = (
    "level", "area_code", "area_name", "period", "indicator", "numerator", "denominator",
    "value", "ci_low", "ci_high", "reported", "expected",
)  # fmt: skip
FORMATS = ("csv", "xlsx")
INTEGER_COLUMNS = ("numerator", "denominator", "reported", "expected")
FRACTION_COLUMNS = ("value", "ci_low", "ci_high")
DECIMALS = 6  # proportions as fractions: 0.123457
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE = "indicatoren"
MAX_COLUMN_WIDTH = 60


def export_table(values: pd.DataFrame, reference: Reference, level: str | None = None) -> pd.DataFrame:
    """The export rows for one level (or all three), with exactly `EXPORT_COLUMNS`."""
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    table = aggregate(values, reference)
    if level is not None:
        table = table.loc[table["level"] == level]
    return table[list(EXPORT_COLUMNS)].reset_index(drop=True)


def public_export_table(engine, level: str | None = None) -> pd.DataFrame:
    """The export rows as a user without full rights sees them (`indicators.suppression`): regions and the
    nation per quarter, small numbers and what would reveal them left empty. Same columns."""
    from indicators.table import read_indicators

    if level == "municipality":
        raise ValueError("municipality figures are never exported suppressed")
    table = read_indicators(engine, level=level, public=True)
    table = table.loc[table["period"].astype(str).str.contains("Q", regex=False)]
    return table[list(EXPORT_COLUMNS)].reset_index(drop=True)


def write_export(table: pd.DataFrame, out: Path | str | TextIO | BinaryIO, fmt: str) -> None:
    """Write the export table to a path or an open stream (stdout for csv) as csv or xlsx."""
    if fmt == "csv":
        _write_csv(table, out)
    elif fmt == "xlsx":
        _write_xlsx(table, out)
    else:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _write_csv(table: pd.DataFrame, out: Path | str | TextIO) -> None:
    text = _csv_cells(table).to_csv(index=False, lineterminator="\n")
    if isinstance(out, str | Path):
        Path(out).write_text(text, encoding="utf-8")
    else:
        out.write(text)


def _csv_cells(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers as text: integers without `.0`, fractions to six decimals; missing stays empty."""
    cells = table.copy()
    for column in INTEGER_COLUMNS:
        if column in cells:
            integers = cells[column].astype("Int64")
            cells[column] = integers.astype(str).where(integers.notna(), "")
    for column in FRACTION_COLUMNS:
        if column in cells:
            numbers = cells[column].to_numpy(float, na_value=np.nan).tolist()
            cells[column] = [_decimal(number) for number in numbers]
    return cells


def _decimal(number: float) -> str:
    """`0.123457`, `0.2`, `17`: fixed point (never `1e-06`), trailing zeros dropped."""
    if number != number:  # NaN
        return ""
    return f"{number:.{DECIMALS}f}".rstrip("0").rstrip(".")


def _write_xlsx(table: pd.DataFrame, out: Path | str | TextIO | BinaryIO) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    columns = list(table.columns)
    rows = [[_cell_value(v) for v in row] for row in table.itertuples(index=False, name=None)]
    for index, column in enumerate(columns, start=1):
        longest = max([len(str(column))] + [len(str(row[index - 1])) for row in rows[:1000]])
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, MAX_COLUMN_WIDTH)
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, column, font=bold) for column in columns])
    for row in rows:
        sheet.append([_guarded(sheet, v) for v in row])
    if isinstance(out, str | Path):
        workbook.save(out)
        return
    buffer = io.BytesIO()
    workbook.save(buffer)
    if hasattr(out, "buffer"):  # a text stream such as sys.stdout: write the bytes underneath
        out.flush()
        out = out.buffer
    out.write(buffer.getvalue())


def _cell_value(value: object) -> object:
    """A plain Python value for openpyxl; None for missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (for CSV files)."""
    guarded = frame.copy()
    for column in guarded.columns:
        if guarded[column].dtype == object or pd.api.types.is_string_dtype(guarded[column]):
            guarded[column] = [
                f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in guarded[column]
            ]
    return guarded


def _guarded(sheet, value: object) -> object:
    """Strings that a spreadsheet would read as a formula become explicit text cells."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return _text_cell(sheet, value)
    return value


def _text_cell(sheet, text: str, font: Font | None = None) -> WriteOnlyCell:
    """A cell that always holds text: a leading `=`, `+`, `-`, `@` must not become a formula."""
    cell = WriteOnlyCell(sheet, value=text)
    if text.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell
