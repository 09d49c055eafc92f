"""The indicator registry: the programme's suggested process indicators, one row each.

From the GHNT building blocks for the perpetrator approach, section 1.4 ("Bepaal indicatoren voor
het verzamelen van informatie over plegeraanbod"). A proportion pools numerator and denominator
counts; a count sums its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    description: str  # Dutch, one or two sentences for the page and the template
    per: int | None = None  # for rates: per how many inhabitants
    rate_twin: str | None = None  # for counts: the indicator of the same count per inhabitants

    @property
    def elements(self) -> tuple[str, ...]:
        return self.numerator + ((self.denominator,) if self.denominator else ())


CONSULTATIONS = ("consultaties_fggz", "consultaties_ggz", "consultaties_verslavingszorg", "consultaties_lvb")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "huisverbod_km", "Inzet huisverbod bij kindermishandeling",
        ("thv_kindermishandeling",), "thv_totaal", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de tijdelijke huisverboden dat bij kindermishandeling is opgelegd.",
    ),
    Indicator(
        "huisverbod_preventief", "Preventief huisverbod",
        ("thv_preventief",), "thv_totaal", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de tijdelijke huisverboden dat preventief is opgelegd, niet pas na een crisis.",
    ),
    Indicator(
        "plegerhulp_bereik", "Hulpverlening aan plegers",
        ("plegers_hulp_gestart",), "plegers_in_beeld", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de plegers in beeld dat met vrijwillige hulpverlening is gestart.",
    ),
    Indicator(
        "plegerhulp_uitval", "Voortijdige uitval plegerhulp",
        ("trajecten_uitval",), "trajecten_afgesloten", Unit.PROPORTION, Direction.DOWN,
        "Het aandeel van de afgesloten plegertrajecten dat voortijdig is beëindigd.",
    ),
    Indicator(
        "consultatie_specialistisch",
        "Consultatie forensische GGZ (of GGZ, verslavingszorg, LVB) door lokale teams",
        CONSULTATIONS, None, Unit.COUNT, Direction.UP,
        "Het aantal consultaties van forensische GGZ, GGZ, verslavingszorg en LVB-zorg door lokale teams.",
        rate_twin="consultatie_specialistisch_per_100k",
    ),
    Indicator(
        "consultatie_specialistisch_per_100k",
        "Consultatie forensische GGZ (of GGZ, verslavingszorg, LVB) per 100.000 inwoners",
        CONSULTATIONS, None, Unit.RATE, Direction.UP,
        "Het aantal consultaties door lokale teams per 100.000 inwoners, voor gemeenten met een bekend inwonertal.",
        per=100_000,
    ),
    Indicator(
        "veiligheidsplan_dossiers", "Gemeenschappelijk veiligheidsplan in cliëntdossiers",
        ("dossiers_met_veiligheidsplan",), "dossiers_totaal", Unit.PROPORTION, Direction.UP,
        "Het aandeel van de cliëntdossiers over huiselijk geweld met het gemeenschappelijke veiligheidsplan "
        "van de regio.",
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
