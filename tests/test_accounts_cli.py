"""`python -m accounts`: every command, how passwords are read, the exit codes (0 done, 1 refused, 2 usage)."""

import datetime as dt
import io
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from accounts.cli import main, municipality_code
from accounts.scope import Role
from accounts.sessions import authenticate, resolve, start_session
from accounts.users import AccountError, get_user, list_users
from db.tables import audit_log, users
from reference.areas import load_reference

REF = load_reference()
PASSWORD = "correct paard batterij"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(*argv, stdin=""):
    out = io.StringIO()
    code = main(list(argv), out, stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin))
    return code, out.getvalue()


def add(db_url, name="piet", *options, password=PASSWORD):
    return run("add", "--db", db_url, name, *options, stdin=password + "\n")


def test_add_reads_the_password_from_stdin(engine, db_url, capsys):
    code, output = add(db_url, "Piet", "--role", "gemeente", "--municipality", "GM0014")
    assert code == 0, capsys.readouterr().err
    assert output == "Gebruiker piet toegevoegd: gemeente, gemeente GM0014 Groningen.\n"
    assert PASSWORD not in output
    account = authenticate(engine, "piet", PASSWORD).account
    assert account.role is Role.GEMEENTE and account.municipalities == ("GM0014",)


def test_the_password_line_is_taken_as_is_apart_from_its_newline(engine, db_url):
    assert add(db_url, "piet", "--role", "stuurgroep", password="  spaties tellen mee  ")[0] == 0
    assert authenticate(engine, "piet", "  spaties tellen mee  ").ok


def test_add_by_municipality_name(engine, db_url):
    options = ["--role", "ketenpartner", "--municipality", "groningen", "--municipality", "Stadskanaal"]
    code, _ = add(db_url, "vt", *options)
    assert code == 0
    assert get_user(engine, "vt").municipalities == ("GM0014", "GM0037")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("GM0014", "GM0014"), ("gm0014", "GM0014"), ("Groningen", "GM0014"), (" 's-Gravenhage ", "GM0518")],
)
def test_municipality_code(text, expected):
    assert municipality_code(text, REF) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("Bergen", "past bij meer gemeenten: GM0373 .*, GM0893"), ("Atlantis", "niet gevonden"), ("", "niet gevonden")],
)
def test_municipality_code_refuses_unknown_and_ambiguous_names(text, message):
    with pytest.raises(AccountError, match=message):
        municipality_code(text, REF)


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        (["--role", "gemeente", "--municipality", "Bergen"], PASSWORD, "past bij meer gemeenten"),
        (["--role", "gemeente", "--municipality", "GM9999"], PASSWORD, "Onbekende gemeentecode"),
        (["--role", "projectleider"], PASSWORD, "heeft een regio nodig"),
        (["--role", "projectleider", "--region", "VR99"], PASSWORD, "Onbekende regiocode"),
        (["--role", "stuurgroep"], "kort", "minstens 12 tekens"),
        (["--role", "stuurgroep"], "", "minstens 12 tekens"),  # empty input: never a default password
    ],
)
def test_add_refusals_exit_1_and_store_nothing(engine, db_url, capsys, options, password, message):
    code, output = add(db_url, "piet", *options, password=password)
    assert code == 1 and output == ""
    assert message in capsys.readouterr().err
    assert list_users(engine) == []


def test_add_with_no_input_at_all_is_refused(engine, db_url, capsys):
    code, _ = run("add", "--db", db_url, "piet", "--role", "stuurgroep", stdin="")
    assert code == 1 and list_users(engine) == []


def test_add_twice_is_refused(engine, db_url, capsys):
    assert add(db_url, "piet", "--role", "stuurgroep")[0] == 0
    assert add(db_url, "PIET", "--role", "beheerder")[0] == 1
    assert "Er is al een gebruiker 'piet'" in capsys.readouterr().err
    assert get_user(engine, "piet").role is Role.STUURGROEP


