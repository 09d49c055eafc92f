import datetime as dt

import pytest

from ingest.periods import find_period, parse_period
from reference.periods import Period, period_range


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2024Q1", Period(2024, 1)),
        ("2024-Q1", Period(2024, 1)),
        ("2024 Q2", Period(2024, 2)),
        ("Q1 2024", Period(2024, 1)),
        ("q4-2023", Period(2023, 4)),
        ("2024 K1", Period(2024, 1)),
        ("K3 2022", Period(2022, 3)),
        ("2024-K3", Period(2024, 3)),
        ("1e kwartaal 2024", Period(2024, 1)),
        ("2e kwartaal 2019", Period(2019, 2)),
        ("3de kwartaal 2020", Period(2020, 3)),
        ("eerste kwartaal 2021", Period(2021, 1)),
        ("Vierde kwartaal 2021", Period(2021, 4)),
        ("kwartaal 2 2020", Period(2020, 2)),
        ("jan-mrt 2024", Period(2024, 1)),
        ("apr-jun 2024", Period(2024, 2)),
        ("jul - sep 2024", Period(2024, 3)),
        ("okt-dec 2023", Period(2023, 4)),
        ("januari t/m maart 2024", Period(2024, 1)),
        ("2024-02-15", Period(2024, 1)),
        ("15-08-2024", Period(2024, 3)),
        ("15/11/2023", Period(2023, 4)),
        (dt.date(2024, 5, 31), Period(2024, 2)),
        (dt.datetime(2024, 12, 31, 23, 59), Period(2024, 4)),
        (45337, Period(2024, 1)),  # Excel date serial 2024-02-15 that lost its format
    ],
)
def test_every_notation_is_read(cell, expected):
    assert parse_period(cell) == expected


@pytest.mark.parametrize(
    "cell",
    ["2024", "Q5 2024", "K0 2024", "feb-apr 2024", "gemeente Utrecht", "", None, True, 12, "2024-13-01", "jan-mrt"],
)
def test_non_periods_are_not_read(cell):
    assert parse_period(cell) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rapportage 1e kwartaal 2024 gemeente Utrecht", Period(2024, 1)),
        ("VT_Utrecht_2023-Q4.xlsx", Period(2023, 4)),
        ("Monitor plegeraanpak - aanlevering", None),
        ("gemeente_0363_2024", None),
    ],
)
def test_find_period_in_titles(text, expected):
    assert find_period(text) == expected


def test_period_arithmetic_and_notation():
    period = Period(2024, 4)
    assert (str(period), period.label) == ("2024Q4", "2024 K4")
    assert period.next() == Period(2025, 1)
    assert (period.start, period.end) == (dt.date(2024, 10, 1), dt.date(2025, 1, 1))
    assert Period.parse_code("2024Q4") == period
    assert period_range(Period(2023, 3), Period(2024, 2)) == [
        Period(2023, 3),
        Period(2023, 4),
        Period(2024, 1),
        Period(2024, 2),
    ]
    with pytest.raises(ValueError):
        Period(2024, 5)
