"""The benchmark's input: one filled-in official template per municipality for one quarter.

Each file is the template of `ingest.template.write_template` (instructions sheet, data sheet,
very hidden list of municipality names), with the row of the quarter filled in: the
municipality's name and a count for every element. The counts come from the synthetic model of
`sample_data.model` when it can be built; otherwise from a simple Poisson model proportional to
population (fixed seed), so that the benchmark does not depend on another module's state.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import openpyxl

from bench.quarter import PERIOD, TODAY
from ingest.elements import ELEMENTS
from ingest.pipeline import read_file
from ingest.template import FIRST_ELEMENT_COLUMN, FIXED_HEADERS, TEMPLATE_SHEET, write_template
from reference.areas import Municipality, load_reference
from reference.periods import Period

SEED = 20250930
Counts = dict[str, dict[str, int]]  # municipality code -> element code -> count

# Expected counts per 1,000 inhabitants per quarter for the fallback model; a part is drawn as a
# binomial share of its whole, so part <= whole holds.
_RATE = {
    "thv_totaal": 0.05, "plegers_in_beeld": 0.85, "trajecten_afgesloten": 0.25,
    "consultaties_fggz": 0.06, "consultaties_ggz": 0.12, "consultaties_verslavingszorg": 0.05,
    "consultaties_lvb": 0.04, "dossiers_totaal": 1.5,
}  # fmt: skip
_SHARE = {
    "thv_kindermishandeling": 0.3, "thv_preventief": 0.1, "plegers_hulp_gestart": 0.4,
    "trajecten_uitval": 0.35, "dossiers_met_veiligheidsplan": 0.3,
}  # fmt: skip


def municipalities(period: Period = PERIOD) -> list[Municipality]:
    """The municipalities that existed in `period`, by code."""
    return sorted(load_reference().existing(period), key=lambda m: m.code)


def _fallback_counts(chosen: Sequence[Municipality]) -> Counts:
    population = load_reference().population
    rng = np.random.default_rng(SEED)
    result = {}
    for m in chosen:
        per_1000 = population.get(m.code, 20_000) / 1000
        counts: dict[str, int] = {}
        for element in ELEMENTS:
            if element.part_of is None:
                counts[element.code] = int(rng.poisson(_RATE[element.code] * per_1000))
            else:
                whole = counts[element.part_of]
                counts[element.code] = int(rng.binomial(whole, _SHARE[element.code]))
        result[m.code] = counts
    return result


def counts_for(chosen: Sequence[Municipality], period: Period = PERIOD) -> Counts:
    """Element counts per municipality code: from `sample_data.model`, else the fallback."""
    try:
        from sample_data.model import model_wide

        wide = model_wide()
        return {m.code: {e.code: int(wide.loc[(m.code, period), e.code]) for e in ELEMENTS} for m in chosen}
    except Exception as exc:  # noqa: BLE001 - the model is optional; say so and carry on
        print(f"(sample_data.model not usable: {exc!r}; fallback counts)", file=sys.stderr)
        return _fallback_counts(chosen)


def _file_name(m: Municipality, period: Period) -> str:
    safe = "".join(ch if ch.isalnum() else "_" for ch in m.name).strip("_")
    return f"{m.code}_{safe}_{period.year}K{period.quarter}.xlsx"


def write_files(out_dir: Path, limit: int | None = None, period: Period = PERIOD, today: dt.date = TODAY) -> list[Path]:
    """Write one filled-in template per municipality of `period` (the first `limit` by code)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = municipalities(period)[:limit]
    counts = counts_for(chosen, period)
    blank = io.BytesIO()
    write_template(blank, today)
    workbook = openpyxl.load_workbook(io.BytesIO(blank.getvalue()))
    sheet = workbook[TEMPLATE_SHEET]
    headers = [cell.value for cell in sheet[1]]
    expected = [*FIXED_HEADERS, *(e.label for e in ELEMENTS)]
    if headers[: len(expected)] != expected:
        raise RuntimeError(f"unexpected template header: {headers}")
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == period.label)
    paths = []
    for m in chosen:
        sheet.cell(row, 1, m.name)
        for offset, element in enumerate(ELEMENTS):
            sheet.cell(row, FIRST_ELEMENT_COLUMN + offset, counts[m.code][element.code])
        path = out_dir / _file_name(m, period)
        workbook.save(path)
        paths.append(path)
    return paths


CSV_SEPARATOR, CSV_ENCODING = ";", "cp1252"  # as registration systems and Dutch Excel export them


def write_csv_files(out_dir: Path, limit: int | None = None, period: Period = PERIOD) -> list[Path]:
    """The same national quarter as one .csv per municipality: the template's columns, `;` separated,
    Windows-1252, the header and the quarter's row (as a system exports the data, without the
    template's other sheets and empty quarters)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = municipalities(period)[:limit]
    counts = counts_for(chosen, period)
    header = [*FIXED_HEADERS, *(e.label for e in ELEMENTS)]
    paths = []
    for m in chosen:
        row = [m.name, period.label, *(str(counts[m.code][e.code]) for e in ELEMENTS)]
        text = "\r\n".join(CSV_SEPARATOR.join(line) for line in (header, row)) + "\r\n"
        path = out_dir / _file_name(m, period).replace(".xlsx", ".csv")
        path.write_bytes(text.encode(CSV_ENCODING))
        paths.append(path)
    return paths


def check_files(paths: Sequence[Path], period: Period = PERIOD, today: dt.date = TODAY) -> int:
    """Read every file with `read_file`; raise when one has an error. The number of records."""
    total = 0
    for path in paths:
        result = read_file(path, today=today)
        if not result.ok:
            errors = "; ".join(f"{p.code}: {p.message}" for p in result.errors)
            raise RuntimeError(f"{path.name} does not read cleanly: {errors}")
        if {r.period for r in result.records} != {period} or len(result.records) != len(ELEMENTS):
            raise RuntimeError(f"{path.name}: expected {len(ELEMENTS)} records of {period.label}")
        total += len(result.records)
    return total
