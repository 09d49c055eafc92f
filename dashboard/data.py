"""Data for the pages: read from the store's indicator table, never recomputed per click.

What a user gets depends on their scope, taken from the server-side session
(`dashboard.access.current_scope`): the areas of their full detail come from the full table, the
regions and the nation outside it from the public table (small numbers suppressed, with the
columns `shown` and `suppression`), and municipalities outside it not at all. Every page and
download reads through `indicators`, so none can show more.

Each server process opens its own engine on first use (after a fork), and keeps nothing else.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

import pandas as pd
from sqlalchemy import Engine

from dashboard.access import current_scope
from db.engine import connect
from db.values import store_version
from indicators.completeness import complete_periods
from indicators.registry import INDICATORS_BY_CODE, Indicator
from indicators.table import after_refresh, pattern_key, read_indicators
from reference.areas import Reference, load_reference


@cache
def engine() -> Engine:
    """The database of $MONITOR_DB_URL or the embedded SQLite file."""
    return connect()


def reference() -> Reference:
    return load_reference()


def indicator(code: str) -> Indicator:
    return INDICATORS_BY_CODE[code]


def store_key() -> tuple:
    """What identifies the current figures: the database, its store version and what the public
    pattern depends on besides (`indicators.table.pattern_key`). Memoise on it."""
    database = engine()
    return database.url, store_version(database), pattern_key(database, reference())


def view_key() -> tuple:
    """`store_key` and what `indicators` gives the signed-in user depends on besides: their areas of full
    detail. Memoise what a page builds from `indicators` on it."""
    return (*store_key(), current_scope().full_detail_areas(reference()))


def indicators(
    level: str | None = None,
    areas: list[str] | None = None,
    codes: list[str] | None = None,
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """Rows of the indicator table as the signed-in user may see them: level, area, period (quarters
    unless `periods` names a year), indicator, counts, value, intervals, completeness, and `shown`
    ("<5" for a small count, "" for another hidden figure, <NA> when published) and `suppression`.

    Memoised per store version: every call asks the database which version is current (one cheap
    query), so all server processes answer alike and a new upload is seen at once.
    """
    scope = current_scope()
    key = (level, *(tuple(x) if x is not None else None for x in (areas, codes, periods)))
    full = _indicators(*store_key(), False, *key)
    allowed = scope.full_detail_areas(reference())
    if allowed is None:
        return full.copy()
    public = _indicators(*store_key(), True, *key)
    own = _in_areas(full, allowed)
    outside = public.loc[(public["level"].astype(str) != "municipality") & ~_in_areas(public, allowed)]
    return pd.concat([full.loc[own], outside], ignore_index=True)


def _in_areas(frame: pd.DataFrame, areas: frozenset[tuple[str, str]]) -> pd.Series:
    pairs = pd.MultiIndex.from_arrays([frame["level"].astype(str), frame["area_code"].astype(str)])
    return pd.Series(pairs.isin(list(areas)) if areas else False, index=frame.index)


@lru_cache(maxsize=256)
def _indicators(
    url, version: int, pattern: str, public: bool, level, areas: tuple | None, codes: tuple | None, periods
):
    frame = read_indicators(
        engine(),
        level=level,
        areas=list(areas) if areas is not None else None,
        indicators=list(codes) if codes is not None else None,
        periods=list(periods) if periods is not None else None,
        public=public,
    )
    if periods is None:  # quarters only, unless a year is asked for by name
        frame = frame.loc[frame["period"].astype(str).str.contains("Q", regex=False)]
    if not public:
        frame = frame.assign(shown=pd.Series(pd.NA, index=frame.index, dtype="string"), suppression="")
    return frame.reset_index(drop=True)


@after_refresh
def warm(database: Engine) -> None:
    """After an upload refreshed the indicator table: read what every page asks first (the national
    quarters, full and public) into the memo of the new store version, not on the first view."""
    opened = getattr(engine, "cache_info", None)
    if opened is not None and not opened().currsize:
        return  # this process has not served a page: no memo to warm, no database of its own to open
    if database.url != engine().url:
        return
    key = store_key()
    for public in (False, True):
        _indicators(*key, public, "national", ("NL",), None, None)
        _indicators(*key, public, "national", None, None, None)


def latest_complete_quarter(today: dt.date | None = None) -> str | None:
    """The last quarter that has ended and has figures, as `2024Q1`."""
    # Which quarters have figures is no secret: read the full national row, whoever asks.
    national = _indicators(*store_key(), False, "national", ("NL",), None, None)
    return next(iter(complete_periods(national, today)), None)


def targets(areas: list[str]) -> dict:
    """The current targets of `areas` per (area code, indicator); targets are read by everyone who sees the area."""
    from db.steering import current_targets

    return current_targets(engine(), areas)


def interpretations(level: str, areas: list[str]) -> list:
    """The current interpretations of `areas`: a region's for everyone, a municipality's note only for who sees
    that municipality in full."""
    from db.steering import current_interpretations

    if level == "municipality":
        scope, known = current_scope(), reference()
        areas = [code for code in areas if scope.full_detail_municipality(code, known)]
    return current_interpretations(engine(), level, areas) if areas else []
