"""Start-up benchmark: `python -m ingest check FILE` of one small file against `python -c "import pandas"`.

    python -m bench.startup_bench [--rounds 15]

Both in fresh processes, alternating, the wall time of each run (interpreter start included); medians
and their ratio. Goal (issue 11): the check within 1.5 times the import of pandas.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.runs import alternate

RATIO_GOAL = 1.5


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each (default 15)")
    args = parser.parse_args(argv)
    from bench.files import write_files

    with tempfile.TemporaryDirectory(prefix="startup-bench-") as folder:
        (path,) = write_files(Path(folder), limit=1)
        commands = {"check": [sys.executable, "-m", "ingest", "check", str(path)],
                    "import pandas": [sys.executable, "-c", "import pandas"]}  # fmt: skip
        alternate(commands, 1)  # warm the file cache: the first run of each reads the libraries from disk
        result = alternate(commands, args.rounds)
    ratio = result["check"]["median_seconds"] / result["import pandas"]["median_seconds"]
    print(f"Start-up, medians of {args.rounds} alternating runs in fresh processes:")
    for name, measured in result.items():
        print(f"  {name:<14} {measured['median_seconds']:.3f} s  (peak {measured['peak_mb']:.0f} MB)")
    print(f"  ratio {ratio:.2f} (goal <= {RATIO_GOAL}: {'met' if ratio <= RATIO_GOAL else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
