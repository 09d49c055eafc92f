"""The indicator table: `aggregate` stored in the database, computed once per store change.

Callbacks of the dashboard read it with a cheap query instead of aggregating raw values on each
click, and several server processes share it without keeping state of their own. Whoever first
sees that the store has changed since the table was computed (a new upload) recomputes it.

With it, in the same transaction and so for the same store version, the public table
(`indicator_values_public`): the region, national and yearly rows with small numbers suppressed
(`indicators.suppression`), for users without full detail on an area.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from db.engine import write_transaction
from db.tables import indicator_state, indicator_values, indicator_values_public
from db.values import current_values, store_version
from indicators.aggregate import COLUMNS, aggregate
from indicators.suppression import suppress
from reference.areas import load_reference

PUBLIC_COLUMNS = (*COLUMNS, "shown", "suppression")


def computed_version(engine: Engine) -> int | None:
    """The store version the indicator table was computed for; None before the first time."""
    with engine.connect() as conn:
        return conn.execute(select(indicator_state.c.store_version)).scalar_one_or_none()


def refresh(engine: Engine, *, force: bool = False) -> bool:
    """Recompute the indicator table when the store changed since it was computed; True if it did."""
    version = store_version(engine)
    if not force and computed_version(engine) == version:
        return False
    reference = load_reference()
    table = aggregate(current_values(engine), reference)
    rows, public = _records(table, COLUMNS), _records(suppress(table, reference), PUBLIC_COLUMNS)
    with write_transaction(engine) as conn:
        # Another process may have done it meanwhile (writes are serialised): check again inside.
        done = conn.execute(select(indicator_state.c.store_version)).scalar_one_or_none()
        if not force and done == version:
            return False
        for target, records in ((indicator_values, rows), (indicator_values_public, public)):
            conn.execute(delete(target))
            if records:
                conn.execute(insert(target), records)
        conn.execute(delete(indicator_state))
        conn.execute(insert(indicator_state).values(id=1, store_version=version, computed_at=dt.datetime.now(dt.UTC)))
    return True


def read_indicators(
    engine: Engine,
    *,
    level: str | None = None,
    areas: list[str] | None = None,
    indicators: list[str] | None = None,
    periods: list[str] | None = None,
    public: bool = False,
) -> pd.DataFrame:
    """Rows of the indicator table (refreshed first when stale), filtered; the columns of `aggregate`.

    `public`: from the public table instead (regions, the nation and years, small numbers
    suppressed), with the columns `shown` and `suppression` added.
    """
    refresh(engine)
    table, names = (indicator_values_public, PUBLIC_COLUMNS) if public else (indicator_values, COLUMNS)
    query = select(*(table.c[name] for name in names))
    for column, wanted in (("level", [level] if level else None), ("area_code", areas), ("indicator", indicators),
                           ("period", periods)):  # fmt: skip
        if wanted is not None:
            query = query.where(table.c[column].in_(wanted))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    # Typed columns built directly: several times faster than a frame of objects cast afterwards,
    # and this runs in every dashboard callback.
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame({name: _typed(name, values) for name, values in zip(names, columns, strict=True)})


_INTEGERS = frozenset({"numerator", "denominator", "population"})
_FLOATS = frozenset({"value", "ci_low", "ci_high", "ci99_low", "ci99_high"})


def _typed(name: str, values: tuple) -> object:
    if name in _INTEGERS:
        return pd.array(values, dtype="Int64")
    if name in _FLOATS:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if name in ("reported", "expected"):
        return np.array(values, dtype="int64")
    if name == "shown":
        return pd.array(values, dtype="string")
    return list(values)


def _records(table: pd.DataFrame, columns: tuple[str, ...]) -> list[dict]:
    """Plain Python values for executemany: None for missing, int for counts."""
    frame = table[list(columns)].astype(object).where(table[list(columns)].notna(), None)
    return frame.to_dict("records")
