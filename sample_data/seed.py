"""Fill a database with the sample data, through the real ingest pipeline.

    python -m sample_data.seed [--db URL] [--out DIR]

Generates the files into DIR (default `data/sample`) when its manifest is missing, then loads every
file in manifest (delivery) order with the source, municipality and delivery moment the manifest
gives. Does nothing when the database already holds uploads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine

from config.errors import ConfigurationError
from db.engine import connect
from indicators.table import refresh
from ingest.pipeline import load_file
from ingest.store import list_uploads
from sample_data.generate import MANIFEST, generate, read_manifest

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "sample"
UPLOADED_BY = "voorbeeldgegevens"
PROGRESS_EVERY = 200


def seed(engine: Engine, out_dir: Path = DEFAULT_OUT, *, echo=print) -> Counter:
    """Load the sample data into `engine`; returns the upload statuses counted (empty: skipped)."""
    out_dir = Path(out_dir)
    if not list_uploads(engine).empty:
        echo("De database bevat al aanleveringen; voorbeeldgegevens worden niet geladen.")
        return Counter()
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        started = time.perf_counter()
        generate(out_dir)
        echo(f"Voorbeeldbestanden gemaakt in {out_dir} ({time.perf_counter() - started:.1f} s).")
    rows = read_manifest(manifest)
    statuses: Counter = Counter()
    warnings = errors = 0
    started = time.perf_counter()
    for number, row in enumerate(rows, start=1):
        result, stored = load_file(
            engine,
            out_dir / row["file"],
            municipality=row["municipality"] or None,
            source=row["source"],
            uploaded_by=UPLOADED_BY,
            uploaded_at=dt.datetime.fromisoformat(row["delivered_at"]),
        )
        statuses[stored.status] += 1
        warnings += len(result.warnings)
        errors += len(result.errors)
        if stored.status == "rejected":
            reasons = "; ".join(f"{p.where}: {p.message}" for p in result.errors[:3])
            echo(f"  geweigerd: {row['file']}: {reasons}")
        if number % PROGRESS_EVERY == 0 or number == len(rows):
            echo(f"{number}/{len(rows)} bestanden geladen ({time.perf_counter() - started:.0f} s)")
    words = {"stored": "opgeslagen", "duplicate": "al eerder opgeslagen", "rejected": "geweigerd"}
    summary = ", ".join(f"{count} {words[status]}" for status, count in sorted(statuses.items()))
    echo(f"Klaar in {time.perf_counter() - started:.1f} s: {summary}; "
         f"{errors} fouten, {warnings} waarschuwingen.")  # fmt: skip
    started = time.perf_counter()
    refresh(engine)
    echo(f"Indicatoren berekend ({time.perf_counter() - started:.1f} s).")
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.seed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", help="SQLAlchemy URL (default: the SQLite file in data/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the sample files")
    args = parser.parse_args(argv)
    try:
        engine = connect(args.db)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        statuses = seed(engine, args.out)
    finally:
        engine.dispose()
    return 1 if statuses.get("rejected") else 0


if __name__ == "__main__":
    sys.exit(main())
