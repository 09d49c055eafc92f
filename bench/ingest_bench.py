"""Ingest benchmark: load a national quarter into a fresh database versus a plain pandas read.

    python -m bench.ingest_bench [--rounds 5] [--files N] [--db POSTGRES_URL] [--profile]

Writes one filled-in official template per municipality of 2025 K3 (342 files) into a temporary
folder, checks that `ingest.pipeline.read_file` reads each without errors, then measures R rounds
of, in alternating order:

- load: `db.engine.connect()` on a fresh database (creates the schema), then
  `ingest.pipeline.load_file()` for every file (guard, calamine, locate, resolve, validate, store),
  with the reference data cache cleared first so that reading it is part of the load;
- plain read: `pandas.read_excel(path, sheet_name=None, engine="openpyxl")` for every file. All
  sheets, because that is what the loader reads: `ingest.reader.read_workbook` (in the reading
  child process of `ingest.isolation`) reads every worksheet, visible or hidden (instructions,
  data sheet, the very hidden list of names).

Goals: load median <= 0.5 x plain-read median, and a peak memory under 300 MB for a process that
loads all files. The peak is measured in fresh subprocesses (`--load-only`, `--read-only`), started
through the small launcher `bench.peak`. Results also go to bench/results/ingest.json.

Only the ratio is meaningful: both sides run on the same machine in the same run, alternating.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

RATIO_GOAL = 0.5
MEMORY_GOAL_MB = 300
DEFAULT_ROUNDS = 5
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "ingest.json"
PROFILE_FILE = RESULTS_FILE.with_name("ingest.prof")
DATA_SHEET = "Gegevens"  # ingest.template.TEMPLATE_SHEET, not imported: see below
PLAIN_SHEETS = {"all": None, "data": DATA_SHEET}  # --plain-sheets -> read_excel's sheet_name
PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTE = (
    "Timings depend on the machine and its load; only the ratio of the two medians, measured in "
    "one run with alternating order, is meaningful."
)

# Heavy modules (pandas, SQLAlchemy, ingest) are imported inside the functions that need them, so
# that the --read-only subprocess holds pandas and openpyxl only, as a plain read would.


# --- the two measured operations ---------------------------------------------------------------


def load_all(paths: Sequence[Path], db_url: str) -> tuple[float, dict[str, int]]:
    """Connect to a fresh database and load every file: (seconds, count per upload status).

    Timed from before `connect()` (creating the schema is part of loading into a fresh database)
    to after the engine is disposed. The reference data cache is cleared first, so reading the
    reference CSV files counts too, as in a fresh `python -m ingest load` process.
    """
    from bench.quarter import TODAY
    from db.engine import connect
    from ingest.pipeline import load_file
    from reference.areas import load_reference

    statuses: dict[str, int] = {}
    start = time.perf_counter()
    load_reference.cache_clear()
    engine = connect(db_url)
    try:
        for path in paths:
            _, stored = load_file(engine, path, today=TODAY)
            statuses[stored.status] = statuses.get(stored.status, 0) + 1
    finally:
        engine.dispose()
    return time.perf_counter() - start, statuses


def read_all(paths: Sequence[Path], sheet_name: str | None = None) -> tuple[float, int]:
    """`pandas.read_excel(engine="openpyxl")` of every file: (seconds, number of sheets read)."""
    import pandas as pd

    sheets = 0
    start = time.perf_counter()
    for path in paths:
        frames = pd.read_excel(path, sheet_name=sheet_name, engine="openpyxl")
        sheets += len(frames) if isinstance(frames, dict) else 1
    return time.perf_counter() - start, sheets


# --- databases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(server_url: str | None, work_dir: Path, tag: str) -> Iterator[str]:
    """The URL of a database that does not exist yet (SQLite) or is empty (a scratch database on
    the PostgreSQL server `server_url`, dropped afterwards)."""
    if server_url is None:
        path = work_dir / f"bench_{tag}_{secrets.token_hex(3)}.sqlite"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"bench_ingest_{os.getpid()}_{tag}_{secrets.token_hex(3)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _server_url(text: str | None) -> str | None:
    """--db: None for the SQLite default, else a PostgreSQL server URL (psycopg 3 driver)."""
    if text is None or text.strip().lower() == "sqlite":
        return None
    from sqlalchemy.engine import make_url

    url = make_url(text.strip())
    if url.get_backend_name() != "postgresql":
        raise SystemExit("--db takes a PostgreSQL server URL; SQLite (the default) needs none.")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


# --- peak memory in fresh subprocesses ---------------------------------------------------------


def peak_memory(args: Sequence[str]) -> tuple[float, dict]:
    """Run `python -m bench.ingest_bench ARGS` in a fresh process: (peak RSS in MB, its report)."""
    command = [sys.executable, "-m", "bench.peak", sys.executable, "-m", "bench.ingest_bench",
               *args]  # fmt: skip
    completed = subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True, check=True)
    launcher = json.loads(completed.stdout)
    if launcher["returncode"] != 0:
        raise RuntimeError(f"{' '.join(args)} failed with exit code {launcher['returncode']}")
    return launcher["maxrss_kib"] / 1024, json.loads(launcher["stdout"])  # Linux: KiB


# --- profiling ---------------------------------------------------------------------------------

# (stage, function): the cumulative time of that function of the `ingest` package (any module,
# so that moving a function keeps it found) over one profiled load; None when it was not called.
STAGES = (
    ("reference loading", "load_reference"),
    ("connect + create schema", "connect"),
    ("read_file (all checks, no storing)", "read_file"),
    ("  read_workbook_isolated (guard, calamine: the child, not profiled)", "read_workbook_isolated"),
    ("  locate_table", "locate_table"),
    ("    _header_row_score", "_header_row_score"),
    ("    classify (header words)", "classify"),
    ("    _title_defaults", "_title_defaults"),
    ("  raw_values", "raw_values"),
    ("  Resolver.record", "record"),
    ("  deduplicate", "deduplicate"),
    ("  check_parts", "check_parts"),
    ("parse_period (wherever called)", "parse_period"),
    ("file_sha256", "file_sha256"),
    ("store_upload", "store_upload"),
)


def _stage_seconds(stats) -> dict[str, float | None]:
    by_name: dict[str, float] = {}
    for (file, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        if f"{os.sep}ingest{os.sep}" in file:
            by_name[name] = by_name.get(name, 0.0) + cumulative
    stages: dict[str, float | None] = {}
    for stage, function in STAGES:
        seconds = by_name.get(function)
        stages[stage] = None if seconds is None else round(seconds, 3)
    return stages


def profile_load(paths: Sequence[Path], db_url: str, top: int = 25) -> dict:
    """Profile one load with cProfile; the time per stage and the costliest functions."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    seconds, _ = load_all(paths, db_url)
    profiler.disable()
    PROFILE_FILE.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(PROFILE_FILE)
    stages = _stage_seconds(pstats.Stats(profiler))
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    return {"seconds_under_profiler": round(seconds, 3), "stages_seconds": stages,
            "top_by_own_time": text.getvalue(), "stats_file": str(PROFILE_FILE)}  # fmt: skip


