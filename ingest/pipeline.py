"""The ingest pipeline: read workbook -> locate tables -> raw values -> resolve -> validate -> store."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from ingest.isolation import read_workbook_isolated
from ingest.layout import raw_values
from ingest.locate import Layout, Table, locate_table
from ingest.periods import find_period
from ingest.problems import Problem, has_errors, problem
from ingest.reader import cell_name
from ingest.records import Record
from ingest.resolve import Defaults, Resolver
from ingest.store import StoreResult, file_sha256, store_upload
from ingest.validate import check_parts, deduplicate
from reference.areas import Reference, load_reference

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    """What a file holds: its records, and every problem found in it."""

    file: str
    records: list[Record]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def _unknown_header_warnings(table: Table, label: str) -> list[Problem]:
    if table.layout is not Layout.WIDE:
        return []
    return [
        problem(label, "unknown_header", table.sheet.name, cell_name(table.header_row, column), header=text)
        for column, text in table.unknown_headers.items()
    ]


def read_file(
    path: Path,
    *,
    label: str | None = None,
    municipality: str | None = None,
    today: dt.date | None = None,
    reference: Reference | None = None,
) -> FileResult:
    """Read (guard and calamine, in a child process), normalise and validate one file; store nothing.
    Never raises on a file: an unexpected failure is logged and the file refused as unreadable."""
    label = label or Path(path).name
    try:
        return _read_file(Path(path), label, municipality, today, reference or load_reference())
    except Exception as exc:  # the guard and reader fail closed; this is the last net
        log.exception("reading %r failed", label)
        return FileResult(label, [], [problem(label, "unreadable", detail=f"interne fout: {type(exc).__name__}")])


def _read_file(
    path: Path, label: str, municipality: str | None, today: dt.date | None, reference: Reference
) -> FileResult:
    sheets, problems = read_workbook_isolated(Path(path), label)
    if problems:
        return FileResult(label, [], problems)
    tables = [table for sheet in sheets if (table := locate_table(sheet)) is not None]
    if not tables:
        return FileResult(label, [], [problem(label, "no_table")])
    resolver = Resolver(label, reference, today or dt.date.today())
    file_period = find_period(Path(label).stem)
    records: list[Record] = []
    for table in tables:
        raws, layout_problems = raw_values(table, label)
        problems += layout_problems + _unknown_header_warnings(table, label)
        defaults = Defaults(table.title_period or file_period, table.title_municipality or municipality)
        records += [r for raw in raws if (r := resolver.record(raw, defaults)) is not None]
    problems += resolver.problems.values()
    records, conflicts = deduplicate(records, label, reference)
    problems += conflicts + check_parts(records, label, reference)
    if not records and not has_errors(problems):
        problems.append(problem(label, "no_values"))
    return FileResult(label, records, problems)


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


Check = Callable[[FileResult], FileResult]  # a further check between reading and storing (the upload page's scope)
Loaded = tuple[Delivery, FileResult, StoreResult]


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
) -> tuple[FileResult, StoreResult]:
    """Read one file and store it, all or nothing; every attempt is recorded as an upload.

    Does not refresh the indicator table: `load_files` does, once for all its files."""
    result = read_file(path, label=label, municipality=municipality, today=today)
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
    done: list[Loaded] = []
    for delivery in deliveries:
        who = {"source": delivery.source, "uploaded_by": delivery.uploaded_by, "uploaded_at": delivery.uploaded_at}
        if delivery.path is None or delivery.refused:
            label = delivery.label or (delivery.path.name if delivery.path else "")
            result = FileResult(label, [], list(delivery.refused))
            stored = store_upload(engine, file_name=label, sha256="", records=[], problems=result.problems, **who)
        else:
            result, stored = load_file(engine, delivery.path, label=delivery.label, municipality=delivery.municipality,
                                       today=today, check=check, **who)  # fmt: skip
        done.append((delivery, result, stored))
        if on_file is not None:
            on_file(done[-1])
    if any(stored.status == "stored" for _, _, stored in done):
        from indicators.table import refresh  # here: `check` never needs the statistics behind it

        refresh(engine)
    return done
