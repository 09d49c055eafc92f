"""The official empty Excel template: instructions, one row per quarter and in-sheet validation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ingest.elements import ELEMENTS, ELEMENTS_BY_CODE, Element
from reference.areas import load_reference
from reference.periods import FIRST_YEAR, Period, period_range
from reference.text import fold

TITLE = "Monitor plegeraanpak — aanleverformat"
CREATOR = "Monitor plegeraanpak"
INSTRUCTIONS_SHEET = "Toelichting"
TEMPLATE_SHEET = "Gegevens"
LIST_SHEET = "Gemeenten"
FIXED_HEADERS = ("Gemeente", "Kwartaal")
FIRST_ELEMENT_COLUMN = len(FIXED_HEADERS) + 1
LAST_VALIDATED_ROW = 5000  # validation also covers rows a partner adds for more municipalities
# Warning, not stop: a value the source itself suppressed ("<5") must be able to stay; the ingest
# check re-validates every cell before anything is stored.
COUNT_ERROR_STYLE = "warning"

ABOUT = (
    ("Doel", "Met dit bestand levert u de aantallen aan voor de monitor plegeraanpak van het "
     "programma Geweld hoort nergens thuis: hoe plegers van huiselijk geweld en kindermishandeling "
     "in beeld komen en hulp krijgen."),
    ("Wie", "Gemeenten en ketenpartners: Veilig Thuis, forensische GGZ, reclassering en lokale "
     "(wijk)teams."),
    ("Wanneer", "Elk kwartaal, na afloop van het kwartaal, per gemeente. Werkt u voor meer "
     "gemeenten, dan vult u één rij per gemeente per kwartaal in."),
)  # fmt: skip
STEPS = (
    "Ga naar het tabblad '{sheet}'. Daar staat één rij per kwartaal, van {first} tot en met "
    "{last}. Verander de tekst in de kolom Kwartaal niet.",
    "Vul in elke rij die u aanlevert de gemeente in: de naam (kies uit de lijst) of de CBS-code, "
    "zoals GM0363 voor Amsterdam. Voor een gemeente die sindsdien is opgeheven, typt u de naam of "
    "code van toen; Excel vraagt dan om bevestiging (kies Ja).",
    "Levert u voor meer gemeenten aan? Kopieer de rijen, zodat er per rij één gemeente en één kwartaal staat.",
    "Vul de aantallen in als hele getallen van 0 of meer: geen decimalen, procenten of tekst.",
    "Onbekend is iets anders dan nul. Laat een cel LEEG als u het aantal niet weet. Schrijf 0 als "
    "er in dat kwartaal geen waren.",
    "Schrijf nooit '<5' of een schatting. Alleen als de bron het aantal zelf al heeft afgeschermd "
    "(bijvoorbeeld '<5'), neemt u dat zo over; Excel vraagt dan om bevestiging.",
    "Een kolom die begint met 'waarvan' is een deel van het totaal ervoor en mag nooit groter zijn "
    "dan dat totaal (zie de tabel hieronder).",
    "Levert u een kolom niet? Laat hem leeg. Een gemeente levert bijvoorbeeld de consultaties, "
    "Veilig Thuis de tijdelijke huisverboden. Verwijder geen kolommen en verander de kolomkoppen "
    "niet. Rijen van kwartalen die u niet aanlevert, mag u leeg laten.",
)
DELIVERY = (
    ("Uploadpagina", "Sla het bestand op als .xlsx en upload het op de uploadpagina van de "
     "monitor."),
    ("Of met het commando", "python -m ingest load --municipality GM0363 bestand.xlsx"),
    ("", "De optie --municipality (naam of CBS-code) is alleen nodig als de kolom Gemeente leeg "
     "is: dan gelden alle rijen voor die gemeente."),
    ("Controle", "Een bestand met een fout wordt in zijn geheel niet opgeslagen. U ziet per fout "
     "in welke cel hij zit (bijvoorbeeld Gegevens!D7) en wat u moet doen. Een nieuwe aanlevering "
     "voor dezelfde gemeente, hetzelfde kwartaal en hetzelfde gegeven vervangt de oude waarde; de "
     "oude blijft in de geschiedenis bewaard."),
    ("Vragen", "Neem contact op met de regionaal projectleider van uw regio."),
)  # fmt: skip
FIXED_COLUMNS = (
    ("Gemeente", "De naam of CBS-code van de gemeente (bijvoorbeeld GM0363).",
     "De gemeente moet in dat kwartaal bestaan hebben. Leeg alleen als bij het uploaden een "
     "gemeente is opgegeven."),
    ("Kwartaal", "Het kwartaal, geschreven als '2024 K1'.",
     "Vooraf ingevuld; niet wijzigen. Het kwartaal moet begonnen zijn."),
)  # fmt: skip

_DARK = "1F4E79"  # white on this: contrast 9:1
_LIGHT = "DDEBF7"
_GREY = "F2F2F2"
_HEADER_FONT = Font(name="Calibri", bold=True, color="FFFFFF")
_PART_HEADER_FONT = Font(name="Calibri", bold=True, color="1F3864")
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def element_column(code: str) -> str:
    """The column letter of an element on the data sheet."""
    return get_column_letter(FIRST_ELEMENT_COLUMN + [e.code for e in ELEMENTS].index(code))


def template_periods(today: dt.date) -> list[Period]:
    """Every quarter from the startfoto year through the quarter that contains `today`."""
    return period_range(Period(FIRST_YEAR, 1), Period.of_date(today))


def municipality_names(period: Period) -> list[str]:
    """The Gemeente list: the municipalities of `period`, in Dutch alphabetical order."""
    names = {m.name for m in load_reference().existing(period)}
    return sorted(names, key=lambda n: fold(re.sub(r"^'s[- ]", "", n)))


def write_template(out: Path | BinaryIO, today: dt.date | None = None) -> None:
    """Write the official empty template (.xlsx) to a path or a binary file."""
    today = today or dt.date.today()
    periods = template_periods(today)
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, periods, today)
    data = workbook.create_sheet(TEMPLATE_SHEET)
    names = workbook.create_sheet(LIST_SHEET)
    names.sheet_state = "veryHidden"
    for row, name in enumerate(municipality_names(periods[-1]), start=1):
        names.cell(row, 1, name)
    _write_data_sheet(data, periods, names.max_row)
    workbook.active = 0
    props = workbook.properties
    props.title, props.creator, props.lastModifiedBy = TITLE, CREATOR, CREATOR
    props.subject = "Kwartaalcijfers plegeraanpak huiselijk geweld en kindermishandeling"
    props.language = "nl-NL"
    props.created = props.modified = dt.datetime.combine(today, dt.time())
    workbook.save(out)


def _rule(element: Element) -> str:
    rule = "Heel getal ≥ 0; leeg = onbekend, 0 = geen."
    if element.part_of:
        rule += f"\n≤ {ELEMENTS_BY_CODE[element.part_of].label}"
    return rule


def _wrapped_lines(text: str, width: float) -> int:
    lines = 0
    for paragraph in text.split("\n"):
        length = 0
        lines += 1
        for word in paragraph.split():
            if length and length + 1 + len(word) > width:
                lines, length = lines + 1, len(word)
            else:
                length += len(word) + (1 if length else 0)
    return lines


def _fit_height(ws: Worksheet, row: int) -> None:
    """Fit a row's height to its wrapped text: Excel does not, for a file it did not write."""
    lines = 1
    for cell in ws[row]:
        if cell.value is not None and cell.alignment.wrap_text:
            width = ws.column_dimensions[cell.column_letter].width or 10
            per_line = width * (1.0 if cell.font.bold else 1.2)  # characters; bold is wider
            lines = max(lines, _wrapped_lines(str(cell.value), per_line))
    ws.row_dimensions[row].height = 15 * lines + 3


