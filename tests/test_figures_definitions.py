"""The indicator definitions (dashboard.figures.definitions): every field for every indicator, from the registry."""

import dataclasses

import pytest

from dashboard.figures.definitions import (
    BUILDING_BLOCK,
    CAVEATS,
    DENOMINATOR,
    DIRECTION,
    ELEMENTS,
    FIELDS,
    NUMERATOR,
    SUPPRESSION,
    TARGET,
    TREND,
    definition,
    definitions,
    missing_fields,
)
from indicators.registry import INDICATORS, INDICATORS_BY_CODE, Indicator

# The examples of process indicators of the building block (seed 001, section 1.4), copied once.
SEED_1_4 = (
    "toename inzet huisverbod bij kindermishandeling",
    "toename inzet preventief huisverbod i.p.v. alleen bij crisis en dus achteraf",
    "toename hulpverlening aan plegers",
    "afname voortijdige uitval hulpverlening aan plegers",
    "toename consultatie forensische GGZ (of GGZ of verslavingszorg of LVB zorg) door lokale (wijk)teams",
    "is er een gemeenschappelijk veiligheidsplan in de regio en is dat opgenomen in de cliëntendossiers van de "
    "betrokken organisaties",
)


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_indicator_has_every_field(indicator):
    item = definition(indicator)
    assert [name for name, _ in item.fields] == list(FIELDS)
    assert missing_fields(item) == []


def test_an_indicator_without_a_field_is_found():
    blank = dataclasses.replace(INDICATORS[0], why=" ", caveats=())
    assert missing_fields(definition(blank)) == ["Waarom die richting", CAVEATS]


def test_the_registry_refuses_an_indicator_without_the_definition_fields():
    with pytest.raises(TypeError, match="building_block"):
        Indicator("x", "X", ("thv_totaal",), None, INDICATORS[4].unit, INDICATORS[4].direction, "X.",
                  why="w", caveats=("c",))  # fmt: skip


def test_the_building_block_is_quoted_word_for_word():
    assert {i.building_block for i in INDICATORS} == set(SEED_1_4)
    item = definition(INDICATORS_BY_CODE["plegerhulp_uitval"])
    assert item.get(BUILDING_BLOCK) == "\u201cafname voortijdige uitval hulpverlening aan plegers\u201d"
    assert item.get(DIRECTION) == "lager is beter (afname)"


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_indicator_says_that_registration_differs_between_veilig_thuis_regions(indicator):
    assert any("Veilig Thuis-regio" in caveat for caveat in definition(indicator).get(CAVEATS))


def test_numerator_denominator_and_elements():
    proportion = definition(INDICATORS_BY_CODE["plegerhulp_bereik"])
    assert proportion.get(NUMERATOR) == "Plegers gestart met hulpverlening (plegers_hulp_gestart)"
    assert proportion.get(DENOMINATOR) == "Plegers in beeld (plegers_in_beeld)"
    assert proportion.get(ELEMENTS) == (proportion.get(NUMERATOR), proportion.get(DENOMINATOR))
    count = definition(INDICATORS_BY_CODE["consultatie_specialistisch"])
    assert count.get(NUMERATOR).startswith("de som van: Consultaties forensische GGZ (consultaties_fggz), ")
    assert count.get(DENOMINATOR) == "geen: het is een aantal"
    rate = definition(INDICATORS_BY_CODE["consultatie_specialistisch_per_100k"])
    assert "per 100.000 inwoners" in rate.get(DENOMINATOR)


def test_methods_follow_unit_and_direction():
    proportion, rate = definition(INDICATORS_BY_CODE["huisverbod_km"]), definition(INDICATORS[5])
    assert "Armitage" in proportion.get(TREND) and "1/SE²" in rate.get(TREND)
    for item in (proportion, rate):
        assert "laatste 8 kwartalen" in item.get(TREND) and "boven 9,55 (p < 0,002)" in item.get(TREND)
        assert "hetzelfde kwartaal een jaar eerder" in item.get(TREND)
    assert "noemer van 1 tot en met 9" in proportion.get(SUPPRESSION)
    assert "1 tot en met 4 wordt getoond als '<5'" in rate.get(SUPPRESSION)
    up, down = proportion.get(TARGET), definition(INDICATORS_BY_CODE["plegerhulp_uitval"]).get(TARGET)
    assert "gehaald als het hele interval boven de streefwaarde ligt" in up
    assert "gehaald als het hele interval onder de streefwaarde ligt" in down


def test_definitions_in_the_order_of_the_registry():
    assert [d.code for d in definitions()] == [i.code for i in INDICATORS]