# --- the benchmark -----------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def run_benchmark(
    *,
    files: int | None = None,
    rounds: int = DEFAULT_ROUNDS,
    server_url: str | None = None,
    plain_sheets: str = "all",
    memory: bool = True,
    profile: bool = False,
    work_dir: Path | None = None,
    log=print,
) -> dict:
    """Write the files, check them, measure; the results as a JSON-ready dict."""
    from bench.files import check_files, write_files
    from bench.quarter import PERIOD

    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    sheet_name = PLAIN_SHEETS[plain_sheets]
    with tempfile.TemporaryDirectory(prefix="ingest_bench_", dir=work_dir) as tmp:
        tmp_dir = Path(tmp)
        file_dir = tmp_dir / "files"
        started = time.perf_counter()
        paths = write_files(file_dir, limit=files)
        log(f"Wrote {len(paths)} files of {PERIOD.label} in {time.perf_counter() - started:.1f} s")
        records = check_files(paths)
        log(f"Checked: every file reads without errors ({records} values in all)")

        load_times: list[float] = []
        read_times: list[float] = []
        orders: list[str] = []
        statuses: dict[str, int] = {}
        sheets_read = 0
        for index in range(rounds):
            load_first = index % 2 == 0
            orders.append("load, read" if load_first else "read, load")
            for which in ("load", "read") if load_first else ("read", "load"):
                gc.collect()
                if which == "load":
                    with fresh_database(server_url, tmp_dir, f"r{index}") as url:
                        seconds, statuses = load_all(paths, url)
                    if statuses.get("stored") != len(paths):
                        raise RuntimeError(f"not every file was stored: {statuses}")
                    load_times.append(seconds)
                else:
                    seconds, sheets_read = read_all(paths, sheet_name)
                    read_times.append(seconds)
            log(f"Round {index + 1}/{rounds} ({orders[-1]}): load {load_times[-1]:.3f} s, "
                f"plain read {read_times[-1]:.3f} s")  # fmt: skip

        database = "postgresql, scratch database" if server_url else "sqlite, fresh file"
        result = {
            "benchmark": "ingest: load a national quarter vs plain pandas read",
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "period": PERIOD.label,
            "files": len(paths),
            "values": records,
            "rounds": rounds,
            "database": database,
            "load": "connect() + load_file() per file; reference cache cleared; timed from connect to engine dispose",
            "plain_read": f"pandas.read_excel(path, sheet_name={sheet_name!r}, engine='openpyxl')",
            "plain_read_sheets_per_file": sheets_read / len(paths),
            "order_per_round": orders,
            "load_seconds": [round(s, 6) for s in load_times],
            "plain_read_seconds": [round(s, 6) for s in read_times],
            "ratio_per_round": [round(load / read, 6) for load, read in zip(load_times, read_times, strict=True)],
            "load_median_seconds": round(_median(load_times), 6),
            "plain_read_median_seconds": round(_median(read_times), 6),
        }
        result["ratio"] = round(_median(load_times) / _median(read_times), 6)
        result["ratio_goal"] = RATIO_GOAL
        result["ratio_goal_met"] = result["ratio"] <= RATIO_GOAL

        if memory:
            with fresh_database(server_url, tmp_dir, "mem") as url:
                load_mb, load_report = peak_memory(["--load-only", str(file_dir), url])
            read_mb, _ = peak_memory(["--read-only", str(file_dir), "--plain-sheets", plain_sheets])
            if load_report["statuses"].get("stored") != len(paths):
                raise RuntimeError(f"memory run: not every file was stored: {load_report}")
            result["memory"] = {
                "measured": "peak RSS (ru_maxrss) of a fresh Python process doing only that, imports included",
                "load_peak_mb": round(load_mb, 1),
                "plain_read_peak_mb": round(read_mb, 1),
                "goal_mb": MEMORY_GOAL_MB,
                "goal_met": load_mb < MEMORY_GOAL_MB,
            }
        if profile:
            with fresh_database(server_url, tmp_dir, "prof") as url:
                result["profile"] = profile_load(paths, url)
        result["machine"] = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
        result["note"] = NOTE
    return result


