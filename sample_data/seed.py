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
from ingest.pipeline import Delivery, Loaded, load_files
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
    problems = Counter()
    started = time.perf_counter()

    def loaded(item: Loaded) -> None:
        delivery, result, stored = item
        statuses[stored.status] += 1
        problems.update(warnings=len(result.warnings), errors=len(result.errors))
        if stored.status == "rejected":
            reasons = "; ".join(f"{p.where}: {p.message}" for p in result.errors[:3])
            echo(f"  geweigerd: {delivery.path.relative_to(out_dir).as_posix()}: {reasons}")
        if sum(statuses.values()) % PROGRESS_EVERY == 0:
            echo(f"{sum(statuses.values())}/{len(rows)} bestanden geladen ({time.perf_counter() - started:.0f} s)")

    deliveries = [
        Delivery(out_dir / row["file"], municipality=row["municipality"] or None, source=row["source"],
                 uploaded_by=UPLOADED_BY, uploaded_at=dt.datetime.fromisoformat(row["delivered_at"]))
        for row in rows
    ]  # fmt: skip
    load_files(engine, deliveries, on_file=loaded)
    words = {"stored": "opgeslagen", "duplicate": "al eerder opgeslagen", "rejected": "geweigerd"}
    summary = ", ".join(f"{count} {words[status]}" for status, count in sorted(statuses.items()))
    echo(f"Klaar in {time.perf_counter() - started:.1f} s, indicatoren berekend: {summary}; "
         f"{problems['errors']} fouten, {problems['warnings']} waarschuwingen.")  # fmt: skip
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
