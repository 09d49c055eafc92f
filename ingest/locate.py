"""Find the table in a sheet: its header row, its layout and what each column means.

Three layouts occur in real exports:
- wide: one column per data element, one row per municipality and/or quarter;
- long: a column naming the element and a column with the count;
- transposed: the elements down one column, one column per quarter.
Cells above the header (titles, "Gemeente: Utrecht", "Periode: 2024 K1") give defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ingest.columns import Answers, ColumnReading, How, given_meaning
from ingest.content import content_roles, data_start, has_values, holds_counts
from ingest.elements import ELEMENT_CODES, element_for
from ingest.headers import Role, classify, element_of, meaning_of, read_header, role_for
from ingest.periods import find_period, parse_period
from ingest.reader import Sheet, column_letter
from ingest.recognise import Reading
from reference.areas import Reference
from reference.periods import Period
from reference.text import fold

HEADER_SEARCH_ROWS = 200  # a header further down than this is not a header


class Layout(StrEnum):
    WIDE = "wide"
    LONG = "long"
    TRANSPOSED = "transposed"


@dataclass
class Table:
    """A located table: where its header is and what each column means."""

    sheet: Sheet
    layout: Layout
    header_row: int  # 0-based
    roles: dict[int, Role] = field(default_factory=dict)  # column -> structural role
    elements: dict[int, str] = field(default_factory=dict)  # wide: column -> element code
    periods: dict[int, Period] = field(default_factory=dict)  # transposed: column -> quarter
    element_column: int | None = None  # transposed: the column naming the elements
    unknown_headers: dict[int, str] = field(default_factory=dict)  # column -> header text
    title_period: Period | None = None  # from the cells above the header or the sheet name
    title_municipality: object | None = None  # from "Gemeente: ..." above the header
    readings: dict[int, ColumnReading] = field(default_factory=dict)  # column -> how it was read
    questions: dict[int, Reading] = field(default_factory=dict)  # unread columns holding counts
    data_row: int | None = None  # the first row after the header that is not units or notes

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1 if self.data_row is None else self.data_row

    def columns(self, role: Role) -> list[int]:
        """The columns with `role`; for municipalities, code columns before name columns."""
        columns = [c for c, r in self.roles.items() if r is role]
        if role is Role.MUNICIPALITY:
            header = self.sheet.rows[self.header_row]
            columns.sort(key=lambda c: not _names_a_code(header[c]))
        return columns


def _names_a_code(header: object) -> bool:
    return bool({"code", "cbs", "nummer", "gemeentecode", "gemeentenummer"} & set(fold(header).split()))


def _header_row_score(row: list[object], given: Mapping[str, str]) -> int:
    """How much a row looks like a header: structural headers weigh double, an element counts once."""
    roles, elements, periods = 0, set(), 0
    for cell in row:
        if cell is None:
            continue
        meaning = given_meaning(cell, given) or classify(cell)
        if isinstance(meaning, Role):
            roles += 1
        elif meaning:
            elements.add(meaning)  # a data row naming one element twice (code and label) counts once
        elif parse_period(cell) is not None:
            periods += 1
    return 2 * roles + len(elements) + periods


def _element_column(sheet: Sheet, header_row: int, before: int) -> int | None:
    """The column left of `before` naming the most elements below the header: two or more, or one
    under an `Onderdeel` header."""
    best, best_count = None, 0
    for column in range(before):
        count = sum(
            1
            for row in sheet.rows[header_row + 1 :]
            if column < len(row) and isinstance(row[column], str) and element_of(row[column])
        )
        headed = role_for(sheet.rows[header_row][column]) is Role.ELEMENT
        if count > best_count and (count >= 2 or headed):
            best, best_count = column, count
    return best


def _title_defaults(sheet: Sheet, header_row: int) -> tuple[Period | None, object | None]:
    """A quarter and a municipality named above the header, e.g. `Periode: 2024 K1`."""
    labelled_period, loose_period, municipality = None, None, None
    for row in sheet.rows[:header_row]:
        cells = [c for c in row if c is not None]
        for i, cell in enumerate(cells):
            label, _, rest = str(cell).partition(":")
            after = rest.strip() or (cells[i + 1] if i + 1 < len(cells) else None)
            role = role_for(label)
            if role is Role.MUNICIPALITY and after and municipality is None:
                municipality = after
            elif role is Role.PERIOD and after and labelled_period is None:
                labelled_period = parse_period(after)
            elif loose_period is None and isinstance(cell, str):
                loose_period = parse_period(cell) or find_period(cell)
    # "Periode: 2024 K1" says more than a quarter mentioned in a title or a date such as "aangemaakt op".
    return labelled_period or loose_period, municipality


def locate_table(
    sheet: Sheet, given: Mapping[str, str] | None = None, reference: Reference | None = None
) -> Table | None:
    """Find the header row and layout of the table in `sheet`, or None when it holds no table.

    `given` maps headers (`columns.header_key`) to what the uploader said they mean; with a
    `reference`, columns are also recognised by what they hold (municipalities, periods, years)."""
    given = given or {}
    scored = []
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        if sum(cell is not None for cell in row) < 2:
            continue  # a header names at least two known things
        if (score := _header_row_score(row, given)) >= 2:
            scored.append((-score, index))
    # The row that names the most known things is most likely the header (the first of equals);
    # try the others after it.
    for _, index in sorted(scored):
        table = _table_at(sheet, index, given)
        if table is not None:
            _read_content(table, given, reference)
            table.title_period, table.title_municipality = _title_defaults(sheet, index)
            if table.title_period is None:
                table.title_period = find_period(sheet.name)
            return table
    return None


def _read(cell: object, given: Mapping[str, str]) -> tuple[Role | str | None, Reading | None, How, str]:
    """A header cell's meaning, its reading, how it was found, and the source whose mapping gave it."""
    if (meaning := given_meaning(cell, given)) is not None:
        how, source = given.how(cell) if isinstance(given, Answers) else (How.GIVEN, "")
        return meaning, None, how, source
    reading = read_header(cell)
    how = How.HEADER if role_for(cell) is not None or element_for(cell) is not None else How.SIMILAR
    return meaning_of(reading), reading, how, ""


