"""The ingest pipeline: read file (in a child) -> locate tables -> raw values -> resolve -> validate -> store."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.columns import Answers, ColumnReading, How, NamedColumn, column_name, column_title, label
from ingest.encoding import repair_text
from ingest.isolation import read_workbook_isolated
from ingest.layout import raw_values
from ingest.locate import Layout, Table, locate_table
from ingest.periods import find_period
from ingest.plausibility import History, history_span, outlier_warnings
from ingest.problems import Problem, has_errors, problem
from ingest.reader import cell_name
from ingest.records import Record
from ingest.resolve import Defaults, Resolver
from ingest.validate import check_parts, deduplicate
from reference.areas import Reference, load_reference

if TYPE_CHECKING:  # storing needs SQLAlchemy; checking a file does not, and starts faster without it
    from sqlalchemy import Engine

    from ingest.store import StoreResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question(NamedColumn):
    """A column the uploader must say the meaning of: where it is and the best suggestions."""

    sheet: str
    cell: str
    header: str  # "" for a column without a header
    suggestions: tuple[str, ...]  # element or role codes, best first
    column: int = 0


@dataclass(frozen=True)
class SheetReading:
    """How one column of one sheet was read, for the dry run to say."""

    sheet: str
    cell: str
    reading: ColumnReading

    @property
    def text(self) -> str:
        """`Kolom 'Aantal THV (voorl.)' (Blad1!C1) is gelezen als 'Tijdelijke huisverboden (totaal)' (…)`."""
        r = self.reading
        how = {
            How.HEADER: "",
            How.SIMILAR: " (de kop lijkt erop)",
            How.CONTENT: " (naar de inhoud)",
            How.GIVEN: " (zoals opgegeven)",
            How.REMEMBERED: f" (volgens de koppeling van {r.source})",
        }[r.how]
        if r.meaning == "ignore":
            return f"Kolom {r.title} ({self.sheet}!{self.cell}) wordt overgeslagen{how}."
        return f"Kolom {r.title} ({self.sheet}!{self.cell}) is gelezen als '{label(r.meaning)}'{how}."


@dataclass(frozen=True)
class FileResult:
    """What a file holds: its records, and every problem found in it, and how its columns were read."""

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
            problems.append(problem(file, "unmapped_column", table.sheet.name, cell, column=column_title(text, column),
                                    name=column_name(text, column), suggestions=hint))  # fmt: skip
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
            c,
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
    remembered: Mapping[str, str] | None = None,
    source: str = "",
    engine: Engine | None = None,
) -> FileResult:
    """Read (guard and reader for its format, in a child process), normalise and validate one file;
    store nothing. `columns` maps headers (`columns.header_key`) to what the uploader said they mean
    (`columns.COLUMN_CODES`), over what `source`'s remembered mapping says (`remembered`, from
    `ingest.mappings`). With `engine`, values far outside the stored history are warned about
    (`ingest.plausibility`). Never raises on a file: an unexpected failure is logged and the file
    refused as unreadable (a page or a batch must go on)."""
    file = label or Path(path).name
    try:
        answers = Answers(columns, remembered, source)
        return _read_file(Path(path), file, municipality, today, reference or load_reference(), answers, engine)
    except Exception as exc:  # the guard and reader fail closed; this is the last net
        log.exception("reading %r failed", file)
        return FileResult(file, [], [problem(file, "unreadable", detail=f"interne fout: {type(exc).__name__}")])


def _read_file(
    path: Path,
    file: str,
    municipality: str | None,
    today: dt.date | None,
    reference: Reference,
    columns: Mapping[str, str],
    engine: Engine | None,
) -> FileResult:
    sheets, problems = read_workbook_isolated(Path(path), file)
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
        defaults = Defaults(
            table.title_period or file_period, table.title_municipality or municipality, table.sheet.decimal_comma
        )
        records += [r for raw in raws if (r := resolver.record(raw, defaults)) is not None]
    problems += resolver.problems.values()
    records, conflicts = deduplicate(records, file, reference)
    problems += conflicts + check_parts(records, file, reference)
    if not records and not has_errors(problems):
        problems.append(problem(file, "no_values"))
    problems += outlier_warnings(records, _stored_history(engine, records), file)
    return FileResult(file, records, problems, readings, questions)


def _stored_history(engine: Engine | None, records: list[Record]) -> History:
    """The stored values the records' plausibility is judged against; none without a database."""
    span = history_span(records)
    if engine is None or span is None:
        return {}
    from db.values import recent_values  # here: `check` without a database needs no SQLAlchemy

    return recent_values(engine, {r.municipality for r in records}, *span)


