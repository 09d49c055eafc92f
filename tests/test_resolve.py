"""Resolving raw values to records: which quarter, which municipality, which count; each problem once."""

import datetime as dt

import pytest

from ingest.layout import RawValue
from ingest.resolve import Defaults, Resolver
from reference.areas import load_reference
from reference.periods import Period

TODAY = dt.date(2025, 11, 1)
Q1 = Period(2024, 1)
REF = load_reference()


def raw(value=3, *, cell="C2", municipality="Utrecht", m_cell="A2", period="2024 K1", p_cell="B2", year=None,
        sheet="Blad1", element="thv_totaal"):  # fmt: skip
    """A raw value as the layout step gives it; municipality and period None when the table has no such column."""
    return RawValue(sheet, cell, element, value, municipality, m_cell if municipality is not None else None,
                    period, p_cell if period is not None else None, year)  # fmt: skip


def resolve(raws, defaults=None, today=TODAY):
    resolver = Resolver("upload.xlsx", REF, today)
    records = [resolver.record(r, defaults or Defaults()) for r in raws]
    return records, list(resolver.problems.values())


def where(problems):
    return [(p.sheet, p.cell, p.code) for p in problems]


# --- the period -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, year, default, expected",
    [
        ("2024 K1", None, None, Q1),
        ("2024-Q2", None, None, Period(2024, 2)),
        (dt.date(2024, 8, 15), None, None, Period(2024, 3)),
        (Q1, None, None, Q1),  # a transposed header
        (None, None, Period(2023, 4), Period(2023, 4)),  # from the title, sheet, file name or uploader
        ("2024 K2", None, Q1, Period(2024, 2)),  # the row wins over the default
        (1, 2024, None, Q1),
        (1.0, 2024.0, None, Q1),
        (4, "2023", None, Period(2023, 4)),
        ("K1", 2024, None, Q1),
        ("Q3", "2024", None, Period(2024, 3)),
        ("1e kwartaal", 2024, None, Q1),
        ("eerste kwartaal", 2024, None, Q1),
        ("2e kwartaal", 2024, None, Period(2024, 2)),
    ],
)
def test_period_from_the_cell_the_header_the_default_or_year_and_quarter(period, year, default, expected):
    records, problems = resolve([raw(period=period, year=year)], Defaults(period=default))
    assert problems == []
    assert [r.period for r in records] == [expected]


@pytest.mark.parametrize(
    "raws, default, expected",
    [
        ([raw(cell="C2", period="Q5 2024"), raw(cell="D2", period="Q5 2024")], None,
         [("Blad1", "B2", "unknown_period")]),  # once per cell, not per value
        ([raw(cell="C2", p_cell="B2", period="Q5 2024"), raw(cell="C3", p_cell="B3", period="Q5 2024")], None,
         [("Blad1", "B2", "unknown_period"), ("Blad1", "B3", "unknown_period")]),
        ([raw(period=5, year=2024)], None, [("Blad1", "B2", "unknown_period")]),
        ([raw(period="K1", year="onbekend")], None, [("Blad1", "B2", "unknown_period")]),
        ([raw(cell=f"C{i}", m_cell=f"A{i}", period=None) for i in range(2, 12)], None,
         [("Blad1", None, "missing_period")]),  # once per sheet, even for ten values
        ([raw(period=None), raw(period=None, sheet="Blad2")], None,
         [("Blad1", None, "missing_period"), ("Blad2", None, "missing_period")]),
        ([raw(period="2026 K1"), raw(cell="D2", period="2026 K1")], None, [("Blad1", "B2", "future_period")]),
        ([raw(period=None)], Period(2026, 1), [("Blad1", None, "future_period")]),
        ([raw(period="2017 K4")], None, [("Blad1", "B2", "period_out_of_range")]),
        ([raw(period=Period(2017, 4), p_cell="C1")], None, [("Blad1", "C1", "period_out_of_range")]),
        ([raw(period=None)], Period(2017, 1), [("Blad1", None, "period_out_of_range")]),
    ],
    ids=["unknown", "unknown-in-two-cells", "quarter-5", "year-not-a-number", "missing", "missing-in-two-sheets",
         "future", "future-default", "before-2018", "before-2018-in-a-header", "before-2018-default"],
)  # fmt: skip
def test_period_problems_once_per_place(raws, default, expected):
    records, problems = resolve(raws, Defaults(period=default, municipality="Utrecht"))
    assert records == [None] * len(raws)
    assert where(problems) == expected


@pytest.mark.parametrize(
    "period, today, accepted",
    [
        ("2025 K4", dt.date(2025, 10, 1), True),  # a quarter that starts today has started
        ("2025 K4", dt.date(2025, 9, 30), False),
        ("2018 K1", TODAY, True),
        ("2017 K4", TODAY, False),
    ],
)
def test_first_and_last_acceptable_quarter(period, today, accepted):
    records, problems = resolve([raw(period=period)], today=today)
    assert (records[0] is not None, problems == []) == (accepted, accepted)


def test_period_messages_are_dutch():
    _, problems = resolve([raw(period="2026 K1"), raw(cell="C3", p_cell="B3", period="2017 K4")])
    assert [p.message for p in problems] == [
        "Kwartaal 2026 K1 is nog niet begonnen. Controleer het jaartal en het kwartaal.",
        "Kwartaal 2017 K4 valt buiten de monitor (vanaf 2018 K1). Controleer het jaartal.",
    ]


