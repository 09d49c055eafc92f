"""Grouping problems into lines a person reads: one cause, one line; every cell stays in the group."""

from __future__ import annotations

from ingest.problem_groups import group_problems
from ingest.problems import Problem, problem


def period(cell: str, text: str = "2024KW01", sheet: str = "Blad1") -> Problem:
    return problem("a.xlsx", "unknown_period", sheet, cell, text=text)


def flat(groups):
    return [(g.where, g.code, len(g.problems)) for g in groups]


def test_a_column_with_the_same_problem_in_every_cell_is_one_line():
    problems = [period(f"B{row}", f"2024KW0{row % 4 + 1}") for row in range(5, 341)]
    [group] = group_problems(problems)
    assert (group.where, group.code, group.problems) == (
        "Blad1, kolom B, rij 5–340 (336 cellen)",
        "unknown_period",
        tuple(problems),
    )
    assert group.message.startswith("'2024KW02' is geen herkenbaar kwartaal.")
    assert group.message.endswith("Zo ook in de andere 335 cellen; de download van de meldingen noemt elke cel.")
    assert group.is_error


def test_fewer_than_three_stay_single_lines_with_their_own_message():
    problems = [period("B5"), period("B6", "2024KW02")]
    assert [(g.where, g.message) for g in group_problems(problems)] == [(p.where, p.message) for p in problems]


def test_different_codes_columns_sheets_and_files_are_not_mixed():
    negative = [problem("a.xlsx", "negative_count", "Blad1", f"C{r}", text="-1") for r in (2, 3, 4)]
    other_column = [period(f"D{r}") for r in (2, 3, 4)]
    other_sheet = [period(f"B{r}", sheet="Blad2") for r in (2, 3, 4)]
    other_file = [problem("b.xlsx", "unknown_period", "Blad1", f"B{r}", text="x") for r in (2, 3, 4)]
    mixed = [period("B2"), period("B3"), period("B4")]
    groups = group_problems(mixed + negative + other_column + other_sheet + other_file)
    assert flat(groups) == [
        ("Blad1, kolom B, rij 2–4 (3 cellen)", "unknown_period", 3),
        ("Blad1, kolom C, rij 2–4 (3 cellen)", "negative_count", 3),
        ("Blad1, kolom D, rij 2–4 (3 cellen)", "unknown_period", 3),
        ("Blad2, kolom B, rij 2–4 (3 cellen)", "unknown_period", 3),
        ("Blad1, kolom B, rij 2–4 (3 cellen)", "unknown_period", 3),
    ]
    assert groups[-1].file == "b.xlsx"


def test_a_row_with_the_same_problem_is_one_line():
    """A transposed file: one element down the side, a column per quarter."""
    problems = [problem("a.xlsx", "not_a_number", "Blad1", f"{c}7", text="veel") for c in ("C", "D", "AA")]
    assert flat(group_problems(problems)) == [("Blad1, rij 7, kolom C–AA (3 cellen)", "not_a_number", 3)]


def test_a_column_group_takes_its_cells_before_a_row_group_can():
    column = [period(f"B{r}") for r in (2, 3, 4)]
    row = [period(f"{c}2") for c in ("C", "D")]  # with B2 that would be three in row 2, but B2 is taken
    assert flat(group_problems(column + row)) == [
        ("Blad1, kolom B, rij 2–4 (3 cellen)", "unknown_period", 3),
        ("Blad1!C2", "unknown_period", 1),
        ("Blad1!D2", "unknown_period", 1),
    ]


def test_whole_file_problems_pass_once_and_order_is_kept():
    missing = problem("a.xlsx", "missing_municipality", "Blad1")
    cells = [period(f"B{r}") for r in (9, 3, 5)]
    groups = group_problems([missing, *cells, missing])
    assert flat(groups) == [
        ("Blad1", "missing_municipality", 1),
        ("Blad1, kolom B, rij 3–9 (3 cellen)", "unknown_period", 3),
    ]


def test_warnings_group_too_and_stay_warnings():
    problems = [problem("a.xlsx", "suppressed_value", "Blad1", f"E{r}", text="<5") for r in range(2, 12)]
    [group] = group_problems(problems)
    assert (group.where, group.is_error) == ("Blad1, kolom E, rij 2–11 (10 cellen)", False)


def test_nothing_in_nothing_out():
    assert group_problems([]) == []