def test_generate_prints_the_password_once(engine, db_url):
    code, output = run("add", "--db", db_url, "piet", "--role", "beheerder", "--generate", stdin="genegeerd\n")
    assert code == 0
    password = output.splitlines()[0].rsplit(": ", 1)[1]
    assert len(password) >= 12 and output.count(password) == 1
    assert authenticate(engine, "piet", password).ok


def test_terminal_asks_twice(engine, db_url, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _ = run("add", "--db", db_url, "piet", "--role", "stuurgroep", stdin=Terminal())
    assert code == 1 and "niet gelijk" in capsys.readouterr().err
    assert list_users(engine) == []
    code, _ = run("add", "--db", db_url, "piet", "--role", "stuurgroep", stdin=Terminal())
    assert code == 0 and authenticate(engine, "piet", PASSWORD).ok


def test_set_role_and_set_scope(engine, db_url):
    add(db_url, "piet", "--role", "gemeente", "--municipality", "GM0014")
    session = start_session(engine, get_user(engine, "piet"))
    code, output = run("set-role", "--db", db_url, "piet", "projectleider", "--region", "vr01")
    assert (code, output) == (0, "Gebruiker piet is nu projectleider, regio VR01 Groningen.\n")
    assert resolve(engine, session) is None
    assert run("set-scope", "--db", db_url, "piet", "--region", "VR02")[0] == 0
    assert get_user(engine, "piet").region == "VR02"
    assert run("set-scope", "--db", db_url, "piet", "--municipality", "GM0014")[0] == 1
    assert get_user(engine, "piet").region == "VR02"


def test_reset_password(engine, db_url):
    add(db_url, "piet", "--role", "stuurgroep")
    code, output = run("reset-password", "--db", db_url, "piet", stdin="een nieuw wachtwoord\n")
    assert code == 0 and "lopende sessies zijn beëindigd" in output
    assert authenticate(engine, "piet", "een nieuw wachtwoord").ok
    assert not authenticate(engine, "piet", PASSWORD).ok
    assert run("reset-password", "--db", db_url, "piet", stdin="kort\n")[0] == 1
    assert authenticate(engine, "piet", "een nieuw wachtwoord").ok


def test_disable_enable_and_list(engine, db_url):
    add(db_url, "piet", "--role", "gemeente", "--municipality", "GM0014")
    add(db_url, "anna", "--role", "beheerder")
    assert run("disable", "--db", db_url, "piet") == (0, "Gebruiker piet is uitgeschakeld.\n")
    assert not authenticate(engine, "piet", PASSWORD).ok
    code, output = run("list", "--db", db_url)
    assert code == 0
    assert output.splitlines() == [
        "anna\tbeheerder\talles\tactief",
        "piet\tgemeente\tgemeente GM0014 Groningen\tuitgeschakeld",
    ]
    assert run("enable", "--db", db_url, "piet") == (0, "Gebruiker piet is ingeschakeld.\n")
    assert authenticate(engine, "piet", PASSWORD).ok


def test_disable_demo_disables_every_demo_account_and_ends_their_sessions(engine, db_url):
    from argon2 import PasswordHasher

    from accounts.demo import active_demo_accounts, demo_accounts

    demo_accounts(engine, REF, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    add(db_url, "anna", "--role", "beheerder")
    token = start_session(engine, get_user(engine, "demo-beheerder"))
    assert len(active_demo_accounts(engine)) == len(Role)
    code, output = run("disable-demo", "--db", db_url)
    assert code == 0 and output.startswith("Uitgeschakeld: demo-beheerder, demo-gemeente, ")
    assert active_demo_accounts(engine) == [] and resolve(engine, token) is None
    assert get_user(engine, "anna").active  # other accounts stay as they are
    assert run("disable-demo", "--db", db_url) == (0, "Er zijn geen actieve demo-accounts.\n")


def test_list_shows_a_lock(engine, db_url):
    add(db_url, "piet", "--role", "stuurgroep")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with engine.begin() as conn:
        conn.execute(users.update().values(locked_until=until))
    expected = f"piet\tstuurgroep\tregio's en landelijk\tactief, geblokkeerd tot {until:%Y-%m-%d %H:%M} UTC\n"
    assert run("list", "--db", db_url)[1] == expected
    run("enable", "--db", db_url, "piet")
    assert run("list", "--db", db_url)[1] == "piet\tstuurgroep\tregio's en landelijk\tactief\n"


def test_list_of_nobody(engine, db_url):
    assert run("list", "--db", db_url) == (0, "Er zijn nog geen gebruikers.\n")


@pytest.mark.parametrize("command", ["set-role", "set-scope", "reset-password", "disable", "enable"])
def test_unknown_user_exits_1(engine, db_url, capsys, command):
    argv = {"set-role": ["beheerder"], "set-scope": ["--region", "VR01"]}.get(command, [])
    code, _ = run(command, "--db", db_url, "niemand", *argv, stdin=PASSWORD + "\n")
    assert code == 1 and "Er is geen gebruiker 'niemand'" in capsys.readouterr().err


def test_changes_are_audited_with_the_os_user_as_actor(engine, db_url, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "beheerder-op-server")
    add(db_url, "piet", "--role", "stuurgroep")
    run("disable", "--db", db_url, "piet")
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.details)).all()
    assert [(r.actor, r.action) for r in rows] == [
        ("cli:beheerder-op-server", "gebruiker_toegevoegd"),
        ("cli:beheerder-op-server", "gebruiker_gewijzigd"),
    ]
    assert all(PASSWORD not in r.details and json.loads(r.details) for r in rows)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["add", "piet"],  # no --role
        ["add", "piet", "--role", "koning"],
        ["set-role", "piet"],
        ["onbekend"],
        ["add", "piet", "--role", "stuurgroep", "--password", PASSWORD],  # never as an argument
    ],
)
def test_wrong_usage_exits_2(argv, capsys):
    """argparse exits with 2 by itself; `python -m accounts` passes main's code to sys.exit."""
    with pytest.raises(SystemExit) as exit_:
        main(argv, io.StringIO(), io.StringIO(PASSWORD + "\n"))
    assert exit_.value.code == 2


