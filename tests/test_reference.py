"""Reference data: municipalities per period, mergers, aliases and the region division (default or a deployment's)."""

import csv
import dataclasses
from collections import defaultdict

import pytest

from config.errors import ConfigurationError
from reference.areas import DEFAULT_REGIONS_FILE, MUNICIPALITIES_FILE, REGIONS_ENV, load_reference
from reference.periods import Period

REF = load_reference(str(DEFAULT_REGIONS_FILE))  # the default division, whatever the environment says
HEADER = "gemeentecode,gemeentenaam,regiocode,regionaam\n"
# A deployment's own division: two regions of real 2025 municipalities.
TWO_REGIONS = HEADER + (
    "GM0344,Utrecht,R1,Stad en Heuvelrug\n"
    "GM0355,Zeist,R1,Stad en Heuvelrug\n"
    "GM0363,Amsterdam,R2,Amstel\n"
    "GM0362,Amstelveen,R2,Amstel\n"
)


@pytest.fixture
def fresh_reference(monkeypatch):
    """`load_reference` uncached and without a division set in the environment, before and after the test."""
    monkeypatch.delenv(REGIONS_ENV, raising=False)
    load_reference.cache_clear()
    yield load_reference
    load_reference.cache_clear()


def write(tmp_path, text, name="regio.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# --- municipalities per period ----------------------------------------------------------------


@pytest.mark.parametrize(
    "period, count",
    [
        (Period(2018, 1), 380),
        (Period(2019, 1), 355),
        (Period(2021, 1), 352),
        (Period(2022, 1), 345),  # Weesp until 24 March 2022
        (Period(2022, 2), 344),
        (Period(2023, 1), 342),
        (Period(2025, 3), 342),
    ],
)
def test_municipalities_existing_per_period(period, count):
    assert len(REF.existing(period)) == count


def test_each_years_first_quarter_holds_exactly_that_years_classification():
    codes_per_year = defaultdict(set)
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes_per_year[int(row["jaar"])].add(row["gemeentecode"])
    assert sorted(codes_per_year) == list(range(2018, 2026))
    for year, codes in codes_per_year.items():
        assert {m.code for m in REF.existing(Period(year, 1))} == codes, year


@pytest.mark.parametrize(
    "code, period, exists",
    [
        ("GM0457", Period(2022, 1), True),  # Weesp, merged into Amsterdam on 24 March 2022
        ("GM0457", Period(2022, 2), False),
        ("GM0788", Period(2020, 4), True),  # Haaren, split up on 1 January 2021
        ("GM0788", Period(2021, 1), False),
        ("GM1992", Period(2022, 4), False),  # Voorne aan Zee, since 1 January 2023
        ("GM1992", Period(2023, 1), True),
        ("GM0344", Period(2018, 1), True),
        ("GM0344", Period(2025, 4), True),
    ],
)
def test_a_municipality_exists_from_its_start_to_its_end(code, period, exists):
    assert REF.municipalities[code].exists_in(period) is exists


# --- mergers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, successor",
    [
        ("GM0788", "GM0824"),  # Haaren: to Boxtel, Oisterwijk, Tilburg and Vught; Oisterwijk has the largest share
        ("GM0457", "GM0363"),  # Weesp -> Amsterdam
        ("GM0140", "GM1900"),  # Littenseradiel: Súdwest-Fryslân has the largest share
        ("GM0053", "GM1966"),  # Winsum: Het Hogeland, not Westerkwartier
        ("GM0022", "GM1969"),  # Leek: merged into Westerkwartier; the 2018 boundary correction does not count
        ("GM0393", "GM0394"),  # Haarlemmerliede en Spaarnwoude -> Haarlemmermeer
    ],
)
def test_successor_is_the_largest_share(old, successor):
    assert REF.successors[old] == successor
    assert REF.current_code(old) == successor


@pytest.mark.parametrize("code", ["GM0394", "GM0202", "GM0344"])  # boundary corrections only, or nothing
def test_a_municipality_that_still_exists_has_no_successor(code):
    assert code not in REF.successors
    assert REF.current_code(code) == code


