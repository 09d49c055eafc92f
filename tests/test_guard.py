"""ingest.guard: hostile and broken files are refused before any parser inflates them."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from ingest.guard import CHUNK_SIZE, Limits, inspect_file
from tests import crafted
from tests.crafted import XLSM_MAIN, build_xlsx, sheet_xml

GiB = 1024**3


# --- building files ------------------------------------------------------------------------------


def openpyxl_xlsx(path: Path, sheets: int = 1, cells_per_sheet: int = 4) -> Path:
    """A real workbook as openpyxl writes it."""
    workbook = openpyxl.Workbook()
    for index in range(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = f"Blad{index + 1}"
        for n in range(cells_per_sheet):
            sheet.cell(row=n // 2 + 1, column=n % 2 + 1, value=n)
    workbook.save(path)
    return path


def plain_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def ole_file(path: Path, stream_name: str, at: int = 512) -> Path:
    """An OLE compound file header with a directory entry name at offset `at`."""
    data = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(max(at, 1024) + 1024))
    encoded = stream_name.encode("utf-16-le")
    data[at : at + len(encoded)] = encoded
    path.write_bytes(bytes(data))
    return path


def patch_member(path: Path, name: str, **fields: int) -> None:
    """Overwrite header fields (flag_bits, method, crc, file_size) of one member in both zip headers."""
    local_at = {"flag_bits": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "file_size": (22, "<I")}
    central_at = {"flag_bits": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "file_size": (24, "<I")}
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    encoded = name.encode()
    with path.open("r+b") as handle:
        data = handle.read()  # only small archives are patched
        central = data.find(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(encoded)] != encoded:
            central = data.find(b"PK\x01\x02", central + 4)
        for field, value in fields.items():
            for base, table in ((local, local_at), (central, central_at)):
                offset, fmt = table[field]
                handle.seek(base + offset)
                handle.write(struct.pack(fmt, value))


def write_big_member(archive: zipfile.ZipFile, name: str, block: bytes, size: int) -> None:
    """Stream `size` bytes of repeated `block` into a member, in bounded memory."""
    piece = block * (1024 * 1024 // len(block))
    with archive.open(name, "w") as member:
        written = 0
        while written < size:
            chunk = piece[: size - written]
            member.write(chunk)
            written += len(chunk)


def big_sheet_xlsx(path: Path, size: int, block: bytes = b" ") -> Path:
    """A sound package whose only worksheet part inflates to `size` bytes."""
    build_xlsx(path, sheets={})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        write_big_member(archive, "xl/worksheets/sheet1.xml", block, size)
    return path


# --- the cases -----------------------------------------------------------------------------------

Build = Callable[[Path], Path]


def written(data: bytes) -> Build:
    def build(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return build


def directory(path: Path) -> Path:
    path.mkdir()
    return path


def first_half(path: Path) -> Path:
    data = openpyxl_xlsx(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_sheet_data(path: Path) -> Path:
    """Damage the compressed bytes of the sheet part; the zip headers stay intact."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 1000}</v></c></row>' for r in range(500))
    build_xlsx(path, sheets={"Cijfers": sheet_xml(rows)})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))
    return path


def doctype_at_chunk_boundary(path: Path) -> Path:
    """`<!doctype` starts 4 bytes before the end of the first inflated chunk."""
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    padding = " " * (CHUNK_SIZE - 4 - len(declaration) - len("<!---->"))
    xml = f"{declaration}<!--{padding}--><!doctype worksheet>{sheet_xml()[len(declaration) :]}"
    assert xml.index("<!doctype") == CHUNK_SIZE - 4
    return build_xlsx(path, sheets={"Cijfers": xml})


def cell_at_chunk_boundary(path: Path) -> Path:
    """`<c r="XFD1"/>` starts 5 bytes before the end of the first inflated chunk."""
    head = sheet_xml("").split("<sheetData>")[0] + '<sheetData><row r="1">'
    padding = " " * (CHUNK_SIZE - 5 - len(head) - len("<!---->"))
    xml = f'{head}<!--{padding}--><c r="XFD1"/></row></sheetData></worksheet>'
    assert xml.index("<c ") == CHUNK_SIZE - 5
    return build_xlsx(path, sheets={"Cijfers": xml})


