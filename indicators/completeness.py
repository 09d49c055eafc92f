"""What was delivered when: per municipality and quarter, the first delivery, the data elements
present now, and whether it came on time.

The deadline is one rule, `DEADLINE_DAYS_AFTER_QUARTER`: a delivery is on time up to and including
the 42nd day after the quarter (for 2024 K1: 1 April + 42 days = 13 May 2024). The sample data
(`sample_data/deliveries.py`, `NORMAL_DAYS` and `LATE_DAYS`) follows the same six weeks; a test
checks that the two agree.

A municipality counts for a quarter only when it existed then (`Municipality.exists_in`); a merged
municipality belongs to the region of its successor (`Reference.region_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from db.tables import UTC, observations, uploads
from db.values import store_version
from indicators.registry import INPUT_ELEMENTS
from reference.areas import Reference, load_reference
from reference.periods import FIRST_YEAR, Period, last_ended, period_range

DEADLINE_DAYS_AFTER_QUARTER = 42  # six weeks after the quarter ends
ELEMENT_COUNT = len(INPUT_ELEMENTS)  # the 13 data elements a municipality has per quarter
COLUMNS = ("municipality", "name", "period", "elements", "first_delivery", "deadline", "status")


class Status(StrEnum):
    """The delivery status of one municipality and quarter (Dutch, as shown on the page)."""

    ON_TIME = "op tijd"  # first delivery on or before the deadline
    LATE = "te laat"  # first delivery after the deadline
    MISSING = "ontbreekt"  # nothing delivered and the deadline has passed
    NOT_DUE = "nog niet nodig"  # nothing delivered, the deadline has not passed yet


def deadline(period: Period) -> dt.date:
    """The last day on which a delivery for `period` is on time."""
    return period.end + dt.timedelta(days=DEADLINE_DAYS_AFTER_QUARTER)


def status_of(first_delivery: dt.datetime | None, period: Period, today: dt.date) -> Status:
    """The status of a municipality's quarter from its first delivery (aware; None: nothing yet).

    On time when the delivery's UTC date is at most the deadline; missing once the deadline has passed.
    """
    due = deadline(period)
    if first_delivery is not None and not pd.isna(first_delivery):
        return Status.ON_TIME if first_delivery.astimezone(UTC).date() <= due else Status.LATE
    return Status.MISSING if today > due else Status.NOT_DUE


def region_municipalities(reference: Reference, region: str | None, periods: Sequence[Period]) -> list[str]:
    """Codes of the municipalities of `region` (None: the country) that existed in any of `periods`."""
    return sorted(
        m.code
        for m in reference.municipalities.values()
        if any(m.exists_in(p) for p in periods)
        and (region is None or ((found := reference.region_of(m.code)) is not None and found.code == region))
    )


def _first_deliveries(engine: Engine, periods: Sequence[Period], codes: Sequence[str] | None) -> pd.DataFrame:
    """One aggregate query: per municipality and quarter the first upload time and the elements present now."""
    o, u = observations.c, uploads.c
    present = and_(o.superseded_by.is_(None), or_(o.value.is_not(None), o.suppressed.is_(True)))
    query = (
        select(
            o.municipality,
            o.year,
            o.quarter,
            func.min(u.uploaded_at).label("first_delivery"),
            func.count(func.distinct(case((present, o.element)))).label("elements"),
        )
        .join(uploads, u.id == o.upload_id)
        .where(o.year.between(min(periods).year, max(periods).year))
        .group_by(o.municipality, o.year, o.quarter)
    )
    if codes is not None:
        query = query.where(o.municipality.in_(list(codes)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["municipality", "year", "quarter", "first_delivery", "elements"])
    frame["period"] = [f"{y}Q{q}" for y, q in zip(frame["year"], frame["quarter"], strict=True)]
    return frame.drop(columns=["year", "quarter"])


def delivery_table(
    engine: Engine,
    periods: Sequence[Period],
    *,
    region: str | None = None,
    reference: Reference | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One row per municipality of `region` (None: the country) and quarter of `periods` in which it
    existed: name, elements present now (0..13), first delivery (UTC, NaT: none), deadline, status."""
    if not periods:
        return _empty()
    reference = reference or load_reference()
    today = today or dt.date.today()
    codes = region_municipalities(reference, region, periods)
    expected = pd.DataFrame(
        [
            (code, reference.municipalities[code].name, str(p), deadline(p))
            for p in periods
            for code in codes
            if reference.municipalities[code].exists_in(p)
        ],
        columns=["municipality", "name", "period", "deadline"],
    )
    delivered = _first_deliveries(engine, periods, None if region is None else codes)
    table = expected.merge(delivered, on=["municipality", "period"], how="left")
    table["elements"] = table["elements"].fillna(0).astype("int64")
    table["first_delivery"] = pd.to_datetime(table["first_delivery"], utc=True)
    table["status"] = [
        str(status_of(first, Period.parse_code(code), today))
        for first, code in zip(table["first_delivery"], table["period"], strict=True)
    ]
    return table[list(COLUMNS)].sort_values(["period", "name", "municipality"], ignore_index=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in COLUMNS})


