"""`python -m dashboard.report --region CODE --period 2025Q3 [--db URL] --out FILE.pdf`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.dutch_argparse import parse_in_dutch
from config.errors import MonitorError
from db.engine import connect
from reference.periods import Period


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.report",
        description="De kwartaalrapportage van een regio voor de stuurgroep, als PDF.",
    )
    parser.add_argument("--region", required=True, metavar="CODE", help="regiocode, zoals VR09")
    parser.add_argument("--period", required=True, type=_quarter, metavar="KWARTAAL", help="kwartaal, zoals 2025Q3")
    parser.add_argument("--db", default=None, metavar="URL", help="SQLAlchemy-URL van de database")
    parser.add_argument("--out", required=True, type=Path, metavar="BESTAND", help="het PDF-bestand om te schrijven")
    return parser


def _quarter(text: str) -> str:
    try:
        Period.parse_code(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"dit moet een kwartaal zijn, zoals 2025Q3, niet '{text}'") from None
    return text


def main(argv: list[str] | None = None) -> int:
    """Write a region's quarterly steering report; 0 written, 1 refused, 2 wrong usage."""
    args = parse_in_dutch(build_parser, argv)
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
