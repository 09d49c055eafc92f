"""The command lines speak Dutch, argparse's own words included (help, usage and its errors)."""

from __future__ import annotations

import argparse
import inspect
import re
import subprocess
import sys

import pytest

from config.dutch_argparse import PLURAL_WORDS, WORDS, dutch

# argparse's messages for a programmer who built a parser wrongly: raised while building, never shown to a user
PROGRAMMER_ERRORS = {
    "'required' is an invalid argument for positionals",
    "%r is not callable",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "invalid option string %(option)r: ",
    "mutually exclusive arguments must be optional",
    ("conflicting option string: %s", "conflicting option strings: %s"),
}
ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:", "the following arguments",
           "invalid choice", "unrecognized arguments", "expected one argument")  # fmt: skip


def _argparse_words() -> tuple[set[str], set[tuple[str, str]]]:
    """Every word the running Python's argparse looks up, as written in its source."""
    import ast

    words, plurals = set(), set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                words.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plurals.add((texts[0], texts[1]))
    return words, plurals


def test_every_word_argparse_can_show_a_user_is_translated_and_no_translation_is_stale():
    words, plurals = _argparse_words()
    assert len(words) > 20 and plurals  # the source was really read
    assert words - PROGRAMMER_ERRORS - set(WORDS) == set()
    assert plurals - PROGRAMMER_ERRORS - set(PLURAL_WORDS) == set()
    assert set(WORDS) - words == set() and set(PLURAL_WORDS) - plurals == set()


def test_translations_keep_their_placeholders():
    def placeholders(text: str) -> list[str]:
        return sorted(re.findall(r"%(?:\(\w+\))?[sr]", text))

    pairs = [*WORDS.items()]
    for english, translated in PLURAL_WORDS.items():
        pairs += zip(english, translated, strict=True)
    assert len(pairs) == len(WORDS) + 2 * len(PLURAL_WORDS)
    for english, translated in pairs:
        assert placeholders(english) == placeholders(translated), english


def test_argparse_keeps_its_own_words_outside_the_block():
    with dutch():
        assert "gebruik: " in argparse.ArgumentParser(prog="x").format_usage()
    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage: ")


def _cli_mains():
    from accounts import cli as accounts_cli
    from dashboard.report import __main__ as report_cli
    from db import __main__ as db_cli
    from ingest import cli as ingest_cli

    return {"ingest": ingest_cli.main, "accounts": accounts_cli.main, "db": db_cli.main, "report": report_cli.main}


@pytest.mark.parametrize(
    ("cli", "argv"),
    [
        ("ingest", ["--help"]), ("ingest", ["load", "--help"]), ("ingest", []), ("ingest", ["laad", "x.xlsx"]),
        ("ingest", ["load"]), ("ingest", ["export", "--level", "wijk"]), ("ingest", ["check", "--onbekend", "a"]),
        ("accounts", ["--help"]), ("accounts", ["add"]), ("db", ["--help"]), ("db", []),
        ("report", ["--help"]), ("report", ["--region", "VR01", "--period", "K1", "--out", "x.pdf"]),
    ],
)  # fmt: skip
def test_help_and_usage_errors_are_dutch(cli, argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        _cli_mains()[cli](argv)
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert exit_.value.code == (0 if "--help" in argv else 2)
    assert "gebruik: python -m" in text
    assert [word for word in ENGLISH if word in text] == []
    if "--help" in argv:
        assert "opties:" in text and "deze hulp tonen en stoppen" in text
    else:
        assert ": fout: " in text


def test_the_dashboard_command_line_is_dutch():
    done = subprocess.run([sys.executable, "-m", "dashboard", "--help"], capture_output=True, text=True, check=True)
    assert "gebruik: python -m dashboard" in done.stdout and "opties:" in done.stdout
    assert [word for word in ENGLISH if word in done.stdout] == []
