"""The indicator table: `aggregate` stored in the database, computed once per store change.

Callbacks of the dashboard read it with a cheap query instead of aggregating raw values on each
click, and several server processes share it without keeping state of their own. Whoever first
sees that the store has changed since the table was computed (a new upload) recomputes what
changed: the years of the new values, so that an upload costs the same however long the history.

With it, in the same transaction and so for the same store version, the public table
(`indicator_values_public`): the region, national and yearly rows with small numbers suppressed
(`indicators.suppression`), for users without full detail on an area. Both depend on the region
division too, and the public one on the ketenpartners' lists: `pattern_key` keeps them apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select

from db.engine import write_transaction
from db.tables import indicator_state, indicator_values, indicator_values_public
from db.values import current_values, quarters_stored_after, store_version, stored_quarters
from indicators.aggregate import COLUMNS, aggregate
from indicators.insiders import ketenpartner_scopes
from indicators.suppression import suppress
from reference.areas import Reference, load_reference
from reference.periods import Period, period_range

PUBLIC_COLUMNS = (*COLUMNS, "shown", "suppression")

# Called with the engine after this process recomputed the table, so that a higher layer (the
# dashboard) can warm what it memoises per store version before the first view asks for it.
_AFTER_REFRESH: list[Callable[[Engine], None]] = []


def after_refresh(hook: Callable[[Engine], None]) -> Callable[[Engine], None]:
    """Register `hook(engine)`, called after each refresh that recomputed the table (in this process)."""
    if hook not in _AFTER_REFRESH:
        _AFTER_REFRESH.append(hook)
    return hook


def computed_version(engine: Engine) -> int | None:
    """The store version the indicator table was computed for; None before the first time."""
    with engine.connect() as conn:
        return conn.execute(select(indicator_state.c.store_version)).scalar_one_or_none()


def pattern_key(bind: Engine | Connection, reference: Reference) -> str:
    """What the tables depend on besides the values, as a SHA-256: the region division (the file's
    bytes, whatever its name) and the ketenpartners' lists (insiders the suppression protects against)."""
    digest = hashlib.sha256(_file_digest(str(reference.regions_file)).encode())
    digest.update(json.dumps(ketenpartner_scopes(bind)).encode())
    return digest.hexdigest()


def _file_digest(path: str) -> str:
    stat = Path(path).stat()
    return _digest_of(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _digest_of(path: str, _mtime: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _computed(conn: Connection) -> tuple[int | None, str | None]:
    row = conn.execute(select(indicator_state.c.store_version, indicator_state.c.pattern_key)).one_or_none()
    return (row.store_version, row.pattern_key) if row else (None, None)


def _state(conn: Connection, reference: Reference) -> tuple[int, str]:
    return store_version(conn), pattern_key(conn, reference)


def refresh(engine: Engine, *, force: bool = False) -> bool:
    """Bring the indicator tables up to date with the store, the region division and the ketenpartners'
    lists; True if anything was recomputed.

    Only the years whose values changed since the tables were computed are recomputed (with the
    quarters a new file adds to the range): the figures of a quarter depend only on that quarter's
    values, and the suppression pattern only on its year's (`indicators.suppression`: each complete
    year is one component). A new division or list, or `force`, recomputes every year.
    """
    reference = load_reference()
    with engine.connect() as conn:
        if not force and _computed(conn) == _state(conn, reference):
            return False
    # Computed inside the write transaction: what changed is judged against the stored state, and
    # processes that see a stale table at once wait for one of them instead of all computing it.
    with write_transaction(engine) as conn:
        state, (version, key) = _state(conn, reference), _computed(conn)
        if not force and (version, key) == state:
            return False
        if force or version is None or key != state[1]:
            span = stored_quarters(conn)
            quarters, years = (period_range(*span) if span else []), None  # every year
        else:
            quarters, years = _changed(conn, version)
        _delete_years(conn, years)
        _write_years(conn, reference, [q for q in quarters if years is None or q.year in years])
        conn.execute(delete(indicator_state))
        conn.execute(insert(indicator_state).values(id=1, store_version=state[0], pattern_key=state[1],
                                                    computed_at=dt.datetime.now(dt.UTC)))  # fmt: skip
    for hook in _AFTER_REFRESH:
        hook(engine)
    return True


def _changed(conn: Connection, version: int) -> tuple[list[Period], set[int]]:
    """Every quarter the table must span, and the years to recompute since store version `version`:
    those of the quarters stored since and of the quarters a file adds to the span (empty ones between)."""
    stored, changed = _stored_span(conn), quarters_stored_after(conn, version)
    ends = [*(stored or ()), *changed]
    quarters = period_range(min(ends), max(ends)) if ends else []
    added = {q for q in quarters if stored is None or not stored[0] <= q <= stored[1]}
    return quarters, {q.year for q in changed | added}


def _stored_span(conn: Connection) -> tuple[Period, Period] | None:
    """The first and last quarter of the stored indicator table (by the period index)."""
    column = indicator_values.c.period
    first, last = conn.execute(select(func.min(column), func.max(column))).one()
    return None if first is None else (Period.parse_code(first), Period.parse_code(last))


def _delete_years(conn: Connection, years: set[int] | None) -> None:
    """Delete the rows of these years (their quarters and, in the public table, the year), or all rows."""
    for target in (indicator_values, indicator_values_public):
        query = delete(target)
        if years is not None:
            codes = [str(y) for y in years] + [f"{y}Q{q}" for y in years for q in range(1, 5)]
            query = query.where(target.c.period.in_(sorted(codes)))
        conn.execute(query)


def _write_years(conn: Connection, reference: Reference, quarters: list[Period]) -> None:
    """Compute and insert both tables for these quarters, one year at a time (bounded memory)."""
    lists = ketenpartner_scopes(conn)
    for year in sorted({q.year for q in quarters}):
        table = aggregate(current_values(conn, [year]), reference, [q for q in quarters if q.year == year])
        public = suppress(table, reference, lists)
        for target, records in ((indicator_values, _records(table, COLUMNS)),
                                (indicator_values_public, _records(public, PUBLIC_COLUMNS))):  # fmt: skip
            if records:
                conn.execute(insert(target), records)


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