def _table_at(sheet: Sheet, index: int, given: Mapping[str, str]) -> Table | None:
    """Interpret row `index` as the header row; None when it is not one."""
    row = sheet.rows[index]
    roles: dict[int, Role] = {}
    elements: dict[int, str] = {}
    periods: dict[int, Period] = {}
    unknown: dict[int, str] = {}
    readings: dict[int, ColumnReading] = {}
    partial: dict[int, Reading] = {}
    for column, cell in enumerate(row):
        if cell is None:
            continue
        meaning, reading, how, source = _read(cell, given)
        if meaning is not None and isinstance(cell, str):
            score = reading.score if reading else 1.0
            readings[column] = ColumnReading(column, cell, str(meaning), how, score, source)
        if isinstance(meaning, Role):
            roles[column] = meaning
        elif meaning:
            elements[column] = meaning
        elif (period := parse_period(cell)) is not None:
            periods[column] = period
        elif isinstance(cell, str):
            unknown[column] = cell
            if reading is not None:
                partial[column] = reading
    present = set(roles.values())
    table = None
    if elements:
        table = Table(sheet, Layout.WIDE, index, roles, elements, unknown_headers=unknown)
    elif Role.ELEMENT in present and Role.VALUE in present:
        table = Table(sheet, Layout.LONG, index, roles, unknown_headers=unknown)
    elif periods and Role.PERIOD not in present:  # `Periode | 2024 K1` is a label with its value
        first_period_column = min(periods)
        element_column = _element_column(sheet, index, first_period_column)
        if element_column is not None:
            roles.pop(element_column, None)
            readings.pop(element_column, None)
            table = Table(
                sheet,
                Layout.TRANSPOSED,
                index,
                roles,
                periods=periods,
                element_column=element_column,
                unknown_headers={c: t for c, t in unknown.items() if c != element_column},
            )
    if table is None:
        return None
    if table.layout is Layout.WIDE:
        # Beside element columns, `Aantal` or `Omschrijving` does not say which count a column holds.
        for column, role in list(table.roles.items()):
            if (
                role in (Role.VALUE, Role.ELEMENT)
                and isinstance(row[column], str)
                and readings[column].how not in (How.GIVEN, How.REMEMBERED)
            ):
                del table.roles[column], readings[column]
                table.unknown_headers[column] = row[column]
                partial[column] = read_header(row[column]) or Reading(row[column], None, 0.0)
    table.readings = readings
    table.questions = {c: partial.get(c) or Reading(t, None, 0.0) for c, t in table.unknown_headers.items()}
    return table


