"""Build small literal workbooks in tmp_path for the tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl

TEMPLATE_HEADER = ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"]


def write_workbook(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    """Write `sheets` (name -> rows, None for an empty cell) to `path`; rows start at A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        if name in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path