def report(result: dict) -> str:
    """The results as text for the terminal."""
    same = ", the sheets the loader reads" if "sheet_name=None" in result["plain_read"] else ""
    lines = [
        f"Ingest benchmark: {result['files']} files of {result['period']} "
        f"({result['values']} values), {result['rounds']} rounds",
        f"  load:       {result['load']}; database: {result['database']}",
        f"  plain read: {result['plain_read']} ({result['plain_read_sheets_per_file']:g} sheets per file{same})",
        "",
        f"  {'round':>5}  {'order':<11}  {'load (s)':>9}  {'plain read (s)':>14}  {'load/read':>9}",
    ]
    rows = zip(
        result["order_per_round"],
        result["load_seconds"],
        result["plain_read_seconds"],
        result["ratio_per_round"],
        strict=True,
    )
    for index, (order, load, read, ratio) in enumerate(rows, start=1):
        lines.append(f"  {index:>5}  {order:<11}  {load:>9.3f}  {read:>14.3f}  {ratio:>9.3f}")
    files = result["files"]
    load_median, read_median = result["load_median_seconds"], result["plain_read_median_seconds"]
    met = "MET" if result["ratio_goal_met"] else "NOT MET"
    lines += [
        "",
        f"  MEDIAN load:       {load_median:8.3f} s  ({1000 * load_median / files:.1f} ms/file)",
        f"  MEDIAN plain read: {read_median:8.3f} s  ({1000 * read_median / files:.1f} ms/file)",
        f"  RATIO load / plain read (medians): {result['ratio']:.3f}  (goal <= {result['ratio_goal']}: {met})",
    ]
    if memory := result.get("memory"):
        met = "MET" if memory["goal_met"] else "NOT MET"
        lines += [
            "",
            "  PEAK MEMORY (fresh process each, imports included):",
            f"    load:       {memory['load_peak_mb']:7.1f} MB  (goal < {memory['goal_mb']} MB: {met})",
            f"    plain read: {memory['plain_read_peak_mb']:7.1f} MB",
        ]
    if profile := result.get("profile"):
        lines += ["", f"  Profile of one load ({profile['seconds_under_profiler']:.3f} s under "
                  f"cProfile; cumulative seconds per stage):"]  # fmt: skip
        lines += [
            f"    {stage:<48} " + ("     n/a" if seconds is None else f"{seconds:8.3f}")
            for stage, seconds in profile["stages_seconds"].items()
        ]
        lines += ["", profile["top_by_own_time"], f"  Full profile: {profile['stats_file']}"]
    load_average = result["machine"]["load_average_at_end"]
    lines += ["", f"  Note: {result['note']} (load average at the end: {load_average})"]
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------------