TOTAL_COLUMNS = ("period", "expected", "delivered", "complete", "on_time", "late", "missing", "not_due", "share")


def quarter_totals(table: pd.DataFrame, periods: Sequence[Period]) -> pd.DataFrame:
    """Per quarter: municipalities expected, that delivered anything, that delivered all 13 elements, per
    status (`on_time`, `late`, `missing`, `not_due`), and `share`: the elements present out of 13 per
    expected municipality (NaN when none was expected)."""
    rows = []
    for period in periods:
        part = table.loc[table["period"] == str(period)]
        counts = part["status"].value_counts()
        expected = len(part)
        rows.append({
            "period": str(period),
            "expected": expected,
            "delivered": int(counts.get(Status.ON_TIME, 0) + counts.get(Status.LATE, 0)),
            "complete": int((part["elements"] >= ELEMENT_COUNT).sum()),
            **{status.name.lower(): int(counts.get(status, 0)) for status in Status},
            "share": part["elements"].sum() / (ELEMENT_COUNT * expected) if expected else float("nan"),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(TOTAL_COLUMNS))


def national_totals(engine: Engine, periods: Sequence[Period], *, today: dt.date | None = None) -> pd.DataFrame:
    """`quarter_totals` for the whole country; computed once per store version, quarters and day, then
    memoised (a worker keeps only these small tables, and a new upload changes the version)."""
    return _national_totals(engine, store_version(engine), tuple(periods), today or dt.date.today()).copy()


@lru_cache(maxsize=16)
def _national_totals(engine: Engine, _version: int, periods: tuple[Period, ...], today: dt.date) -> pd.DataFrame:
    return quarter_totals(delivery_table(engine, periods, today=today), periods)


def latest_delivered_period(engine: Engine) -> Period | None:
    """The latest quarter for which anything was delivered, anywhere."""
    o = observations.c
    with engine.connect() as conn:
        index = conn.execute(select(func.max(o.year * 4 + o.quarter - 1))).scalar_one_or_none()
    return None if index is None else Period.from_index(int(index))


def shown_periods(engine: Engine, today: dt.date | None = None) -> list[Period]:
    """The quarters the completeness page can show: from 2018 K1 up to the latest quarter with any
    delivery, or up to the last quarter that has ended when nothing was delivered yet."""
    current = Period.of_date(today or dt.date.today())
    latest = latest_delivered_period(engine) or last_ended(today)
    return period_range(Period(FIRST_YEAR, 1), min(latest, current))


def complete_periods(national: pd.DataFrame, today: dt.date | None = None) -> list[str]:
    """The quarters that have ended and have figures, newest first (as `2024Q1`), from the national
    rows of the indicator table; the first is the latest complete quarter."""
    codes = national.loc[national["reported"] > 0, "period"].unique()
    return sorted((p for p in codes if Period.parse_code(p).has_ended(today)), reverse=True)
