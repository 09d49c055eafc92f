"""Recognise columns and rows by what they hold, whatever the header says.

- A column whose values are mostly municipality codes or names is the municipality column; the
  same for periods (`2024 K1`, `2024KW01`, dates) and years. Numbers never count as municipality
  codes here: a column of counts would look like one.
- Rows right under the header that hold only units or notes (`aantal`, `%`, `(x 1)`, as CBS
  StatLine writes a unit row under each topic) are not data.
- A column with an unread header holding counts is a question for the uploader (`holds_counts`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ingest.headers import Role
from ingest.municipality import is_known
from ingest.periods import other_period, parse_period
from ingest.values import read_count
from reference.areas import Reference
from reference.text import fold

SAMPLE_ROWS = 200  # the rows looked at to say what a column holds
MOSTLY = 0.8  # the share of a column's values that must agree
MAX_UNIT_ROWS = 3
UNIT_TEXTS = re.compile(
    r"^(?:|aantal(?:len)?|absoluut|abs|personen|aantal personen|procent|percentage|eenheid|euro|n|x|"
    r"x \d+(?: \d{3})*|aantal x \d+(?: \d{3})*|bedrag|getal|cijfer|cijfers)$"
)  # folded: `%` folds to the empty string, `(x 1 000)` to `x 1 000`


def _is_unit(cell: object) -> bool:
    return isinstance(cell, str) and bool(UNIT_TEXTS.match(fold(cell)))


def data_start(rows: list[list[object]], header_row: int, count_columns: list[int]) -> int:
    """The first row after the header that is not a unit or note row (at most `MAX_UNIT_ROWS` skipped)."""
    start = header_row + 1
    for r in range(header_row + 1, min(header_row + 2 + MAX_UNIT_ROWS, len(rows))):
        cells = [rows[r][c] for c in count_columns if c < len(rows[r]) and rows[r][c] is not None]
        if not cells:
            continue  # a second header row (`Regio's | Perioden`) or a blank row: no data either
        if not all(_is_unit(cell) for cell in cells):
            break
        start = r + 1
    return start


def _values(rows: list[list[object]], start: int, column: int, data: list[int] | None = None) -> Iterator[object]:
    """A column's values below the header; with `data`, only in rows holding something in those columns."""
    for row in rows[start : start + SAMPLE_ROWS]:
        if data and all(c >= len(row) or row[c] is None for c in data):
            continue  # a note, title or blank row, not data
        if column < len(row) and row[column] is not None:
            yield row[column]


def _mostly(values: list[object], test) -> bool:
    return len(values) > 0 and sum(1 for v in values if test(v)) >= MOSTLY * len(values)


def _is_year(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float) and float(value).is_integer():
        return 2000 <= value <= 2099
    return isinstance(value, str) and value.strip().isdigit() and 2000 <= int(value.strip()) <= 2099


def _is_period(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    return isinstance(value, str) and (parse_period(value) is not None or other_period(value) is not None)


def _is_municipality(value: object, reference: Reference) -> bool:
    if not isinstance(value, str) or (value.strip().isdigit() and len(value.strip()) != 4):
        return False  # `12` as text is a count; `0363` is a code
    return is_known(value, reference)


def content_role(values: list[object], reference: Reference) -> Role | None:
    """The role a column's values say it has: municipality, period or year; None when they do not agree."""
    if all(isinstance(v, str) for v in values) and _mostly(values, lambda v: _is_municipality(v, reference)):
        return Role.MUNICIPALITY
    if _mostly(values, _is_period):
        return Role.PERIOD
    if _mostly(values, _is_year):
        return Role.YEAR
    return None


def content_roles(
    rows: list[list[object]],
    start: int,
    columns: list[int],
    present: set[Role],
    reference: Reference,
    data: list[int] | None = None,
) -> list[tuple[int, Role]]:
    """The open columns whose values say they hold the municipality, the period or the year, for each
    of those roles the header did not already give (the first such column)."""
    found: list[tuple[int, Role]] = []
    taken = set(present)
    for column in columns:
        values = list(_values(rows, start, column, data))
        role = content_role(values, reference) if values else None
        if role is not None and role not in taken:
            found.append((column, role))
            taken.add(role)
    return found


def has_values(rows: list[list[object]], start: int, column: int, data: list[int] | None = None) -> bool:
    """Whether a column holds anything below the header (with `data`: in the rows holding data there)."""
    return next(_values(rows, start, column, data), None) is not None


def holds_counts(rows: list[list[object]], start: int, column: int, data: list[int] | None = None) -> bool:
    """Whether most of a column's values read as counts (numbers, `1.234`, `<5`); with `data`, only
    the values in rows holding something in those columns (not a note under the table)."""
    values = list(_values(rows, start, column, data))

    def is_count(value: object) -> bool:
        count = read_count(value)
        return count.value is not None or count.suppressed

    return len(values) > 0 and sum(map(is_count, values)) * 2 >= len(values)
