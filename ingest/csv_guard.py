"""Refuse a hostile or broken .csv before it is parsed: one streaming pass in bounded memory.

`inspect_csv` reads the file in chunks of `CHUNK_SIZE` bytes and never holds more than one chunk
(and the sample of `SAMPLE_BYTES` it detects the separator from). It refuses what is not text (a
workbook, an old Excel file, a PDF, NUL or control bytes), and counts, quote-aware as the `csv`
module reads them, the lines, the fields per line and the length of every field, stopping at the
first limit passed: a 1 GB line or a billion separators cost one chunk of memory and are refused
after the first `max_field_bytes` or `max_fields` of them. While it streams it also finds the
encoding (UTF-8 with or without BOM, else Windows-1252, else Latin-1), so the reader decodes once.
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.problems import Problem, human_size, problem

CHUNK_SIZE = 1024 * 1024
SAMPLE_BYTES = 64 * 1024  # what the separator is detected from
SAMPLE_LINES = 50
SEPARATORS = (";", "\t", ",")  # in order of preference when the counts tie
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in a text file; \t \n \r are fine
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_KINDS = (  # magic bytes -> what the file really is, in Dutch
    (b"PK\x03\x04", "een ingepakt bestand (zoals een Excel-werkmap of een OpenDocument-rekenblad)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "een oud Excel-bestand (.xls) of een ander Office-bestand"),
    (b"%PDF", "een PDF-bestand"),
)
_BINARY = "geen tekstbestand (het bevat binaire gegevens; een UTF-16-bestand ook: sla het op als 'CSV UTF-8')"


@dataclass(frozen=True)
class CsvLimits:
    """The documented limits for an uploaded .csv."""

    max_file_bytes: int = 20_000_000
    max_lines: int = 100_000
    max_fields: int = 500  # per line
    max_field_bytes: int = 2_000
    max_area: int = 2_000_000  # lines x the widest line: the grid the reader builds


CSV_LIMITS = CsvLimits()


@dataclass(frozen=True)
class CsvFormat:
    """How a checked .csv is written: its encoding and its field separator."""

    encoding: str  # "utf-8-sig", "utf-8", "cp1252" or "latin-1"
    separator: str  # ";", "\t" or ","


class _Refused(Exception):
    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code, self.fields = code, fields


def inspect_csv(
    source: Path | BinaryIO, label: str, limits: CsvLimits = CSV_LIMITS
) -> tuple[CsvFormat | None, list[Problem]]:
    """Check a .csv (a path, or a binary stream) before parsing: its format, or why it is refused."""
    try:
        if isinstance(source, Path | str):
            path = Path(source)
            if not path.is_file():
                return None, [problem(label, "file_missing")]
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                limit = human_size(limits.max_file_bytes)
                return None, [problem(label, "file_too_large", size=human_size(size), limit=limit)]
            with path.open("rb") as handle:
                return _scan(handle, limits), []
        return _scan(source, limits), []
    except _Refused as refused:
        return None, [problem(label, refused.code, **refused.fields)]
    except OSError:
        return None, [problem(label, "truncated")]
    except Exception as exc:  # noqa: BLE001 - a guard fails closed on anything unforeseen
        return None, [problem(label, "unreadable", detail=f"controle mislukt: {type(exc).__name__}")]


def detect_separator(sample: str) -> str:
    """The separator that splits the most of the first lines into the same number (> 1) of fields.

    Quote-aware (the `csv` module splits each candidate's lines); a tie goes to `;`, then tab, then
    `,`; a file of one column gets `;`.
    """
    lines = sample.splitlines(keepends=True)[:SAMPLE_LINES]
    best, best_score = SEPARATORS[0], (0, 0)
    for separator in SEPARATORS:
        try:
            rows = csv.reader(io.StringIO("".join(lines)), delimiter=separator, strict=False)
            widths = [len(row) for row in rows if len(row) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        width, lines_of_width = Counter(widths).most_common(1)[0]
        score = (lines_of_width, width)
        if score > best_score:
            best, best_score = separator, score
    return best


def _scan(handle: BinaryIO, limits: CsvLimits) -> CsvFormat:
    first = handle.read(SAMPLE_BYTES)
    if not first:
        raise _Refused("file_empty")
    for magic, kind in _KINDS:
        if first.startswith(magic):
            raise _Refused("not_csv", kind=kind)
    if _CONTROL.search(first):
        raise _Refused("not_csv", kind=_BINARY)
    bom = first.startswith(codecs.BOM_UTF8)
    sample = first[len(codecs.BOM_UTF8) :] if bom else first
    newline = b"\r" if b"\n" not in sample and b"\r" in sample else b"\n"
    complete = sample[: sample.rfind(newline) + 1] or sample  # the sample's whole lines
    lines = complete.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    separator = detect_separator(lines.decode("latin-1"))  # separators are ASCII in every encoding
    counter = _Counter(limits, separator.encode("ascii"))
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, cp1252 = True, True
    chunk, pending = sample, b""
    total = len(first)
    while chunk:
        if _CONTROL.search(chunk):
            raise _Refused("not_csv", kind=_BINARY)
        if is_utf8:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        cp1252 = cp1252 and not _CP1252_UNDEFINED.search(chunk)
        chunk = pending + chunk
        pending = b""
        if chunk.endswith(b"\r"):  # the \n of a \r\n may come in the next chunk
            chunk, pending = chunk[:-1], b"\r"
        counter.feed(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        chunk = handle.read(CHUNK_SIZE)
        total += len(chunk)
        if total > limits.max_file_bytes:
            raise _Refused("file_too_large", size=f"meer dan {human_size(limits.max_file_bytes)}",
                           limit=human_size(limits.max_file_bytes))  # fmt: skip
    counter.feed(pending.replace(b"\r", b"\n"))
    counter.finish()
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    encoding = ("utf-8-sig" if bom else "utf-8") if is_utf8 else ("cp1252" if cp1252 else "latin-1")
    return CsvFormat(encoding, separator)


@dataclass
class _Counter:
    """Lines, fields and field lengths, quote-aware as `csv.reader` reads them (doublequote, not strict).

    A quote opens a quoted field only at the start of a field; inside one, `""` is a quote and a
    lone quote closes it; separators and newlines inside quotes are part of the field.
    """

    limits: CsvLimits
    separator: bytes
    line: int = 1  # the line being read, 1-based
    fields: int = 1  # fields of that line so far
    field_bytes: int = 0  # of the field being read
    widest: int = 0
    in_quotes: bool = False
    after_close: bool = False  # the last byte was a closing quote: a quote now is an escaped quote

    def feed(self, chunk: bytes) -> None:
        separator = self.separator
        for index, part in enumerate(chunk.split(b'"')):
            if index:
                self._quote()
            if not part:
                continue
            self.after_close = False
            if self.in_quotes:
                self._grow(len(part))
            elif part == separator:  # between two quoted fields: the common case of a quoting exporter
                self.fields += 1
                self.field_bytes = 0
                if self.fields > self.limits.max_fields:
                    limit = _dutch_int(self.limits.max_fields)
                    raise _Refused("csv_too_many_fields", line=_dutch_int(self.line), limit=limit)
            elif part == b"\n":
                self._end_line()
            else:
                self._outside(part)

    def _quote(self) -> None:
        if self.in_quotes:
            self.in_quotes, self.after_close = False, True
        elif self.after_close or self.field_bytes == 0:  # an escaped quote, or one opening a field
            self.in_quotes, self.after_close = True, False
        self._grow(1)

    def _outside(self, part: bytes) -> None:
        """Bytes outside quotes: the first piece goes on with the current line, whole lines in bulk."""
        lines = part.split(b"\n")
        self._piece(lines[0])
        if len(lines) == 1:
            return
        self._end_line()
        if len(lines) > 2:
            self._whole_lines(lines[1:-1])
        self._piece(lines[-1])

    def _whole_lines(self, lines: list[bytes]) -> None:
        """Complete lines without quotes, checked with a few C-level passes; one by one only when one
        of them is long or wide (to find it)."""
        limits = self.limits
        if max(map(len, lines)) > limits.max_field_bytes:
            widest = limits.max_fields + 1  # some line may hold a long field: look at each
        else:
            widest = 1 + max(map(operator.methodcaller("count", self.separator), lines))
        if widest > limits.max_fields:
            for line in lines:
                self._piece(line)
                self._end_line()
            return
        self.fields = max(self.fields, widest)
        self._check_line(self.line + len(lines) - 1)
        self.line += len(lines)
        self.fields, self.field_bytes, self.after_close = 1, 0, False

    def _piece(self, piece: bytes) -> None:
        """Bytes outside quotes within one line."""
        if self.separator not in piece:
            self._grow(len(piece))
            return
        if self.fields + piece.count(self.separator) > self.limits.max_fields:
            limit = _dutch_int(self.limits.max_fields)
            raise _Refused("csv_too_many_fields", line=_dutch_int(self.line), limit=limit)
        fields = piece.split(self.separator)
        self._grow(len(fields[0]))
        self.fields += len(fields) - 1
        self.field_bytes = 0
        self._grow(max(map(len, fields[1:])))
        self.field_bytes = len(fields[-1])

    def _grow(self, size: int) -> None:
        self.field_bytes += size
        if self.field_bytes > self.limits.max_field_bytes:
            limit = _dutch_int(self.limits.max_field_bytes)
            raise _Refused("csv_field_too_long", line=_dutch_int(self.line), limit=limit)

    def _end_line(self) -> None:
        """The line `self.line` is complete: check it and start the next."""
        self._check_line(self.line)
        self.line += 1
        self.fields, self.field_bytes, self.after_close = 1, 0, False

    def finish(self) -> None:
        """The end of the file: the last line counts when it has anything (a final line break has none)."""
        if self.fields > 1 or self.field_bytes > 0:
            self._check_line(self.line)

    def _check_line(self, lines: int) -> None:
        self.widest = max(self.widest, self.fields)
        if lines > self.limits.max_lines:
            raise _Refused("csv_too_many_lines", limit=_dutch_int(self.limits.max_lines))
        if lines * self.widest > self.limits.max_area:
            raise _Refused("csv_too_large", rows=_dutch_int(lines), columns=_dutch_int(self.widest),
                           max_area=_dutch_int(self.limits.max_area))  # fmt: skip


def _dutch_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")
