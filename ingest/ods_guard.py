"""Refuse a hostile or broken .ods before calamine opens it, in bounded memory.

An OpenDocument spreadsheet is a zip with a `mimetype` member and the sheets in `content.xml`.
`inspect_ods` checks the file size and the magic bytes, that it really is a spreadsheet (not an
.xlsx or anything else under the name .ods), the zip directory against the declared sizes
(members, one part and all parts inflated, compression ratio), member names that point outside
the file (`..`, absolute), encryption (a password in the manifest, or zip encryption), then
inflates every XML part in chunks — never past its declared size — refusing a DOCTYPE, and parses
`content.xml` incrementally with expat to count sheets and cells as calamine will lay them out:
`table:number-rows-repeated` and `table:number-columns-repeated` multiply a few bytes into a
million cells, so the grid up to the last cell with content is bounded like an .xlsx sheet.
"""

from __future__ import annotations

import copy
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from ingest.guard import LIMITS, RATIO_MIN_BYTES, Limits
from ingest.problems import Problem, human_size, problem

CHUNK_SIZE = 64 * 1024
MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SHEET, _ROW, _CELL, _COVERED = (f"{_TABLE} {n}" for n in ("table", "table-row", "table-cell", "covered-table-cell"))
_ROWS_REPEATED, _COLUMNS_REPEATED = f"{_TABLE} number-rows-repeated", f"{_TABLE} number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE} value-type"
_DOCTYPES = tuple("<!doctype".encode(enc) for enc in ("ascii", "utf-16-le", "utf-16-be"))
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _Refused(Exception):
    def __init__(self, code: str, sheet: str | None = None, **fields: object) -> None:
        super().__init__(code)
        self.code, self.sheet, self.fields = code, sheet, fields


def inspect_ods(path: Path, label: str, limits: Limits = LIMITS) -> list[Problem]:
    """Check an uploaded .ods before parsing it; [] when it is a sound spreadsheet within `limits`."""
    try:
        _check_file(Path(path), limits)
        with zipfile.ZipFile(path) as archive:
            _check_directory(archive, limits)
            for info in archive.infolist():
                if info.filename == "content.xml":
                    _scan_content(archive, info, limits)
                elif info.filename.lower().endswith((".xml", ".rdf")):
                    for _ in _chunks(archive, info):
                        pass
    except _Refused as refused:
        return [problem(label, refused.code, sheet=refused.sheet, **refused.fields)]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, expat.ExpatError):
        return [problem(label, "truncated")]
    except Exception as exc:  # noqa: BLE001 - a guard fails closed on anything unforeseen
        return [problem(label, "unreadable", detail=f"controle mislukt: {type(exc).__name__}")]
    return []


def _check_file(path: Path, limits: Limits) -> None:
    if not path.is_file():
        raise _Refused("file_missing")
    size = path.stat().st_size
    if size == 0:
        raise _Refused("file_empty")
    if size > limits.max_file_bytes:
        raise _Refused("file_too_large", size=human_size(size), limit=human_size(limits.max_file_bytes))
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        raise _Refused("not_ods", kind="een oud Excel-bestand (.xls), of een met een wachtwoord beveiligd bestand")
    if not magic.startswith(b"PK\x03\x04"):
        raise _Refused("not_ods", kind="geen rekenblad (een tekst- of ander bestand)")