def _read_content(table: Table, given: Mapping[str, str], reference: Reference | None) -> None:
    """Skip unit rows; recognise columns by what they hold; keep as questions the unread count columns."""
    if table.layout is not Layout.TRANSPOSED:
        table.data_row = data_start(
            table.sheet.rows, table.header_row, list(table.elements) or table.columns(Role.VALUE)
        )
    header = table.sheet.rows[table.header_row]
    if table.layout is Layout.WIDE:
        _read_headerless(table, given)
    open_columns = [
        c
        for c in range(len(header))
        if c not in table.elements
        and c != table.element_column
        and c not in table.periods
        and table.roles.get(c) in (None, Role.IGNORE)
        and given_meaning(column_letter(c) if header[c] is None else header[c], given) is None
    ]
    if reference is not None:
        present = set(table.roles.values())
        data = list(table.elements) or table.columns(Role.VALUE) or list(table.periods)
        found = content_roles(table.sheet.rows, table.first_data_row, open_columns, present, reference, data)
        for column, role in found:
            table.roles[column] = role
            table.unknown_headers.pop(column, None)
            text = "" if header[column] is None else str(header[column])
            table.readings[column] = ColumnReading(column, text, str(role), How.CONTENT, 1.0)
    table.questions = {
        c: reading
        for c, reading in table.questions.items()
        if c in table.unknown_headers
        and table.layout is Layout.WIDE
        and holds_counts(table.sheet.rows, table.first_data_row, c)
    }
    if table.layout is Layout.WIDE:
        _ask_headerless(table)


def _headerless(table: Table) -> list[int]:
    """The columns of a wide table without a header that hold something in its data rows."""
    header = table.sheet.rows[table.header_row]
    data = list(table.elements)
    return [
        c
        for c in range(len(header))
        if header[c] is None and c not in table.elements and c not in table.roles and has_values(
            table.sheet.rows, table.first_data_row, c, data)
    ]  # fmt: skip


def _read_headerless(table: Table, given: Mapping[str, str]) -> None:
    """A column without a header that the uploader (or the source's mapping) named by its letter."""
    for column in _headerless(table):
        letter = column_letter(column)
        if (meaning := given_meaning(letter, given)) is None:
            continue
        how, source = given.how(letter) if isinstance(given, Answers) else (How.GIVEN, "")
        if isinstance(meaning, Role):
            table.roles[column] = meaning
        else:
            table.elements[column] = meaning
        table.readings[column] = ColumnReading(column, "", str(meaning), how, 1.0, source)


HEADERLESS_SUGGESTIONS = 3  # a column without a header: the elements the template has next, missing here


def _ask_headerless(table: Table) -> None:
    """A column without a header holding counts beside the element columns is a question, as an
    unrecognised header is: never skipped silently (issue 9). With no header to score, the
    suggestions are the elements that follow its left neighbour in the template and are missing."""
    present = set(table.elements.values())
    for column in _headerless(table):
        if not holds_counts(table.sheet.rows, table.first_data_row, column, list(table.elements)):
            continue
        left = [c for c in table.elements if c < column]
        start = ELEMENT_CODES.index(table.elements[max(left)]) + 1 if left else 0
        following = [code for code in ELEMENT_CODES[start:] if code not in present][:HEADERLESS_SUGGESTIONS]
        table.unknown_headers[column] = ""
        table.questions[column] = Reading("", None, 0.0, tuple((code, 0.0) for code in following))