@pytest.mark.parametrize("code, date", [("GM0457", "2022-03-24"), ("GM0788", "2021-01-01")])
def test_merge_dates(code, date):
    assert REF.merge_dates[code].isoformat() == date


@pytest.mark.parametrize(
    "successors, code, expected",
    [
        ({"GM0457": "GM0363", "GM0363": "GM0344"}, "GM0457", "GM0344"),  # a chain is followed to its end
        ({"GM0457": "GM0363", "GM0363": "GM0457"}, "GM0457", "GM0457"),  # a loop in a bad file ends
        ({"GM0457": "GM0457"}, "GM0457", "GM0457"),
    ],
    ids=["chain", "loop", "self"],
)
def test_current_code_follows_chains(successors, code, expected):
    reference = dataclasses.replace(REF, successors=successors)
    assert reference.current_code(code) == expected


def test_region_of_a_chain_is_the_region_of_its_end():
    reference = dataclasses.replace(REF, successors={"GM0457": "GM0362", "GM0362": "GM0344"})
    assert reference.region_of("GM0457") == REF.region_of("GM0344")


# --- regions --------------------------------------------------------------------------------------


def test_default_division_has_26_regions_covering_every_2025_municipality():
    assert REF.regions_file == DEFAULT_REGIONS_FILE
    assert len(REF.regions) == 26
    existing = {m.code for m in REF.existing(Period(2025, 1))}
    assert set(REF.region_members) == existing
    assert [m.code for m in REF.existing(Period(2025, 1)) if REF.region_of(m.code) is None] == []


@pytest.mark.parametrize(
    "code, region",
    [
        ("GM0363", ("VR13", "Amsterdam-Amstelland")),
        ("GM0457", ("VR13", "Amsterdam-Amstelland")),  # Weesp: its successor's region
        ("GM0824", ("VR20-HVB", "Hart van Brabant")),
        ("GM0788", ("VR20-HVB", "Hart van Brabant")),  # Haaren: the region of Oisterwijk, its largest share
        ("GM0140", ("VR02", "Fryslân")),  # Littenseradiel: gone before 2018, still placed
        ("GM0022", ("VR01", "Groningen")),
    ],
)
def test_region_of_a_municipality_and_of_a_merged_one(code, region):
    found = REF.region_of(code)
    assert (found.code, found.name) == region


def test_region_of_an_unknown_code_is_none():
    assert REF.region_of("GM9999") is None


# --- names and aliases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, codes",
    [
        ("Den Bosch", {"GM0796"}),
        ("'s-Hertogenbosch", {"GM0796"}),
        ("Den Haag", {"GM0518"}),
        ("The Hague", {"GM0518"}),
        ("Bergen NH", {"GM0373"}),
        ("Bergen", {"GM0373", "GM0893"}),  # ambiguous: both
        ("Hengelo", {"GM0164"}),  # `Hengelo (O.)` since 2025, plain before
        ("Hengelo (O.)", {"GM0164"}),
        ("SÚDWEST-FRYSLÂN", {"GM1900"}),
        ("Noordoost-Friesland", {"GM1970"}),
        ("Weesp", {"GM0457"}),
        ("Atlantis", set()),
    ],
)
def test_names_and_aliases(text, codes):
    assert REF.codes_for_name(text) == codes


def test_population_of_the_2023_classification():
    assert len(REF.population) == 342
    assert sum(REF.population.values()) == 17_590_672  # the Netherlands on 1 January 2022
    assert "GM0457" not in REF.population  # Weesp counts in Amsterdam


# --- a deployment's own division --------------------------------------------------------------


def _division(reference):
    return ({c: (r.code, r.name) for c, r in reference.regions.items()}, reference.region_members)


EXPECTED_TWO_REGIONS = (
    {"R1": ("R1", "Stad en Heuvelrug"), "R2": ("R2", "Amstel")},
    {"GM0344": "R1", "GM0355": "R1", "GM0363": "R2", "GM0362": "R2"},
)


