"""Command line: `python -m ingest load|check|export|template` (see DOMAIN.md for the contract)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from config.dutch_argparse import parse_in_dutch
from config.errors import MonitorError
from ingest.columns import COLUMN_CODES, How, column_map
from ingest.pipeline import Delivery, FileResult, load_files, read_file
from ingest.problem_groups import ProblemGroup, group_problems
from ingest.problems import Problem

if TYPE_CHECKING:  # `check` needs no SQLAlchemy: it starts faster without
    from ingest.store import StoreResult

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
COLUMN_HELP = (
    'wat een kolom betekent, bijvoorbeeld --column "Wachttijd=skip" (herhaalbaar); een kolom zonder kop '
    'noemt u bij zijn letter: --column "D=thv_totaal"; CODE is een onderdeel '
    f"of een van: {', '.join(COLUMN_CODES[-6:])}"
)
DEFAULT_TEMPLATE = "sjabloon_monitor_plegeraanpak.xlsx"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}".replace(",", ".")


def _problem_line(p: Problem | ProblemGroup) -> str:
    return f"    {p.severity}: {p.where} [{p.code}] {p.message}"


def _summary(result: FileResult, stored: StoreResult | None) -> str:
    warnings = f", {_count(len(result.warnings), 'waarschuwing', 'waarschuwingen')}" if result.warnings else ""
    if not result.ok:
        errors = _count(len(result.errors), "fout", "fouten")
        return f"{result.file}: geweigerd, {errors}{warnings}; er is niets opgeslagen"
    if stored is None:
        return f"{result.file}: in orde, {_count(len(result.records), 'waarde', 'waarden')}{warnings}"
    if stored.status == "duplicate":
        earlier = f"upload {stored.duplicate_of}"
        return f"{result.file}: dit bestand is al eerder opgeslagen ({earlier}); niets nieuws opgeslagen"
    return (
        f"{result.file}: opgeslagen, {_count(len(result.records), 'waarde', 'waarden')} "
        f"({stored.added} nieuw, {stored.replaced} vervangen, {stored.unchanged} ongewijzigd){warnings}"
    )


def _report(result: FileResult, stored: StoreResult | None, out: TextIO) -> None:
    print(_summary(result, stored), file=out)
    for reading in result.readings:
        if reading.reading.how is not How.HEADER:  # a listed header needs no word; the others are said
            print(f"    {reading.text}", file=out)
    for group in group_problems(result.problems):  # the same problem in a column is one line
        print(_problem_line(group), file=out)


def _files_cmd(args: argparse.Namespace, out: TextIO) -> int:
    try:
        columns = column_map(args.column or [])
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if args.command == "check":
        engine, remembered = None, {}
        if args.db or args.source:  # the stored history (plausibility) and the source's mapping; nothing is written
            from db.engine import connect

            engine = connect(args.db)
        if args.source:
            from ingest.mappings import remembered as remembered_for

            remembered = remembered_for(engine, args.source)
        results = [
            read_file(Path(name), municipality=args.municipality, columns=columns, remembered=remembered,
                      source=args.source or "", engine=engine)
            for name in args.files
        ]  # fmt: skip
        for result in results:
            _report(result, None, out)
        return EXIT_OK if all(result.ok for result in results) else EXIT_REJECTED

    from db.engine import connect

    who = {"source": args.source or "opdrachtregel", "uploaded_by": args.user or getpass.getuser()}
    deliveries = [
        Delivery(Path(name), municipality=args.municipality, columns=columns, mapping_source=args.source or "", **who)
        for name in args.files
    ]
    done = load_files(connect(args.db), deliveries, on_file=lambda loaded: _report(loaded[1], loaded[2], out))
    return EXIT_OK if all(result.ok for _, result, _ in done) else EXIT_REJECTED


def _export_cmd(args: argparse.Namespace, out: TextIO) -> int:
    from db.engine import connect
    from db.values import current_values
    from indicators.export import export_table, public_export_table, write_export
    from reference.areas import load_reference

    if args.format == "xlsx" and not args.out:
        print("Geef bij --format xlsx ook --out BESTAND op.", file=sys.stderr)
        return EXIT_USAGE
    if args.afgeschermd:
        if args.level == "municipality":
            print("--afgeschermd geeft alleen regio's en landelijke cijfers; laat --level municipality weg.",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        table = public_export_table(connect(args.db), args.level)
    else:
        table = export_table(current_values(connect(args.db)), load_reference(), args.level)
    write_export(table, Path(args.out) if args.out else out, args.format)
    if args.out:
        print(f"{_count(len(table), 'regel', 'regels')} geschreven naar {args.out}", file=sys.stderr)
    return EXIT_OK


def _template_cmd(args: argparse.Namespace, out: TextIO) -> int:
    from ingest.template import write_template

    path = Path(args.out or DEFAULT_TEMPLATE)
    write_template(path)
    print(f"Sjabloon geschreven naar {path}", file=out)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest", description="Monitor plegeraanpak: aanleveren en exporteren."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{load,check,export,template}")
    db_help = "SQLAlchemy-URL van de database (standaard $MONITOR_DB_URL of data/monitor.sqlite)"

    load = commands.add_parser("load", help="bestanden controleren en opslaan")
    load.add_argument("--db", metavar="URL", help=db_help)
    load.add_argument(
        "--municipality", metavar="GEMEENTE", help="gemeente (naam of CBS-code) voor bestanden zonder gemeentekolom"
    )
    load.add_argument(
        "--source",
        metavar="BRON",
        help="wie levert aan, bijvoorbeeld 'Veilig Thuis Utrecht'; diens kolomkoppeling "
        "geldt en wat --column zegt wordt ervoor onthouden",
    )
    load.add_argument(
        "--user", metavar="NAAM", help="naam van de aanleverende gebruiker (standaard de systeemgebruiker)"
    )
    load.add_argument("--column", action="append", metavar="KOP=CODE", help=COLUMN_HELP)
    load.add_argument("files", nargs="+", metavar="BESTAND")

    check = commands.add_parser("check", help="bestanden alleen controleren; er wordt niets opgeslagen")
    check.add_argument(
        "--db", metavar="URL", help=db_help + "; alleen gelezen: eerdere kwartalen en de koppeling van --source"
    )
    check.add_argument(
        "--municipality", metavar="GEMEENTE", help="gemeente (naam of CBS-code) voor bestanden zonder gemeentekolom"
    )
    check.add_argument("--column", action="append", metavar="KOP=CODE", help=COLUMN_HELP)
    check.add_argument(
        "--source", metavar="BRON", help="wie levert aan: diens onthouden kolomkoppeling geldt (alleen gelezen)"
    )
    check.add_argument("files", nargs="+", metavar="BESTAND")

    export = commands.add_parser("export", help="indicatoren exporteren")
    export.add_argument("--db", metavar="URL", help=db_help)
    export.add_argument("--level", choices=["municipality", "region", "national"])
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument(
        "--out", metavar="BESTAND", help="bestand om naar te schrijven (standaard: het scherm, alleen bij csv)"
    )
    export.add_argument(
        "--afgeschermd",
        action="store_true",
        help="zoals de stuurgroep het ziet: regio's en landelijk, kleine aantallen en wat ze verraadt leeg",
    )

    template = commands.add_parser("template", help="het lege Excel-sjabloon maken")
    template.add_argument("--out", metavar="BESTAND", help=f"bestandsnaam (standaard {DEFAULT_TEMPLATE})")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = parse_in_dutch(build_parser, argv)
    command = {"load": _files_cmd, "check": _files_cmd, "export": _export_cmd, "template": _template_cmd}
    try:
        return command[args.command](args, out)
    except MonitorError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
