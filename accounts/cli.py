"""Command line: `python -m accounts add|set-role|set-scope|reset-password|disable|enable|disable-demo|list|
 purge-sessions`.

Passwords are never given as an argument (they would end up in the shell history and the process
list) and there is no default: they are asked twice when the input is a terminal, read as one line
from standard input otherwise, or generated with `--generate` and printed once.
Exit codes: 0 done, 1 refused (the message says why), 2 wrong usage or no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import re
import sys
from typing import TextIO

from accounts.demo import disable_demo_accounts
from accounts.passwords import PasswordRejected, generate_password
from accounts.scope import ROLE_DESCRIPTIONS, Role
from accounts.sessions import purge_sessions
from accounts.users import (
    Account,
    AccountError,
    add_user,
    list_users,
    reset_password,
    scope_text,
    set_active,
    set_role,
    set_scope,
)
from config.dutch_argparse import parse_in_dutch
from config.errors import MonitorError
from db.engine import connect
from db.tables import UTC
from reference.areas import Reference, load_reference

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
CODE_PATTERN = re.compile(r"GM\d{4}", re.IGNORECASE)


def actor() -> str:
    """Who runs the command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in a bare container
        return "cli:onbekend"


def municipality_code(text: str, reference: Reference, today: dt.date | None = None) -> str:
    """A municipality given by CBS code or by name; raises `AccountError` when unknown or ambiguous."""
    text = text.strip()
    if CODE_PATTERN.fullmatch(text):
        return text.upper()
    codes = reference.codes_for_name(text)
    if not codes:
        raise AccountError(f"Gemeente '{text}' is niet gevonden. Geef de CBS-code (zoals GM0363) of de naam.")
    today = today or dt.datetime.now(UTC).date()
    current = {c for c in codes if reference.municipalities[c].end is None or reference.municipalities[c].end > today}
    candidates = sorted(current or codes)
    if len(candidates) > 1:
        options = ", ".join(f"{c} ({reference.municipalities[c].name})" for c in candidates)
        raise AccountError(f"'{text}' past bij meer gemeenten: {options}. Geef de CBS-code.")
    return candidates[0]