# --- the municipality -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "municipality, default, expected",
    [
        ("Utrecht", None, "GM0344"),
        ("GM0355", None, "GM0355"),
        ("0355", None, "GM0355"),
        (355, None, "GM0355"),
        (None, "Zeist", "GM0355"),  # from "Gemeente: Zeist" above the table or the uploader
        (None, "GM0344", "GM0344"),
        ("Utrecht", "Zeist", "GM0344"),  # the row wins over the default
    ],
)
def test_municipality_from_the_row_or_the_default(municipality, default, expected):
    records, problems = resolve([raw(municipality=municipality)], Defaults(municipality=default))
    assert problems == []
    assert [r.municipality for r in records] == [expected]


@pytest.mark.parametrize(
    "raws, default, expected",
    [
        ([raw(cell=c + "2", municipality="Atlantis") for c in "CDEFG"], None,
         [("Blad1", "A2", "unknown_municipality")]),  # a row with five values: one problem
        ([raw(municipality="Atlantis"), raw(cell="C3", m_cell="A3", municipality="Atlantis")], None,
         [("Blad1", "A2", "unknown_municipality"), ("Blad1", "A3", "unknown_municipality")]),
        ([raw(municipality=None), raw(cell="D2", municipality=None)], "Atlantis",
         [(None, None, "unknown_municipality")]),  # the uploader's: about the whole file
        ([raw(municipality=None), raw(cell="D2", municipality=None)], None, [("Blad1", None, "missing_municipality")]),
        ([raw(municipality="Bergen"), raw(cell="D2", municipality="Bergen")], None,
         [("Blad1", "A2", "ambiguous_municipality")]),
        ([raw(municipality="Weesp", period="2022 K2")], None, [("Blad1", "A2", "municipality_not_in_period")]),
        ([raw(municipality="Voorne aan Zee", period="2022 K4")], None,
         [("Blad1", "A2", "municipality_not_in_period")]),
    ],
    ids=["unknown-five-values", "unknown-in-two-rows", "unknown-default", "missing", "ambiguous", "merged",
         "not-yet-existing"],
)  # fmt: skip
def test_municipality_problems_once_per_place(raws, default, expected):
    records, problems = resolve(raws, Defaults(municipality=default))
    assert records == [None] * len(raws)
    assert where(problems) == expected


@pytest.mark.parametrize(
    "municipality, period, code",
    [("Weesp", "2022 K1", "GM0457"), ("Voorne aan Zee", "2023 K1", "GM1992"), ("Haaren", "2020 K4", "GM0788")],
)
def test_municipality_as_it_existed_in_the_period(municipality, period, code):
    records, problems = resolve([raw(municipality=municipality, period=period)])
    assert (problems, [r.municipality for r in records]) == ([], [code])


def test_merged_municipality_message_names_its_successor():
    _, problems = resolve([raw(municipality="Weesp", period="2022 K2")])
    assert [p.message for p in problems] == [
        "Gemeente Weesp (GM0457) bestond niet in 2022 K2 (opgegaan in Amsterdam (GM0363) per 24-03-2022). "
        "Lever de cijfers aan voor de gemeente zoals die toen bestond."
    ]


# --- the count --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected_record, expected_problems",
    [
        (0, (0, False), []),
        (12.0, (12, False), []),
        ("1.234", (1234, False), []),
        ("<5", (None, True), [("Blad1", "C2", "suppressed_value")]),
        ("1-4", (None, True), [("Blad1", "C2", "suppressed_value")]),
        ("x", (None, True), [("Blad1", "C2", "suppressed_value")]),
        ("onbekend", None, [("Blad1", "C2", "unknown_marker")]),
        ("n.v.t.", None, [("Blad1", "C2", "unknown_marker")]),
        ("-", None, [("Blad1", "C2", "unknown_marker")]),
        (-1, None, [("Blad1", "C2", "negative_count")]),
        (2.5, None, [("Blad1", "C2", "not_whole_number")]),
        ("veel", None, [("Blad1", "C2", "not_a_number")]),
    ],
)
def test_counts_suppressed_values_and_unknown_markers(value, expected_record, expected_problems):
    records, problems = resolve([raw(value)])
    assert [(r.value, r.suppressed) if r else None for r in records] == [expected_record]
    assert where(problems) == expected_problems


def test_record_keeps_its_place():
    records, _ = resolve([raw(7, cell="E9", sheet="Gegevens", element="trajecten_uitval")])
    assert [(r.municipality, r.period, r.element, r.value, r.suppressed, r.sheet, r.cell) for r in records] == [
        ("GM0344", Q1, "trajecten_uitval", 7, False, "Gegevens", "E9")
    ]


def test_value_and_period_problems_of_one_cell_are_both_reported():
    records, problems = resolve([raw(-1, period="Q5 2024")])
    assert records == [None]
    assert where(problems) == [("Blad1", "C2", "negative_count"), ("Blad1", "B2", "unknown_period")]


def test_unknown_municipality_is_reported_even_when_the_period_is_unusable():
    _, problems = resolve([raw(municipality="Atlantis", period="Q5 2024")])
    assert where(problems) == [("Blad1", "B2", "unknown_period"), ("Blad1", "A2", "unknown_municipality")]
