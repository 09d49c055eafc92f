import pytest

from ingest.values import Count, read_count


@pytest.mark.parametrize(
    "cell, expected",
    [
        (0, Count(0)),
        (17, Count(17)),
        (17.0, Count(17)),  # Excel stores every number as a float
        ("17", Count(17)),
        (" 1.234 ", Count(1234)),  # Dutch thousands separator
        ("1,234", Count(1234)),  # English thousands separator
        ("1 234", Count(1234)),
        ("1\u00a0234", Count(1234)),
        ("12.345.678", Count(12345678)),
        ("12,0", Count(12)),
        ("0", Count(0)),
        (float("nan"), Count(None)),
    ],
)
def test_numbers_in_any_notation(cell, expected):
    assert read_count(cell) == expected


@pytest.mark.parametrize(
    "cell, problem, text",
    [
        (12.5, "not_whole_number", "12,5"),
        ("12,5", "not_whole_number", "12,5"),
        (-3, "negative_count", "-3"),
        ("-4", "negative_count", "-4"),
        ("veel", "not_a_number", "veel"),
        (True, "not_a_number", "True"),
        ("1.23", "not_whole_number", "1.23"),
        ("12a", "not_a_number", "12a"),
    ],
)
def test_bad_counts_are_problems(cell, problem, text):
    count = read_count(cell)
    assert (count.value, count.problem, count.text) == (None, problem, text)


@pytest.mark.parametrize("cell", ["<5", "< 5", "<=4", "&lt;5", "1-4", "1 t/m 4", "x", "X", "*", "kleiner dan 5"])
def test_source_suppressed_values_are_unknown_never_zero(cell):
    count = read_count(cell)
    assert (count.value, count.suppressed, count.problem) == (None, True, "suppressed_value")


@pytest.mark.parametrize("cell", ["-", ".", "?", "onbekend", "n.v.t.", "NB"])
def test_unknown_markers_are_unknown_with_a_warning(cell):
    count = read_count(cell)
    assert (count.value, count.suppressed, count.problem) == (None, False, "unknown_marker")
