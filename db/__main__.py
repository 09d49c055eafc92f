"""`python -m db upgrade [--db URL]`: bring the database up to the schema of this code."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from sqlalchemy.exc import DBAPIError

from config.dutch_argparse import parse_in_dutch
from config.errors import MonitorError
from db.engine import open_engine, unreachable
from db.upgrade import upgrade

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m db", description="Monitor plegeraanpak: de database beheren.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{upgrade}")
    command = commands.add_parser("upgrade", help="de database bijwerken naar de versie van deze code")
    command.add_argument(
        "--db", metavar="URL", help="SQLAlchemy-URL (standaard $MONITOR_DB_URL of data/monitor.sqlite)"
    )
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Exit 0: up to date; 1: refused (newer than the code, or not recognised), nothing written; 2: wrong usage."""
    out = out or sys.stdout
    args = parse_in_dutch(build_parser, argv)
    try:
        engine = open_engine(args.db)
    except MonitorError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    try:
        outcome = upgrade(engine)
    except DBAPIError as exc:
        print(str(unreachable(engine, exc)), file=sys.stderr)
        return EXIT_USAGE
    except MonitorError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        engine.dispose()
    print(outcome.message, file=out if outcome.ok else sys.stderr)
    return EXIT_OK if outcome.ok else EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