@dataclass(frozen=True)
class Delivery:
    """One file to load, and who delivered it."""

    path: Path | None  # None: the file never arrived whole (`refused` says why)
    label: str | None = None  # the name shown and stored; the file's name when None
    municipality: str | None = None  # the municipality of a single-municipality file
    source: str = ""
    uploaded_by: str = ""
    uploaded_at: dt.datetime | None = None
    refused: tuple[Problem, ...] = ()  # refused before reading (an upload that could not be decoded)
    columns: Mapping[str, str] | None = None  # what the uploader said columns mean (`read_file`)
    mapping_source: str = ""  # whose remembered mapping applies, and keeps what `columns` says once stored


Check = Callable[[FileResult], FileResult]  # a further check between reading and storing (the upload page's scope)
Loaded = tuple[Delivery, FileResult, "StoreResult"]


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
    check: Check | None = None,
    columns: Mapping[str, str] | None = None,
    mapping_source: str = "",
) -> tuple[FileResult, StoreResult]:
    """Read one file and store it, all or nothing; every attempt is recorded as an upload.

    Does not refresh the indicator table: `load_files` does, once for all its files."""
    from ingest import mappings
    from ingest.store import file_sha256, store_upload

    remembered = mappings.remembered(engine, mapping_source)
    result = read_file(path, label=label, municipality=municipality, today=today, columns=columns,
                       remembered=remembered, source=mapping_source, engine=engine)  # fmt: skip
    if check is not None:
        result = check(result)
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
    if stored.status == "stored" and columns:
        mappings.remember(engine, mapping_source, columns, actor=uploaded_by or "onbekend")
    return result, stored


def load_files(
    engine: Engine,
    deliveries: Iterable[Delivery],
    *,
    today: dt.date | None = None,
    check: Check | None = None,
    on_file: Callable[[Loaded], None] | None = None,
) -> list[Loaded]:
    """Load each file on its own (all or nothing per file), telling `on_file` as each is done; then,
    when anything was stored, recompute the indicator table once, so that every page shows it at once.

    The one way files get in: the command line, the upload page and the sample data all use it."""
    from ingest.isolation import read_ahead
    from ingest.store import store_upload

    done: list[Loaded] = []
    deliveries = list(deliveries)
    for number, delivery in enumerate(deliveries):
        for coming in deliveries[number : number + 2]:  # the child reads the next while this one is stored
            if coming.path is not None and not coming.refused:
                read_ahead(coming.path, coming.label or coming.path.name)
        who = {"source": delivery.source, "uploaded_by": delivery.uploaded_by, "uploaded_at": delivery.uploaded_at}
        if delivery.path is None or delivery.refused:
            label = delivery.label or (delivery.path.name if delivery.path else "")
            result = FileResult(label, [], list(delivery.refused))
            stored = store_upload(engine, file_name=label, sha256="", records=[], problems=result.problems, **who)
        else:
            result, stored = load_file(engine, delivery.path, label=delivery.label, municipality=delivery.municipality,
                                       today=today, check=check, columns=delivery.columns,
                                       mapping_source=delivery.mapping_source, **who)  # fmt: skip
        done.append((delivery, result, stored))
        if on_file is not None:
            on_file(done[-1])
    if any(stored.status == "stored" for _, _, stored in done):
        from indicators.table import refresh  # here: `check` never needs the statistics behind it

        refresh(engine)
    return done
