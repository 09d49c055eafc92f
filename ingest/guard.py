"""Refuse hostile or broken upload files fast, in bounded memory, before any parser inflates them.

`inspect_file` checks the file system entry, the magic bytes and the zip directory (declared sizes
against `Limits`), then inflates every part in chunks of `CHUNK_SIZE` bytes without trusting
those declared sizes: a part is never inflated beyond its declared size plus one byte, and a part
that has more (a zip bomb that lies) is refused as damaged. So neither memory nor time can grow
past the limits. While inflating it refuses DOCTYPE declarations and scans EVERY part as if it
were a sheet, whatever the relationships say (calamine may take any part for one: a relationship
the guard misreads, a `..` in a member name, a sheet outside `xl/worksheets/`). It counts cells,
rows, shared strings and cell formats, and follows where calamine will put each cell (at its r
attribute, or after the previous one), because calamine allocates a sheet's whole rectangle: two
cells in A1 and XFD1048576 would be 17 billion. It limits each sheet and the workbook as a whole
(the grids of all sheets together), since the reader keeps every sheet. Anything it cannot verify
it refuses: the guard fails closed. `ingest.isolation` reads the file in a child process with
memory and time limits, for whatever the guard does not foresee.
"""

from __future__ import annotations

import copy
import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.problems import Problem, human_size, problem


@dataclass(frozen=True)
class Limits:
    """The documented limits for an uploaded workbook."""

    max_file_bytes: int = 20_000_000
    max_parts: int = 500
    max_part_bytes: int = 50_000_000  # one inflated zip member
    max_total_bytes: int = 150_000_000  # all members inflated
    max_ratio: int = 200  # inflated/compressed, for members larger than RATIO_MIN_BYTES inflated
    max_sheets: int = 50
    max_rows: int = 100_000  # per sheet: the last row number in use
    max_columns: int = 500  # per sheet: the last column number in use
    max_area: int = 2_000_000  # per sheet: rows x columns, the grid the reader builds
    max_total_area: int = 4_000_000  # whole workbook: the grids of all parts together
    max_cells: int = 1_000_000  # whole workbook, counted <c> elements
    max_strings: int = 1_000_000  # whole workbook, counted <si> elements: never more strings than cells
    max_styles: int = 100_000  # whole workbook, counted <xf> elements (Excel itself allows 65,490 cell formats)


LIMITS = Limits()

CHUNK_SIZE = 64 * 1024  # inflate and scan parts in pieces of this size
RATIO_MIN_BYTES = 1_000_000
_TAIL = 1024  # bytes kept from the previous chunk, so a pattern split by a chunk boundary is found
_FILE_CHUNK = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_CONTENT_TYPES = "[Content_Types].xml"

# A namespace prefix such as `x:`. Longer element names make a worksheet unverifiable
# (`_LONG_NAME`), so every tag pattern below fits in `_TAIL` and is seen whole in some window.
_PREFIX = rb"(?:[^\s<>/:=\"'!?]{1,199}:)?"
_LONG_NAME = re.compile(rb"<[^\s<>/=\"'!?]{200}")
_DOCTYPES = tuple("<!doctype".encode(enc) for enc in ("ascii", "utf-16-le", "utf-16-be"))
_MACRO_CONTENT_TYPE = re.compile(rb"macroenabled|vbaproject", re.IGNORECASE)
_SHEET_TAG = re.compile(rb"<" + _PREFIX + rb"sheet\b")
_SHEET_ELEMENT = re.compile(rb"<" + _PREFIX + rb"sheet\b[^>]{0,900}>")
_RELATIONSHIP = re.compile(rb"<" + _PREFIX + rb"Relationship\b[^>]{0,900}>")


