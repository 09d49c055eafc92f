"""The ingest pipeline: read workbook -> locate tables -> raw values -> resolve -> validate -> store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from ingest.columns import ColumnReading, How, label
from ingest.encoding import repair_text
from ingest.layout import raw_values
from ingest.locate import Layout, Table, locate_table
from ingest.periods import find_period
from ingest.problems import Problem, has_errors, problem
from ingest.reader import cell_name, read_workbook
from ingest.records import Record
from ingest.resolve import Defaults, Resolver
from ingest.store import StoreResult, file_sha256, store_upload
from ingest.validate import check_parts, deduplicate
from reference.areas import Reference, load_reference


@dataclass(frozen=True)
class Question:
    """A column the uploader must say the meaning of: where it is and the best suggestions."""

    sheet: str
    cell: str
    header: str
    suggestions: tuple[str, ...]  # element or role codes, best first


@dataclass(frozen=True)
class SheetReading:
    """How one column of one sheet was read, for the dry run to say."""

    sheet: str
    cell: str
    reading: ColumnReading

    @property
    def text(self) -> str:
        """`Kolom 'Aantal THV (voorl.)' (Blad1!C1) is gelezen als 'Tijdelijke huisverboden (totaal)' (gelijkend)`."""
        r = self.reading
        how = {
            How.HEADER: "",
            How.SIMILAR: " (de kop lijkt erop)",
            How.CONTENT: " (naar de inhoud)",
            How.GIVEN: " (zoals opgegeven)",
        }[r.how]
        if r.meaning == "ignore":
            return f"Kolom '{r.header}' ({self.sheet}!{self.cell}) wordt overgeslagen{how}."
        return f"Kolom '{r.header}' ({self.sheet}!{self.cell}) is gelezen als '{label(r.meaning)}'{how}."


@dataclass(frozen=True)
class FileResult:
    """What a file holds: its records, and every problem found in it."""

    file: str
    records: list[Record]
    problems: list[Problem]
    readings: list[SheetReading] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


SUGGESTIONS_SHOWN = 3


def _unknown_header_problems(table: Table, file: str) -> list[Problem]:
    """A question for each unread column holding counts; a warning for the other unread columns."""
    if table.layout is not Layout.WIDE:
        return []
    problems = []
    for column, text in table.unknown_headers.items():
        cell = cell_name(table.header_row, column)
        if (reading := table.questions.get(column)) is not None:
            shown = [f"'{label(code)}'" for code in _suggestions(reading.suggestions)[:SUGGESTIONS_SHOWN]]
            hint = f" (misschien {' of '.join(shown)})" if shown else ""
            problems.append(problem(file, "unmapped_column", table.sheet.name, cell, header=text, suggestions=hint))
        else:
            problems.append(problem(file, "unknown_header", table.sheet.name, cell, header=text))
    return problems


def _suggestions(codes: tuple[str, ...]) -> list[str]:
    """The suggestions worth offering for a column of counts: elements and the long layout's count."""
    from ingest.elements import ELEMENT_CODES

    return [code for code in codes if code in ELEMENT_CODES or code == "value"]


def _questions(table: Table) -> list[Question]:
    return [
        Question(
            table.sheet.name,
            cell_name(table.header_row, c),
            table.unknown_headers[c],
            tuple(_suggestions(r.suggestions)),
        )
        for c, r in table.questions.items()
    ]


def _readings(table: Table) -> list[SheetReading]:
    return [
        SheetReading(table.sheet.name, cell_name(table.header_row, c), reading)
        for c, reading in sorted(table.readings.items())
    ]


def read_file(
    path: Path,
    *,
    label: str | None = None,
    municipality: str | None = None,
    today: dt.date | None = None,
    reference: Reference | None = None,
    columns: Mapping[str, str] | None = None,
) -> FileResult:
    """Read, normalise and validate one file; store nothing. `columns` maps headers
    (`columns.header_key`) to what the uploader said they mean (`columns.COLUMN_CODES`)."""
    file = label or Path(path).name
    reference = reference or load_reference()
    sheets, problems = read_workbook(Path(path), file)
    if problems:
        return FileResult(file, [], problems)
    sheets, problems = repair_text(sheets, file)
    tables = [table for sheet in sheets if (table := locate_table(sheet, columns, reference)) is not None]
    if not tables:
        return FileResult(file, [], problems + [problem(file, "no_table")])
    resolver = Resolver(file, reference, today or dt.date.today())
    file_period = find_period(Path(file).stem)
    records: list[Record] = []
    readings: list[SheetReading] = []
    questions: list[Question] = []
    for table in tables:
        raws, layout_problems = raw_values(table, file)
        problems += layout_problems + _unknown_header_problems(table, file)
        readings += _readings(table)
        questions += _questions(table)
        defaults = Defaults(table.title_period or file_period, table.title_municipality or municipality)
        records += [r for raw in raws if (r := resolver.record(raw, defaults)) is not None]
    problems += resolver.problems.values()
    records, conflicts = deduplicate(records, file, reference)
    problems += conflicts + check_parts(records, file, reference)
    if not records and not has_errors(problems):
        problems.append(problem(file, "no_values"))
    return FileResult(file, records, problems, readings, questions)


def load_file(
    engine: Engine,
    path: Path,
    *,
    label: str | None = None,
    municipality: str | None = None,
    source: str = "",
    uploaded_by: str = "",
    uploaded_at: dt.datetime | None = None,
    today: dt.date | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[FileResult, StoreResult]:
    """Read one file and store it, all or nothing; every attempt is recorded as an upload."""
    result = read_file(path, label=label, municipality=municipality, today=today, columns=columns)
    stored = store_upload(
        engine,
        file_name=result.file,
        sha256=file_sha256(path) if Path(path).is_file() else "",
        records=result.records,
        problems=result.problems,
        source=source,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
    )
    return result, stored