def _xlsx_files(directory: str) -> list[Path]:
    return sorted(Path(directory).glob("*.xlsx"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="rounds (default 5)")
    parser.add_argument("--files", type=int, default=None,
                        help="only the first N municipalities (default: all 342)")  # fmt: skip
    parser.add_argument("--db", default=None, metavar="URL",
                        help="a PostgreSQL server URL: load into a scratch database per round "
                             "(default: a fresh SQLite file per round)")  # fmt: skip
    parser.add_argument("--plain-sheets", choices=sorted(PLAIN_SHEETS), default="all",
                        help="plain read of all sheets (default; what the loader reads) or only "
                             "the data sheet")  # fmt: skip
    parser.add_argument("--no-memory", action="store_true", help="skip the peak memory runs")
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"also profile one load with cProfile (saved to {PROFILE_FILE.name})",
    )
    parser.add_argument("--json", type=Path, default=RESULTS_FILE, help="where to write results")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="folder for the temporary files (default: the system's)",
    )
    parser.add_argument(
        "--load-only",
        nargs=2,
        metavar=("DIR", "DBURL"),
        help="(subprocess) load every .xlsx in DIR into DBURL and report",
    )
    parser.add_argument("--read-only", metavar="DIR", help="(subprocess) plain-read every .xlsx in DIR and report")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.load_only:
        directory, url = args.load_only
        seconds, statuses = load_all(_xlsx_files(directory), url)
        print(json.dumps({"seconds": seconds, "statuses": statuses}))
        return 0
    if args.read_only:
        seconds, sheets = read_all(_xlsx_files(args.read_only), PLAIN_SHEETS[args.plain_sheets])
        print(json.dumps({"seconds": seconds, "sheets": sheets}))
        return 0
    result = run_benchmark(
        files=args.files,
        rounds=args.rounds,
        server_url=_server_url(args.db),
        plain_sheets=args.plain_sheets,
        memory=not args.no_memory,
        profile=args.profile,
        work_dir=args.work_dir,
    )
    print()
    print(report(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n  Results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
