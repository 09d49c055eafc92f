"""Problems found in an uploaded file: data with a stable code, a place and a Dutch message.

Every step of the ingest pipeline returns its result plus a list of `Problem`s; nothing raises on
bad data. The Dutch message is rendered from one template per code, so the wording lives here and
nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "fout"  # the file is not stored
    WARNING = "waarschuwing"  # stored, but the uploader should know


# code -> (severity, the step that finds it, Dutch message template). The step is the module of
# ingest/ (or `intake`: dashboard.intake, the upload page's scope check) that produces the code;
# tests/test_problems.py checks that it does. Templates use str.format fields.
STEPS = (
    "guard", "csv_guard", "ods_guard", "isolation", "reader", "encoding", "pipeline", "layout", "resolve",
    "municipality", "values", "validate", "plausibility", "intake",
)  # fmt: skip
MESSAGES: dict[str, tuple[Severity, str, str]] = {
    # --- the file itself (checked before any parser inflates it) ---
    "file_missing": (Severity.ERROR, "guard", "Het bestand is niet gevonden. Controleer de bestandsnaam."),
    "file_empty": (
        Severity.ERROR,
        "guard",
        "Het bestand is leeg. Sla het opnieuw op vanuit Excel en probeer het nog eens.",
    ),
    "file_too_large": (
        Severity.ERROR,
        "guard",
        "Het bestand is {size} groot; de grens is {limit}. Lever alleen de tabel met de kwartaalcijfers aan.",
    ),
    "not_xlsx": (
        Severity.ERROR,
        "guard",
        "Dit is geen Excel-werkmap (.xlsx). We nemen een Excel-werkmap (.xlsx), een CSV-bestand (.csv) of een OpenDocument-rekenblad (.ods) aan: sla het bestand in een van die vormen op en lever het opnieuw aan.",
    ),
    "not_csv": (
        Severity.ERROR,
        "csv_guard",
        "Dit bestand heet .csv, maar het is {kind}. Lever een CSV-bestand aan (tekst, gescheiden door ; , of tab), of geef het bestand de naam die past: .xlsx voor een Excel-werkmap, .ods voor een OpenDocument-rekenblad.",
    ),
    "not_ods": (
        Severity.ERROR,
        "ods_guard",
        "Dit bestand heet .ods, maar het is {kind}. Lever een OpenDocument-rekenblad (.ods) aan, of geef het bestand de naam die past: .xlsx voor een Excel-werkmap, .csv voor een CSV-bestand.",
    ),
    "csv_too_many_lines": (
        Severity.ERROR,
        "csv_guard",
        "Het CSV-bestand heeft meer dan {limit} regels. Lever alleen de tabel met de kwartaalcijfers aan.",
    ),
    "csv_too_many_fields": (
        Severity.ERROR,
        "csv_guard",
        "Regel {line} van het CSV-bestand heeft meer dan {limit} velden. Controleer het scheidingsteken (; , of tab) en lever alleen de kolommen van de monitor aan.",
    ),
    "csv_field_too_long": (
        Severity.ERROR,
        "csv_guard",
        'Regel {line} van het CSV-bestand heeft een veld van meer dan {limit} bytes. Ontbreekt er een afsluitend aanhalingsteken (")? Controleer de regel en lever het bestand opnieuw aan.',
    ),
    "csv_too_large": (
        Severity.ERROR,
        "csv_guard",
        "Het CSV-bestand beslaat {rows} regels en {columns} kolommen; de grens is {max_area} velden in het blok daartussen. Verwijder overbodige regels en kolommen.",
    ),
    "unsafe_part_name": (
        Severity.ERROR,
        "ods_guard",
        "Onderdeel '{part}' van het bestand heeft een naam die buiten het bestand wijst; dat komt in echte rekenbladen niet voor en wordt om veiligheidsredenen geweigerd. Sla het bestand opnieuw op.",
    ),
    "legacy_xls": (
        Severity.ERROR,
        "guard",
        "Dit is een oud Excel-bestand (.xls). Open het in Excel, kies 'Opslaan als' en kies 'Excel-werkmap (*.xlsx)'.",
    ),
    "encrypted": (
        Severity.ERROR,
        "guard",
        "Het bestand is met een wachtwoord beveiligd. Haal de beveiliging eraf en lever het opnieuw aan.",
    ),
    "truncated": (
        Severity.ERROR,
        "guard",
        "Het bestand is beschadigd of onvolledig (misschien afgebroken bij het downloaden). Sla het opnieuw op vanuit Excel.",
    ),
    "macro_enabled": (
        Severity.ERROR,
        "guard",
        "De werkmap bevat macro's. Om veiligheidsredenen nemen we die niet aan. Sla het bestand op als 'Excel-werkmap (*.xlsx)' zonder macro's.",
    ),
    "doctype": (
        Severity.ERROR,
        "guard",
        "Onderdeel '{part}' van de werkmap bevat een DOCTYPE-verklaring; dat komt in echte Excel-bestanden niet voor en wordt om veiligheidsredenen geweigerd. Sla het bestand opnieuw op vanuit Excel.",
    ),
    "too_many_parts": (
        Severity.ERROR,
        "guard",
        "De werkmap bestaat uit {count} onderdelen; de grens is {limit}. Lever alleen de tabel met de kwartaalcijfers aan.",
    ),
    "part_too_large": (
        Severity.ERROR,
        "guard",
        "Onderdeel '{part}' is uitgepakt {size} groot; de grens is {limit}. Verwijder afbeeldingen en overbodige bladen en lever het opnieuw aan.",
    ),
    "uncompressed_too_large": (
        Severity.ERROR,
        "guard",
        "De werkmap is uitgepakt {size} groot; de grens is {limit}. Verwijder afbeeldingen en overbodige bladen en lever het opnieuw aan.",
    ),
    "compression_ratio": (
        Severity.ERROR,
        "guard",
        "Onderdeel '{part}' is verdacht sterk ingepakt (factor {ratio}). Sla het bestand opnieuw op vanuit Excel.",
    ),
    "too_many_sheets": (
        Severity.ERROR,
        "guard",
        "De werkmap heeft {count} bladen; de grens is {limit}. Lever alleen de bladen met kwartaalcijfers aan.",
    ),
    "sheet_too_large": (
        Severity.ERROR,
        "guard",
        "Blad '{sheet_name}' beslaat {rows} rijen en {columns} kolommen; de grens is {max_rows} rijen, {max_columns} kolommen en {max_area} cellen in het blok daartussen. Verwijder lege of overbodige rijen en kolommen.",
    ),
    "too_many_cells": (
        Severity.ERROR,
        "guard",
        "De werkmap heeft {count} cellen met inhoud of opmaak; de grens is {limit}. Lever alleen de tabel met de kwartaalcijfers aan en wis de opmaak van lege rijen en kolommen.",
    ),
    "workbook_too_large": (
        Severity.ERROR,
        "guard",
        "De bladen van de werkmap beslaan samen {area} cellen (van A1 tot de laatste cel van elk blad); de grens is {limit}. Verwijder overbodige bladen en lege of overbodige rijen en kolommen.",
    ),
    "too_many_strings": (
        Severity.ERROR,
        "guard",
        "De werkmap bevat {count} teksten; de grens is {limit}. Lever alleen de tabel met de kwartaalcijfers aan.",
    ),
    "too_many_styles": (
        Severity.ERROR,
        "guard",
        "De werkmap bevat {count} celopmaken; de grens is {limit}. Wis overbodige opmaak (Start > Wissen > Opmaak wissen) of kopieer de tabel naar een nieuwe werkmap.",
    ),
    "unsafe_file": (
        Severity.ERROR,
        "isolation",
        "Dit bestand kon niet veilig worden gelezen. Het is te groot of te ingewikkeld, of het is beschadigd. Open het in Excel, kopieer alleen de tabel met de kwartaalcijfers naar een nieuwe werkmap, sla die op als 'Excel-werkmap (*.xlsx)' en lever die aan.",
    ),
    "unreadable": (
        Severity.ERROR,
        "reader",
        "Het bestand kon niet gelezen worden ({detail}). Sla het opnieuw op vanuit Excel als 'Excel-werkmap (*.xlsx)'.",
    ),
    # --- finding the table ---
    "no_table": (
        Severity.ERROR,
        "pipeline",
        "In geen enkel blad is een tabel met bekende kolomkoppen gevonden. Gebruik de kolomkoppen van het sjabloon (bijvoorbeeld 'Tijdelijke huisverboden (totaal)') of download het sjabloon.",
    ),
    "unknown_header": (
        Severity.WARNING,
        "pipeline",
        "Kolom '{header}' is niet herkend en wordt overgeslagen. Hoort deze kolom bij de monitor, gebruik dan de kop uit het sjabloon.",
    ),
    "unmapped_column": (
        Severity.ERROR,
        "pipeline",
        "Kolom {column} is niet herkend, maar bevat aantallen. Zeg wat erin staat{suggestions}, of dat de kolom overgeslagen mag worden: kies het bij 'Kolommen koppelen', of geef op de opdrachtregel --column \"{name}=CODE\" (CODE: een onderdeel of skip).",
    ),
    "repaired_text": (
        Severity.WARNING,
        "encoding",
        "Tekst met een verkeerde tekenset is hersteld: {examples} ({count} cellen). Controleer de export: sla die op als UTF-8.",
    ),
    "duplicate_header": (
        Severity.ERROR,
        "layout",
        "De kolommen {cells} betekenen allebei '{label}'. Verwijder of hernoem een van beide.",
    ),
    "unknown_element": (
        Severity.WARNING,
        "layout",
        "'{text}' is geen onderdeel van de monitor; deze regel wordt overgeslagen.",
    ),
    # --- municipality ---
    "missing_municipality": (
        Severity.ERROR,
        "resolve",
        "Het bestand noemt geen gemeente. Voeg een kolom 'Gemeente' toe, of geef bij het aanleveren de gemeente op.",
    ),
    "unknown_municipality": (
        Severity.ERROR,
        "municipality",
        "Gemeente '{text}' is onbekend. Gebruik de officiële naam of de CBS-code (bijvoorbeeld GM0363).",
    ),
    "ambiguous_municipality": (
        Severity.ERROR,
        "municipality",
        "'{text}' kan meerdere gemeenten zijn ({options}). Gebruik de CBS-code of de volledige naam.",
    ),
    "municipality_not_in_period": (
        Severity.ERROR,
        "municipality",
        "Gemeente {name} ({gm_code}) bestond niet in {period}{hint}. Lever de cijfers aan voor de gemeente zoals die toen bestond.",
    ),
    "outside_scope": (
        Severity.ERROR,
        "intake",
        "U mag geen cijfers aanleveren voor {municipality}. U levert aan voor: {allowed}. Haal deze gemeente uit het bestand of vraag de beheerder om uw account aan te passen.",
    ),
    # --- period ---
    "missing_period": (
        Severity.ERROR,
        "resolve",
        "Het bestand noemt geen kwartaal. Voeg een kolom 'Kwartaal' toe met bijvoorbeeld '2024 K1'.",
    ),
    "not_a_quarter": (
        Severity.ERROR,
        "resolve",
        "'{text}' is {kind}, geen kwartaal. De monitor vraagt cijfers per kwartaal: lever ze aan per kwartaal, bijvoorbeeld '{year}KW01' of '{year} K1'.",
    ),
    "provisional_period": (
        Severity.WARNING,
        "resolve",
        "'{text}' is gemarkeerd als voorlopig ({mark}). De cijfers worden opgeslagen; lever de definitieve cijfers later opnieuw aan.",
    ),
    "unknown_period": (
        Severity.ERROR,
        "resolve",
        "'{text}' is geen herkenbaar kwartaal. Schrijf het kwartaal als '2024 K1', '2024Q1' of '1e kwartaal 2024'.",
    ),
    "future_period": (
        Severity.ERROR,
        "resolve",
        "Kwartaal {period} is nog niet begonnen. Controleer het jaartal en het kwartaal.",
    ),
    "period_out_of_range": (
        Severity.ERROR,
        "resolve",
        "Kwartaal {period} valt buiten de monitor (vanaf {first}). Controleer het jaartal.",
    ),
    # --- values ---
    "not_a_number": (
        Severity.ERROR,
        "values",
        "'{text}' is geen aantal. Vul een heel getal in (0 als er geen waren), of laat de cel leeg als het onbekend is.",
    ),
    "decimal_comma": (
        Severity.ERROR,
        "values",
        "'{text}' heeft een decimale komma, maar een aantal is een heel getal. Vul het hele getal in zonder komma (duizendtallen eventueel met een punt: 1.234).",
    ),
    "not_whole_number": (
        Severity.ERROR,
        "values",
        "{text} is geen heel getal. Aantallen zijn hele getallen; controleer de cel.",
    ),
    "negative_count": (
        Severity.ERROR,
        "values",
        "{text} is negatief. Aantallen zijn 0 of meer; controleer de cel.",
    ),
    "suppressed_value": (
        Severity.WARNING,
        "values",
        "'{text}' is door de bron afgeschermd; we slaan het op als onbekend (tussen 1 en 4). Lever het echte aantal aan als dat mag.",
    ),
    "unknown_marker": (
        Severity.WARNING,
        "values",
        "'{text}' lezen we als onbekend. Vul 0 in als er geen waren.",
    ),
    "conflicting_values": (
        Severity.ERROR,
        "validate",
        "Voor {name} in {period} staat '{label}' meer dan eens met verschillende waarden ({cells}). Laat één waarde staan.",
    ),
    "exceeds_total": (
        Severity.ERROR,
        "validate",
        "'{part_label}' ({part}) is groter dan '{total_label}' ({total}) voor {name} in {period}. Het deel kan niet groter zijn dan het geheel; controleer beide cellen.",
    ),
    "outlier": (
        Severity.WARNING,
        "plausibility",
        "Dit aantal wijkt sterk af van de vorige kwartalen (gemiddeld {typical}, nu {value}). Klopt het?",
    ),
    "no_values": (
        Severity.ERROR,
        "pipeline",
        "Er staan geen cijfers in het bestand. Vul de aantallen in en lever het opnieuw aan.",
    ),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one place of one file."""

    file: str
    sheet: str | None
    cell: str | None  # A1-style, e.g. "D7"; None for whole-file problems
    code: str
    severity: Severity
    message: str

    @property
    def where(self) -> str:
        """The place as a user reads it: `Blad1!D7`, `Blad1` or the file name."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.file

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def problem(file: str, code: str, sheet: str | None = None, cell: str | None = None, **fields) -> Problem:
    """Build a Problem, rendering the Dutch message of `code` with `fields`."""
    severity, _step, template = MESSAGES[code]
    return Problem(file, sheet, cell, code, severity, template.format(**fields))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


def human_size(n: int) -> str:
    """Bytes in Dutch notation: `1,5 MB`."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            text = f"{n:.1f}".rstrip("0").rstrip(".") if unit != "bytes" else str(n)
            return f"{text.replace('.', ',')} {unit}"
        n /= 1000
    raise AssertionError("unreachable")