def one_sheet_xml(xml: str) -> Build:
    return lambda path: build_xlsx(path, sheets={"Cijfers": xml})


def one_sheet(rows: str = '<row r="1"><c r="A1"><v>1</v></c></row>', head: str = "") -> Build:
    return one_sheet_xml(sheet_xml(rows, head))


def many_sheets(count: int) -> Build:
    return lambda path: build_xlsx(path, sheets={f"Blad{i}": sheet_xml() for i in range(count)})


def with_parts(parts: dict[str, str | bytes], **options: str) -> Build:
    return lambda path: build_xlsx(path, extra=parts, **options)


def cells(count: int, per_row: int = 10) -> str:
    """`count` cells, `per_row` to a row; 20,000 of them span several inflated chunks."""
    rows = []
    for row in range(0, count, per_row):
        columns = "".join(
            f'<c r="{chr(65 + c)}{row // per_row + 1}" s="0"><v>{row + c}</v></c>'
            for c in range(min(per_row, count - row))
        )
        rows.append(f'<row r="{row // per_row + 1}">{columns}</row>')
    return "".join(rows)


def rows_without_r(count: int) -> str:
    return "".join(f"<row><c><v>{n}</v></c></row>" for n in range(count))


DOCTYPE_SHEET = sheet_xml().replace("?>", '?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
UTF16_DOCTYPE = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16-le")
DOCX = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}
XLSB = {"[Content_Types].xml": "<Types/>", "xl/workbook.bin": b"\x83\x01\x00"}
CORNER = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'

