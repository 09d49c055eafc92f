"""The definition of each indicator, for the page `/indicatoren` and the report's annex.

Pure: built from the registry (`indicators.registry`: definition, elements, direction and why, the
building block's words, caveats) and from the one place each method is defined (the intervals, the
tested trend, the comparison with the nation and a target, the suppression thresholds). Every
indicator gets every field (`FIELDS`), in Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.format import number
from indicators import trend
from indicators.aggregate import CONFIDENCE
from indicators.disclosure import COUNT_THRESHOLD, DENOMINATOR_THRESHOLD
from indicators.registry import INDICATORS, Direction, Indicator, Unit
from indicators.statistics import BYAR_MIN_COUNT
from ingest.elements import ELEMENTS_BY_CODE

# The fields of a definition, in the order shown.
DEFINITION = "Definitie"
NUMERATOR = "Teller"
DENOMINATOR = "Noemer"
ELEMENTS = "Gegevens die worden aangeleverd"
UNIT = "Eenheid"
DIRECTION = "Gewenste richting"
WHY = "Waarom die richting"
BUILDING_BLOCK = "Uit de bouwsteen"
INTERVAL = "Betrouwbaarheidsinterval"
TREND = "Trend"
NATION = "Vergelijking met landelijk"
TARGET = "Streefwaarde"
SUPPRESSION = "Afscherming van kleine aantallen"
CAVEATS = "Let op"
FIELDS = (DEFINITION, NUMERATOR, DENOMINATOR, ELEMENTS, UNIT, DIRECTION, WHY, BUILDING_BLOCK, INTERVAL, TREND,
          NATION, TARGET, SUPPRESSION, CAVEATS)  # fmt: skip

UNIT_WORDS = {Unit.PROPORTION: "percentage", Unit.COUNT: "aantal", Unit.RATE: "aantal per 100.000 inwoners"}
DIRECTION_WORDS = {Direction.UP: "hoger is beter (toename)", Direction.DOWN: "lager is beter (afname)"}
GOOD_SIDE = {Direction.UP: ("boven", "onder"), Direction.DOWN: ("onder", "boven")}


@dataclass(frozen=True)
class Definition:
    """One indicator's definition: (field, text or list of texts) in the order of `FIELDS`."""

    code: str
    name: str
    fields: tuple[tuple[str, str | tuple[str, ...]], ...]

    def get(self, name: str) -> str | tuple[str, ...]:
        return dict(self.fields)[name]


def _element(code: str) -> str:
    label = ELEMENTS_BY_CODE[code].label
    return f"{label[0].upper()}{label[1:]} ({code})"


def _numerator(indicator: Indicator) -> str:
    parts = [_element(code) for code in indicator.numerator]
    return parts[0] if len(parts) == 1 else "de som van: " + ", ".join(parts)


def _denominator(indicator: Indicator) -> str:
    if indicator.unit is Unit.PROPORTION:
        return _element(indicator.denominator)
    if indicator.unit is Unit.RATE:
        return f"het inwonertal (CBS, 1 januari 2022); het cijfer is per {number(indicator.per)} inwoners"
    return "geen: het is een aantal"


def interval_text(unit: Unit) -> str:
    """How the 95% interval is computed (PHEindicatormethods)."""
    level = f"{CONFIDENCE:.0%}"
    if unit is Unit.PROPORTION:
        method = "volgens Wilson (score-methode)"
    else:
        method = f"van het aantal volgens Byar, en exact (Poisson) bij minder dan {BYAR_MIN_COUNT}"
        method += ", gedeeld door het inwonertal" if unit is Unit.RATE else ""
    return f"{level}-betrouwbaarheidsinterval {method}; de methoden van Fingertips en PHEindicatormethods."


