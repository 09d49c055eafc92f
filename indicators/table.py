"""The indicator table: `aggregate` stored in the database, computed once per store change.

Callbacks of the dashboard read it with a cheap query instead of aggregating raw values on each
click, and several server processes share it without keeping state of their own. Whoever first
sees that the store has changed since the table was computed (a new upload) recomputes it.

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
from sqlalchemy import Engine, delete, insert, select

from db.engine import write_transaction
from db.tables import indicator_state, indicator_values, indicator_values_public
from db.values import current_values, store_version
from indicators.aggregate import COLUMNS, aggregate
from indicators.insiders import ketenpartner_scopes
from indicators.suppression import suppress
from reference.areas import Reference, load_reference

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


def pattern_key(engine: Engine, reference: Reference) -> str:
    """What the tables depend on besides the values, as a SHA-256: the region division (the file's
    bytes, whatever its name) and the ketenpartners' lists (insiders the suppression protects against)."""
    digest = hashlib.sha256(_file_digest(str(reference.regions_file)).encode())
    digest.update(json.dumps(ketenpartner_scopes(engine)).encode())
    return digest.hexdigest()


def _file_digest(path: str) -> str:
    stat = Path(path).stat()
    return _digest_of(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _digest_of(path: str, _mtime: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _computed(conn) -> tuple[int | None, str | None]:
    row = conn.execute(select(indicator_state.c.store_version, indicator_state.c.pattern_key)).one_or_none()
    return (row.store_version, row.pattern_key) if row else (None, None)


def refresh(engine: Engine, *, force: bool = False) -> bool:
    """Recompute the indicator table when the store, the region division or a ketenpartner's list
    changed since it was computed; True if it did."""
    reference = load_reference()
    state = store_version(engine), pattern_key(engine, reference)
    with engine.connect() as conn:
        if not force and _computed(conn) == state:
            return False
    table = aggregate(current_values(engine), reference)
    public = suppress(table, reference, ketenpartner_scopes(engine))
    rows, public = _records(table, COLUMNS), _records(public, PUBLIC_COLUMNS)
    with write_transaction(engine) as conn:
        # Another process may have done it meanwhile (writes are serialised): check again inside.
        if not force and _computed(conn) == state:
            return False
        for target, records in ((indicator_values, rows), (indicator_values_public, public)):
            conn.execute(delete(target))
            if records:
                conn.execute(insert(target), records)
        conn.execute(delete(indicator_state))
        conn.execute(insert(indicator_state).values(id=1, store_version=state[0], pattern_key=state[1],
                                                    computed_at=dt.datetime.now(dt.UTC)))  # fmt: skip
    for hook in _AFTER_REFRESH:
        hook(engine)
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
