"""Write the synthetic sample data as the Excel files real sources send, plus `manifest.csv`.

    python -m sample_data.generate OUT_DIR [--regions VR13,VR25] [--years 2024,2025]

Municipalities send the template (consultations and client files); Veilig Thuis sends a year file
per region (restraining orders, a sheet per quarter); care providers send a long year file per
region (perpetrators and trajectories). The manifest lists every file with its source, the
municipality for files that do not name one, and when it was delivered, in delivery order.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.elements import ELEMENT_CODES
from reference.areas import Municipality, load_reference
from reference.periods import Period
from reference.text import fold
from sample_data import deliveries as dlv
from sample_data import layouts
from sample_data.model import PERIODS, SEED, model_wide
from sample_data.population import population

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("file", "source", "municipality", "delivered_at")
CURRENT_YEAR = 2025
MUNICIPALITY_ELEMENTS = tuple(c for c in ELEMENT_CODES if c.startswith(("consultaties", "dossiers")))
VT_ELEMENTS = ("thv_totaal", "thv_kindermishandeling", "thv_preventief")
CARE_ELEMENTS = {  # element -> the care providers' own name for it
    "plegers_in_beeld": "Plegers in beeld",
    "plegers_hulp_gestart": "Gestart met hulpverlening",
    "trajecten_afgesloten": "Afgesloten trajecten",
    "trajecten_uitval": "Uitval",
}
TEXT_SHARE = 0.05  # share of care provider counts stored as text


@dataclass(frozen=True)
class Delivered:
    file: str
    source: str
    municipality: str
    delivered_at: dt.datetime


class _Context:
    """What every writer needs: the selection, the counts and the output folder."""

    def __init__(self, out_dir: Path, regions: Iterable[str] | None, years: Iterable[int] | None):
        self.out_dir = out_dir
        self.ref = load_reference()
        self.regions = sorted(set(regions) if regions else self.ref.regions)
        unknown = set(self.regions) - set(self.ref.regions)
        if unknown:
            raise ValueError(f"unknown regions: {', '.join(sorted(unknown))}")
        self.years = sorted(set(years) if years else {p.year for p in PERIODS})
        self.periods = [p for p in PERIODS if p.year in self.years]
        wide = model_wide()
        rows = zip(wide.index, wide.to_numpy().tolist(), strict=True)
        self.values = {key: dict(zip(ELEMENT_CODES, row, strict=True)) for key, row in rows}
        self.delivered: list[Delivered] = []

    def members(self, region: str, period: Period) -> list[Municipality]:
        """The municipalities of `region` that existed in `period`, by name."""
        return sorted(self.ref.members(region, period), key=lambda m: (fold(m.name), m.code))

    def record(self, path: Path, source: str, municipality: str, at: dt.datetime) -> None:
        relative = path.relative_to(self.out_dir).as_posix()
        self.delivered.append(Delivered(relative, source, municipality, at))


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")


def _municipality_cell(m: Municipality, variant: str) -> str:
    if variant == dlv.CODE_GM:
        return m.code
    if variant == dlv.CODE_DIGITS:
        return m.code[2:]
    return m.name


def _count_cell(value: int, variant: str) -> int | str:
    return layouts.dutch_thousands(value) if variant == dlv.TEXT_NUMBERS else value


def _write_municipality_file(ctx: _Context, m: Municipality, variant: str, periods: list[Period], path: Path) -> bool:
    periods = [p for p in periods if m.exists_in(p)]
    if not periods:
        return False
    title = layouts.municipality_title(m.name)
    values = {p: {e: _count_cell(ctx.values[m.code, p][e], variant) for e in MUNICIPALITY_ELEMENTS}
              for p in periods}  # fmt: skip
    if variant == dlv.TRANSPOSED:
        labels = [p.label for p in periods]
        by_element = {e: {p.label: values[p][e] for p in periods} for e in MUNICIPALITY_ELEMENTS}
        layouts.write_transposed(path, title, labels, by_element)
    else:
        cell = _municipality_cell(m, variant)
        rows = [(cell, p.label, values[p]) for p in periods]
        layouts.write_template(path, title, rows, with_municipality=variant != dlv.NO_MUNICIPALITY)
    return True


def _municipality_files(ctx: _Context) -> None:
    plans = dlv.municipality_plans()
    selected = [m for code, m in sorted(ctx.ref.municipalities.items())
                if ctx.ref.region_of(code).code in ctx.regions]  # fmt: skip
    for m in selected:
        plan = plans[m.code]
        if plan.never:
            continue
        names_itself = plan.variant not in (dlv.NO_MUNICIPALITY, dlv.TRANSPOSED)
        manifest_municipality = "" if names_itself else m.code
        base = f"{m.code}_{_slug(m.name)}"
        backfill = [p for p in ctx.periods if p.year < CURRENT_YEAR]
        path = ctx.out_dir / "gemeenten" / "2018-2024" / f"{base}.xlsx"
        if _write_municipality_file(ctx, m, plan.variant, backfill, path):
            ctx.record(path, "gemeente", manifest_municipality, dlv.backfill_moment(path.name))
        for period in (p for p in ctx.periods if p.year == CURRENT_YEAR and m.exists_in(p)):
            name = f"{base}_{period.year}-K{period.quarter}.xlsx"
            late = plan.late_quarter == period.quarter
            at = dlv.quarter_delivery(name, period, late=late)
            if at is None:  # arrives after the snapshot
                continue
            path = ctx.out_dir / "gemeenten" / f"{period.year}-K{period.quarter}" / name
            _write_municipality_file(ctx, m, plan.variant, [period], path)
            ctx.record(path, "gemeente", manifest_municipality, at)


def _region_delivery(key: str, year: int) -> dt.datetime:
    if year < CURRENT_YEAR:
        return dlv.backfill_moment(key)
    last = max(p for p in PERIODS if p.year == year)
    return dlv.quarter_delivery(key, last)


def _veilig_thuis_files(ctx: _Context) -> None:
    for region_code in ctx.regions:
        region = ctx.ref.regions[region_code]
        for year in ctx.years:
            sheets = []
            for period in (p for p in ctx.periods if p.year == year):
                rows = []
                for m in ctx.members(region_code, period):
                    v = ctx.values[m.code, period]
                    rows.append((m.code[2:], m.name, *(v[e] for e in VT_ELEMENTS)))
                sheets.append((period.label, rows))
            notes = [
                "Toelichting",
                f"Tijdelijke huisverboden per gemeente, Veilig Thuis {region.name}, {year}.",
                "Per kwartaal een tabblad; een gemeente staat erin zolang zij toen bestond.",
                "Kindermishandeling en preventief opgelegd zijn delen van het totaal.",
                "Synthetische voorbeeldgegevens: geen echte cijfers.",
            ]
            name = f"{region_code}_{_slug(region.name)}_{year}.xlsx"
            path = ctx.out_dir / "veilig_thuis" / str(year) / name
            layouts.write_veilig_thuis(path, region.name, notes, sheets)
            source = f"Veilig Thuis {region.name}"
            ctx.record(path, source, "", _region_delivery(f"vt:{name}", year))


def _care_cell(value: int, suppress: bool, rng: np.random.Generator) -> int | str:
    if suppress and 1 <= value <= 4:
        return "<5"
    return str(value) if rng.random() < TEXT_SHARE else value


def _care_provider_files(ctx: _Context) -> None:
    for region_code in ctx.regions:
        region = ctx.ref.regions[region_code]
        suppressing = dlv.suppresses_small(region_code)
        for year in ctx.years:
            name = f"{region_code}_{_slug(region.name)}_{year}.xlsx"
            rng = np.random.default_rng([SEED, 3, year, *region_code.encode()])
            rows = []
            for period in (p for p in ctx.periods if p.year == year):
                for m in ctx.members(region_code, period):
                    small = suppressing and population(m.code, period) < dlv.SMALL_MUNICIPALITY
                    v = ctx.values[m.code, period]
                    for element, label in CARE_ELEMENTS.items():
                        cell = _care_cell(v[element], small, rng)
                        rows.append((m.name, layouts.month_span(period), label, cell))
            path = ctx.out_dir / "zorgaanbieders" / str(year) / name
            layouts.write_long(path, rows)
            source = f"zorgaanbieder {region.name}"
            ctx.record(path, source, "", _region_delivery(f"za:{name}", year))


def write_manifest(out_dir: Path, delivered: list[Delivered]) -> Path:
    path = out_dir / MANIFEST
    ordered = sorted(delivered, key=lambda d: (d.delivered_at, d.file))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MANIFEST_COLUMNS)
        for d in ordered:
            writer.writerow([d.file, d.source, d.municipality, d.delivered_at.isoformat()])
    return path


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def generate(out_dir: Path, *, regions: Iterable[str] | None = None, years: Iterable[int] | None = None) -> Path:
    """Write every file (optionally only of some regions and years); returns the manifest path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = _Context(out_dir, regions, years)
    _municipality_files(ctx)
    _veilig_thuis_files(ctx)
    _care_provider_files(ctx)
    return write_manifest(out_dir, ctx.delivered)


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--regions", type=_csv_list, help="region codes, comma separated")
    parser.add_argument("--years", type=lambda t: [int(y) for y in _csv_list(t)])
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.out_dir, regions=args.regions, years=args.years)
    count = len(read_manifest(manifest))
    print(f"{count} bestanden geschreven in {time.perf_counter() - started:.1f} s; zie {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
