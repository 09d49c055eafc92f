"""Writers for the workbook layouts real sources send. They write cells as given; the choice of
what to write (names or codes, numbers or text, suppressed values) is made by the caller.

Written with openpyxl in write-only mode: fast, and a valid .xlsx a person can open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from ingest.elements import ELEMENTS
from reference.periods import Period

Cell = int | str | None

MONTH_SPANS = {1: "jan-mrt", 2: "apr-jun", 3: "jul-sep", 4: "okt-dec"}
VT_HEADER = (
    "Gemeentecode",
    "Gemeente",
    "Aantal THV",
    "THV kindermishandeling",
    "Preventief opgelegd",
)
LONG_HEADER = ("Gemeente", "Periode", "Onderdeel", "Aantal")


def month_span(period: Period) -> str:
    """The care providers' period notation: `jan-mrt 2024`."""
    return f"{MONTH_SPANS[period.quarter]} {period.year}"


def dutch_thousands(value: int) -> str:
    """A number as Dutch text with a thousands separator: 1234 -> `1.234`."""
    return f"{value:,}".replace(",", ".")


def _save(workbook: Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def municipality_title(name: str) -> str:
    return f"Monitor plegeraanpak — aanlevering gemeente {name}"


def write_template(
    path: Path,
    title: str,
    rows: Iterable[tuple[Cell, str, Mapping[str, Cell]]],
    *,
    with_municipality: bool = True,
) -> Path:
    """The official template: title, blank row, header on row 3 (`Gemeente`, `Kwartaal`, every
    element label), then one row per (municipality cell, period label, {element: cell})."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Aanlevering")
    ws.append([title])
    ws.append([])
    labels = [e.label for e in ELEMENTS]
    ws.append((["Gemeente"] if with_municipality else []) + ["Kwartaal"] + labels)
    for municipality, period_label, values in rows:
        cells = [values.get(e.code) for e in ELEMENTS]
        ws.append(([municipality] if with_municipality else []) + [period_label] + cells)
    return _save(wb, path)


def write_transposed(
    path: Path, title: str, period_labels: Sequence[str], values: Mapping[str, Mapping[str, Cell]]
) -> Path:
    """One column per quarter: `Onderdeel` with the element labels down column A.

    `values` maps element code -> period label -> cell.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Aanlevering")
    ws.append([title])
    ws.append([])
    ws.append(["Onderdeel", *period_labels])
    for element in ELEMENTS:
        column = values.get(element.code, {})
        ws.append([element.label, *(column.get(label) for label in period_labels)])
    return _save(wb, path)


def write_veilig_thuis(
    path: Path,
    region_name: str,
    notes: Sequence[str],
    sheets: Sequence[tuple[str, Sequence[tuple[str, str, int, int, int]]]],
) -> Path:
    """A Veilig Thuis year file: a `Toelichting` sheet of notes, then a sheet per quarter named by
    the quarter, holding (code, name, thv, km, preventief) rows, a `Regio totaal` row and a note."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Toelichting")
    for line in notes:
        ws.append([line])
    for sheet_name, rows in sheets:
        ws = wb.create_sheet(sheet_name)
        ws.append([f"Veilig Thuis {region_name} — tijdelijke huisverboden"])
        ws.append([])
        ws.append(list(VT_HEADER))
        for row in rows:
            ws.append(list(row))
        ws.append([None, "Regio totaal", *(sum(r[i] for r in rows) for i in (2, 3, 4))])
        ws.append([])
        ws.append(["Bron: registratie Veilig Thuis"])
    return _save(wb, path)


def write_long(path: Path, rows: Iterable[tuple[str, str, str, Cell]]) -> Path:
    """A long file: `Gemeente`, `Periode`, `Onderdeel`, `Aantal`, one row per count."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Gegevens")
    ws.append(list(LONG_HEADER))
    for row in rows:
        ws.append(list(row))
    return _save(wb, path)
