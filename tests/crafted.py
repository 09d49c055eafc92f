"""Workbooks built part by part, and the crafted ones of the adversarial review (issue 10) that once got past the guard.

calamine aborts the whole process on the first two kinds (it allocates 16,384 x 1,048,576 cells),
so they are only ever read inside a child process.
"""

from __future__ import annotations

import posixpath
import random
import zipfile
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def sheet_xml(rows: str = '<row r="1"><c r="A1"><v>1</v></c></row>', head: str = "") -> str:
    """A worksheet part; `head` goes before <sheetData> (e.g. a <dimension>)."""
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{declaration}<worksheet xmlns="{MAIN_NS}">{head}<sheetData>{rows}</sheetData></worksheet>'


def build_xlsx(
    path: Path,
    sheets: dict[str, str] | None = None,
    extra: dict[str, str | bytes] | None = None,
    main_type: str = XLSX_MAIN,
    content_types_prolog: str = "",
    part_name: str = "worksheets/sheet{}.xml",
) -> Path:
    """A minimal but sound .xlsx, written part by part so tests can put anything in it.

    Sheet i is the part xl/`part_name.format(i)`.
    """
    sheets = sheets if sheets is not None else {"Cijfers": sheet_xml()}
    overrides = "".join(
        f'<Override PartName="/xl/{part_name.format(i)}" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8"?>{content_types_prolog}'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>{overrides}</Types>'
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheet_elements = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets.keys(), start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"<sheets>{sheet_elements}</sheets></workbook>"
    )
    # Targets deliberately in reverse order of the sheets, so a name-by-position guess is wrong.
    workbook_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="{part_name.format(i)}"/>'
        for i in reversed(range(1, len(sheets) + 1))
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">{workbook_rels}</Relationships>',
        )
        for i, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/{part_name.format(i)}", xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


CORNERS = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _rewrite(path: Path, changes: dict[str, str | bytes]) -> Path:
    """Replace or add members of a zip."""
    with zipfile.ZipFile(path) as archive:
        members: dict[str, str | bytes] = {info.filename: archive.read(info) for info in archive.infolist()}
    members.update(changes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _one_sheet_at(path: Path, target: str, member: str, padding: str = "") -> Path:
    """One sheet 'Cijfers' whose relationship points at `target`, its XML in the zip member `member`."""
    build_xlsx(path, sheets={})
    with zipfile.ZipFile(path) as archive:
        content_types = archive.read("[Content_Types].xml").decode()
    part = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    override = f'<Override PartName="/{part}" ContentType="{WORKSHEET_TYPE}"/>'
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheets><sheet name="Cijfers" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    relationships = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">'
        f'<Relationship Id="rId1"{padding} Type="{REL_NS}/worksheet" Target="{target}"/></Relationships>'
    )
    return _rewrite(
        path,
        {
            "[Content_Types].xml": content_types.replace("</Types>", f"{override}</Types>"),
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": relationships,
            member: sheet_xml(CORNERS),
        },
    )


def padded_relationship(path: Path) -> Path:
    """1.5 KB: the sheet's relationship is longer than the guard's pattern read, its sheet outside xl/worksheets/."""
    padding = ' Pad="' + "x" * 1000 + '"'
    return _one_sheet_at(path, "data/blad1.xml", "xl/data/blad1.xml", padding)


def dotdot_member(path: Path) -> Path:
    """A zip member named with `..`, which the relationship names the same way."""
    target = "worksheets/../worksheets/sheet1.xml"
    return _one_sheet_at(path, target, f"xl/{target}")


def sheet_outside_worksheets(path: Path) -> Path:
    """A sheet at /foo/worksheets/ (calamine only looks at the folder's second name)."""
    return _one_sheet_at(path, "/foo/worksheets/sheet1.xml", "foo/worksheets/sheet1.xml")


def sparse_sheets(path: Path, count: int = 50) -> Path:
    """50 sheets of two cells, A1 and T100000: each within the per-sheet limit, 100 million cells together."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="T100000"><v>1</v></c></row>'
    return build_xlsx(path, sheets={f"Blad{i}": sheet_xml(rows) for i in range(1, count + 1)})


def shared_strings(path: Path, count: int) -> Path:
    """A sound sheet and a shared-strings part of `count` different strings (it compresses less than 200x)."""
    items = "".join(f"<si><t>{n * 7919 % 1_000_003}</t></si>" for n in range(count))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="{count}">{items}</sst>'
    return build_xlsx(path, extra={"xl/sharedStrings.xml": xml})


def styles(path: Path, count: int) -> Path:
    """A sound sheet and a styles part of `count` cell formats."""
    rng = random.Random(count)
    xfs = "".join(
        f'<xf numFmtId="{rng.randrange(200)}" fontId="{rng.randrange(99)}" borderId="{rng.randrange(9)}"/>'
        for _ in range(count)
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><cellXfs>{xfs}</cellXfs></styleSheet>'
    return build_xlsx(path, extra={"xl/styles.xml": xml})


def binary_part(path: Path, payload: bytes = b"", noise: int = 300_000) -> Path:
    """A sound sheet and an image: 'GIF89a', `noise` seeded random bytes (NUL bytes, stray '<c ' tags), `payload`."""
    image = b"GIF89a" + random.Random(7).randbytes(noise) + payload
    return build_xlsx(path, extra={"xl/media/image1.gif": image})