def _tag_patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Patterns for <row> and <c> start tags: any such tag, and a whole one with its r attribute.

    The second gives (name, r in double quotes, r in single quotes), b"" for an absent r ("7" on
    a row, "D7" on a cell). It is quote-aware and never crosses a '<'; a second r= makes it fail,
    which comparing the two counts reveals. No other attribute of these elements ends in "r",
    so any r= is taken as r.
    """
    body = rb"(?:[^<>\"'r]+|r(?!\s*=)|\"[^\"<]*\"|'[^'<]*')*+"
    any_tag = re.compile(rb"<" + prefix + rb"(?:row|c)[\s/>]")
    whole_tag = re.compile(
        rb"<" + prefix + rb"(row|c)(?=[\s/>])" + body + rb"(?:r\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)'))?" + body + rb">"
    )
    return any_tag, whole_tag


_PLAIN_TAGS = _tag_patterns(b"")  # about twice as fast; for windows without a prefixed <x:row or <x:c
_PREFIXED_TAGS = _tag_patterns(_PREFIX)
_CELL_REFERENCE = re.compile(rb"\s*\$?([A-Za-z]{1,10})\$?([0-9]{1,20})\s*")
_STRING_TAG = re.compile(rb"<" + _PREFIX + rb"si[\s/>]")
_STYLE_TAG = re.compile(rb"<" + _PREFIX + rb"xf[\s/>]")
# Text XML (an optional byte order mark, blanks, then '<'): scanned strictly. Other parts (images,
# printer settings) are scanned for tags too, strictly once `sheetData` shows, the only element
# under which calamine reads cells.
_XML_START = re.compile(rb"(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?[ \t\r\n]*<")
_DIMENSION = re.compile(rb"<" + _PREFIX + rb"dimension\s+ref\s*=\s*[\"']([^\"']{0,100})[\"']")


class _Refused(Exception):
    """Internal: carries the first fatal problem out of the scan."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.code)
        self.problem = found


@dataclass
class _Scan:
    """What the part scanners have seen so far."""

    limits: Limits
    label: str
    cells: int = 0
    area: int = 0  # the grids of the parts scanned so far, together
    strings: int = 0
    styles: int = 0
    sheet_count: int = 0
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet name, relationship id)
    targets: dict[str, str] = field(default_factory=dict)  # relationship id -> part, of the workbook

    def refuse(self, code: str, sheet: str | None = None, **fields: object) -> _Refused:
        return _Refused(problem(self.label, code, sheet=sheet, **fields))


def inspect_file(path: Path, label: str, limits: Limits = LIMITS) -> list[Problem]:
    """Check an uploaded file before parsing it; [] when it is a sound .xlsx within `limits`."""
    scan = _Scan(limits, label)
    try:
        _check_file(Path(path), scan)
        with zipfile.ZipFile(path) as archive:
            _check_directory(archive, scan)
            _check_parts(archive, scan)
    except _Refused as refused:
        return [refused.problem]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return [problem(label, "truncated")]
    except Exception as exc:  # noqa: BLE001 - a guard fails closed on anything unforeseen
        return [problem(label, "unreadable", detail=f"controle mislukt: {type(exc).__name__}")]
    return []


def _check_file(path: Path, scan: _Scan) -> None:
    """File system entry, size and magic bytes; never reads more than the size limit allows."""
    limits = scan.limits
    try:
        stat = path.stat()
    except OSError:
        raise scan.refuse("file_missing") from None
    if not path.is_file():
        raise scan.refuse("file_missing")
    if stat.st_size == 0:
        raise scan.refuse("file_empty")
    if stat.st_size > limits.max_file_bytes:
        raise scan.refuse("file_too_large", size=human_size(stat.st_size), limit=human_size(limits.max_file_bytes))
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        encrypted = _count_in_file(path, _ENCRYPTED_PACKAGE) > 0
        raise scan.refuse("encrypted" if encrypted else "legacy_xls")
    if not magic.startswith(_ZIP_MAGIC):
        raise scan.refuse("not_xlsx")
    # Every central directory entry starts with this signature, so this is an upper bound on the
    # number of members, found before zipfile builds an object per entry.
    entries = _count_in_file(path, _CENTRAL_DIRECTORY_ENTRY)
    if entries > limits.max_parts:
        raise scan.refuse("too_many_parts", count=entries, limit=limits.max_parts)