CASES: list[tuple[str, Build, Limits, list[str]]] = [
    ("sound openpyxl workbook", openpyxl_xlsx, Limits(), []),
    ("sound hand-built workbook", build_xlsx, Limits(), []),
    ("missing", lambda path: path, Limits(), ["file_missing"]),
    ("a directory", directory, Limits(), ["file_missing"]),
    ("empty", written(b""), Limits(), ["file_empty"]),
    ("over max_file_bytes", openpyxl_xlsx, Limits(max_file_bytes=1000), ["file_too_large"]),
    ("csv saved as .xlsx", written(b"Gemeente;Aantal\nUtrecht;3\n"), Limits(), ["not_xlsx"]),
    ("empty zip", lambda path: plain_zip(path, {}), Limits(), ["not_xlsx"]),
    (".docx-like zip", lambda path: plain_zip(path, DOCX), Limits(), ["not_xlsx"]),
    (".xlsb-like zip", lambda path: plain_zip(path, XLSB), Limits(), ["not_xlsx"]),
    ("password (OLE)", lambda path: ole_file(path, "EncryptedPackage"), Limits(), ["encrypted"]),
    (
        "password (OLE), name split by a read chunk",
        lambda path: ole_file(path, "EncryptedPackage", at=1024 * 1024 - 7),
        Limits(),
        ["encrypted"],
    ),
    ("old .xls (OLE)", lambda path: ole_file(path, "Workbook"), Limits(), ["legacy_xls"]),
    ("first half of a real xlsx", first_half, Limits(), ["truncated"]),
    ("damaged compressed sheet", corrupt_sheet_data, Limits(), ["truncated"]),
    ("vbaProject.bin", with_parts({"xl/vbaProject.bin": b"\xd0\xcf"}), Limits(), ["macro_enabled"]),
    ("VBAPROJECT.BIN", with_parts({"XL/VBAPROJECT.BIN": b"vba"}), Limits(), ["macro_enabled"]),
    ("macroEnabled type", with_parts({}, main_type=XLSM_MAIN), Limits(), ["macro_enabled"]),
    (
        "600 members",
        with_parts({f"xl/media/image{i}.png": b"png" for i in range(600)}),
        Limits(),
        ["too_many_parts"],
    ),
    ("over max_parts", openpyxl_xlsx, Limits(max_parts=5), ["too_many_parts"]),
    (
        "inflated total over max_total_bytes",
        openpyxl_xlsx,
        Limits(max_total_bytes=2000),
        ["uncompressed_too_large"],
    ),
    (
        "one part over max_part_bytes",
        with_parts({"xl/media/image1.png": bytes(range(256)) * 8}),
        Limits(max_part_bytes=2000),
        ["part_too_large"],
    ),
    (
        "compression ratio (image: declared sizes only)",
        with_parts({"xl/media/image1.png": bytes(5_000_000)}),
        Limits(),
        ["compression_ratio"],
    ),
    ("DOCTYPE in a sheet", one_sheet_xml(DOCTYPE_SHEET), Limits(), ["doctype"]),
    (
        "DOCTYPE in [Content_Types].xml",
        with_parts({}, content_types_prolog="<!DOCTYPE Types>"),
        Limits(),
        ["doctype"],
    ),
    ("doctype split by a chunk boundary", doctype_at_chunk_boundary, Limits(), ["doctype"]),
    ("DOCTYPE in UTF-16", with_parts({"xl/theme/theme1.xml": UTF16_DOCTYPE}), Limits(), ["doctype"]),
    (
        "absurd <dimension>",
        one_sheet(head='<dimension ref="A1:XFD1048576"/>'),
        Limits(),
        ["sheet_too_large"],
    ),
    ("a cell in XFD1048576, no dimension", one_sheet(CORNER), Limits(), ["sheet_too_large"]),
    ("column 501 (SG1)", one_sheet('<row r="1"><c r="SG1"/></row>'), Limits(), ["sheet_too_large"]),
    ("column 500 (SF1)", one_sheet('<row r="1"><c r="SF1"/></row>'), Limits(), []),
    (
        "row 100001 only on <row>",
        one_sheet('<row r="100001"><c><v>1</v></c></row>'),
        Limits(),
        ["sheet_too_large"],
    ),
    ("row 100000", one_sheet('<row r="100000"><c r="A100000"/></row>'), Limits(), []),
    (
        "A1 and SF100000: a grid over max_area",
        one_sheet('<row r="1"><c r="A1"/></row><row r="100000"><c r="SF100000"/></row>'),
        Limits(),
        ["sheet_too_large"],
    ),
    (
        "A1 and T100000: a grid of 2,000,000",
        one_sheet('<row r="1"><c r="A1"/></row><row r="100000"><c r="T100000"/></row>'),
        Limits(),
        [],
    ),
    ("column 501 by cells without r", one_sheet('<row r="1"><c r="SF1"/><c/></row>'), Limits(), ["sheet_too_large"]),
    (
        "row 100001 by a row without r",
        one_sheet('<row r="100000"><c r="A100000"/></row><row><c/></row>'),
        Limits(),
        ["sheet_too_large"],
    ),
    ("cells without r in row 1", one_sheet('<row r="1">' + "<c/>" * 500 + "</row>"), Limits(), []),
    ("cells without r over 500", one_sheet('<row r="1">' + "<c/>" * 501 + "</row>"), Limits(), ["sheet_too_large"]),
    ("rows without r", one_sheet(rows_without_r(100_000)), Limits(), []),
    ("rows without r over 100000", one_sheet(rows_without_r(100_001)), Limits(), ["sheet_too_large"]),
    ("prefixed tags", one_sheet('<x:row r="1"><x:c r="XFD1"/></x:row>'), Limits(), ["sheet_too_large"]),
    ("r in single quotes", one_sheet("<row r='1'><c r='XFD1'/></row>"), Limits(), ["sheet_too_large"]),
    ("spaces around =", one_sheet('<row r = "1"><c r =  "XFD1"/></row>'), Limits(), ["sheet_too_large"]),
    ("lower case reference", one_sheet('<row r="1"><c r="xfd1"/></row>'), Limits(), ["sheet_too_large"]),
    ("'>' quoted before r", one_sheet('<row r="1"><c t=">" r="XFD1"/></row>'), Limits(), ["sheet_too_large"]),
    ("cell tag split by a chunk boundary", cell_at_chunk_boundary, Limits(), ["sheet_too_large"]),
    (
        "sheet at a .bin part named in the relationships",
        lambda path: build_xlsx(
            path, sheets={"Cijfers": sheet_xml('<row r="1"><c r="XFD1"/></row>')}, part_name="data/blad{}.bin"
        ),
        Limits(),
        ["sheet_too_large"],
    ),
    ("two r attributes", one_sheet('<row r="1"><c r="A1" r="XFD1"/></row>'), Limits(), ["unreadable"]),
    ("a sheet in UTF-16", one_sheet_xml(sheet_xml().encode("utf-16-le").decode("latin-1")), Limits(), ["unreadable"]),
    (
        "a 250-character prefix",
        one_sheet('<row r="1"><' + "x" * 250 + ':c r="XFD1"/></row>'),
        Limits(),
        ["unreadable"],
    ),
    ("51 sheets", many_sheets(51), Limits(), ["too_many_sheets"]),
    ("50 sheets", many_sheets(50), Limits(), []),
    (
        "over max_sheets",
        lambda path: openpyxl_xlsx(path, sheets=3),
        Limits(max_sheets=2),
        ["too_many_sheets"],
    ),
    (
        "cells of all sheets together over max_cells",
        lambda path: openpyxl_xlsx(path, sheets=2, cells_per_sheet=6),
        Limits(max_cells=11),
        ["too_many_cells"],
    ),
    (
        "cells of all sheets together at max_cells",
        lambda path: openpyxl_xlsx(path, sheets=2, cells_per_sheet=6),
        Limits(max_cells=12),
        [],
    ),
    ("20,000 cells over chunks", one_sheet(cells(20_000)), Limits(max_cells=20_000), []),
    (
        "20,001 cells over chunks",
        one_sheet(cells(20_001)),
        Limits(max_cells=20_000),
        ["too_many_cells"],
    ),
    # --- crafted workbooks of the adversarial review: every part is scanned as a sheet ---
    ("padded relationship, sheet outside xl/worksheets/", crafted.padded_relationship, Limits(), ["sheet_too_large"]),
    ("zip member named with ..", crafted.dotdot_member, Limits(), ["sheet_too_large"]),
    ("sheet at /foo/worksheets/", crafted.sheet_outside_worksheets, Limits(), ["sheet_too_large"]),
    ("50 sparse sheets, each within the limit", crafted.sparse_sheets, Limits(), ["workbook_too_large"]),
    ("2 sparse sheets: grids at max_total_area", lambda path: crafted.sparse_sheets(path, 2), Limits(), []),
    (
        "3 sparse sheets: grids over max_total_area",
        lambda path: crafted.sparse_sheets(path, 3),
        Limits(),
        ["workbook_too_large"],
    ),
    ("shared strings at max_strings", lambda path: crafted.shared_strings(path, 1000), Limits(max_strings=1000), []),
    (
        "shared strings over max_strings",
        lambda path: crafted.shared_strings(path, 1001),
        Limits(max_strings=1000),
        ["too_many_strings"],
    ),
    ("cell formats at max_styles", lambda path: crafted.styles(path, 1000), Limits(max_styles=1000), []),
    (
        "cell formats over max_styles",
        lambda path: crafted.styles(path, 1001),
        Limits(max_styles=1000),
        ["too_many_styles"],
    ),
    ("a cell far out in styles.xml", with_parts({"xl/styles.xml": sheet_xml(CORNER)}), Limits(), ["sheet_too_large"]),
    ("an image of random bytes", crafted.binary_part, Limits(), []),
    (
        "a sheet hidden in an image without NUL bytes",
        lambda path: crafted.binary_part(path, sheet_xml(CORNER).encode(), noise=0),
        Limits(),
        ["sheet_too_large"],
    ),
    (
        "a sheet hidden in an image, with a tag the patterns cannot read",
        lambda path: crafted.binary_part(path, sheet_xml('<row r="1"><c t="<" r="XFD1"/></row>').encode(), noise=0),
        Limits(),
        ["unreadable"],
    ),
    (
        "a sheet hidden in an image with NUL bytes",
        lambda path: crafted.binary_part(path, sheet_xml().encode()),
        Limits(),
        ["unreadable"],
    ),
    (
        "a UTF-16 byte order mark before ASCII XML",
        with_parts({"xl/a.xml": b"\xff\xfe" + sheet_xml(CORNER).encode()}),
        Limits(),
        ["sheet_too_large"],
    ),
]


