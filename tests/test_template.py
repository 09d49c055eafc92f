import datetime as dt
import io
import re

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from ingest.elements import ELEMENTS
from ingest.template import (
    CREATOR,
    INSTRUCTIONS_SHEET,
    LIST_SHEET,
    TEMPLATE_SHEET,
    element_column,
    write_template,
)
from reference.areas import load_reference
from reference.periods import Period

HEADERS = ["Gemeente", "Kwartaal", *(e.label for e in ELEMENTS)]
PARTS = [(e.code, e.part_of) for e in ELEMENTS if e.part_of]
TOTALS = [e.code for e in ELEMENTS if not e.part_of]
TODAY = dt.date(2025, 8, 1)


@pytest.fixture(scope="module")
def template_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "aanleverformat.xlsx"
    write_template(path, today=TODAY)
    return path


@pytest.fixture(scope="module")
def workbook(template_path):
    return openpyxl.load_workbook(template_path)


@pytest.fixture(scope="module")
def data(workbook):
    return workbook[TEMPLATE_SHEET]


def validations_at(sheet, cell: str) -> list[DataValidation]:
    return [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]


def only_validation(sheet, column: str, last_row: int) -> DataValidation:
    """The one rule on a column; it must cover every data row (overlapping rules break Excel)."""
    first = validations_at(sheet, f"{column}2")
    assert len(first) == 1
    assert validations_at(sheet, f"{column}{last_row}") == first
    assert validations_at(sheet, f"{column}1") == []  # never on the header
    return first[0]


def test_sheets_in_order_with_instructions_active(workbook):
    assert workbook.sheetnames == [INSTRUCTIONS_SHEET, TEMPLATE_SHEET, LIST_SHEET]
    assert workbook.active.title == INSTRUCTIONS_SHEET
    assert workbook[LIST_SHEET].sheet_state in ("hidden", "veryHidden")
    assert workbook[INSTRUCTIONS_SHEET].sheet_view.showGridLines is False


def test_header_is_gemeente_kwartaal_and_the_registry_labels(data):
    assert [c.value for c in data[1]] == HEADERS
    assert all(c.font.bold for c in data[1])
    assert data.freeze_panes == "C2"
    assert data.auto_filter.ref == f"A1:{element_column(ELEMENTS[-1].code)}{data.max_row}"


@pytest.mark.parametrize(
    ("today", "last_label", "rows"),
    [
        (dt.date(2025, 8, 1), "2025 K3", 7 * 4 + 3),
        (dt.date(2018, 1, 1), "2018 K1", 1),
        (dt.date(2024, 12, 31), "2024 K4", 7 * 4),
        (dt.date(2026, 4, 1), "2026 K2", 8 * 4 + 2),
    ],
)
def test_one_row_per_quarter_through_the_current_one(tmp_path, today, last_label, rows):
    path = tmp_path / "t.xlsx"
    write_template(path, today=today)
    sheet = openpyxl.load_workbook(path)[TEMPLATE_SHEET]
    kwartalen = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert len(kwartalen) == rows
    assert kwartalen[0] == "2018 K1"
    assert kwartalen[-1] == last_label
    assert len(set(kwartalen)) == rows
    assert all(row[0].value is None for row in sheet.iter_rows(min_row=2))
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))
    assert all(c.value is None for row in sheet.iter_rows(min_row=2, min_col=3) for c in row)


def test_count_columns_are_whole_numbers_at_least_zero(data):
    for code in TOTALS:
        column = element_column(code)
        dv = only_validation(data, column, data.max_row)
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert dv.allow_blank and dv.showErrorMessage and dv.showInputMessage
        assert dv.error and dv.prompt and dv.errorTitle
        assert data[f"{column}2"].number_format == "0"


@pytest.mark.parametrize(("part", "whole"), PARTS)
def test_part_columns_may_not_exceed_their_total(data, part, whole):
    dv = only_validation(data, element_column(part), data.max_row)
    assert dv.type == "custom"
    refs = set(re.findall(r"\b[A-Z]{1,3}[0-9]+\b", dv.formula1))
    assert refs == {f"{element_column(part)}2", f"{element_column(whole)}2"}
    assert f"{element_column(part)}2<={element_column(whole)}2" in dv.formula1
    assert ">=0" in dv.formula1 and "INT(" in dv.formula1  # also a whole number >= 0
    assert next(e.label for e in ELEMENTS if e.code == whole) in dv.error
    assert data[f"{element_column(part)}2"].number_format == "0"


def test_validation_messages_fit_excel_limits(data):
    for dv in data.data_validations.dataValidation:
        assert len(dv.error or "") <= 255 and len(dv.prompt or "") <= 255
        assert len(dv.errorTitle or "") <= 32 and len(dv.promptTitle or "") <= 32


def test_gemeente_is_a_warning_list_of_current_municipalities(workbook, data):
    dv = only_validation(data, "A", data.max_row)
    assert dv.type == "list"
    assert dv.errorStyle == "warning"  # a CBS code or former name must be accepted
    names = [row[0].value for row in workbook[LIST_SHEET].iter_rows()]
    assert dv.formula1 == f"{LIST_SHEET}!$A$1:$A${len(names)}"
    expected = {m.name for m in load_reference().existing(Period.of_date(TODAY))}
    assert set(names) == expected and len(names) == len(expected)
    assert "Amsterdam" in names


def test_instructions_mention_every_label_and_rule(workbook):
    text = "\n".join(str(c.value) for row in workbook[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "Monitor plegeraanpak — aanleverformat" in text
    for label in HEADERS:
        assert label in text
    for element in ELEMENTS:
        assert element.meaning in text
    rules = {row[1]: row[3] for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True)}
    for element in ELEMENTS:
        whole = next((e.label for e in ELEMENTS if e.code == element.part_of), None)
        assert ("≤ " in rules[element.label]) == bool(whole)
        if whole:
            assert rules[element.label].endswith(f"≤ {whole}")
    assert "python -m ingest load --municipality" in text
    assert "GM0363" in text and "<5" in text and "LEEG" in text


def test_document_properties(workbook):
    assert workbook.properties.creator == CREATOR
    assert workbook.properties.title == "Monitor plegeraanpak — aanleverformat"


def test_calamine_reads_the_header_back(template_path):
    sheet = CalamineWorkbook.from_path(str(template_path)).get_sheet_by_name(TEMPLATE_SHEET)
    rows = sheet.to_python()
    assert rows[0] == HEADERS
    assert rows[1][:2] == ["", "2018 K1"]


def test_writes_to_a_binary_file():
    buffer = io.BytesIO()
    write_template(buffer, today=TODAY)
    assert openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).sheetnames[1] == TEMPLATE_SHEET
