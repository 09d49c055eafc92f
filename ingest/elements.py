"""The data elements: what is uploaded, how real exports name it, and how parts relate to totals.

One row per element. Header synonyms are matched after `text.word_key`: case, accents,
punctuation, word order and the filler words in `FILLER` do not matter. Adding a synonym is adding
one string to a tuple below.
"""

from __future__ import annotations

from dataclasses import dataclass

from reference.text import word_key

FILLER = frozenset({
    "aantal", "aant", "het", "de", "van", "nr", "n", "number", "of", "totaal", "tot", "total",
    "bij", "met", "in", "waarvan", "wv",
})  # fmt: skip


@dataclass(frozen=True)
class Element:
    """A count per municipality per quarter."""

    code: str
    label: str  # the header of the official template
    meaning: str  # Dutch, for the template's instructions
    synonyms: tuple[str, ...] = ()
    part_of: str | None = None  # the element this is a subset of (validated: part <= whole)


ELEMENTS: tuple[Element, ...] = (
    Element(
        "thv_totaal", "Tijdelijke huisverboden (totaal)",
        "Het aantal opgelegde tijdelijke huisverboden in het kwartaal.",
        ("Tijdelijk huisverbod", "Huisverboden", "Huisverbod", "THV", "Aantal THV", "Opgelegde huisverboden",
         "Tijdelijke huisverboden opgelegd", "THV totaal", "Huisverboden totaal"),
    ),
    Element(
        "thv_kindermishandeling", "waarvan bij kindermishandeling",
        "Van de tijdelijke huisverboden: het aantal bij kindermishandeling.",
        ("Huisverboden kindermishandeling", "THV kindermishandeling", "THV bij kindermishandeling",
         "Huisverbod bij kindermishandeling", "THV KM", "Waarvan kindermishandeling",
         "Tijdelijke huisverboden bij kindermishandeling"),
        part_of="thv_totaal",
    ),
    Element(
        "thv_preventief", "waarvan preventief opgelegd",
        "Van de tijdelijke huisverboden: het aantal dat preventief is opgelegd, niet pas na een crisis.",
        ("Preventieve huisverboden", "Preventief huisverbod", "THV preventief", "Waarvan preventief",
         "Preventief opgelegd", "Huisverboden preventief", "Preventief opgelegde huisverboden"),
        part_of="thv_totaal",
    ),
    Element(
        "plegers_in_beeld", "Plegers in beeld",
        "Het aantal plegers dat in beeld is bij het lokale team of Veilig Thuis.",
        ("Plegers", "Plegers bekend", "Aantal plegers in beeld", "Bekende plegers", "Plegers in zicht"),
    ),
    Element(
        "plegers_hulp_gestart", "Plegers gestart met hulpverlening",
        "Van de plegers in beeld: het aantal dat met vrijwillige hulpverlening is gestart.",
        ("Plegers gestart met hulp", "Gestart met hulpverlening", "Gestarte plegerhulp", "Plegerhulp gestart",
         "Plegers in hulpverlening", "Waarvan gestart met hulpverlening", "Plegers hulp gestart",
         "Gestart met hulp", "Start hulpverlening"),
        part_of="plegers_in_beeld",
    ),
    Element(
        "trajecten_afgesloten", "Plegertrajecten afgesloten",
        "Het aantal plegertrajecten dat in het kwartaal is afgesloten.",
        ("Afgesloten trajecten", "Trajecten afgesloten", "Plegertrajecten beeindigd", "Beeindigde trajecten",
         "Afgesloten plegertrajecten", "Trajecten beeindigd", "Uitstroom"),
    ),
    Element(
        "trajecten_uitval", "waarvan voortijdig uitgevallen",
        "Van de afgesloten plegertrajecten: het aantal dat voortijdig is beëindigd (uitval).",
        ("Uitval", "Voortijdige uitval", "Voortijdig uitgevallen", "Drop-out", "Dropout", "Trajecten uitval",
         "Waarvan uitval", "Voortijdig beeindigd", "Uitgevallen", "Voortijdig afgebroken"),
        part_of="trajecten_afgesloten",
    ),
    Element(
        "consultaties_fggz", "Consultaties forensische GGZ",
        "Het aantal consultaties van de forensische GGZ door lokale teams.",
        ("Consulten FGGZ", "Consultaties FGGZ", "Consult forensische GGZ", "FGGZ consultaties",
         "Forensische GGZ", "Consulten forensische GGZ", "FGGZ", "Consultatie FGGZ", "Consultaties F-GGZ"),
    ),
    Element(
        "consultaties_ggz", "Consultaties GGZ",
        "Het aantal consultaties van de (niet-forensische) GGZ door lokale teams.",
        ("Consulten GGZ", "GGZ consultaties", "Consult GGZ", "GGZ", "Consultatie GGZ", "Consultaties reguliere GGZ"),
    ),
    Element(
        "consultaties_verslavingszorg", "Consultaties verslavingszorg",
        "Het aantal consultaties van de verslavingszorg door lokale teams.",
        ("Consulten verslavingszorg", "Verslavingszorg", "Consult verslavingszorg", "Consultatie verslavingszorg",
         "Consultaties VZ", "Consulten VZ"),
    ),
    Element(
        "consultaties_lvb", "Consultaties LVB-zorg",
        "Het aantal consultaties van de zorg voor mensen met een licht verstandelijke beperking (LVB).",
        ("Consulten LVB", "Consultaties LVB", "LVB zorg", "LVB", "Consult LVB", "Consultatie LVB",
         "Consulten LVB-zorg"),
    ),
    Element(
        "dossiers_totaal", "Cliëntdossiers (huiselijk geweld)",
        "Het aantal cliëntdossiers over huiselijk geweld.",
        ("Clientdossiers", "Dossiers", "Dossiers huiselijk geweld", "Clientdossiers HG", "Cliëntdossiers totaal",
         "Dossiers totaal", "Clientdossiers huiselijk geweld"),
    ),
    Element(
        "dossiers_met_veiligheidsplan", "waarvan met gemeenschappelijk veiligheidsplan",
        "Van de cliëntdossiers: het aantal met het gemeenschappelijke veiligheidsplan van de regio.",
        ("Dossiers met veiligheidsplan", "Met veiligheidsplan", "Veiligheidsplan", "Gemeenschappelijk veiligheidsplan",
         "Waarvan met veiligheidsplan", "Dossiers met gemeenschappelijk veiligheidsplan", "Veiligheidsplannen"),
        part_of="dossiers_totaal",
    ),
)  # fmt: skip

ELEMENTS_BY_CODE = {e.code: e for e in ELEMENTS}
ELEMENT_CODES = tuple(ELEMENTS_BY_CODE)


def _header_index() -> dict[tuple[str, ...], str]:
    index: dict[tuple[str, ...], str] = {}
    for element in ELEMENTS:
        for name in (element.code, element.label, *element.synonyms):
            key = word_key(name, FILLER)
            if index.setdefault(key, element.code) != element.code:
                raise ValueError(f"header {name!r} means both {index[key]} and {element.code}")
    return index


ELEMENT_HEADERS = _header_index()


def element_for(header: object) -> str | None:
    """The element code a header or long-format label means, or None."""
    return ELEMENT_HEADERS.get(word_key(header, FILLER))
