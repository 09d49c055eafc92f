"""Column headers: what each header of a real export means.

A header is either a data element (see `elements.py`) or one of the structural roles below.
Matching ignores case, accents, punctuation and word order; adding a synonym is one string.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from ingest.elements import element_for
from ingest.periods import parse_period
from reference.text import fold, word_key


class Role(StrEnum):
    MUNICIPALITY = "municipality"
    PERIOD = "period"
    YEAR = "year"
    ELEMENT = "element"  # long layout: the column naming the data element
    VALUE = "value"  # long layout: the column holding the count
    IGNORE = "ignore"  # known columns that carry nothing we store


ROLE_SYNONYMS: dict[Role, tuple[str, ...]] = {
    Role.MUNICIPALITY: (
        "Gemeente", "Gemeentenaam", "Naam gemeente", "Gemeentecode", "Code gemeente", "GM code",
        "CBS code", "CBS code gemeente", "Gemeente code", "Gemeente naam", "Municipality", "Woongemeente",
        "Gemeente CBS code", "Gemeentenummer", "Gem", "Gemeenten",
    ),
    Role.PERIOD: (
        "Kwartaal", "Periode", "Rapportageperiode", "Verslagperiode", "Jaar en kwartaal", "Jaar kwartaal",
        "Kwartaal en jaar", "Quarter", "Period", "Peildatum", "Datum", "Tijdvak", "Rapportagekwartaal",
        "Verslagkwartaal", "Kw",
    ),
    Role.YEAR: ("Jaar", "Year", "Rapportagejaar", "Verslagjaar", "Kalenderjaar"),
    Role.ELEMENT: (
        "Onderdeel", "Indicator", "Gegevenselement", "Omschrijving", "Variabele", "Item", "Kenmerk",
        "Categorie", "Soort", "Element", "Meetpunt", "Gegeven", "Type",
    ),
    Role.VALUE: ("Aantal", "Waarde", "Aantallen", "Count", "Value", "Score", "Aantal personen"),
    Role.IGNORE: (
        "Regio", "Regionaam", "Regiocode", "Provincie", "Opmerking", "Opmerkingen", "Toelichting", "Bron",
        "Nr", "Volgnummer", "Veilig Thuis regio", "Veiligheidsregio", "Contactpersoon", "Totaal",
        "Eenheid", "Status",
    ),
}  # fmt: skip

_ROLES = {word_key(name): role for role, names in ROLE_SYNONYMS.items() for name in names}

TOTAL_WORDS = frozenset({"totaal", "total", "subtotaal", "eindtotaal", "totalen", "som", "generaal"})
_TOTAL_TEXTS = frozenset({"nederland", "landelijk", "regio", "alle gemeenten", "overig"})


def role_for(header: object) -> Role | None:
    """The structural role of a header, or None."""
    if header is None or isinstance(header, int | float):
        return None
    return _ROLES.get(word_key(header))


MAX_HEADER_WORDS = 7  # longer text is a sentence (instructions, notes), never a header


def _is_sentence(text: str) -> bool:
    words = text.split()
    return len(words) > MAX_HEADER_WORDS or (len(words) > 3 and text.rstrip().endswith("."))


def classify(header: object) -> Role | str | None:
    """A header's meaning: a Role, an element code, or None when unknown."""
    return _classify_text(header) if isinstance(header, str) else _classify(header)


@lru_cache(maxsize=8192)  # the same headers and instructions recur in every file of a source
def _classify_text(header: str) -> Role | str | None:
    return _classify(header)


def _classify(header: object) -> Role | str | None:
    if header is None or (isinstance(header, str) and _is_sentence(header)):
        return None
    return role_for(header) or (element_for(header) if isinstance(header, str) else None)


def is_period(header: object) -> bool:
    return parse_period(header) is not None


def is_total_label(text: object) -> bool:
    """A label of a total or subtotal row or column: `Totaal`, `Regio totaal`, `Nederland`."""
    if not isinstance(text, str):
        return False
    folded = fold(text)
    return bool(TOTAL_WORDS & set(folded.split())) or folded in _TOTAL_TEXTS