def _count_in_file(path: Path, needle: bytes) -> int:
    """Occurrences of `needle` in a file read in chunks, also where a chunk boundary splits it."""
    count, tail = 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(_FILE_CHUNK):
            window = tail + chunk  # the tail is too short to hold a whole needle by itself
            count += window.count(needle)
            tail = window[-(len(needle) - 1) :]
    return count


def _check_directory(archive: zipfile.ZipFile, scan: _Scan) -> None:
    """Members and their declared sizes, without inflating anything."""
    limits = scan.limits
    members = archive.infolist()
    names = {info.filename for info in members}
    if _WORKBOOK not in names:
        raise scan.refuse("not_xlsx")
    for name in names:
        lower = name.lower()
        if lower.endswith("vbaproject.bin") or lower.startswith("xl/macrosheets/"):
            raise scan.refuse("macro_enabled")
    if len(members) > limits.max_parts:
        raise scan.refuse("too_many_parts", count=len(members), limit=limits.max_parts)
    total = sum(info.file_size for info in members)
    if total > limits.max_total_bytes:
        raise scan.refuse(
            "uncompressed_too_large",
            size=human_size(total),
            limit=human_size(limits.max_total_bytes),
        )
    for info in members:
        if info.file_size > limits.max_part_bytes:
            raise scan.refuse(
                "part_too_large",
                part=info.filename,
                size=human_size(info.file_size),
                limit=human_size(limits.max_part_bytes),
            )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > limits.max_ratio:
            raise scan.refuse("compression_ratio", part=info.filename, ratio=round(ratio))


def _check_parts(archive: zipfile.ZipFile, scan: _Scan) -> None:
    """Inflate every part in chunks and scan it as a sheet; the workbook and its relationships first."""
    first = {_CONTENT_TYPES: _scan_content_types, _WORKBOOK: _scan_workbook, _WORKBOOK_RELS: _scan_relationships}
    members = archive.infolist()
    for name, scanner in first.items():
        for info in members:
            if info.filename == name:
                _scan_as_sheet(archive, info, scan, info.filename, scanner)
    if scan.sheet_count > scan.limits.max_sheets:
        raise scan.refuse("too_many_sheets", count=scan.sheet_count, limit=scan.limits.max_sheets)
    # the names of the parts named as sheets, lower case (zip readers differ in how they match names),
    # only to name a sheet in a refusal: every part is scanned as a sheet
    sheet_names = {scan.targets[rid].lower(): sheet for sheet, rid in scan.sheets if rid in scan.targets}
    for info in members:
        if info.filename not in first:
            _scan_as_sheet(archive, info, scan, sheet_names.get(info.filename.lower()) or info.filename)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan) -> Iterator[bytes]:
    """Inflate one member in chunks, never more than its declared size plus one byte."""
    if info.flag_bits & 0x1:
        raise scan.refuse("encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise scan.refuse("unreadable", detail=f"onbekende compressie in onderdeel '{info.filename}'")
    capped = copy.copy(info)
    capped.file_size = info.file_size + 1  # zipfile stops at file_size; one byte more shows a lie
    inflated = 0
    with archive.open(capped) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            inflated += len(chunk)
            if inflated > info.file_size:  # the directory lies about the size: a zip bomb
                raise scan.refuse("truncated")
            yield chunk
    if inflated != info.file_size:
        raise scan.refuse("truncated")


def _windows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan) -> Iterator[tuple[bytes, int]]:
    """Yield (window, fresh): the last `_TAIL` bytes seen, then the new chunk from `fresh` on."""
    tail = b""
    for chunk in _chunks(archive, info, scan):
        window = tail + chunk
        lowered = window.lower()
        if any(doctype in lowered for doctype in _DOCTYPES):
            raise scan.refuse("doctype", part=info.filename)
        yield window, len(tail)
        tail = window[-_TAIL:]


def _count_new(pattern: re.Pattern[bytes], window: bytes, fresh: int) -> int:
    """Matches that end in the new part of the window; the others were counted with the last one.

    Exact for our tag patterns: a match starts at a '<', holds no other '<' and fits in the tail.
    """
    return len(pattern.findall(window)) - len(pattern.findall(window, 0, fresh))


