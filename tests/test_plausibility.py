"""Plausibility warnings (DHIS2 outlier analysis): hand-computed cases of the rule, and the warning
in the dry run — from the file's own quarters and from the stored history — never an error."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from db.engine import connect
from db.values import recent_values
from ingest.cli import main
from ingest.pipeline import load_file, read_file
from ingest.plausibility import is_outlier, modified_z_score, outlier_warnings
from ingest.records import Record
from reference.periods import Period, period_range
from tests.workbooks import write_workbook

TODAY = dt.date(2025, 11, 1)
STEADY = [4, 4, 5, 3, 4, 4, 5, 3]  # median 4; deviations 0,0,1,1,0,0,1,1: MAD 0.5


@pytest.mark.parametrize(
    ("value", "history", "score"),
    [
        (40, STEADY, 0.6745 * 36 / 0.5),  # 48.564
        (5, STEADY, 0.6745 * 1 / 0.5),  # 1.349
        (38, [10, 12, 14, 16, 18, 20, 22, 24], 0.6745 * 21 / 4),  # median 17, MAD 4: 3.541
        (40, [4] * 8, 0.0),  # MAD 0: the score is 0
    ],
)
def test_modified_z_score_by_hand(value, history, score):
    assert modified_z_score(value, history) == pytest.approx(score)


@pytest.mark.parametrize(
    ("value", "history", "flagged"),
    [
        (40, STEADY, True),
        (14, STEADY, True),  # 10 above the median: score 13.5, and the minimum difference is met
        (13, STEADY, False),  # score 12.1, but only 9 above the median: small counts raise no noise
        (40, [4] * 8, False),  # MAD 0 never flags, however far
        (38, [10, 12, 14, 16, 18, 20, 22, 24], True),  # score 3.54 > 3.5
        (37, [10, 12, 14, 16, 18, 20, 22, 24], False),  # score 3.37
        (0, [40, 42, 38, 41, 39, 40, 43, 37], True),  # far below counts too
        (9, [0, 1, 0, 1, 0, 1, 0, 1], False),  # score 11.5, difference 8.5
        (11, [0, 1, 0, 1, 0, 1, 0, 1], True),  # difference 10.5
        (40, [4, 5, 3], False),  # three quarters of history say too little
    ],
)
def test_the_outlier_rule(value, history, flagged):
    assert is_outlier(value, history) is flagged


def record(period: Period, value: int | None, cell: str = "C2", element: str = "thv_totaal") -> Record:
    return Record("GM0344", period, element, value, False, "Blad1", cell)


def test_only_the_eight_quarters_before_count():
    checked = Period(2025, 1)
    steady = {p: 4 + (p.quarter % 2) for p in period_range(Period(2023, 1), Period(2024, 4))}  # 4 and 5
    old_far = {Period(2022, 4): 400}  # nine quarters back: not in the window
    history = {("GM0344", "thv_totaal"): {**steady, **old_far}}
    [warning] = outlier_warnings([record(checked, 40)], history, "a.xlsx")
    assert (warning.where, warning.code, warning.is_error) == ("Blad1!C2", "outlier", False)
    assert warning.message == "Dit aantal wijkt sterk af van de vorige kwartalen (gemiddeld 4,5, nu 40). Klopt het?"
    assert outlier_warnings([record(checked, 6)], history, "a.xlsx") == []


def test_the_files_own_values_supersede_the_stored_ones():
    quarters = period_range(Period(2023, 1), Period(2024, 4))
    stored = {("GM0344", "thv_totaal"): dict(zip(quarters, STEADY, strict=True))}
    new = record(Period(2025, 1), 40, "C10")
    assert [w.cell for w in outlier_warnings([new], stored, "a.xlsx")] == ["C10"]
    # the file corrects the eight quarters before (they were ten times too small): 40 is then ordinary
    corrected = [record(p, 10 * v, f"C{row}") for row, (p, v) in enumerate(zip(quarters, STEADY, strict=True), 2)]
    assert outlier_warnings([*corrected, new], stored, "a.xlsx") == []


def template(rows):
    return {"Blad1": [["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)"], *rows]}


def test_a_file_with_its_own_history_warns_without_a_database(tmp_path):
    quarters = period_range(Period(2023, 1), Period(2025, 1))
    rows = [["Utrecht", p.label, value] for p, value in zip(quarters, [*STEADY, 40], strict=True)]
    result = read_file(write_workbook(tmp_path / "reeks.xlsx", template(rows)), today=TODAY)
    assert result.ok
    assert [(p.where, p.code) for p in result.problems] == [("Blad1!C10", "outlier")]
    assert "(gemiddeld 4, nu 40)" in result.problems[0].message


def test_the_stored_history_warns_in_the_dry_run_and_load_stores_anyway(tmp_path, db_url):
    engine = connect(db_url)
    quarters = period_range(Period(2023, 1), Period(2024, 4))
    history = [["Utrecht", p.label, value] for p, value in zip(quarters, STEADY, strict=True)]
    load_file(engine, write_workbook(tmp_path / "eerder.xlsx", template(history)), today=TODAY)
    stored = recent_values(engine, {"GM0344"}, Period(2023, 1), Period(2024, 4))
    assert stored == {("GM0344", "thv_totaal"): dict(zip(quarters, STEADY, strict=True))}

    new = write_workbook(tmp_path / "nieuw.xlsx", template([["Utrecht", "2025 K1", 40]]))
    assert read_file(new, today=TODAY).problems == []  # no database: nothing to compare with
    result = read_file(new, today=TODAY, engine=engine)
    assert result.ok and [(p.where, p.code) for p in result.problems] == [("Blad1!C2", "outlier")]
    result, outcome = load_file(engine, new, today=TODAY)
    assert (outcome.status, [p.code for p in result.warnings]) == ("stored", ["outlier"])


def test_check_with_db_prints_the_warning(tmp_path, db_url, capsys):
    engine = connect(db_url)
    quarters = period_range(Period(2023, 1), Period(2024, 4))
    history = [["Utrecht", p.label, value] for p, value in zip(quarters, STEADY, strict=True)]
    load_file(engine, write_workbook(tmp_path / "eerder.xlsx", template(history)), today=TODAY)
    new = write_workbook(tmp_path / "nieuw.xlsx", template([["Utrecht", "2025 K1", 4000]]))
    out = io.StringIO()
    assert main(["check", "--db", db_url, str(new)], out) == 0
    assert out.getvalue().splitlines() == [
        "nieuw.xlsx: in orde, 1 waarde, 1 waarschuwing",
        "    waarschuwing: Blad1!C2 [outlier] Dit aantal wijkt sterk af van de vorige kwartalen "
        "(gemiddeld 4, nu 4.000). Klopt het?",
    ]
