"""argparse's own words in Dutch ("gebruik:", "opties", its error messages) for the command lines people
use: `args = parse_in_dutch(build_parser, argv)`.

argparse looks up the words it adds itself through `gettext`, both when a parser is built (the group
titles, the help of -h) and when it reports (usage, errors); Python ships no Dutch catalogue. While
`dutch()` is active argparse's lookups answer from `WORDS`; outside it argparse is untouched, so pytest
and other tools in the same process keep their own words. `tests/test_dutch_argparse.py` checks that
every word argparse can show a user is here, so a new Python that adds one is noticed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

WORDS = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "show this help message and exit": "deze hulp tonen en stoppen",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "the following arguments are required: %s": "dit ontbreekt nog: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ongeldige keuze: %(value)r (kies uit %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "expected one argument": "hier hoort één waarde bij",
    "expected at most one argument": "hier hoort hooguit één waarde bij",
    "expected at least one argument": "hier hoort minstens één waarde bij",
    "invalid %(type)s value: %(value)r": "ongeldige waarde (%(type)s): %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "onduidelijke optie: %(option)s kan zijn: %(matches)s",
    "not allowed with argument %s": "niet samen met argument %s",
    "one of the arguments %s is required": "een van de argumenten %s is nodig",
    "ignored explicit argument %r": "deze optie krijgt geen waarde (%r)",
    "can't open '%(filename)s': %(error)s": "kan '%(filename)s' niet openen: %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "onbekende opdracht %(parser_name)r (kies uit: %(choices)s)"
    ),
    "unexpected option string: %s": "onverwachte optie: %s",
}
PLURAL_WORDS = {  # (singular, plural) -> (Dutch singular, Dutch plural)
    ("expected %s argument", "expected %s arguments"): ("hier hoort %s waarde bij", "hier horen %s waarden bij"),
}


def _word(message: str) -> str:
    return WORDS.get(message, message)


def _plural_word(singular: str, plural: str, n: int) -> str:
    one, many = PLURAL_WORDS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


@contextmanager
def dutch() -> Iterator[None]:
    """argparse speaks Dutch within the block (build the parser and parse inside it)."""
    looked_up = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _word, _plural_word  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = looked_up  # type: ignore[attr-defined]


def parse_in_dutch(build: Callable[[], argparse.ArgumentParser], argv: Sequence[str] | None) -> argparse.Namespace:
    """`build().parse_args(argv)` with argparse's own words in Dutch (help and errors exit as usual)."""
    with dutch():
        return build().parse_args(argv)
