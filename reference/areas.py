"""Reference data: municipalities per period, mergers, the region division and population.

Read from the CSV files in `reference/` (see `reference/SOURCES.md`), once per process. A
deployment points `MONITOR_REGIO_INDELING` at its own division file of the same shape
(`gemeentecode,gemeentenaam,regiocode,regionaam`).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from config import settings
from config.errors import ConfigurationError
from reference.periods import Period
from reference.text import fold

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
MUNICIPALITIES_FILE = REFERENCE_DIR / "gemeenten_per_jaar_2018_2025.csv"
MERGERS_FILE = REFERENCE_DIR / "gemeente_herindelingen_2018_2024.csv"
DEFAULT_REGIONS_FILE = REFERENCE_DIR / "regio_veilig_thuis_2025.csv"
POPULATION_FILE = REFERENCE_DIR / "bevolking_gemeenten_2022-01-01_indeling2023.csv"
ALIASES_FILE = REFERENCE_DIR / "gemeente_aliassen.csv"
REGIONS_ENV = "MONITOR_REGIO_INDELING"
REGION_COLUMNS = ("gemeentecode", "gemeentenaam", "regiocode", "regionaam")


@dataclass(frozen=True)
class Municipality:
    """A CBS municipality code with the span of days it existed: [start, end)."""

    code: str
    name: str  # the most recent name
    start: dt.date
    end: dt.date | None  # None: exists still
    names: frozenset[str] = field(default_factory=frozenset)

    def exists_in(self, period: Period) -> bool:
        return self.start < period.end and (self.end is None or self.end > period.start)


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass
class Reference:
    """Everything the ingest needs to know about areas; build with `load_reference()`."""

    municipalities: dict[str, Municipality]
    successors: dict[str, str]  # old code -> code it merged into (largest share)
    merge_dates: dict[str, dt.date]
    regions: dict[str, Region]
    region_members: dict[str, str]  # municipality code (current division) -> region code
    population: dict[str, int]
    names: dict[str, frozenset[str]]  # folded name or alias -> codes
    regions_file: Path

    def current_code(self, code: str) -> str:
        """Follow mergers to the municipality that holds `code`'s territory now."""
        seen = set()
        while code in self.successors and code not in seen:
            seen.add(code)
            code = self.successors[code]
        return code

    def region_of(self, code: str) -> Region | None:
        """The region of a municipality; a merged one belongs to its successor's region."""
        region_code = self.region_members.get(code) or self.region_members.get(self.current_code(code))
        return self.regions.get(region_code) if region_code else None

    def existing(self, period: Period) -> list[Municipality]:
        """The municipalities that existed at some day of `period`."""
        return [m for m in self.municipalities.values() if m.exists_in(period)]

    def members(self, region_code: str, period: Period) -> list[Municipality]:
        """The municipalities of a region as they existed in `period`; a former municipality
        belongs to the region of its successor."""
        return [m for m in self.existing(period) if (r := self.region_of(m.code)) is not None and r.code == region_code]

    def codes_for_name(self, text: str) -> frozenset[str]:
        return self.names.get(fold(text), frozenset())


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:  # Excel writes a BOM
        return list(csv.DictReader(handle))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _municipalities(rows: list[dict[str, str]]) -> dict[str, Municipality]:
    last_year = max(int(r["jaar"]) for r in rows)
    by_code: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_code[row["gemeentecode"]].append(row)
    result = {}
    for code, code_rows in by_code.items():
        code_rows.sort(key=lambda r: int(r["jaar"]))
        latest = code_rows[-1]
        end = max((_date(r["einddatum"]) for r in code_rows if r["einddatum"]), default=None)
        if end is None and int(latest["jaar"]) < last_year:
            end = dt.date(int(latest["jaar"]) + 1, 1, 1)
        result[code] = Municipality(
            code=code,
            name=latest["gemeentenaam"],
            start=_date(code_rows[0]["begindatum"]),
            end=end,
            names=frozenset(r["gemeentenaam"] for r in code_rows),
        )
    return result


def _successors(rows: list[dict[str, str]]) -> tuple[dict[str, str], dict[str, dt.date]]:
    best: dict[str, tuple[float, str]] = {}
    dates = {}
    for row in rows:
        if not row["type"].startswith("opheffing"):
            continue  # boundary corrections keep their code
        old, share = row["gemeentecode_oud"], float(row["aandeel_van_oud"])
        if old not in best or share > best[old][0]:
            best[old] = (share, row["gemeentecode_nieuw"])
        dates[old] = _date(row["ingangsdatum"])
    return {old: new for old, (_, new) in best.items()}, dates


def _name_index(municipalities: dict[str, Municipality], aliases: list[dict[str, str]]) -> dict:
    index: dict[str, set[str]] = defaultdict(set)
    for m in municipalities.values():
        for name in m.names:
            index[fold(name)].add(m.code)
            if "(" in name:  # `Hengelo (O.)` is also plain `Hengelo`
                index[fold(name.split("(")[0])].add(m.code)
    for row in aliases:
        index[fold(row["alias"])].add(row["gemeentecode"])
    return {name: frozenset(codes) for name, codes in index.items()}


def read_regions(path: Path, municipalities: dict[str, Municipality]) -> tuple[dict, dict]:
    """Read a region division file; refuse it with a clear message when its shape is wrong."""
    try:
        rows = _read_csv(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"Het regiobestand {path} kan niet gelezen worden: {exc}") from exc
    if not rows or any(column not in rows[0] for column in REGION_COLUMNS):
        raise ConfigurationError(f"Het regiobestand {path} moet de kolommen {', '.join(REGION_COLUMNS)} hebben.")
    unknown = sorted({r["gemeentecode"] for r in rows} - municipalities.keys())
    if unknown:
        raise ConfigurationError(f"Het regiobestand {path} noemt onbekende gemeentecodes: {', '.join(unknown[:5])}.")
    empty = [r["gemeentecode"] for r in rows if not r["regiocode"].strip()]
    if empty:
        raise ConfigurationError(f"Het regiobestand {path} geeft geen regiocode voor: {', '.join(empty[:5])}.")
    seen: dict[str, str] = {}
    for row in rows:
        if seen.setdefault(row["gemeentecode"], row["regiocode"]) != row["regiocode"]:
            raise ConfigurationError(
                f"Het regiobestand {path} noemt {row['gemeentecode']} in twee regio's "
                f"({seen[row['gemeentecode']]} en {row['regiocode']}); een gemeente hoort bij één regio."
            )
    regions = {r["regiocode"]: Region(r["regiocode"], r["regionaam"]) for r in rows}
    members = {r["gemeentecode"]: r["regiocode"] for r in rows}
    return regions, members


@cache
def load_reference(regions_file: str | None = None) -> Reference:
    """Load all reference data; `regions_file` defaults to $MONITOR_REGIO_INDELING or the 26 VT regions."""
    path = Path(regions_file or settings.get(REGIONS_ENV) or DEFAULT_REGIONS_FILE)
    municipalities = _municipalities(_read_csv(MUNICIPALITIES_FILE))
    successors, merge_dates = _successors(_read_csv(MERGERS_FILE))
    regions, members = read_regions(path, municipalities)
    population = {r["gemeentecode"]: int(r["inwoners"]) for r in _read_csv(POPULATION_FILE)}
    return Reference(
        municipalities=municipalities,
        successors=successors,
        merge_dates=merge_dates,
        regions=regions,
        region_members=members,
        population=population,
        names=_name_index(municipalities, _read_csv(ALIASES_FILE)),
        regions_file=path,
    )
