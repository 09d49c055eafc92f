"""The export table and its CSV and xlsx files."""

from __future__ import annotations

import csv
import io
import sys

import openpyxl
import pandas as pd
import pytest

from indicators.export import EXPORT_COLUMNS, export_table, write_export
from indicators.registry import INDICATORS
from reference.areas import DEFAULT_REGIONS_FILE, load_reference
from reference.periods import Period

Q2 = Period(2022, 2)
HEADER = "level,area_code,area_name,period,indicator,numerator,denominator,value,ci_low,ci_high,reported,expected"
N = len(INDICATORS)


@pytest.fixture(scope="module")
def reference():
    return load_reference(str(DEFAULT_REGIONS_FILE))


@pytest.fixture(scope="module")
def values():
    """2022Q2, region Amsterdam-Amstelland (VR13, 6 municipalities)."""
    rows = [
        ("GM0363", "thv_kindermishandeling", 3), ("GM0363", "thv_totaal", 10),
        ("GM0362", "thv_kindermishandeling", 5), ("GM0362", "thv_totaal", 30),
        ("GM0363", "consultaties_fggz", 12), ("GM0362", "consultaties_lvb", 5),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["municipality", "element", "value"])
    frame["value"] = frame["value"].astype("Int64")
    return frame.assign(period=str(Q2), year=2022, quarter=2, suppressed=False)


@pytest.fixture(scope="module")
def table(values, reference):
    return export_table(values, reference)


def csv_rows(table: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, str]]:
    out = io.StringIO()
    write_export(table, out, "csv")
    return {(r["level"], r["area_code"], r["indicator"]): r for r in csv.DictReader(io.StringIO(out.getvalue()))}


@pytest.mark.parametrize(
    "level, rows",
    [("municipality", 344 * N), ("region", 26 * N), ("national", N), (None, (344 + 26 + 1) * N)],
)
def test_rows_per_level(values, reference, level, rows):
    table = export_table(values, reference, level)
    assert tuple(table.columns) == EXPORT_COLUMNS
    assert len(table) == rows
    if level:
        assert set(table["level"]) == {level}


def test_unknown_level_and_format_are_refused(values, reference, table):
    with pytest.raises(ValueError, match="level"):
        export_table(values, reference, "province")
    with pytest.raises(ValueError, match="format"):
        write_export(table, io.StringIO(), "json")


def test_csv_header_line(table, tmp_path):
    path = tmp_path / "export.csv"
    write_export(table, path, "csv")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    assert len(text.splitlines()) == len(table) + 1
    assert "nan" not in text.lower() and "<na>" not in text.lower()


def test_csv_to_stdout(table, capsys):
    write_export(table.head(2), sys.stdout, "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == HEADER and len(lines) == 3


CSV_CASES = {
    # Pooled proportion: 8 / 40 = 0.2; Wilson 95%: 0.104958..0.348207 (6 decimals).
    ("region", "VR13", "huisverbod_km"): {
        "area_name": "Amsterdam-Amstelland", "period": "2022Q2", "numerator": "8",
        "denominator": "40", "value": "0.2", "reported": "2", "expected": "6",
    },
    # Count: 12 + 5 = 17, no denominator.
    ("region", "VR13", "consultatie_specialistisch"): {
        "numerator": "17", "denominator": "", "value": "17", "reported": "2", "expected": "6",
    },
    # Nobody in Diemen reported: only reported and expected are filled.
    ("municipality", "GM0384", "huisverbod_km"): {
        "numerator": "", "denominator": "", "value": "", "ci_low": "", "ci_high": "",
        "reported": "0", "expected": "1",
    },
    ("national", "NL", "huisverbod_km"): {
        "area_name": "Nederland", "numerator": "8", "denominator": "40", "reported": "2",
        "expected": "344",
    },
}  # fmt: skip


@pytest.mark.parametrize("key, cells", CSV_CASES.items(), ids=["/".join(k) for k in CSV_CASES])
def test_csv_cells(table, key, cells):
    row = csv_rows(table)[key]
    assert {column: row[column] for column in cells} == cells


def test_csv_fractions_are_rounded_to_six_decimals(table):
    row = csv_rows(table)[("region", "VR13", "huisverbod_km")]
    region = table.loc[table["area_code"] == "VR13"]
    pooled = region.loc[region["indicator"] == "huisverbod_km"].iloc[0]
    assert row["ci_low"] == f"{pooled['ci_low']:.6f}".rstrip("0")
    assert row["ci_high"] == f"{pooled['ci_high']:.6f}".rstrip("0")
    for r in csv_rows(table).values():
        for column in ("numerator", "denominator", "reported", "expected"):
            assert r[column] == "" or r[column].isdigit()
        for column in ("value", "ci_low", "ci_high"):
            assert "e" not in r[column] and len(r[column].partition(".")[2]) <= 6


def test_xlsx_round_trip(table, tmp_path):
    path = tmp_path / "export.xlsx"
    write_export(table, path, "xlsx")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header == list(EXPORT_COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= len("Amsterdam-Amstelland")
    assert sheet.max_row == len(table) + 1
    rows = {(r[0], r[1], r[4]): dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    pooled = rows[("region", "VR13", "huisverbod_km")]
    counts = [pooled[c] for c in ("numerator", "denominator", "reported", "expected")]
    assert counts == [8, 40, 2, 6]
    assert pooled["value"] == pytest.approx(0.2)  # 8 / 40
    assert isinstance(pooled["numerator"], int) and pooled["period"] == "2022Q2"
    empty = rows[("municipality", "GM0384", "huisverbod_km")]
    missing = [empty[c] for c in ("numerator", "denominator", "value", "ci_low", "ci_high")]
    assert missing == [None] * 5
    assert rows[("region", "VR13", "consultatie_specialistisch")]["denominator"] is None


def test_xlsx_to_a_stream(table):
    out = io.BytesIO()
    write_export(table.head(3), out, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.max_row == 4


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+31 20", "-1+1", "@SUM(A1)", "\tTab", "\rCR"])
def test_xlsx_formula_injection_guard(table, tmp_path, name):
    guarded = table.head(1).assign(area_name=name)
    path = tmp_path / "guard.xlsx"
    write_export(guarded, path, "xlsx")
    cell = openpyxl.load_workbook(path).active["C2"]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == name.replace("\r", "\n")  # XML reads a bare CR back as LF


def test_csv_downloads_neutralise_formulas():
    from indicators.export import neutralise_formulas

    frame = pd.DataFrame({"bestand": ["=HYPERLINK(1)", "+a", "-b", "@c", "\tx", "gewoon"], "n": [1, -2, 3, 4, 5, 6]})
    assert neutralise_formulas(frame).values.tolist() == [
        ["'=HYPERLINK(1)", 1],
        ["'+a", -2],
        ["'-b", 3],
        ["'@c", 4],
        ["'\tx", 5],
        ["gewoon", 6],
    ]
