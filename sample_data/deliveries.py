"""Who delivers how and when: layout variants per municipality and delivery moments per file.

Every choice is fixed by the seed and the municipality code or file key, never by the order or the
subset being generated, so a file written for a subset equals the same file of the full run.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from reference.areas import load_reference
from reference.periods import Period
from sample_data.model import SEED

UTC = dt.UTC
BACKFILL_AT = dt.date(2025, 1, 15)  # the historical files were sent in one go
CUTOFF = dt.datetime(2025, 11, 1, tzinfo=UTC)  # the snapshot: nothing is delivered later
NORMAL_DAYS = (3, 42)  # a normal delivery: within six weeks after the quarter
LATE_DAYS = (43, 130)

# Layout variants of the municipality files, with their share among delivering municipalities.
NAME, CODE_GM, CODE_DIGITS, NO_MUNICIPALITY, TEXT_NUMBERS, TRANSPOSED = (
    "naam", "code_gm", "code_cijfers", "zonder_gemeente", "tekst", "getransponeerd",
)  # fmt: skip
VARIANT_SHARES = {
    NAME: 0.68, CODE_GM: 0.10, CODE_DIGITS: 0.10, NO_MUNICIPALITY: 0.04, TEXT_NUMBERS: 0.04,
    TRANSPOSED: 0.04,
}  # fmt: skip
NEVER_SHARE = 0.03  # never deliver their municipality files
LATE_SHARE = 0.10  # deliver one 2025 quarter late
# Amsterdam and Rotterdam write text: their counts reach 1,000, so `1.234` really occurs.
FORCED_VARIANTS = {"GM0363": TEXT_NUMBERS, "GM0599": TEXT_NUMBERS}
SMALL_MUNICIPALITY = 40_000  # inhabitants; below this some care providers suppress 1..4 as "<5"


@dataclass(frozen=True)
class Plan:
    """How one municipality code delivers its own files."""

    variant: str
    never: bool = False
    late_quarter: int | None = None  # the 2025 quarter delivered late


@cache
def municipality_plans() -> dict[str, Plan]:
    codes = sorted(load_reference().municipalities)
    rng = np.random.default_rng([SEED, 1])
    never = rng.random(len(codes)) < NEVER_SHARE
    variants = rng.choice(list(VARIANT_SHARES), size=len(codes), p=list(VARIANT_SHARES.values()))
    late = rng.random(len(codes)) < LATE_SHARE
    late_quarter = rng.integers(1, 4, len(codes))
    plans = {}
    for i, code in enumerate(codes):
        forced = code in FORCED_VARIANTS
        plans[code] = Plan(
            variant=FORCED_VARIANTS.get(code, str(variants[i])),
            never=bool(never[i]) and not forced,
            late_quarter=int(late_quarter[i]) if late[i] else None,
        )
    return plans


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng([SEED, 2, zlib.crc32(key.encode())])


def _moment(day: dt.date, rng: np.random.Generator) -> dt.datetime:
    """A moment in office hours on `day`, UTC."""
    minutes = int(rng.integers(7 * 60, 16 * 60))
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(minutes=minutes)


def backfill_moment(key: str) -> dt.datetime:
    return _moment(BACKFILL_AT, _rng(key))


def quarter_delivery(key: str, period: Period, late: bool = False) -> dt.datetime | None:
    """When the file for `period` arrives; None when that would be after the snapshot."""
    rng = _rng(key)
    quarter_end = period.end
    if late:
        low, high = LATE_DAYS
    else:  # normal deliveries of the last quarter all fall before the snapshot
        low, high = NORMAL_DAYS[0], min(NORMAL_DAYS[1], (CUTOFF.date() - quarter_end).days - 1)
    moment = _moment(quarter_end + dt.timedelta(days=int(rng.integers(low, high + 1))), rng)
    return moment if moment < CUTOFF else None


def suppresses_small(region_code: str) -> bool:
    """Whether the care provider of this region writes 1..4 in small municipalities as `<5`."""
    return zlib.crc32(f"klein:{region_code}".encode()) % 3 == 0
