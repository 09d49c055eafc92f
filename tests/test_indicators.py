"""The indicator registry: every entry complete, built from known elements, as DOMAIN.md defines it, documented."""

from pathlib import Path

import pytest

from indicators.registry import INDICATORS, INDICATORS_BY_CODE, Direction, Unit
from ingest.elements import ELEMENTS, ELEMENTS_BY_CODE

README = Path(__file__).resolve().parent.parent / "README.md"
CONSULTATIONS = ("consultaties_fggz", "consultaties_ggz", "consultaties_verslavingszorg", "consultaties_lvb")


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_indicator_is_complete(indicator):
    assert indicator.code and indicator.code == indicator.code.strip().lower()
    assert indicator.name.strip() and indicator.description.strip()
    assert indicator.description.endswith(".")
    assert isinstance(indicator.direction, Direction)
    assert isinstance(indicator.unit, Unit)
    assert indicator.numerator


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_element_an_indicator_uses_exists(indicator):
    assert [e for e in indicator.elements if e not in ELEMENTS_BY_CODE] == []
    assert len(set(indicator.numerator)) == len(indicator.numerator)


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_denominator_and_per_fit_the_unit(indicator):
    if indicator.unit is Unit.PROPORTION:
        assert (indicator.denominator is not None, indicator.per) == (True, None)
        assert indicator.denominator not in indicator.numerator
    elif indicator.unit is Unit.COUNT:
        assert (indicator.denominator, indicator.per) == (None, None)
    else:
        assert indicator.denominator is None
        assert isinstance(indicator.per, int) and indicator.per > 0


@pytest.mark.parametrize("indicator", [i for i in INDICATORS if i.unit is Unit.PROPORTION], ids=lambda i: i.code)
def test_a_proportion_is_a_part_over_its_whole(indicator):
    """The validated rule part <= whole is what keeps a proportion within 0..1."""
    assert [ELEMENTS_BY_CODE[e].part_of for e in indicator.numerator] == [indicator.denominator]


def test_codes_are_unique():
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes)) == len(INDICATORS_BY_CODE)
    assert set(codes).isdisjoint(e.code for e in ELEMENTS)


# The table "Indicators (what comes out)" of DOMAIN.md, copied once.
@pytest.mark.parametrize(
    "code, name, numerator, denominator, unit, direction",
    [
        ("huisverbod_km", "Inzet huisverbod bij kindermishandeling",
         ("thv_kindermishandeling",), "thv_totaal", Unit.PROPORTION, Direction.UP),
        ("huisverbod_preventief", "Preventief huisverbod",
         ("thv_preventief",), "thv_totaal", Unit.PROPORTION, Direction.UP),
        ("plegerhulp_bereik", "Hulpverlening aan plegers",
         ("plegers_hulp_gestart",), "plegers_in_beeld", Unit.PROPORTION, Direction.UP),
        ("plegerhulp_uitval", "Voortijdige uitval plegerhulp",
         ("trajecten_uitval",), "trajecten_afgesloten", Unit.PROPORTION, Direction.DOWN),
        ("consultatie_specialistisch",
         "Consultatie forensische GGZ (of GGZ, verslavingszorg, LVB) door lokale teams",
         CONSULTATIONS, None, Unit.COUNT, Direction.UP),
        ("veiligheidsplan_dossiers", "Gemeenschappelijk veiligheidsplan in cliëntdossiers",
         ("dossiers_met_veiligheidsplan",), "dossiers_totaal", Unit.PROPORTION, Direction.UP),
    ],
)  # fmt: skip
def test_the_indicators_of_the_domain(code, name, numerator, denominator, unit, direction):
    indicator = INDICATORS_BY_CODE[code]
    assert (indicator.name, indicator.numerator, indicator.denominator, indicator.unit, indicator.direction) == (
        name, numerator, denominator, unit, direction,
    )  # fmt: skip


def test_the_consultations_are_also_given_per_100000_inhabitants():
    rates = [i for i in INDICATORS if i.unit is Unit.RATE]
    assert [(i.numerator, i.denominator, i.per, i.direction) for i in rates] == [
        (CONSULTATIONS, None, 100_000, Direction.UP)
    ]


def test_only_dropout_should_go_down():
    assert [i.code for i in INDICATORS if i.direction is Direction.DOWN] == ["plegerhulp_uitval"]


def test_every_indicator_and_element_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    documented = [*(i.code for i in INDICATORS), *(e.label for e in ELEMENTS)]
    assert [name for name in documented if name not in readme] == []


def test_every_data_element_feeds_an_indicator():
    """Completeness counts INPUT_ELEMENTS: they must be exactly the elements a municipality delivers."""
    from indicators.registry import INPUT_ELEMENTS

    assert sorted(INPUT_ELEMENTS) == sorted(ELEMENTS_BY_CODE)


def test_the_rate_twin_of_a_count_is_the_same_count_per_inhabitants():
    from indicators.registry import COUNT_OF_RATE

    twins = [(i, INDICATORS_BY_CODE[i.rate_twin]) for i in INDICATORS if i.rate_twin]
    assert twins, "the consultation count has a rate twin"
    for count, rate in twins:
        assert (count.unit, rate.unit, rate.numerator, rate.per) == (Unit.COUNT, Unit.RATE, count.numerator, 100_000)
        assert COUNT_OF_RATE[rate.code] == count.code
    counts = {i.code for i in INDICATORS if i.unit is Unit.COUNT}
    assert counts == {count.code for count, _ in twins}, "every count has its rate twin"