def _scan_content_types(window: bytes, fresh: int, scan: _Scan) -> None:
    if _MACRO_CONTENT_TYPE.search(window):
        raise scan.refuse("macro_enabled")


def _scan_workbook(window: bytes, fresh: int, scan: _Scan) -> None:
    scan.sheet_count += _count_new(_SHEET_TAG, window, fresh)
    if scan.sheet_count <= scan.limits.max_sheets:  # names are only needed for a sound workbook
        for element in _SHEET_ELEMENT.finditer(window):
            if element.end() > fresh:
                scan.sheets.append((_attribute(element[0], "name"), _attribute(element[0], "id")))


def _scan_relationships(window: bytes, fresh: int, scan: _Scan) -> None:
    for element in _RELATIONSHIP.finditer(window):
        target, rid = _attribute(element[0], "Target"), _attribute(element[0], "Id")
        if element.end() > fresh and target and rid:  # any type: a <sheet> may point at any part
            part = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
            scan.targets[rid] = part


def _scan_as_sheet(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    scan: _Scan,
    sheet: str,
    scanner: Callable[[bytes, int, _Scan], None] | None = None,
) -> None:
    """Scan one part as if it were a sheet, stopping at the first limit passed.

    Count cells, rows, shared strings and cell formats and follow the cells' positions; `scanner`
    also sees each window (the workbook's own parts). Text XML is scanned strictly (anything the
    patterns cannot read is refused); another part only once it shows `sheetData`.
    """
    limits = scan.limits
    extent = _Extent()
    tags_seen = 0
    strict: bool | None = None
    doubtful = False  # a NUL byte or a long prefixed name, in a part not yet known to be strict
    for window, fresh in _windows(archive, info, scan):
        if scanner is not None:
            scanner(window, fresh, scan)
        if strict is None:
            strict = _XML_START.match(window) is not None
        if not strict and b"sheetData" in window:
            strict = True
            if doubtful:
                raise _unverifiable(scan, sheet)
        any_tag, whole_tag = _PLAIN_TAGS
        if b"\0" in window:  # UTF-16 or UTF-32: the patterns cannot see the tags
            if strict:
                raise _unverifiable(scan, sheet)
            doubtful = True
        if b":c" in window or b":row" in window:
            any_tag, whole_tag = _PREFIXED_TAGS
            if _LONG_NAME.search(window):  # a prefixed tag that may not fit in the tail
                if strict:
                    raise _unverifiable(scan, sheet)
                doubtful = True
        _count_entries(window, fresh, scan)
        tags_seen += _count_new(any_tag, window, fresh)
        # Tags cannot overlap, so those found in the tail alone are the first ones of the window.
        tags = whole_tag.findall(window)
        extent.follow(tags[len(whole_tag.findall(window, 0, fresh)) :])
        if scan.cells + extent.cells > limits.max_cells:
            more = f"meer dan {_dutch_int(limits.max_cells)}"
            raise scan.refuse("too_many_cells", count=more, limit=_dutch_int(limits.max_cells))
        if b"dimension" in window and (dimension := _DIMENSION.search(window)):  # ref="A1:D7"
            for reference in dimension[1].split(b":"):
                column, row = _split_reference(reference)
                extent.last_column = max(extent.last_column, column)
                extent.last_row = max(extent.last_row, row)
        if (
            extent.last_row > limits.max_rows
            or extent.last_column > limits.max_columns
            or extent.last_row * extent.last_column > limits.max_area
        ):
            raise scan.refuse(
                "sheet_too_large",
                sheet=sheet,
                sheet_name=sheet,
                rows=_dutch_int(extent.last_row),
                columns=_dutch_int(extent.last_column),
                max_rows=_dutch_int(limits.max_rows),
                max_columns=_dutch_int(limits.max_columns),
                max_area=_dutch_int(limits.max_area),
            )
    if strict and extent.rows + extent.cells != tags_seen:  # a <row> or <c> tag that whole_tag cannot read
        raise _unverifiable(scan, sheet)
    scan.cells += extent.cells
    scan.area += extent.last_row * extent.last_column
    if scan.area > limits.max_total_area:
        raise scan.refuse("workbook_too_large", area=_dutch_int(scan.area), limit=_dutch_int(limits.max_total_area))


