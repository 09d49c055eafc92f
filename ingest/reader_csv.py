"""Read a checked .csv into one `Sheet`: the cells as text at the positions Excel would show them.

`ingest.csv_guard.inspect_csv` has bounded the file and found its encoding and separator; this
decodes it once and splits it with the `csv` module (quoted fields, `""` for a quote, separators
and line breaks inside quotes). Rows are padded to the widest, as calamine gives a rectangle.
Every cell stays text: the later steps read numbers, periods and codes from text already, and a
code such as `0363` keeps its leading zero.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.csv_guard import CsvFormat
from ingest.reader import Sheet, normalise


def read_csv(path: Path, label: str, found: CsvFormat) -> Sheet:
    """The one sheet of a .csv that passed `inspect_csv`, named after the file (without `.csv`)."""
    with Path(path).open(encoding=found.encoding, newline="") as handle:
        rows: list[list[object]] = list(csv.reader(handle, delimiter=found.separator, strict=False))
    width = max((len(row) for row in rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    return Sheet(Path(label).stem or "csv", normalise(rows), decimal_comma=found.separator != ",")
