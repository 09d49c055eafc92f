"""What the uploader says a column means (`--column "HEADER=CODE"`, the upload page's mapping step),
and how each column of a table was read, for the dry run to say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ingest.elements import ELEMENT_CODES, ELEMENTS_BY_CODE
from ingest.headers import Role
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


@dataclass(frozen=True)
class ColumnReading:
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


def header_key(header: object) -> str:
    """A header as a mapping knows it: folded, single spaces (`Aantal THV (voorl.)` -> `aantal thv voorl`)."""
    return " ".join(fold(header).split())


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
