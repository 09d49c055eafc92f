"""`python -m dashboard.report --region CODE --period 2025Q3 [--db URL] --out FILE.pdf`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.errors import MonitorError
from db.engine import connect
from reference.periods import Period


def main(argv: list[str] | None = None) -> int:
    """Write a region's quarterly steering report; 0 written, 1 refused, 2 wrong usage."""
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.report",
        description="De kwartaalrapportage van een regio voor de stuurgroep, als PDF.",
    )
    parser.add_argument("--region", required=True, help="regiocode, zoals VR09")
    parser.add_argument("--period", required=True, help="kwartaal, zoals 2025Q3")
    parser.add_argument("--db", default=None, help="SQLAlchemy-URL van de database")
    parser.add_argument("--out", required=True, type=Path, help="het PDF-bestand om te schrijven")
    args = parser.parse_args(argv)
    try:
        Period.parse_code(args.period)
    except (ValueError, TypeError):
        parser.error(f"--period moet een kwartaal zijn, zoals 2025Q3, niet '{args.period}'")
    try:
        engine = connect(args.db)
    except MonitorError as problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        from dashboard.report.pdf import write_report

        pdf = write_report(engine, args.region, args.period)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    args.out.write_bytes(pdf)
    print(f"Rapportage geschreven naar {args.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