def _write_instructions(ws: Worksheet, periods: list[Period], today: dt.date) -> None:
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = _DARK
    for letter, width in zip("ABCD", (2, 36, 72, 42), strict=True):
        ws.column_dimensions[letter].width = width
    first, last = periods[0].label, periods[-1].label
    ws["B1"] = TITLE
    ws["B1"].font = Font(name="Calibri", size=18, bold=True, color=_DARK)
    ws.row_dimensions[1].height = 30
    ws["B2"] = f"Versie van {today:%d-%m-%Y}, met de kwartalen {first} tot en met {last}."
    ws["B2"].font = Font(name="Calibri", italic=True, color="595959")
    row = 4

    def section(title: str) -> None:
        nonlocal row
        ws.cell(row, 2, title).font = Font(name="Calibri", size=13, bold=True, color=_DARK)
        row += 1

    def line(label: str, text: str, font: Font | None = None) -> None:
        nonlocal row
        ws.cell(row, 2, label).font = Font(name="Calibri", bold=True)
        ws.cell(row, 2).alignment = _WRAP
        cell = ws.cell(row, 3, text)
        cell.alignment = _WRAP
        if font:
            cell.font = font
        _fit_height(ws, row)
        row += 1

    section("Waarvoor is dit bestand?")
    for label, text in ABOUT:
        line(label, text)
    row += 1
    section("Zo vult u het in")
    for number, text in enumerate(STEPS, start=1):
        line(f"Stap {number}", text.format(sheet=TEMPLATE_SHEET, first=first, last=last))
    row += 1
    section("Zo levert u aan")
    for label, text in DELIVERY:
        line(label, text, Font(name="Consolas") if text.startswith("python ") else None)
    row += 1
    section(f"De kolommen van het tabblad '{TEMPLATE_SHEET}'")
    for column, text in enumerate(("Kolom", "Betekenis", "Regel"), start=2):
        cell = ws.cell(row, column, text)
        cell.font, cell.fill, cell.border = _HEADER_FONT, PatternFill("solid", fgColor=_DARK), _BOX
    row += 1
    rows = [*FIXED_COLUMNS, *((e.label, e.meaning, _rule(e)) for e in ELEMENTS)]
    for values in rows:
        for column, value in enumerate(values, start=2):
            cell = ws.cell(row, column, value)
            cell.alignment, cell.border = _WRAP, _BOX
        ws.cell(row, 2).font = Font(name="Calibri", bold=True)
        _fit_height(ws, row)
        row += 1
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _header_width(text: str) -> float:
    """The narrowest width (12..30) at which the header wraps onto at most two lines."""
    longest = max(len(word) for word in text.split())
    for width in range(max(12, longest + 4), 31):
        if _wrapped_lines(text, width - 2) <= 2:
            return width
    return 30