def _check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_parts:
        raise _Refused("too_many_parts", count=len(members), limit=limits.max_parts)
    names = {info.filename for info in members}
    for name in names:
        normal = posixpath.normpath(name.replace("\\", "/"))
        if name.startswith(("/", "\\")) or normal == ".." or normal.startswith("../") or ":" in name.split("/")[0]:
            raise _Refused("unsafe_part_name", part=name[:100])
    if "xl/workbook.xml" in names:
        raise _Refused("not_ods", kind="een Excel-werkmap (.xlsx)")
    mimetype = archive.getinfo("mimetype") if "mimetype" in names else None
    if mimetype is None or mimetype.file_size > 200 or archive.read(mimetype).strip() != MIMETYPE:
        raise _Refused("not_ods", kind="geen OpenDocument-rekenblad (bijvoorbeeld een tekstdocument of een zip-map)")
    total = sum(info.file_size for info in members)
    if total > limits.max_total_bytes:
        raise _Refused("uncompressed_too_large", size=human_size(total), limit=human_size(limits.max_total_bytes))
    for info in members:
        if info.flag_bits & 0x1:
            raise _Refused("encrypted")
        if info.file_size > limits.max_part_bytes:
            raise _Refused("part_too_large", part=info.filename, size=human_size(info.file_size),
                           limit=human_size(limits.max_part_bytes))  # fmt: skip
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > limits.max_ratio:
            raise _Refused("compression_ratio", part=info.filename, ratio=round(ratio))
    if "content.xml" not in names:
        raise _Refused("not_ods", kind="een OpenDocument-bestand zonder rekenblad")
    if "META-INF/manifest.xml" in names:
        manifest = b"".join(_chunks(archive, archive.getinfo("META-INF/manifest.xml")))
        if b"encryption-data" in manifest:
            raise _Refused("encrypted")


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Inflate one member in chunks, never past its declared size plus one byte; refuse a DOCTYPE."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused("unreadable", detail=f"onbekende compressie in onderdeel '{info.filename}'")
    capped = copy.copy(info)
    capped.file_size = info.file_size + 1  # zipfile stops at file_size; one byte more shows a lie
    inflated, tail = 0, b""
    with archive.open(capped) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            inflated += len(chunk)
            if inflated > info.file_size:  # the directory lies about the size: a zip bomb
                raise _Refused("truncated")
            window = (tail + chunk).lower()
            if any(doctype in window for doctype in _DOCTYPES):
                raise _Refused("doctype", part=info.filename)
            tail = window[-32:]
            yield chunk
    if inflated != info.file_size:
        raise _Refused("truncated")


@dataclass
class _Grid:
    """Where calamine puts the cells of content.xml: rows and columns counted with their repeats."""

    limits: Limits
    sheets: int = 0
    sheet: str = ""
    cells: int = 0
    row: int = 0  # rows of the current sheet before the current row
    rows_repeated: int = 1
    column: int = 0  # columns of the current row before the current cell
    columns_repeated: int = 1
    in_cell: bool = False
    cell_content: bool = False
    last_row: int = 0  # of the current sheet, 1-based, up to the last cell with content
    last_column: int = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _SHEET:
            self.sheets += 1
            if self.sheets > self.limits.max_sheets:
                limit = self.limits.max_sheets
                raise _Refused("too_many_sheets", count=f"meer dan {limit}", limit=limit)
            self.sheet = attributes.get(f"{_TABLE} name", f"blad {self.sheets}")[:100]
            self.row = self.last_row = self.last_column = 0
        elif name == _ROW:
            self.rows_repeated = _repeat(attributes.get(_ROWS_REPEATED))
            self.column = 0
        elif name in (_CELL, _COVERED):
            self.in_cell = True
            self.columns_repeated = _repeat(attributes.get(_COLUMNS_REPEATED))
            self.cell_content = _VALUE_TYPE in attributes
        elif self.in_cell:
            self.cell_content = True  # text:p and the like: content, whatever calamine makes of it

    def end(self, name: str) -> None:
        if name in (_CELL, _COVERED):
            if self.cell_content:
                self._content()
            self.column += self.columns_repeated
            self.in_cell = False
        elif name == _ROW:
            self.row += self.rows_repeated

    def _content(self) -> None:
        limits = self.limits
        self.cells += self.columns_repeated * self.rows_repeated
        self.last_column = max(self.last_column, self.column + self.columns_repeated)
        self.last_row = max(self.last_row, self.row + self.rows_repeated)
        if self.cells > limits.max_cells:
            raise _Refused("too_many_cells", count=f"meer dan {_dutch_int(limits.max_cells)}",
                           limit=_dutch_int(limits.max_cells))  # fmt: skip
        if (
            self.last_row > limits.max_rows
            or self.last_column > limits.max_columns
            or self.last_row * self.last_column > limits.max_area
        ):
            raise _Refused(
                "sheet_too_large",
                sheet=self.sheet,
                sheet_name=self.sheet,
                rows=_dutch_int(self.last_row),
                columns=_dutch_int(self.last_column),
                max_rows=_dutch_int(limits.max_rows),
                max_columns=_dutch_int(limits.max_columns),
                max_area=_dutch_int(limits.max_area),
            )


def _repeat(text: str | None) -> int:
    """A repeat attribute as a number; a silly one is capped, which the limits then refuse."""
    if text is None:
        return 1
    digits = text.strip()
    if not digits.isdigit() or len(digits) > 12:
        raise _Refused("unreadable", detail="een herhaling in het rekenblad is geen getal")
    return max(int(digits), 1)


def _scan_content(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    grid = _Grid(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = grid.start
    parser.EndElementHandler = grid.end

    def refuse_doctype(*_args: object) -> None:
        raise _Refused("doctype", part=info.filename)

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    for chunk in _chunks(archive, info):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _dutch_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")
