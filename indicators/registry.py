"""The indicator registry: the programme's suggested process indicators, one row each.

From the GHNT building blocks for the perpetrator approach, section 1.4 ("Bepaal indicatoren voor
het verzamelen van informatie over plegeraanbod"). A proportion pools numerator and denominator
counts; a count sums its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Unit(StrEnum):
    PROPORTION = "proportion"  # fraction 0..1, shown as a percentage
    COUNT = "count"
    RATE = "rate"  # a count per `per` inhabitants


class Direction(StrEnum):
    UP = "up"  # toename is the aim
    DOWN = "down"  # afname is the aim


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it counts, over what, and which way is better."""

    code: str
    name: str  # Dutch, as shown
    numerator: tuple[str, ...]  # data elements summed
    denominator: str | None  # data element, or None for counts and rates
    unit: Unit
    direction: Direction
    description: str  # Dutch, one or two sentences for the page and the template: the definition
    per: int | None = None  # for rates: per how many inhabitants
    rate_twin: str | None = None  # for counts: the indicator of the same count per inhabitants
    # For the definitions page (/indicatoren), Dutch; keyword-only so that none can be left out.
    building_block: str = field(kw_only=True)  # the words of the building block (seed, section 1.4), quoted
    why: str = field(kw_only=True)  # why the desired direction is the better one
    caveats: tuple[str, ...] = field(kw_only=True)  # what to keep in mind when reading or comparing

    @property
    def elements(self) -> tuple[str, ...]:
        return self.numerator + ((self.denominator,) if self.denominator else ())


CONSULTATIONS = ("consultaties_fggz", "consultaties_ggz", "consultaties_verslavingszorg", "consultaties_lvb")