def test_division_from_the_argument(fresh_reference, tmp_path):
    path = write(tmp_path, TWO_REGIONS)
    reference = fresh_reference(str(path))
    assert _division(reference) == EXPECTED_TWO_REGIONS
    assert reference.regions_file == path
    assert reference.region_of("GM0457").code == "R2"  # Weesp follows Amsterdam into the deployment's region
    assert reference.region_of("GM0014") is None  # not in this division
    assert len(reference.existing(Period(2025, 1))) == 342  # municipalities do not depend on the division


def test_division_from_the_environment(fresh_reference, tmp_path, monkeypatch):
    path = write(tmp_path, TWO_REGIONS)
    monkeypatch.setenv(REGIONS_ENV, str(path))
    reference = fresh_reference()
    assert _division(reference) == EXPECTED_TWO_REGIONS
    assert reference.regions_file == path


def test_the_argument_wins_over_the_environment(fresh_reference, tmp_path, monkeypatch):
    monkeypatch.setenv(REGIONS_ENV, str(write(tmp_path, HEADER + "GM0344,Utrecht,X,Elders\n", name="env.csv")))
    assert _division(fresh_reference(str(write(tmp_path, TWO_REGIONS)))) == EXPECTED_TWO_REGIONS


def test_without_a_setting_the_default_division(fresh_reference):
    assert len(fresh_reference().regions) == 26


@pytest.mark.parametrize(
    "text, message",
    [
        ("code,naam,regio,regionaam\nGM0344,Utrecht,R1,Stad\n",
         "moet de kolommen gemeentecode, gemeentenaam, regiocode, regionaam hebben."),
        ("gemeentecode;gemeentenaam;regiocode;regionaam\nGM0344;Utrecht;R1;Stad\n",
         "moet de kolommen gemeentecode, gemeentenaam, regiocode, regionaam hebben."),
        ("gemeentecode,gemeentenaam,regiocode\nGM0344,Utrecht,R1\n",
         "moet de kolommen gemeentecode, gemeentenaam, regiocode, regionaam hebben."),
        ("", "moet de kolommen gemeentecode, gemeentenaam, regiocode, regionaam hebben."),
        (HEADER, "moet de kolommen gemeentecode, gemeentenaam, regiocode, regionaam hebben."),
        (HEADER + "GM0344,Utrecht,R1,Stad\nGM9999,Atlantis,R1,Stad\n", "noemt onbekende gemeentecodes: GM9999."),
        (HEADER + "344,Utrecht,R1,Stad\n", "noemt onbekende gemeentecodes: 344."),
    ],
    ids=["wrong-columns", "semicolons", "missing-column", "empty", "header-only", "unknown-code", "code-not-gm"],
)  # fmt: skip
def test_a_wrong_division_file_is_refused_in_dutch(fresh_reference, tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as error:
        fresh_reference(str(path))
    assert str(error.value) == f"Het regiobestand {path} {message}"
    assert isinstance(error.value, ValueError)


def test_a_missing_division_file_is_refused(fresh_reference, tmp_path, monkeypatch):
    monkeypatch.setenv(REGIONS_ENV, str(tmp_path / "bestaat-niet.csv"))
    with pytest.raises(ConfigurationError, match=r"^Het regiobestand .*bestaat-niet\.csv kan niet gelezen worden"):
        fresh_reference()


def test_a_division_saved_by_excel_as_csv_utf8_with_bom_is_read(fresh_reference, tmp_path):
    reference = fresh_reference(str(write(tmp_path, TWO_REGIONS, encoding="utf-8-sig")))
    assert _division(reference) == EXPECTED_TWO_REGIONS


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "GM0344,Utrecht,R1,Stad\nGM0344,Utrecht,R2,Elders\n",
        HEADER + "GM0344,Utrecht,R1,Stad\nGM0355,Zeist,,\n",
    ],
    ids=["municipality-in-two-regions", "empty-region-code"],
)
def test_an_inconsistent_division_is_refused(fresh_reference, tmp_path, text):
    with pytest.raises(ConfigurationError):
        fresh_reference(str(write(tmp_path, text)))
