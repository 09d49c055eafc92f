"""The cost of one upload against the length of the history: a file of two values stored into an
empty database, into the sample database (every year of the sample data, 31 quarters) and into the
sample database with its history doubled (the sample's years twice, 62 quarters), side by side.

    python -m bench.growth_bench [--rounds 5]

Two ways in, each a fresh process timed from its start to its end (start-up and imports included),
with its peak memory: the command line (`python -m ingest load --db URL FILE`) and what the upload
page's *Opslaan* runs (`dashboard.intake.store_files` for a beheerder, which stores the file and
refreshes the indicator tables, as the page does before it answers). Each run starts from a fresh
copy of its database, prepared once (values inserted directly and the indicator tables computed, as
after a seed); the file is the same every time: Utrecht's restraining orders of 2025 K3.
Alternating per round; medians and the ratios to the empty database. Goal (issue 11): within 1.5
times the empty database's time and memory, for both histories and both ways in.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.runs import alternate

GOAL = 1.5
HISTORIES = ("empty", "sample", "doubled")
HEADER = ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"]
ROW = ["Utrecht", "2025 K3", 57, 13]  # a quarter the sample holds: the file replaces two stored values


def write_file(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    book.save(path)
    return path


def prepare(path: Path, history: str) -> str:
    """A SQLite database at `path` with `history` stored and its indicator tables computed."""
    import pandas as pd

    from bench.sample_db import store_directly
    from db.engine import connect
    from indicators.table import refresh
    from reference.periods import Period
    from sample_data.model import build_model

    url = f"sqlite:///{path}"
    engine = connect(url)
    if history != "empty":
        values = build_model()
        if history == "doubled":  # the same years again, before the sample's first year
            years = [p.year for p in values["period"]]
            span = max(years) - min(years) + 1
            earlier = values.assign(period=[Period(p.year - span, p.quarter) for p in values["period"]])
            values = pd.concat([earlier, values], ignore_index=True)
        store_directly(engine, values)
        refresh(engine)
    engine.dispose()
    return url


def store_as_the_page(url: str, file: str) -> None:
    """What *Opslaan* on the upload page runs for a beheerder: the file from its uploaded bytes, stored, refreshed."""
    from accounts.scope import Role, Scope
    from dashboard import intake
    from db.engine import connect

    contents = "data:application/octet-stream;base64," + base64.b64encode(Path(file).read_bytes()).decode()
    stored = intake.store_file(connect(url), contents, Path(file).name, scope=Scope("bench", Role.BEHEERDER))
    if stored.stored.status != "stored":
        raise SystemExit(f"not stored: {stored.stored.status} {[p.message for p in stored.result.errors]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--store-as-the-page", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.store_as_the_page:
        store_as_the_page(*args.store_as_the_page)
        return 0
    with tempfile.TemporaryDirectory(prefix="growth-bench-") as folder:
        folder = Path(folder)
        file = str(write_file(folder / "utrecht-2025k3.xlsx"))
        prepared = {h: folder / f"{h}.sqlite" for h in HISTORIES}
        for history, path in prepared.items():
            prepare(path, history)
        runs = iter(range(10_000))

        def fresh(history: str) -> str:
            copy = folder / f"run-{next(runs)}.sqlite"
            shutil.copyfile(prepared[history], copy)
            return f"sqlite:///{copy}"

        commands = {}
        for history in HISTORIES:
            commands[f"cli {history}"] = lambda h=history: [sys.executable, "-m", "ingest", "load", "--db",
                                                            fresh(h), file]  # fmt: skip
            commands[f"page {history}"] = lambda h=history: [sys.executable, "-m", "bench.growth_bench",
                                                             "--store-as-the-page", fresh(h), file]  # fmt: skip
        results = alternate(commands, args.rounds)
    print(f"One upload of two values, medians of {args.rounds} rounds (fresh process each; start-up included):")
    met = True
    for way in ("cli", "page"):
        base = results[f"{way} empty"]
        for history in HISTORIES:
            r = results[f"{way} {history}"]
            time_ratio, memory_ratio = r["median_seconds"] / base["median_seconds"], r["peak_mb"] / base["peak_mb"]
            ok = time_ratio <= GOAL and memory_ratio <= GOAL
            met &= ok
            print(
                f"  {way:4} {history:8} {r['median_seconds']:6.2f} s  {r['peak_mb']:6.0f} MB   "
                f"ratio {time_ratio:4.2f} time, {memory_ratio:4.2f} memory  {'' if ok else '(goal ≤ 1.5 not met)'}"
            )
    print("goal met" if met else "goal not met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
