"""What the uploader says a column means (`--column "HEADER=CODE"`, the upload page's mapping step),
and how each column of a table was read, for the dry run to say."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ingest.elements import ELEMENT_CODES, ELEMENTS_BY_CODE
from ingest.headers import Role
from ingest.reader import column_letter
from reference.text import fold

SKIP = "skip"
ROLE_CODES = ("municipality", "period", "year", "element", "value")
COLUMN_CODES = (*ELEMENT_CODES, *ROLE_CODES, SKIP)
ROLE_LABELS = {
    "municipality": "gemeente",
    "period": "kwartaal",
    "year": "jaar",
    "element": "onderdeel (lange tabel)",
    "value": "aantal (lange tabel)",
    "ignore": "overgeslagen",
    SKIP: "overslaan",
}


class How(StrEnum):
    HEADER = "kop"  # the header is one of the listed names
    SIMILAR = "gelijkend"  # the header means it (recognise.py), not written as listed
    CONTENT = "inhoud"  # what the column holds says it
    GIVEN = "opgegeven"  # the uploader said so
    REMEMBERED = "koppeling"  # the source's remembered mapping says so (ingest.mappings)


class NamedColumn:
    """A column as `--column`, a mapping and a message name it, from its `header` ("" for none) and `column`."""

    header: str
    column: int

    @property
    def name(self) -> str:
        """Its header, or without one its letter (`D`)."""
        return column_name(self.header, self.column)

    @property
    def title(self) -> str:
        """`'Wachttijd'`, or without a header `D (zonder kop)`."""
        return column_title(self.header, self.column)


@dataclass(frozen=True)
class ColumnReading(NamedColumn):
    """One column of a table and what it was read as."""

    column: int
    header: str
    meaning: str  # an element code or a role's value
    how: How
    score: float = 1.0
    source: str = ""  # the source whose remembered mapping gave it (How.REMEMBERED)


class Answers(dict):
    """What columns mean, as said now (`explicit`) over what the source's mapping remembers."""

    def __init__(self, explicit: Mapping[str, str] | None = None, remembered: Mapping[str, str] | None = None,
                 source: str = ""):  # fmt: skip
        super().__init__({**(remembered or {}), **(explicit or {})})
        self.explicit = dict(explicit or {})
        self.remembered = frozenset(remembered or {}) - frozenset(self.explicit)
        self.source = source

    def how(self, header: object) -> tuple[How, str]:
        """How an answered header was answered, and by which source's mapping."""
        if header_key(header) in self.remembered:
            return How.REMEMBERED, self.source
        return How.GIVEN, ""


# A column without a header is named by its letter: `Kolom D (zonder kop)` in messages and on the
# upload page, `D` on the command line (`--column "D=thv_totaal"`). Its key in a mapping is the
# letter's (`d`), so a mapping for it is remembered and applies to the header-less column D of the
# source's next file (a header written as `D` reads the same; no export heads a column so).
HEADERLESS = "zonder kop"
_HEADERLESS_TITLE = re.compile(rf"^kolom ([a-z]{{1,3}}) {HEADERLESS}$")


def column_title(header: str, column: int) -> str:
    """How a message names a column: `'Wachttijd'`, or without a header its letter: `D (zonder kop)`."""
    return f"'{header}'" if header else f"{column_letter(column)} ({HEADERLESS})"


def column_name(header: str, column: int) -> str:
    """What `--column` and a mapping call a column: its header, or without one its letter (`D`)."""
    return header or column_letter(column)


def header_key(header: object) -> str:
    """A header as a mapping knows it: folded, single spaces (`Aantal THV (voorl.)` -> `aantal thv voorl`);
    `Kolom D (zonder kop)`, as a message names a column without a header, is its letter's (`d`)."""
    key = " ".join(fold(header).split())
    match = _HEADERLESS_TITLE.match(key)
    return match[1] if match else key


def label(code: str) -> str:
    """A column code in Dutch: the template header of an element, or the role's name."""
    return ELEMENTS_BY_CODE[code].label if code in ELEMENTS_BY_CODE else ROLE_LABELS.get(code, code)


def given_meaning(header: object, given: Mapping[str, str]) -> Role | str | None:
    """What the uploader said `header` means: a Role (skip is Role.IGNORE), an element code, or None."""
    if not given or not isinstance(header, str):
        return None
    code = given.get(header_key(header))
    if code is None:
        return None
    if code == SKIP:
        return Role.IGNORE
    return Role(code) if code in ROLE_CODES else code


def parse_column_option(text: str) -> tuple[str, str]:
    """`"Aantal THV (voorl.)=thv_totaal"` as (header key, code); ValueError with a Dutch reason."""
    header, equals, code = str(text).rpartition("=")
    code = code.strip()
    if not equals or not header.strip():
        raise ValueError(f'--column {text!r}: schrijf het als "KOLOMKOP=CODE", bijvoorbeeld "Aantal THV=thv_totaal".')
    if code not in COLUMN_CODES:
        raise ValueError(f"--column {text!r}: '{code}' is geen code. Kies uit: {', '.join(COLUMN_CODES)}.")
    return header_key(header), code


def column_map(options: Iterable[str]) -> dict[str, str]:
    """Every `--column` option as one mapping from header key to code."""
    return dict(parse_column_option(option) for option in options)
