"""Data for the pages: read from the store's indicator table, never recomputed per click.

Each server process opens its own engine on first use (after a fork), and keeps nothing else.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

import pandas as pd
from sqlalchemy import Engine

from ingest.indicator_table import read_indicators
from ingest.indicators import INDICATORS_BY_CODE, Indicator
from ingest.periods import Period
from ingest.reference import Reference, load_reference
from ingest.store import connect, store_version


@cache
def engine() -> Engine:
    """The database of $MONITOR_DB_URL or the embedded SQLite file."""
    return connect()


def reference() -> Reference:
    return load_reference()


def indicator(code: str) -> Indicator:
    return INDICATORS_BY_CODE[code]


def store_key() -> tuple:
    """What identifies the current figures: the database and its store version. Memoise on it."""
    database = engine()
    return database.url, store_version(database)


def indicators(
    level: str | None = None,
    areas: list[str] | None = None,
    codes: list[str] | None = None,
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """Rows of the indicator table: level, area, period, indicator, counts, value, intervals, completeness.

    Memoised per store version: every call asks the database which version is current (one cheap
    query), so all server processes answer alike and a new upload is seen at once.
    """
    key = [tuple(x) if x is not None else None for x in (areas, codes, periods)]
    return _indicators(*store_key(), level, *key).copy()


@lru_cache(maxsize=128)
def _indicators(url, version: int, level: str | None, areas: tuple | None, codes: tuple | None, periods: tuple | None):
    return read_indicators(
        engine(),
        level=level,
        areas=list(areas) if areas is not None else None,
        indicators=list(codes) if codes is not None else None,
        periods=list(periods) if periods is not None else None,
    )


def latest_complete_quarter(today: dt.date | None = None) -> str | None:
    """The last quarter that has ended and has figures, as `2024Q1`."""
    today = today or dt.date.today()
    national = indicators(level="national", areas=["NL"])  # naming the area lets the index serve it
    ended = [p for p in national.loc[national["reported"] > 0, "period"].unique() if Period.parse_code(p).end <= today]
    return max(ended, default=None)