# The caveat of every indicator: the sources do not register alike.
REGISTRATION_DIFFERS = (
    "De registratie verschilt tussen de Veilig Thuis-regio's en tussen gemeenten: vergelijk regio's met "
    "voorzichtigheid en lees een verschil eerst als een vraag, niet als een oordeel."
)
CONSULTATION_BLOCK = (
    "toename consultatie forensische GGZ (of GGZ of verslavingszorg of LVB zorg) door lokale (wijk)teams"
)
CONSULTATION_WHY = (
    "Lokale (wijk)teams die specialistische kennis inschakelen, kunnen plegers beter helpen. Een succesfactor uit "
    'de praktijk: "Consultatie door professionals lokale team is mogelijk bij reclassering en/of forensische GGZ".'
)
CONSULTATION_REGISTRATION = "Lokale teams leggen consultaties niet overal vast, en niet overal op dezelfde manier."

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "huisverbod_km", "Inzet huisverbod bij kindermishandeling",
        ("thv_kindermishandeling",), "thv_totaal", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de tijdelijke huisverboden dat bij kindermishandeling is opgelegd.",
        building_block="toename inzet huisverbod bij kindermishandeling",
        why="\"Juist voor plegers kan een huisverbod een belangrijk instrument zijn omdat het de situatie "
            "openbreekt\", mits er direct hulp op volgt. Meer inzet bij kindermishandeling is de bedoeling.",
        caveats=(
            "Of een huisverbod als 'bij kindermishandeling' wordt vastgelegd, verschilt per Veilig Thuis-regio.",
            "Een stijging kan ook betekenen dat meer kindermishandeling in beeld komt.",
            REGISTRATION_DIFFERS,
        ),
    ),
    Indicator(
        "huisverbod_preventief", "Preventief huisverbod",
        ("thv_preventief",), "thv_totaal", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de tijdelijke huisverboden dat preventief is opgelegd, niet pas na een crisis.",
        building_block="toename inzet preventief huisverbod i.p.v. alleen bij crisis en dus achteraf",
        why="\"Doe ervaring op in de gemeente met het ruimer opleggen van het huisverbod dan alleen bij een crisis "
            "zodat ruimte wordt gecreëerd voor het komen tot veiligheidsplan voor directe veiligheid.\"",
        caveats=(
            "Wat als 'preventief' telt, is niet overal op dezelfde manier vastgelegd.",
            "Bij weinig huisverboden per kwartaal is het aandeel onzeker: let op de breedte van het interval.",
            REGISTRATION_DIFFERS,
        ),
    ),
    Indicator(
        "plegerhulp_bereik", "Hulpverlening aan plegers",
        ("plegers_hulp_gestart",), "plegers_in_beeld", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de plegers in beeld dat met vrijwillige hulpverlening is gestart.",
        building_block="toename hulpverlening aan plegers",
        why="\"Het gaat erom de pleger binnen de systeemgerichte benadering een volwaardige plek te geven\", vooral "
            "via vrijwillige hulp: hoe meer plegers in beeld met hulp starten, hoe beter.",
        caveats=(
            "Wanneer een pleger 'in beeld' is, leggen lokale teams en Veilig Thuis niet overal gelijk vast.",
            "Hulp die buiten het lokale team of Veilig Thuis start, komt niet altijd in deze cijfers.",
            REGISTRATION_DIFFERS,
        ),
    ),
    Indicator(
        "plegerhulp_uitval", "Voortijdige uitval plegerhulp",
        ("trajecten_uitval",), "trajecten_afgesloten", Unit.PROPORTION, Direction.DOWN,
        "Het aandeel van de afgesloten plegertrajecten dat voortijdig is beëindigd.",
        building_block="afname voortijdige uitval hulpverlening aan plegers",
        why="Een traject dat voortijdig stopt, maakt de hulp aan de pleger niet af: minder uitval is beter.",
        caveats=(
            "Wat 'voortijdig' is, bepaalt elke aanbieder zelf.",
            "Het cijfer telt de trajecten die in het kwartaal zijn afgesloten, niet alle lopende trajecten.",
            REGISTRATION_DIFFERS,
        ),
    ),
    Indicator(
        "consultatie_specialistisch",
        "Consultatie forensische GGZ (of GGZ, verslavingszorg, LVB) door lokale teams",
        CONSULTATIONS, None, Unit.COUNT, Direction.UP,
        "Het aantal consultaties van forensische GGZ, GGZ, verslavingszorg en LVB-zorg door lokale teams.",
        rate_twin="consultatie_specialistisch_per_100k",
        building_block=CONSULTATION_BLOCK,
        why=CONSULTATION_WHY,
        caveats=(
            "Een aantal groeit ook als meer gemeenten aanleveren: lees het met de volledigheid, of per 100.000 "
            "inwoners.",
            CONSULTATION_REGISTRATION,
            REGISTRATION_DIFFERS,
        ),
    ),
    Indicator(
        "consultatie_specialistisch_per_100k",
        "Consultatie forensische GGZ (of GGZ, verslavingszorg, LVB) per 100.000 inwoners",
        CONSULTATIONS, None, Unit.RATE, Direction.UP,
        "Het aantal consultaties door lokale teams per 100.000 inwoners, voor gemeenten met een bekend inwonertal.",
        per=100_000,
        building_block=CONSULTATION_BLOCK,
        why=CONSULTATION_WHY,
        caveats=(
            "Het inwonertal is dat van 1 januari 2022; alleen gemeenten met een bekend inwonertal tellen mee.",
            CONSULTATION_REGISTRATION,
            REGISTRATION_DIFFERS,
        ),
    ),
    Indicator(
        "veiligheidsplan_dossiers", "Gemeenschappelijk veiligheidsplan in cliëntdossiers",
        ("dossiers_met_veiligheidsplan",), "dossiers_totaal", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de cliëntdossiers over huiselijk geweld met het gemeenschappelijke veiligheidsplan "
        "van de regio.",
        building_block="is er een gemeenschappelijk veiligheidsplan in de regio en is dat opgenomen in de "
                       "cliëntendossiers van de betrokken organisaties",
        why="\"Maak een overkoepelend veiligheidsplan bij huiselijk geweld en kindermishandeling met professionals van "
            "lokaal (wijk)team en andere professionals vanuit zorg en/of straf.\" Hoe vaker het in de dossiers staat, "
            "hoe meer organisaties vanuit één plan werken.",
        caveats=(
            "Of een plan als het gemeenschappelijke veiligheidsplan van de regio geldt, beoordelen organisaties "
            "niet overal gelijk.",
            "Alleen de dossiers van de organisaties die aanleveren tellen mee.",
            REGISTRATION_DIFFERS,
        ),
    ),
)  # fmt: skip

INDICATORS_BY_CODE = {i.code: i for i in INDICATORS}
COUNT_OF_RATE = {i.rate_twin: i.code for i in INDICATORS if i.rate_twin}  # rate code -> its count's code
# The data elements the indicators are computed from: every element a municipality delivers
# (ingest.elements; tests/test_indicators.py checks that they are the same).
INPUT_ELEMENTS = tuple(dict.fromkeys(e for i in INDICATORS for e in i.elements))


def shown_indicator(indicator: Indicator) -> Indicator:
    """The indicator the charts compare: a count is compared per inhabitants (its rate twin)."""
    return INDICATORS_BY_CODE[indicator.rate_twin] if indicator.rate_twin else indicator
