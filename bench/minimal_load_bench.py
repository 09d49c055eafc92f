"""Loading minimal files: `python -m ingest load` of 342 one-sheet files (a header row and one data row each)
into a fresh SQLite database, against a plain read of the same files with pandas (openpyxl, calamine).

    python -m bench.minimal_load_bench [--rounds 5]

Each side is a fresh process timed from its start to its end (interpreter start and imports included):
the load does guard, read, check, store and the refresh of the indicator table; a plain read only
`pandas.read_excel(path, engine=...)` of every file. Alternating per round; medians and ratios; the peak
memory of the load. Goals (issue 11): the load at most 0.5 times the openpyxl read and at most 2 times the
calamine read; under 300 MB.

Beside them, the floor: a fresh process that only imports the libraries the load uses (`LOAD_IMPORTS`:
the database layer and its migrations for the store, pandas and scipy for the refresh of the indicator
table), and reads nothing. `tests/test_bench.py` checks that a load imports every one of them, so the
floor is not padded. The template-shaped files are `bench.ingest_bench`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.runs import alternate

OPENPYXL_GOAL, CALAMINE_GOAL, MEMORY_GOAL_MB = 0.5, 2.0, 300.0
READ = "import sys, pandas as pd\nfor p in sys.argv[2:]: pd.read_excel(p, engine=sys.argv[1])"
LOAD_IMPORTS = ("sqlalchemy", "alembic", "pandas", "scipy.special", "scipy.optimize")


def write_minimal_files(folder: Path, count: int | None = None) -> list[Path]:
    """One file per municipality of the benchmark's quarter (the first `count` of them, or all): the
    template's header row and the one data row."""
    import openpyxl

    from bench.files import counts_for, municipalities
    from bench.quarter import PERIOD
    from ingest.elements import ELEMENTS
    from ingest.template import FIXED_HEADERS

    chosen = municipalities(PERIOD)[:count]
    counts = counts_for(chosen, PERIOD)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in chosen:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append([*FIXED_HEADERS, *(e.label for e in ELEMENTS)])
        sheet.append([m.name, PERIOD.label, *(counts[m.code][e.code] for e in ELEMENTS)])
        paths.append(folder / f"{m.code}.xlsx")
        book.save(paths[-1])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="minimal-load-bench-") as folder:
        paths = [str(p) for p in write_minimal_files(Path(folder) / "files")]
        databases = iter(range(10_000))

        def load() -> list[str]:  # into a new SQLite file each time
            url = f"sqlite:///{Path(folder) / f'load-{next(databases)}.sqlite'}"
            return [sys.executable, "-m", "ingest", "load", "--db", url, *paths]

        commands = {
            "load": load,
            "openpyxl": [sys.executable, "-c", READ, "openpyxl", *paths],
            "calamine": [sys.executable, "-c", READ, "calamine", *paths],
            "imports": [sys.executable, "-c", f"import {', '.join(LOAD_IMPORTS)}"],
        }
        result = alternate(commands, args.rounds)
    load = result["load"]["median_seconds"]
    print(f"Loading {len(paths)} minimal files, medians of {args.rounds} alternating rounds in fresh processes:")
    for name, measured in result.items():
        print(f"  {name:<9} {measured['median_seconds']:.2f} s  (peak {measured['peak_mb']:.0f} MB)")
    for name, goal in (("openpyxl", OPENPYXL_GOAL), ("calamine", CALAMINE_GOAL)):
        ratio = load / result[name]["median_seconds"]
        print(f"  load / {name}: {ratio:.2f} (goal <= {goal}: {'met' if ratio <= goal else 'NOT met'})")
    floor = result["imports"]["median_seconds"] / result["openpyxl"]["median_seconds"]
    print(f"  floor: importing {', '.join(LOAD_IMPORTS)} alone is {floor:.2f} x the openpyxl read")
    peak = result["load"]["peak_mb"]
    print(
        f"  peak memory of the load: {peak:.0f} MB (goal < {MEMORY_GOAL_MB:.0f}: {'met' if peak < 300 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
