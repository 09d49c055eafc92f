"""Reading what is stored: the current values, their history, the uploads, and the store version.

Values are never updated or deleted, only superseded (`db.tables`); these functions read them as
DataFrames with fixed column types, also when there are no rows.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func, select

from db.engine import reading
from db.tables import observations, uploads
from reference.periods import Period


def read_frame(conn: Connection, query, dtypes: dict[str, str]) -> pd.DataFrame:
    """The query's rows as a DataFrame with fixed column types, also when there are no rows."""
    result = conn.execute(query)
    names, rows = list(result.keys()), result.all()
    columns = zip(*rows, strict=True) if rows else ([] for _ in names)
    frame = pd.DataFrame(dict(zip(names, map(list, columns), strict=True)))
    for column in frame.columns.intersection(list(dtypes)):
        dtype = dtypes[column]
        if dtype == "utc":
            frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
        elif dtype == "bool":
            frame[column] = frame[column].astype("bool")
        else:
            frame[column] = pd.array(frame[column].tolist(), dtype=dtype)
    return frame


def _with_period(frame: pd.DataFrame) -> pd.DataFrame:
    period = frame["year"].astype("str") + "Q" + frame["quarter"].astype("str")
    frame.insert(frame.columns.get_loc("year"), "period", period.astype("str"))
    return frame


UPLOAD_TYPES = {
    "id": "int64", "file_name": "str", "sha256": "str", "source": "str", "uploaded_by": "str",
    "uploaded_at": "utc", "status": "str", "added": "int64", "replaced": "int64",
    "unchanged": "int64", "duplicate_of": "Int64",
}  # fmt: skip
_VALUE_TYPES = {
    "observation_id": "int64", "municipality": "str", "year": "int64", "quarter": "int64",
    "element": "str", "value": "Int64", "suppressed": "bool", "sheet": "str", "cell": "str",
    "upload_id": "int64", "superseded_at": "utc", "superseded_by": "Int64",
}  # fmt: skip


_HISTORY_COLUMNS = [
    "observation_id", "municipality", "period", "year", "quarter", "element", "value",
    "suppressed", "sheet", "cell", "upload_id", "file_name", "source", "uploaded_by",
    "uploaded_at", "superseded_at", "superseded_by", "current",
]  # fmt: skip


def _values(conn: Connection, query, upload_columns: list[str]) -> pd.DataFrame:
    """Observations with a `period` column and the given columns of their upload.

    The upload columns are looked up per upload rather than joined per value: far fewer rows to
    convert. Uploads are read second, so every upload of the values read first is there.
    """
    frame = _with_period(read_frame(conn, query, _VALUE_TYPES))
    u = uploads.c
    info = read_frame(
        conn,
        select(u.id.label("upload_id"), *(u[name] for name in upload_columns)).where(u.status == "stored"),
        {"upload_id": "int64", **{name: UPLOAD_TYPES[name] for name in upload_columns}},
    )
    return frame.merge(info, on="upload_id", how="left", validate="many_to_one")


def current_values(bind: Engine | Connection, years: Collection[int] | None = None) -> pd.DataFrame:
    """The current value of every municipality, quarter and element (of `years` only, if given);
    `value` <NA> = unknown."""
    o = observations.c
    query = (
        select(o.municipality, o.year, o.quarter, o.element, o.value, o.suppressed, o.upload_id)
        .where(o.superseded_by.is_(None))
        .order_by(o.municipality, o.year, o.quarter, o.element)
    )
    if years is not None:
        query = query.where(o.year.in_(sorted(years)))
    with reading(bind) as conn:
        return _values(conn, query, ["uploaded_at"])


def value_history(
    engine: Engine,
    municipality: str | None = None,
    period: str | Period | None = None,
    element: str | None = None,
) -> pd.DataFrame:
    """Every version of the values, superseded ones included, oldest first."""
    o = observations.c
    query = select(
        o.id.label("observation_id"), o.municipality, o.year, o.quarter, o.element, o.value,
        o.suppressed, o.sheet, o.cell, o.upload_id, o.superseded_at, o.superseded_by,
    ).order_by(o.id)  # fmt: skip
    if municipality is not None:
        query = query.where(o.municipality == municipality)
    if period is not None:
        quarter = period if isinstance(period, Period) else Period.parse_code(str(period))
        query = query.where(o.year == quarter.year, o.quarter == quarter.quarter)
    if element is not None:
        query = query.where(o.element == element)
    with engine.connect() as conn:
        frame = _values(conn, query, ["file_name", "source", "uploaded_by", "uploaded_at"])
    frame["current"] = frame["superseded_by"].isna().astype("bool")
    return frame[_HISTORY_COLUMNS]


def store_version(bind: Engine | Connection) -> int:
    """Changes whenever the values change: the number of stored uploads (uploads are serialised
    and never deleted, so it only grows, and rejected or duplicate files leave it alone)."""
    with reading(bind) as conn:
        count = conn.execute(select(func.count()).where(uploads.c.status == "stored")).scalar_one()
    return int(count)


def quarters_stored_after(conn: Connection, version: int) -> set[Period]:
    """The quarters whose values changed since store version `version`: those of the values of every
    stored upload after the first `version` (uploads are serialised, so ids follow the store order)."""
    o = observations.c
    later = select(uploads.c.id).where(uploads.c.status == "stored").order_by(uploads.c.id).offset(version)
    query = select(o.year, o.quarter).where(o.upload_id.in_(later.scalar_subquery())).distinct()
    return {Period(int(year), int(quarter)) for year, quarter in conn.execute(query)}


def stored_quarters(conn: Connection) -> tuple[Period, Period] | None:
    """The first and the last quarter with a current value (known or unknown); None when there is none."""
    o = observations.c
    index = o.year * 4 + o.quarter - 1
    first, last = conn.execute(select(func.min(index), func.max(index)).where(o.superseded_by.is_(None))).one()
    if first is None:
        return None
    return Period.from_index(int(first)), Period.from_index(int(last))


# Built once: `recent_values` runs for every file loaded, and building the query costs more than running it.
_RECENT = select(
    observations.c.municipality, observations.c.year, observations.c.quarter, observations.c.element,
    observations.c.value,
).where(
    observations.c.superseded_by.is_(None), observations.c.municipality.in_(bindparam("names", expanding=True)),
    observations.c.year.between(bindparam("first"), bindparam("last")), observations.c.value.is_not(None),
    observations.c.suppressed.is_(False),
)  # fmt: skip


def recent_values(
    engine: Engine, municipalities: Collection[str], first: Period, last: Period
) -> dict[tuple[str, str], dict[Period, int]]:
    """The known current values (not unknown, not suppressed) of these municipalities from `first` to
    `last`: (municipality, element) -> quarter -> value. For plausibility checks of a new file."""
    found: dict[tuple[str, str], dict[Period, int]] = {}
    if not municipalities:
        return found
    bounds = {"names": sorted(municipalities), "first": first.year, "last": last.year}
    with engine.connect() as conn:
        for municipality, year, quarter, element, value in conn.execute(_RECENT, bounds):
            period = Period(int(year), int(quarter))
            if first.index <= period.index <= last.index:
                found.setdefault((municipality, element), {})[period] = int(value)
    return found
