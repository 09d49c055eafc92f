"""Column headers: what each header of a real export means.

A header is either a data element (see `elements.py`) or one of the structural roles below. The
names here are the terms `recognise.py` scores a header against: adding a name is one string.
CBS's own column names (`RegioS`, `Perioden`, `Regio's`, `Gemeentenaam`, `Wijken en buurten`,
`Codering`) are listed as StatLine writes them: the OData API (cbsodata) names the dimensions
`RegioS` and `Perioden` with codes such as `GM0363  ` and `2024KW01`; the StatLine table and its
Excel/CSV downloads head them `Regio's` and `Perioden` with labels such as `Utrecht (gemeente)` and
`2024 1e kwartaal`; Kerncijfers wijken en buurten has `Wijken en buurten`, `Gemeentenaam` and
`Codering` (see the README, "What goes in", for where this was found).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from ingest.elements import element_for
from ingest.periods import parse_period
from ingest.recognise import Reading, recognise
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
        # CBS StatLine and its OData API
        "RegioS", "Wijken en buurten", "Codering", "Gemeentecode GM", "Gemeentenaam 1",
    ),
    Role.PERIOD: (
        "Kwartaal", "Periode", "Rapportageperiode", "Verslagperiode", "Jaar en kwartaal", "Jaar kwartaal",
        "Kwartaal en jaar", "Quarter", "Period", "Peildatum", "Datum", "Tijdvak", "Rapportagekwartaal",
        "Verslagkwartaal", "Kw",
        "Perioden",  # CBS StatLine and its OData API
    ),
    Role.YEAR: ("Jaar", "Year", "Rapportagejaar", "Verslagjaar", "Kalenderjaar", "Jaartal"),
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
ROLE_FILLER = frozenset({"de", "het", "van", "der", "the", "of"})  # not in role names that the matcher weighs

TOTAL_WORDS = frozenset({"totaal", "total", "subtotaal", "eindtotaal", "totalen", "som", "generaal"})
_TOTAL_TEXTS = frozenset({"nederland", "landelijk", "regio", "alle gemeenten", "overig"})


def role_for(header: object) -> Role | None:
    """The structural role of a header written as listed (word order and punctuation aside), or None."""
    if header is None or isinstance(header, int | float):
        return None
    return _ROLES.get(word_key(header))


MAX_HEADER_WORDS = 7  # longer text is a sentence (instructions, notes), never a header


def _is_sentence(text: str) -> bool:
    words = [word for word in text.split() if any(char.isalnum() for char in word)]
    return len(words) > MAX_HEADER_WORDS or (len(words) > 3 and text.rstrip().endswith("."))


def classify(header: object) -> Role | str | None:
    """A header's meaning: a Role, an element code, or None when unknown."""
    return _classify_text(header) if isinstance(header, str) else _classify(header)


@lru_cache(maxsize=8192)  # the same headers and instructions recur in every file of a source
def _classify_text(header: str) -> Role | str | None:
    return _classify(header)


def _classify(header: object) -> Role | str | None:
    return meaning_of(read_header(header))


def read_header(header: object) -> Reading | None:
    """How a header reads: listed names first, then by meaning (`recognise`); None for no text."""
    return _read_text(header) if isinstance(header, str) else None


@lru_cache(maxsize=8192)  # a Reading is immutable; every file of a source has the same headers
def _read_text(header: str) -> Reading | None:
    if _is_sentence(header):
        return None
    if (role := role_for(header)) is not None:
        return Reading(header, str(role), 1.0)
    if (element := element_for(header)) is not None:
        return Reading(header, element, 1.0)
    return recognise(header)


def meaning_of(reading: Reading | None) -> Role | str | None:
    """A reading's meaning as `classify` gives it: a Role, an element code, or None."""
    if reading is None or reading.meaning is None:
        return None
    return Role(reading.meaning) if reading.meaning in _ROLE_VALUES else reading.meaning


_ROLE_VALUES = frozenset(str(role) for role in Role)


def is_period(header: object) -> bool:
    return parse_period(header) is not None


def is_total_label(text: object) -> bool:
    """A label of a total or subtotal row or column: `Totaal`, `Regio totaal`, `Nederland`."""
    if not isinstance(text, str):
        return False
    folded = fold(text)
    return bool(TOTAL_WORDS & set(folded.split())) or folded in _TOTAL_TEXTS


def element_of(label: object) -> str | None:
    """The element a header or long-format label means, read by meaning; None when not clear."""
    meaning = classify(label)
    return meaning if isinstance(meaning, str) and not isinstance(meaning, Role) else None
