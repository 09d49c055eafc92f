"""What was delivered when: a literal store built from small workbooks, with injected upload times and today."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import event

from indicators import completeness
from indicators.completeness import (
    DEADLINE_DAYS_AFTER_QUARTER,
    Status,
    deadline,
    delivery_table,
    latest_delivered_period,
    national_totals,
    quarter_totals,
    region_municipalities,
    shown_periods,
    status_of,
)
from ingest.pipeline import load_file
from reference.areas import load_reference
from reference.periods import Period
from tests.workbooks import write_workbook

UTC = dt.UTC
CEST = dt.timezone(dt.timedelta(hours=2))
HEADER = ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "waarvan bij kindermishandeling"]
K1, K2 = Period(2022, 1), Period(2022, 2)  # Weesp merged into Amsterdam on 24 March 2022: it existed in K1 only
TODAY = dt.date(2022, 8, 1)  # after the deadline of 2022 K1 (13 May), before that of 2022 K2 (12 August)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def deliver(engine, tmp_path, name: str, rows: list[list], uploaded_at: dt.datetime) -> None:
    path = write_workbook(tmp_path / f"{name}.xlsx", {"Blad1": [HEADER, *rows]})
    result, stored = load_file(engine, path, uploaded_at=uploaded_at, today=TODAY)
    assert stored.status == "stored", [p.message for p in result.errors]


@pytest.fixture
def store(engine, tmp_path):
    """Amsterdam-Amstelland (VR13) in 2022 K1 and K2, and one municipality elsewhere."""
    deliver(engine, tmp_path, "amsterdam-k1", [["Amsterdam", "2022 K1", 30, None]], at("2022-04-20T09:00"))
    deliver(engine, tmp_path, "amsterdam-k1-fix", [["Amsterdam", "2022 K1", 31, 4]], at("2022-06-20T09:00"))
    deliver(engine, tmp_path, "aalsmeer-k1", [["Aalsmeer", "2022 K1", 3, "<5"]], at("2022-05-14T08:00"))
    deliver(engine, tmp_path, "weesp-k1", [["Weesp", "2022 K1", 2, 0]], at("2022-05-13T21:30"))
    deliver(engine, tmp_path, "amsterdam-k2", [["Amsterdam", "2022 K2", 28, 3]], at("2022-07-15T10:00"))
    deliver(engine, tmp_path, "utrecht-k1", [["Utrecht", "2022 K1", 40, 5]], at("2022-04-02T10:00"))
    return engine


def flat(table: pd.DataFrame) -> list[tuple]:
    return [(r.municipality, r.period, r.status, r.elements) for r in table.itertuples()]


def test_status_per_municipality_and_quarter(store):
    table = delivery_table(store, [K1, K2], region="VR13", today=TODAY)
    assert flat(table) == [
        ("GM0358", "2022Q1", "te laat", 2),  # Aalsmeer: the day after the deadline; "<5" counts as delivered
        ("GM0362", "2022Q1", "ontbreekt", 0),  # Amstelveen
        ("GM0363", "2022Q1", "op tijd", 2),  # Amsterdam: on time first, corrected later
        ("GM0384", "2022Q1", "ontbreekt", 0),  # Diemen
        ("GM0437", "2022Q1", "ontbreekt", 0),  # Ouder-Amstel
        ("GM0451", "2022Q1", "ontbreekt", 0),  # Uithoorn
        ("GM0457", "2022Q1", "op tijd", 2),  # Weesp: on the deadline day itself
        ("GM0358", "2022Q2", "nog niet nodig", 0),
        ("GM0362", "2022Q2", "nog niet nodig", 0),
        ("GM0363", "2022Q2", "op tijd", 2),
        ("GM0384", "2022Q2", "nog niet nodig", 0),
        ("GM0437", "2022Q2", "nog niet nodig", 0),
        ("GM0451", "2022Q2", "nog niet nodig", 0),
        # Weesp no longer existed in 2022 K2: no row
    ]


def test_first_delivery_is_the_earliest_upload_also_when_its_values_were_superseded(store):
    table = delivery_table(store, [K1], region="VR13", today=TODAY).set_index("municipality")
    assert table.loc["GM0363", "first_delivery"] == pd.Timestamp("2022-04-20T09:00", tz="UTC")
    assert table.loc["GM0363", "elements"] == 2  # thv_totaal replaced, thv_kindermishandeling added
    assert pd.isna(table.loc["GM0362", "first_delivery"])
    assert table.loc["GM0363", "deadline"] == dt.date(2022, 5, 13)
    assert table.loc["GM0363", "name"] == "Amsterdam"


def test_the_country_without_a_region(store):
    table = delivery_table(store, [K1], today=TODAY)
    assert len(table) == len(load_reference().existing(K1))
    assert table.set_index("municipality").loc["GM0344", "status"] == "op tijd"  # Utrecht, another region


def test_deadline_not_yet_passed_depends_on_today(store):
    before = delivery_table(store, [K1], region="VR13", today=dt.date(2022, 5, 13))
    after = delivery_table(store, [K1], region="VR13", today=dt.date(2022, 5, 14))
    assert before.set_index("municipality").loc["GM0362", "status"] == "nog niet nodig"
    assert after.set_index("municipality").loc["GM0362", "status"] == "ontbreekt"


def test_one_query_per_table(store):
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(store, "before_cursor_execute", record)
    try:
        delivery_table(store, [K1, K2], region="VR13", today=TODAY)
    finally:
        event.remove(store, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "GROUP BY" in selects[0]


@pytest.mark.parametrize(
    "first, today, expected",
    [
        (at("2022-05-13T23:59"), TODAY, Status.ON_TIME),  # the last day, in UTC
        (at("2022-05-14T00:00"), TODAY, Status.LATE),
        (at("2022-03-15T12:00"), TODAY, Status.ON_TIME),  # during the quarter
        (
            dt.datetime(2022, 5, 14, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            TODAY,
            Status.ON_TIME,
        ),  # 13 May UTC
        (None, dt.date(2022, 5, 13), Status.NOT_DUE),
        (None, dt.date(2022, 5, 14), Status.MISSING),
        (pd.NaT, dt.date(2022, 5, 14), Status.MISSING),
    ],
)
def test_status_of(first, today, expected):
    assert status_of(first, K1, today) is expected


@pytest.mark.parametrize(
    "period, expected",
    [(Period(2024, 1), dt.date(2024, 5, 13)), (Period(2024, 4), dt.date(2025, 2, 12)), (K2, dt.date(2022, 8, 12))],
)
def test_deadline_is_six_weeks_after_the_quarter(period, expected):
    assert DEADLINE_DAYS_AFTER_QUARTER == 6 * 7
    assert deadline(period) == expected


def test_deadline_agrees_with_the_sample_data():
    from sample_data import deliveries as sample

    assert sample.NORMAL_DAYS[1] == DEADLINE_DAYS_AFTER_QUARTER
    assert sample.LATE_DAYS[0] == DEADLINE_DAYS_AFTER_QUARTER + 1
    for number in range(40):
        period = Period(2025, number % 3 + 1)
        normal = sample.quarter_delivery(f"file-{number}", period)
        late = sample.quarter_delivery(f"file-{number}", period, late=True)
        assert status_of(normal, period, dt.date(2026, 1, 1)) is Status.ON_TIME
        assert late is None or status_of(late, period, dt.date(2026, 1, 1)) is Status.LATE


def test_a_merged_municipality_belongs_to_its_successors_region_while_it_existed():
    reference = load_reference()
    assert "GM0457" in region_municipalities(reference, "VR13", [K1, K2])
    assert "GM0457" not in region_municipalities(reference, "VR13", [K2])
    assert "GM0457" not in region_municipalities(reference, "VR09", [K1])
    assert len(region_municipalities(reference, None, [K2])) == len(reference.existing(K2))


DELIVERIES = pd.DataFrame(
    [
        ("GM1", "A", "2024Q1", 13, Status.ON_TIME),
        ("GM2", "B", "2024Q1", 6, Status.LATE),
        ("GM3", "C", "2024Q1", 0, Status.MISSING),
        ("GM1", "A", "2024Q2", 0, Status.NOT_DUE),
        ("GM2", "B", "2024Q2", 13, Status.ON_TIME),
    ],
    columns=["municipality", "name", "period", "elements", "status"],
).astype({"status": str})


def test_quarter_totals():
    totals = quarter_totals(DELIVERIES, [Period(2024, 1), Period(2024, 2), Period(2024, 3)])
    assert totals.drop(columns="share").values.tolist() == [
        ["2024Q1", 3, 2, 1, 1, 1, 1, 0],
        ["2024Q2", 2, 1, 1, 1, 0, 0, 1],
        ["2024Q3", 0, 0, 0, 0, 0, 0, 0],
    ]
    assert list(totals.columns) == [
        "period", "expected", "delivered", "complete", "on_time", "late", "missing", "not_due", "share",
    ]  # fmt: skip
    assert totals["share"].iloc[0] == pytest.approx(19 / 39)
    assert totals["share"].iloc[1] == pytest.approx(0.5)
    assert pd.isna(totals["share"].iloc[2])


def test_national_totals_follow_a_new_upload(store, tmp_path):
    first = national_totals(store, [K1], today=TODAY)
    again = national_totals(store, [K1], today=TODAY)
    assert first.equals(again)
    assert first.loc[0, "delivered"] == 4  # Amsterdam, Aalsmeer, Weesp, Utrecht
    deliver(store, tmp_path, "diemen-k1", [["Diemen", "2022 K1", 5, 1]], at("2022-05-01T08:00"))
    assert national_totals(store, [K1], today=TODAY).loc[0, "delivered"] == 5


def test_shown_periods(engine, tmp_path):
    assert latest_delivered_period(engine) is None
    assert shown_periods(engine, today=dt.date(2022, 8, 1))[-1] == Period(2022, 2)  # the last ended quarter
    deliver(engine, tmp_path, "amsterdam-k3", [["Amsterdam", "2022 K3", 1, 0]], at("2022-10-02T08:00"))
    periods = shown_periods(engine, today=dt.date(2023, 6, 1))
    assert (periods[0], periods[-1], len(periods)) == (Period(2018, 1), Period(2022, 3), 19)
    assert completeness.latest_delivered_period(engine) == Period(2022, 3)