@pytest.mark.parametrize(("build", "limits", "codes"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_inspect_file(tmp_path: Path, build: Build, limits: Limits, codes: list[str]) -> None:
    problems = inspect_file(build(tmp_path / "upload.xlsx"), "upload.xlsx", limits)
    assert [p.code for p in problems] == codes
    assert all(p.file == "upload.xlsx" and p.is_error for p in problems)


# --- details of the problems ---------------------------------------------------------------------


def test_sheet_problem_names_the_sheet_via_the_relationships(tmp_path: Path) -> None:
    huge = sheet_xml(head='<dimension ref="B2:XFD1048576"/>')
    path = build_xlsx(tmp_path / "a.xlsx", sheets={"Eerste": sheet_xml(), "R&amp;D": huge})
    [found] = inspect_file(path, "a.xlsx")
    assert (found.code, found.sheet, found.cell) == ("sheet_too_large", "R&D", None)
    assert "Blad 'R&D' beslaat 1.048.576 rijen en 16.384 kolommen" in found.message


def test_doctype_problem_names_the_part(tmp_path: Path) -> None:
    [found] = inspect_file(one_sheet_xml(DOCTYPE_SHEET)(tmp_path / "a.xlsx"), "a.xlsx")
    assert "'xl/worksheets/sheet1.xml'" in found.message


def test_size_problem_says_both_sizes(tmp_path: Path) -> None:
    path = written(b"PK\x03\x04" + bytes(2_499_996))(tmp_path / "a.xlsx")
    [found] = inspect_file(path, "a.xlsx", Limits(max_file_bytes=2_000_000))
    assert "2,5 MB" in found.message and "2 MB" in found.message


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"flag_bits": 0x1}, "encrypted"), ({"method": 12}, "unreadable")],
    ids=["zip-encrypted member", "bzip2 member"],
)
def test_member_that_cannot_be_inflated(tmp_path: Path, fields: dict[str, int], code: str) -> None:
    path = build_xlsx(tmp_path / "a.xlsx")
    patch_member(path, "xl/worksheets/sheet1.xml", **fields)
    assert [p.code for p in inspect_file(path, "a.xlsx")] == [code]


