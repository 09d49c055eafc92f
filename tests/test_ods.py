"""OpenDocument spreadsheets: read by calamine after the ODS guard; hostile or mislabelled ones refused."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pytest

from ingest.guard import Limits
from ingest.ods_guard import MIMETYPE, inspect_ods
from ingest.pipeline import read_file
from tests.workbooks import write_workbook

TODAY = dt.date(2025, 11, 1)
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="' + MIMETYPE + b'"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def write_ods(path, sheets: dict[str, list[list[object]]]):
    """A real .ods written by odfpy through pandas."""
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def hand_built(path, body: str, extra: dict[str, bytes] | None = None, mimetype: bytes = MIMETYPE):
    """A minimal .ods zip with `body` as the spreadsheet's tables."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{OFFICE_NS}" '
        f'xmlns:table="{TABLE_NS}" xmlns:text="{TEXT_NS}"><office:body><office:spreadsheet>{body}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        for name, data in {"META-INF/manifest.xml": MANIFEST, **(extra or {})}.items():
            archive.writestr(name, data)
    return path


def cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'


def row(cells: str, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>{cells}</table:table-row>"


def table(rows: str, name: str = "Blad1") -> str:
    return f'<table:table table:name="{name}">{rows}</table:table>'


def codes(problems):
    return [p.code for p in problems]


def test_an_ods_reads_like_a_workbook(tmp_path):
    sheets = {
        "Toelichting": [["Vul de cijfers in op het tweede blad"]],
        "Gegevens": [
            ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"],
            ["Utrecht", "2024 K1", 10, 4],
            ["Zeist", "2024 K1", 3, None],
        ],
    }
    result = read_file(write_ods(tmp_path / "export.ods", sheets), today=TODAY)
    assert [(p.where, p.code) for p in result.problems] == []
    assert sorted((r.municipality, str(r.period), r.element, r.value) for r in result.records) == [
        ("GM0344", "2024Q1", "thv_kindermishandeling", 4),
        ("GM0344", "2024Q1", "thv_totaal", 10),
        ("GM0355", "2024Q1", "thv_totaal", 3),
    ]


def test_an_ods_under_a_temporary_xlsx_name_is_read_by_its_content(tmp_path):
    """The upload page saves every upload as `aanlevering-….xlsx`; the label says .ods."""
    path = write_ods(tmp_path / "x.ods", {"Blad1": [["Gemeente", "Kwartaal", "THV"], ["Utrecht", "2024 K1", 2]]})
    saved = path.rename(tmp_path / "aanlevering-123.xlsx")
    result = read_file(saved, label="export.ods", today=TODAY)
    assert (codes(result.problems), [r.value for r in result.records]) == ([], [2])


def test_cells_keep_their_positions(tmp_path):
    body = table(row(cell("titel")) + row("") + row(cell("Gemeente") + cell("Kwartaal") + cell("THV"))
                 + row(cell("Utrecht") + cell("2024 K1") + cell("-1")))  # fmt: skip
    result = read_file(hand_built(tmp_path / "a.ods", body), today=TODAY)
    assert [(p.where, p.code) for p in result.problems] == [("Blad1!C4", "negative_count")]


def test_trailing_empty_repeats_as_libreoffice_writes_them_are_fine(tmp_path):
    empty = row('<table:table-cell table:number-columns-repeated="16384"/>', 1_048_570)
    body = table(row(cell("Gemeente") + cell("THV")) + row(cell("Utrecht") + cell("3")) + empty)
    assert inspect_ods(hand_built(tmp_path / "lo.ods", body), "lo.ods") == []


@pytest.mark.parametrize(
    ("body", "extra", "limits", "code"),
    [
        # a few bytes that calamine would lay out as a billion cells
        (table(row(cell("x", 16_000), 100_000)), None, Limits(), "too_many_cells"),
        (table(row(cell("x", 600))), None, Limits(), "sheet_too_large"),
        (table(row("", 200_000) + row(cell("x"))), None, Limits(), "sheet_too_large"),  # content after empty rows
        ("".join(table(row(cell("x")), f"B{i}") for i in range(51)), None, Limits(), "too_many_sheets"),
        (
            table(row(cell("x"))),
            {"styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'},
            Limits(),
            "doctype",
        ),  # fmt: skip
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]>', None, Limits(), "doctype"),
        (table(row(cell("x"))), {"META-INF/manifest.xml": b"<manifest:encryption-data/>"}, Limits(), "encrypted"),
        (table(row(cell("x"))), {"../../etc/evil.xml": b"<x/>"}, Limits(), "unsafe_part_name"),
        (table(row(cell("x"))), {"/abs.xml": b"<x/>"}, Limits(), "unsafe_part_name"),
        (table(row(cell("x"))), {f"p{i}.xml": b"<x/>" for i in range(10)}, Limits(max_parts=5), "too_many_parts"),
        (table(row(cell("x"))), {"big.xml": b"<x>" + b" " * 2_000_000 + b"</x>"}, Limits(), "compression_ratio"),
        (table(row(cell("x"))), {"big.xml": b"<x/>" * 1000}, Limits(max_part_bytes=1000), "part_too_large"),
        (table(row(cell("x"))), {"big.xml": b"<x/>" * 1000}, Limits(max_total_bytes=2000), "uncompressed_too_large"),
        (table(row(cell("x"))), None, Limits(max_file_bytes=100), "file_too_large"),
    ],
)
def test_hostile_ods_is_refused(tmp_path, body, extra, limits, code):
    path = tmp_path / "vijandig.ods"
    if body.startswith("<!DOCTYPE"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", MIMETYPE)
            archive.writestr("content.xml", f'<?xml version="1.0"?>{body}<x>&a;</x>')
    else:
        hand_built(path, body, extra)
    assert codes(inspect_ods(path, "vijandig.ods", limits)) == [code]


def test_a_zip_bomb_that_lies_about_its_size_is_stopped(tmp_path):
    path = hand_built(tmp_path / "a.ods", table(row(cell("x"))), {"styles.xml": b"<x>" + b" " * 100_000 + b"</x>"})
    data = bytearray(path.read_bytes())
    # shrink the declared size of styles.xml in the central directory: inflating it goes past that size
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("styles.xml")
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"styles.xml"))
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert codes(inspect_ods(path, "a.ods")) == ["truncated"]


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: write_workbook(p, {"Blad1": [["Gemeente"], ["Utrecht"]]}), "een Excel-werkmap (.xlsx)"),
        (lambda p: p.write_bytes(b"Gemeente;THV\nUtrecht;3\n"), "geen rekenblad"),
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64), "een oud Excel-bestand"),
        (
            lambda p: hand_built(p, "", mimetype=b"application/vnd.oasis.opendocument.text"),
            "geen OpenDocument-rekenblad",
        ),
    ],
)
def test_something_else_named_ods_is_refused_and_named(tmp_path, make, kind):
    path = tmp_path / "export.ods"
    make(path)
    result = read_file(path, today=TODAY)
    assert codes(result.problems) == ["not_ods"]
    assert f"Dit bestand heet .ods, maar het is {kind}" in result.problems[0].message


@pytest.mark.parametrize("name", ["brief.pdf", "export.txt", "oud.xls"])
def test_other_files_are_told_the_accepted_formats(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 niets")
    [found] = read_file(path, today=TODAY).problems
    assert found.code == "not_xlsx"
    assert all(suffix in found.message for suffix in (".xlsx", ".csv", ".ods"))