def trend_text(unit: Unit) -> str:
    """How the recent trend is tested (`indicators.trend`)."""
    limit = f"{trend.CHI2_LIMIT:.2f}".replace(".", ",")
    p = f"{trend.SIGNIFICANCE}".replace(".", ",")
    test = (
        "de chi-kwadraattoets voor trend (Armitage) op tellers en noemers; de richting is de helling van de logit"
        if unit is Unit.PROPORTION
        else "gewogen regressie van de waarde op de tijd, met als gewicht 1/SE² (SE uit het 95%-interval)"
    )
    return (
        f"Over de laatste {trend.POINTS} kwartalen, een aaneengesloten reeks terug vanaf het laatste kwartaal met een "
        "cijfer (een ontbrekend of afgeschermd kwartaal breekt de reeks), met het kwartaal van het jaar als laag: "
        "elk kwartaal wordt vergeleken met hetzelfde kwartaal een jaar eerder, zodat seizoenen geen trend lijken. "
        f"Toets: {test}. 'Stijgend' of 'dalend' alleen bij een chi-kwadraat boven {limit} (p < {p}) en als de "
        "richting gelijk blijft wanneer elk kwartaal apart wordt weggelaten; anders 'geen duidelijke verandering'. "
        f"'Niet te berekenen' bij minder dan {trend.POINTS} aaneengesloten kwartalen"
        + (" of een kwartaal met 0% of 100%." if unit is Unit.PROPORTION else ".")
        + " Naar de recente trend van Fingertips, die jaarcijfers over vijf jaar toetst."
    )


def nation_text(unit: Unit) -> str:
    """How a region is compared with the nation (the overview, `indicators.compare`)."""
    if unit is Unit.COUNT:
        return "Een aantal wordt niet met landelijk vergeleken: regio's verschillen in grootte (zie per inwoners)."
    return (
        "Beter of slechter dan landelijk wanneer het landelijke cijfer buiten het 95%-interval van de regio valt, "
        "in de gewenste richting; zekerder (99,8%) wanneer het ook buiten het 99,8%-interval valt (Fingertips)."
    )


def target_text(direction: Direction) -> str:
    """How a target is judged: Fingertips' target comparison on the 95% interval."""
    good, bad = GOOD_SIDE[direction]
    return (
        "Per kwartaal beoordeeld op het 95%-interval, in de gewenste richting, zoals Fingertips een cijfer met een "
        f"doel vergelijkt: gehaald als het hele interval {good} de streefwaarde ligt, niet gehaald als het hele "
        f"interval {bad} de streefwaarde ligt, nog niet te zeggen als het interval de streefwaarde bevat."
    )


def suppression_text(unit: Unit) -> str:
    """The small-number rule (`indicators.suppression`) for an indicator of `unit`."""
    small = f"1 tot en met {COUNT_THRESHOLD - 1}"
    if unit is Unit.PROPORTION:
        rule = (
            f"een percentage over een noemer van 1 tot en met {DENOMINATOR_THRESHOLD - 1} wordt niet getoond "
            "('afgeschermd')"
        )
    elif unit is Unit.RATE:
        rule = f"een cijfer per inwoners over een aantal van {small} wordt getoond als '<{COUNT_THRESHOLD}'"
    else:
        rule = f"een aantal van {small} wordt getoond als '<{COUNT_THRESHOLD}'"
    return (
        f"Buiten het eigen gebied ziet een gebruiker alleen regio's en landelijke cijfers: {rule}. Soms worden meer "
        "cijfers afgeschermd, zodat een afgeschermd cijfer niet uit totalen is af te leiden. Een 0 wordt getoond."
    )


def definition(indicator: Indicator) -> Definition:
    """Every field of one indicator's definition."""
    texts: dict[str, str | tuple[str, ...]] = {
        DEFINITION: indicator.description,
        NUMERATOR: _numerator(indicator),
        DENOMINATOR: _denominator(indicator),
        ELEMENTS: tuple(_element(code) for code in indicator.elements),
        UNIT: UNIT_WORDS[indicator.unit],
        DIRECTION: DIRECTION_WORDS[indicator.direction],
        WHY: indicator.why,
        BUILDING_BLOCK: f"\u201c{indicator.building_block}\u201d",
        INTERVAL: interval_text(indicator.unit),
        TREND: trend_text(indicator.unit),
        NATION: nation_text(indicator.unit),
        TARGET: target_text(indicator.direction),
        SUPPRESSION: suppression_text(indicator.unit),
        CAVEATS: indicator.caveats,
    }
    return Definition(indicator.code, indicator.name, tuple((name, texts[name]) for name in FIELDS))


def missing_fields(item: Definition) -> list[str]:
    """The fields of a definition that are empty (a text of only spaces, a list without items)."""

    def empty(value: str | tuple[str, ...]) -> bool:
        return not any(text.strip() for text in value) if isinstance(value, tuple) else not value.strip()

    return [name for name, value in item.fields if empty(value)]


def definitions(indicators: tuple[Indicator, ...] = INDICATORS) -> list[Definition]:
    """The definitions of every indicator, in the registry's order."""
    return [definition(indicator) for indicator in indicators]
