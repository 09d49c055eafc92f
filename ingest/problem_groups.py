"""Problems a person can read: one cause, one line.

A column whose cells all have the same problem (every quarter written `2024KW01`, every count
with a decimal comma) gives one `ProblemGroup` — "Blad1, kolom B, rij 5–340 (336 cellen)" with
the first cell's message — instead of 336 identical lines. The same for a row (a transposed
file: one element, a column per quarter). Fewer than `GROUP_MIN` cells stay single lines, and
problems without a cell (about the whole file or sheet) pass as they are, once. Pure: the lists of
`Problem`s are not changed, and the download of the problems still names every cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.problems import Problem, Severity

GROUP_MIN = 3  # this many cells with the same problem in one column (or row) become one line
_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class ProblemGroup:
    """One line for the reader: one problem, or the same problem in several cells of a column or row."""

    file: str
    sheet: str | None
    code: str
    severity: Severity
    place: str  # "D7", "kolom B, rij 5–340 (336 cellen)", "" for the whole file or sheet
    message: str  # the message of the first problem (for a group: and that the others are alike)
    problems: tuple[Problem, ...]

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def where(self) -> str:
        """As `Problem.where`: `Blad1!D7`, `Blad1, kolom B, rij 5–340 (336 cellen)`, `Blad1` or the file."""
        if len(self.problems) == 1:
            return self.problems[0].where
        return f"{self.sheet}, {self.place}" if self.sheet else self.place


def split_cell(cell: str | None) -> tuple[str, int] | None:
    """`"D7"` -> ("D", 7); anything else -> None."""
    match = _CELL.match(cell or "")
    return (match[1], int(match[2])) if match else None


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def group_problems(problems: Sequence[Problem], minimum: int = GROUP_MIN) -> list[ProblemGroup]:
    """The problems as lines to read, in the order of their first problem; exact repeats once."""
    unique = list(dict.fromkeys(problems))
    by_column: dict[tuple, list[Problem]] = {}
    for p in unique:
        if (split := split_cell(p.cell)) is not None:
            by_column.setdefault((p.file, p.sheet, p.code, split[0]), []).append(p)
    grouped: dict[Problem, ProblemGroup] = {}
    for (_, _, _, letters), members in by_column.items():
        if len(members) >= minimum:
            rows = [split_cell(p.cell)[1] for p in members]
            grouped.update(dict.fromkeys(members, _group(members, f"kolom {letters}, rij {_span(rows)}")))
    by_row: dict[tuple, list[Problem]] = {}
    for p in unique:
        if p not in grouped and (split := split_cell(p.cell)) is not None:
            by_row.setdefault((p.file, p.sheet, p.code, split[1]), []).append(p)
    for (_, _, _, row), members in by_row.items():
        if len(members) >= minimum:
            columns = sorted((split_cell(p.cell)[0] for p in members), key=column_number)
            span = columns[0] if len(set(columns)) == 1 else f"{columns[0]}–{columns[-1]}"
            grouped.update(dict.fromkeys(members, _group(members, f"rij {row}, kolom {span}")))
    result: list[ProblemGroup] = []
    seen: set[int] = set()
    for p in unique:
        group = grouped.get(p) or _group([p], p.cell or "")
        if id(group) not in seen:
            seen.add(id(group))
            result.append(group)
    return result


def _group(members: list[Problem], place: str) -> ProblemGroup:
    first, message = members[0], members[0].message
    if len(members) > 1:
        place = f"{place} ({_dutch_int(len(members))} cellen)"
        others = _dutch_int(len(members) - 1)
        message += f" Zo ook in de andere {others} cellen; de download van de meldingen noemt elke cel."
    return ProblemGroup(first.file, first.sheet, first.code, first.severity, place, message, tuple(members))


def _dutch_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _span(numbers: list[int]) -> str:
    low, high = min(numbers), max(numbers)
    return str(low) if low == high else f"{low}–{high}"