def test_bad_database_url_exits_2(capsys):
    code, _ = run("list", "--db", "mysql://iemand@server/db")
    assert code == 2 and "wordt niet ondersteund" in capsys.readouterr().err


def test_end_to_end_in_a_process(tmp_path):
    db = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def cli(*argv, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "accounts", *argv], input=stdin, capture_output=True, text=True, env=env, timeout=60
        )

    added = cli("add", "--db", db, "anna", "--role", "projectleider", "--region", "VR01", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "anna toegevoegd: projectleider, regio VR01 Groningen" in added.stdout
    listed = cli("list", "--db", db)
    assert (listed.returncode, listed.stdout) == (0, "anna\tprojectleider\tregio VR01 Groningen\tactief\n")
    refused = cli("add", "--db", db, "bob", "--role", "gemeente", stdin=PASSWORD + "\n")
    assert refused.returncode == 1 and "precies één gemeente" in refused.stderr


def test_purge_sessions(engine, db_url):
    from accounts.sessions import end_session, start_session
    from accounts.users import get_user

    add(db_url, "piet", "--role", "stuurgroep")
    token = start_session(engine, get_user(engine, "piet"))
    end_session(engine, token, actor="piet")
    start_session(engine, get_user(engine, "piet"))  # still open
    assert run("purge-sessions", "--db", db_url) == (0, "1 verlopen of beëindigde sessie opgeruimd.\n")
    assert run("purge-sessions", "--db", db_url) == (0, "0 verlopen of beëindigde sessies opgeruimd.\n")
