import pytest

from ingest.municipality import resolve_municipality
from reference.areas import load_reference
from reference.periods import Period

REF = load_reference()
Q = Period(2024, 1)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("GM0363", "GM0363"),
        ("gm0363", "GM0363"),
        ("GM 0363", "GM0363"),
        ("0363", "GM0363"),
        ("363", "GM0363"),
        (363, "GM0363"),
        (363.0, "GM0363"),
        ("Amsterdam", "GM0363"),
        ("AMSTERDAM", "GM0363"),
        ("Gemeente Amsterdam", "GM0363"),
        ("'s-Hertogenbosch", "GM0796"),
        ("s-Hertogenbosch", "GM0796"),
        ("Den Bosch", "GM0796"),
        ("Den Haag", "GM0518"),
        ("Súdwest-Fryslân", "GM1900"),
        ("Sudwest-Fryslan", "GM1900"),
        ("Hengelo", "GM0164"),
        ("Hengelo (O.)", "GM0164"),
        ("Middelburg (Z.)", "GM0687"),
        ("Middelburg", "GM0687"),
        ("Bergen (NH.)", "GM0373"),
        ("Bergen NH", "GM0373"),
        ("Bergen (L.)", "GM0893"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
        ("Nuenen", "GM0820"),
    ],
)
def test_codes_names_and_aliases(raw, expected):
    assert resolve_municipality(raw, Q, REF).code == expected


@pytest.mark.parametrize(
    "raw, period, problem",
    [
        ("Bergen", Q, "ambiguous_municipality"),
        ("Atlantis", Q, "unknown_municipality"),
        ("GM9999", Q, "unknown_municipality"),
        (0, Q, "unknown_municipality"),
        ("Weesp", Period(2022, 2), "municipality_not_in_period"),  # merged into Amsterdam 2022-03-24
        ("Haaren", Period(2021, 1), "municipality_not_in_period"),  # split up on 2021-01-01
        ("Voorne aan Zee", Period(2022, 4), "municipality_not_in_period"),  # exists since 2023
    ],
)
def test_unknown_ambiguous_and_merged(raw, period, problem):
    resolution = resolve_municipality(raw, period, REF)
    assert (resolution.code, resolution.problem) == (None, problem)


@pytest.mark.parametrize(
    "raw, period",
    [("Weesp", Period(2022, 1)), ("GM0788", Period(2020, 4)), ("Brielle", Period(2022, 4))],
)
def test_merged_municipalities_are_accepted_while_they_existed(raw, period):
    assert resolve_municipality(raw, period, REF).problem is None


def test_merger_message_names_the_successor():
    fields = resolve_municipality("Weesp", Period(2023, 1), REF).fields
    assert fields["hint"] == " (opgegaan in Amsterdam (GM0363) per 24-03-2022)"