def _write_data_sheet(ws: Worksheet, periods: list[Period], n_names: int) -> None:
    ws.sheet_properties.tabColor = "2E75B6"
    headers = [*FIXED_HEADERS, *(e.label for e in ELEMENTS)]
    last_row = len(periods) + 1
    last_validated = max(LAST_VALIDATED_ROW, last_row)
    lines = 1
    for column, text in enumerate(headers, start=1):
        cell = ws.cell(1, column, text)
        part = column >= FIRST_ELEMENT_COLUMN and ELEMENTS[column - FIRST_ELEMENT_COLUMN].part_of
        cell.font = _PART_HEADER_FONT if part else _HEADER_FONT
        cell.fill = PatternFill("solid", fgColor=_LIGHT if part else _DARK)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BOX
        width = _header_width(text)
        ws.column_dimensions[cell.column_letter].width = width
        lines = max(lines, _wrapped_lines(text, width - 2))
    ws.column_dimensions["A"].width = 32
    ws.row_dimensions[1].height = 15 * lines + 6
    ws.column_dimensions["A"].number_format = "@"  # keeps the zero of a typed code such as 0363
    for row, period in enumerate(periods, start=2):
        ws.cell(row, 1).number_format = "@"
        ws.cell(row, 1).border = _BOX
        kwartaal = ws.cell(row, 2, period.label)
        kwartaal.number_format = "@"
        kwartaal.fill, kwartaal.border = PatternFill("solid", fgColor=_GREY), _BOX
        for column in range(FIRST_ELEMENT_COLUMN, len(headers) + 1):
            ws.cell(row, column).number_format = "0"
            ws.cell(row, column).border = _BOX
    for element in ELEMENTS:
        letter = element_column(element.code)
        ws.column_dimensions[letter].number_format = "0"
        ws.data_validations.append(_count_validation(element, f"{letter}2:{letter}{last_validated}"))
    gemeente = DataValidation(
        type="list",
        formula1=f"{LIST_SHEET}!$A$1:$A${n_names}",
        allow_blank=True,
        errorStyle="warning",
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Onbekende gemeente",
        error="Deze naam staat niet in de lijst met gemeenten van nu. Een CBS-code (zoals GM0363) "
        "of de naam van een gemeente die sindsdien is opgeheven mag ook: kies dan Ja.",
        promptTitle="Gemeente",
        prompt="Kies de gemeente uit de lijst of typ de CBS-code (bijvoorbeeld GM0363).",
    )
    gemeente.add(f"A2:A{last_validated}")
    ws.data_validations.append(gemeente)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last_row}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _count_validation(element: Element, cells: str) -> DataValidation:
    """Whole number >= 0; for a part in the same rule (one rule per cell) also <= its whole."""
    common = {
        "allow_blank": True,
        "errorStyle": COUNT_ERROR_STYLE,
        "showErrorMessage": True,
        "showInputMessage": True,
        "errorTitle": "Ongeldig aantal",
        "promptTitle": "Aantal",
    }
    suppressed = "Alleen een aantal dat de bron zelf al afschermde (zoals '<5') mag blijven staan."
    if element.part_of is None:
        validation = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            **common,
            error=f"Vul een heel getal van 0 of meer in. Onbekend? Laat de cel leeg. {suppressed}",
            prompt="Heel getal, 0 of meer. Leeg = onbekend, 0 = geen.",
        )
    else:
        whole = ELEMENTS_BY_CODE[element.part_of]
        part, total = f"{element_column(element.code)}2", f"{element_column(whole.code)}2"
        validation = DataValidation(
            type="custom",
            **common,
            formula1=f'OR({part}="",AND(ISNUMBER({part}),{part}>=0,{part}=INT({part}),'
            f"OR(NOT(ISNUMBER({total})),{part}<={total})))",
            error=f"Vul een heel getal van 0 of meer in, niet groter dan '{whole.label}'. {suppressed}",
            prompt=f"Heel getal, 0 of meer en niet meer dan '{whole.label}'. Leeg = onbekend.",
        )
    validation.add(cells)
    return validation
