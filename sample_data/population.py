"""Inhabitants per municipality code and quarter, including municipalities that merged away.

The reference population is of 1 January 2022 in the 2023 division, so it only knows the current
codes. For a municipality that merged away we estimate its population from the address counts in
`reference/gemeente_herindelingen_2018_2024.csv`. THIS IS AN APPROXIMATION FOR SYNTHETIC DATA ONLY:

- into a new municipality (Westerwolde from Bellingwedde and Vlagtwedde): the successor's
  population times the old part's addresses over the addresses of all parts that formed it;
- into an existing municipality (Weesp into Amsterdam): the old part's addresses times the median
  number of inhabitants per address of the first case.

An existing municipality that absorbed one is smaller by that estimate in the quarters in which the
absorbed one still existed.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from functools import cache

from reference.areas import MERGERS_FILE, load_reference
from reference.periods import Period


@cache
def _estimates() -> tuple[dict[str, float], dict[str, list[tuple[str, float]]]]:
    """(old code -> estimated population, successor -> [(old code, share of old absorbed)])."""
    ref = load_reference()
    with MERGERS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["type"].startswith("opheffing")]
    # (new code, date) -> addresses of all its parts
    into: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        into[r["gemeentecode_nieuw"], r["ingangsdatum"]] += int(r["aantal_adressen"])

    def is_new(row: dict[str, str]) -> bool:
        start = ref.municipalities[row["gemeentecode_nieuw"]].start
        return start.isoformat() == row["ingangsdatum"]

    per_address = statistics.median(
        ref.population[new] / addresses
        for (new, date), addresses in into.items()
        if new in ref.population and ref.municipalities[new].start.isoformat() == date
    )
    old_population: dict[str, float] = defaultdict(float)
    absorbed: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in rows:
        old, new = r["gemeentecode_oud"], r["gemeentecode_nieuw"]
        addresses = int(r["aantal_adressen"])
        if is_new(r):
            total = into[new, r["ingangsdatum"]]
            old_population[old] += ref.population[new] * addresses / total
        else:
            old_population[old] += addresses * per_address
            absorbed[new].append((old, float(r["aandeel_van_oud"])))
    return dict(old_population), dict(absorbed)


def population(code: str, period: Period) -> float:
    """Estimated inhabitants of `code` (as it existed in `period`)."""
    ref = load_reference()
    old_population, absorbed = _estimates()
    if code not in ref.population:
        return old_population[code]
    inhabitants = float(ref.population[code])
    for old, share in absorbed.get(code, ()):
        if old in ref.municipalities and ref.municipalities[old].exists_in(period):
            inhabitants -= share * old_population[old]
    return inhabitants