def _read_password(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> str:
    if args.generate:
        password = generate_password()
        print(f"Gegenereerd wachtwoord voor {args.name.strip().lower()} (wordt niet nog eens getoond): {password}",
              file=out)  # fmt: skip
        return password
    if stdin.isatty():
        first = getpass.getpass("Wachtwoord: ")
        if first != getpass.getpass("Herhaal het wachtwoord: "):
            raise PasswordRejected("De twee wachtwoorden zijn niet gelijk; er is niets gewijzigd.")
        return first
    line = stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _scope_args(args: argparse.Namespace, reference: Reference) -> dict:
    return {
        "region": args.region,
        "municipalities": [municipality_code(m, reference) for m in args.municipality or []],
        "reference": reference,
    }


def _line(account: Account, reference: Reference, now: dt.datetime) -> str:
    state = "actief" if account.active else "uitgeschakeld"
    if account.locked(now):
        state += f", geblokkeerd tot {account.locked_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"{account.name}\t{account.role}\t{scope_text(account, reference)}\t{state}"


def _run(args: argparse.Namespace, engine, stdin: TextIO, out: TextIO) -> str:
    """Carry out one command; returns what to print."""
    who = actor()
    if args.command == "list":
        reference, now = load_reference(), dt.datetime.now(UTC)
        accounts = list_users(engine)
        return "\n".join(_line(a, reference, now) for a in accounts) if accounts else "Er zijn nog geen gebruikers."
    if args.command == "purge-sessions":
        count = purge_sessions(engine)
        return f"{count} verlopen of beëindigde {'sessie' if count == 1 else 'sessies'} opgeruimd."
    if args.command == "disable-demo":
        names = disable_demo_accounts(engine, actor=who)
        if not names:
            return "Er zijn geen actieve demo-accounts."
        return f"Uitgeschakeld: {', '.join(names)}."
    if args.command == "add":
        scope = _scope_args(args, load_reference())
        account = add_user(engine, args.name, args.role, password=_read_password(args, stdin, out), actor=who, **scope)
        return f"Gebruiker {account.name} toegevoegd: {account.role}, {scope_text(account, scope['reference'])}."
    if args.command in ("set-role", "set-scope"):
        scope = _scope_args(args, load_reference())
        if args.command == "set-role":
            account = set_role(engine, args.name, args.role, actor=who, **scope)
        else:
            account = set_scope(engine, args.name, actor=who, **scope)
        return f"Gebruiker {account.name} is nu {account.role}, {scope_text(account, scope['reference'])}."
    if args.command == "reset-password":
        account = reset_password(engine, args.name, _read_password(args, stdin, out), actor=who)
        return f"Het wachtwoord van {account.name} is gewijzigd; lopende sessies zijn beëindigd."
    account = set_active(engine, args.name, args.command == "enable", actor=who)
    return f"Gebruiker {account.name} is {'ingeschakeld' if account.active else 'uitgeschakeld'}."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m accounts",
        description="Monitor plegeraanpak: gebruikers, rollen en wachtwoorden beheren.",
        epilog="Rollen: " + "; ".join(ROLE_DESCRIPTIONS.values()) + ".",
    )
    commands = parser.add_subparsers(
        dest="command", required=True,
        metavar="{add,set-role,set-scope,reset-password,disable,enable,disable-demo,list,purge-sessions}",
    )  # fmt: skip
    db_help = "SQLAlchemy-URL van de database (standaard $MONITOR_DB_URL of data/monitor.sqlite)"
    roles = [r.value for r in Role]

    def command(name: str, help_text: str, *, named: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", metavar="URL", help=db_help)
        if named:
            sub.add_argument("name", metavar="NAAM", help="gebruikersnaam")
        return sub

    def scope_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--region", metavar="CODE", help="regiocode, voor een projectleider (bijvoorbeeld VR01)")
        sub.add_argument(
            "--municipality", metavar="GEMEENTE", action="append",
            help="gemeente (CBS-code of naam) voor een gemeente of ketenpartner; herhaal voor meer gemeenten",
        )  # fmt: skip

    def password_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--generate", action="store_true",
            help="een willekeurig wachtwoord maken en één keer tonen (anders: vragen, of één regel van stdin)",
        )  # fmt: skip

    add = command("add", "een gebruiker toevoegen")
    add.add_argument("--role", required=True, choices=roles, help="de rol van de gebruiker")
    scope_options(add)
    password_options(add)
    set_role_cmd = command("set-role", "de rol (en het bereik dat daarbij hoort) wijzigen")
    set_role_cmd.add_argument("role", metavar="ROL", choices=roles, help=f"nieuwe rol: {', '.join(roles)}")
    scope_options(set_role_cmd)
    scope_options(command("set-scope", "de regio of de gemeenten van een gebruiker wijzigen"))
    password_options(command("reset-password", "een nieuw wachtwoord instellen (heft ook een blokkade op)"))
    command("disable", "een gebruiker uitschakelen; lopende sessies eindigen")
    command("enable", "een gebruiker weer inschakelen (heft ook een blokkade op)")
    command("disable-demo", "alle demo-accounts (van `make run`) uitschakelen, voor een productieserver", named=False)
    command("list", "alle gebruikers tonen", named=False)
    command("purge-sessions", "verlopen en beëindigde sessies opruimen (bijvoorbeeld elke nacht)", named=False)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None) -> int:
    out, stdin = out or sys.stdout, stdin or sys.stdin
    args = parse_in_dutch(build_parser, argv)
    try:
        engine = connect(args.db)  # creates an empty database at the current schema
    except MonitorError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    try:
        print(_run(args, engine, stdin, out), file=out)
        return EXIT_OK
    except (AccountError, PasswordRejected) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except MonitorError as exc:  # a deployment setting, such as the region file
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        engine.dispose()
