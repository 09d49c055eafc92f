"""Turn a located table of any layout into raw values: one per non-empty count cell.

Nothing is interpreted here beyond the layout: municipality, quarter and count stay as the file
wrote them, each with its cell, for the resolving steps to read and to point at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ingest.elements import ELEMENTS_BY_CODE, element_for
from ingest.headers import Role, is_total_label
from ingest.locate import Layout, Table
from ingest.problems import Problem, problem
from ingest.reader import cell_name
from reference.periods import Period


@dataclass(frozen=True, slots=True)
class RawValue:
    """A count cell with the municipality and quarter the table gives it (None: none given)."""

    sheet: str
    cell: str
    element: str
    value: object
    municipality: object | None = None
    municipality_cell: str | None = None
    period: object | None = None  # a cell value, or a Period from a transposed header
    period_cell: str | None = None
    year: object | None = None


def _cell(row: list[object], column: int | None) -> object | None:
    return row[column] if column is not None and column < len(row) else None


def _first(row: list[object], columns: list[int]) -> tuple[object | None, int | None]:
    """The first non-empty cell among `columns` (codes before names when both are given)."""
    for column in columns:
        if (value := _cell(row, column)) is not None:
            return value, column
    return None, None


def _is_total_row(table: Table, row: list[object], first_data_column: int) -> bool:
    """A total or subtotal row: its municipality or period cell says so, or without those, its label on the left."""
    labels = table.columns(Role.MUNICIPALITY) + table.columns(Role.PERIOD) + table.columns(Role.YEAR)
    if not table.columns(Role.MUNICIPALITY):
        labels += [c for c in range(first_data_column) if c not in table.roles]
    return any(is_total_label(_cell(row, c)) for c in labels)


def _context(table: Table, row: list[object], r: int) -> dict:
    """The municipality, period and year a row gives, with their cells."""
    municipality, m_col = _first(row, table.columns(Role.MUNICIPALITY))
    period, p_col = _first(row, table.columns(Role.PERIOD))
    year, _ = _first(row, table.columns(Role.YEAR))
    return {
        "municipality": municipality,
        "municipality_cell": cell_name(r, m_col) if m_col is not None else None,
        "period": period,
        "period_cell": cell_name(r, p_col) if p_col is not None else None,
        "year": year,
    }


def _wide(table: Table) -> Iterator[RawValue]:
    first_data_column = min(table.elements)
    for r in range(table.header_row + 1, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        cells = [(c, _cell(row, c)) for c in table.elements]
        if all(value is None for _, value in cells) or _is_total_row(table, row, first_data_column):
            continue  # blank, note or total row
        context = _context(table, row, r)
        for column, value in cells:
            if value is not None:
                yield RawValue(table.sheet.name, cell_name(r, column), table.elements[column], value, **context)


def _long(table: Table, problems: list[Problem], label: str) -> Iterator[RawValue]:
    element_column = table.columns(Role.ELEMENT)[0]
    value_column = table.columns(Role.VALUE)[0]
    for r in range(table.header_row + 1, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        name, value = _cell(row, element_column), _cell(row, value_column)
        if value is None or _is_total_row(table, row, element_column):
            continue
        element = element_for(name) if isinstance(name, str) else None
        if element is None:
            if name is not None and not is_total_label(name):
                problems.append(
                    problem(label, "unknown_element", table.sheet.name, cell_name(r, element_column), text=name)
                )
            continue
        yield RawValue(table.sheet.name, cell_name(r, value_column), element, value, **_context(table, row, r))


def _transposed(table: Table, problems: list[Problem], label: str) -> Iterator[RawValue]:
    for r in range(table.header_row + 1, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        name = _cell(row, table.element_column)
        cells = [(c, _cell(row, c)) for c in table.periods]
        element = element_for(name) if isinstance(name, str) else None
        total = element is None and is_total_label(name)
        if all(value is None for _, value in cells) or total or _is_total_row(table, row, table.element_column):
            continue
        if element is None:
            if name is not None:
                where = cell_name(r, table.element_column)
                problems.append(problem(label, "unknown_element", table.sheet.name, where, text=name))
            continue
        context = _context(table, row, r)
        for column, value in cells:
            if value is not None:
                period: Period = table.periods[column]
                yield RawValue(
                    table.sheet.name, cell_name(r, column), element, value,
                    context["municipality"], context["municipality_cell"],
                    period, cell_name(table.header_row, column),
                )  # fmt: skip


def _duplicate_headers(table: Table, label: str) -> list[Problem]:
    """Two columns of a wide table read as the same data element: which one counts is not for us to guess."""
    columns: dict[str, list[int]] = {}
    for column, element in sorted(table.elements.items()):
        columns.setdefault(element, []).append(column)
    return [
        problem(label, "duplicate_header", table.sheet.name, cell_name(table.header_row, same[0]),
                cells=" en ".join(cell_name(table.header_row, c) for c in same), label=ELEMENTS_BY_CODE[element].label)
        for element, same in columns.items()
        if len(same) > 1
    ]  # fmt: skip


def raw_values(table: Table, label: str) -> tuple[list[RawValue], list[Problem]]:
    """Every non-empty count cell of `table` with its context; rows that are totals or notes are left out."""
    problems: list[Problem] = []
    if table.layout is Layout.WIDE:
        problems += _duplicate_headers(table, label)
        values = list(_wide(table))
    elif table.layout is Layout.LONG:
        values = list(_long(table, problems, label))
    else:
        values = list(_transposed(table, problems, label))
    return values, problems