def _count_entries(window: bytes, fresh: int, scan: _Scan) -> None:
    """Shared strings and cell formats, in any part: each is held by the reader for the whole workbook."""
    limits = scan.limits
    if b"<si" in window or b":si" in window:
        scan.strings += _count_new(_STRING_TAG, window, fresh)
        if scan.strings > limits.max_strings:
            more = f"meer dan {_dutch_int(limits.max_strings)}"
            raise scan.refuse("too_many_strings", count=more, limit=_dutch_int(limits.max_strings))
    if b"<xf" in window or b":xf" in window:
        scan.styles += _count_new(_STYLE_TAG, window, fresh)
        if scan.styles > limits.max_styles:
            more = f"meer dan {_dutch_int(limits.max_styles)}"
            raise scan.refuse("too_many_styles", count=more, limit=_dutch_int(limits.max_styles))


@dataclass
class _Extent:
    """Where calamine puts cells: at their r attribute, else one after the previous cell or row.

    calamine allocates the whole rectangle up to the last row and column, so that must be
    bounded; `last_row` and `last_column` (1-based) are upper bounds of calamine's positions.
    """

    row: int = 0
    column: int = 0
    last_row: int = 0
    last_column: int = 0
    rows: int = 0
    cells: int = 0
    _columns: dict[bytes, int] = field(default_factory=dict)  # letters -> column number

    def follow(self, tags: list[tuple[bytes, bytes, bytes]]) -> None:
        """Take (name, r in double quotes, r in single quotes) of <row> and <c> start tags."""
        row, column, last_row, last_column = self.row, self.column, self.last_row, self.last_column
        rows, columns = 0, self._columns
        for name, quoted, single_quoted in tags:  # the hot loop: up to a million cells
            reference = quoted or single_quoted
            if name == b"row":
                rows += 1
                row = int(reference) if reference.isdigit() and len(reference) < 20 else last_row + 1
                column = 0
            elif not reference:
                column += 1
            elif (letters := reference.rstrip(b"0123456789")) in columns and len(reference) < 20:
                column, row = columns[letters], int(reference[len(letters) :] or 0)
            else:  # a new column, or lower case, $ or spaces: as liberal as any reader can be
                number, row = _split_reference(reference)
                if number and letters.isalpha() and letters.isupper():
                    columns[letters] = number
                column, row = number or column + 1, row or last_row
            if row > last_row:
                last_row = row
            if column > last_column:
                last_column = column
        self.rows += rows
        self.cells += len(tags) - rows
        self.row, self.column, self.last_row, self.last_column = row, column, last_row, last_column


def _split_reference(reference: bytes) -> tuple[int, int]:
    """b"D7", b"$d$7" or b" D7 " -> (4, 7); anything else -> (0, 0)."""
    match = _CELL_REFERENCE.fullmatch(reference)
    return (_column_number(match[1]), int(match[2])) if match else (0, 0)


def _unverifiable(scan: _Scan, sheet: str) -> _Refused:
    detail = f"blad '{sheet}' bevat XML die we niet kunnen controleren"
    return scan.refuse("unreadable", detail=detail)


def _attribute(element: bytes, name: str) -> str:
    """The unescaped value of attribute `name` (any namespace prefix) in one start tag, or ''."""
    pattern = rb"[\s:]" + re.escape(name.encode()) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')"
    match = re.search(pattern, element)
    if match is None:
        return ""
    value = match[1] if match[1] is not None else match[2]
    return html.unescape(value.decode("utf-8", "replace"))


def _column_number(letters: bytes) -> int:
    """b"A" -> 1, b"AA" -> 27, b"" -> 0."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def _dutch_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")