# --- speed and memory ----------------------------------------------------------------------------


def test_normal_workbook_of_several_sheets_passes(tmp_path: Path) -> None:
    # Its cost is measured in `make bench` (bench.ingest_bench: the guard is part of every load), never timed here.
    path = openpyxl_xlsx(tmp_path / "a.xlsx", sheets=3, cells_per_sheet=200)
    assert inspect_file(path, "a.xlsx") == []


@pytest.fixture(scope="module")
def honest_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sheet part of 1 GiB of spaces that truthfully declares its size (about 4.7 MB zipped)."""
    return big_sheet_xlsx(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", GiB)


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        (Limits(), "uncompressed_too_large"),
        (Limits(max_total_bytes=2 * GiB), "part_too_large"),
        (Limits(max_total_bytes=2 * GiB, max_part_bytes=2 * GiB), "compression_ratio"),
    ],
)
def test_honest_bomb_is_refused_without_inflating(honest_bomb: Path, limits: Limits, code: str) -> None:
    assert honest_bomb.stat().st_size < 20_000_000
    start = time.perf_counter()
    problems = inspect_file(honest_bomb, "bomb.xlsx", limits)
    assert time.perf_counter() - start < 1.0
    assert [p.code for p in problems] == [code]


@pytest.mark.parametrize("patch_crc", [True, False], ids=["crc of the declared prefix", "crc kept"])
def test_lying_bomb_is_refused_in_bounded_memory(tmp_path: Path, patch_crc: bool) -> None:
    """128 MiB of cells whose headers declare 1000 bytes (and, worse, the CRC of those bytes)."""
    cell = b'<c r="A1"><v>1</v></c>'
    path = big_sheet_xlsx(tmp_path / "liar.xlsx", 128 * 1024 * 1024, block=cell)
    declared = 1000
    fields = {"file_size": declared}
    if patch_crc:  # then zipfile's own size and CRC checks see nothing wrong
        fields["crc"] = zlib.crc32((cell * declared)[:declared])
    patch_member(path, "xl/worksheets/sheet1.xml", **fields)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == declared

    tracemalloc.start()
    start = time.perf_counter()
    try:
        problems = inspect_file(path, "liar.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.code for p in problems] == ["truncated"]
    assert time.perf_counter() - start < 1.0
    assert peak < 10 * 1024 * 1024
