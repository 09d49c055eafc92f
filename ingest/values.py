"""Read a count from a cell: numbers, numbers as text with separators, and source-suppressed values."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_INTEGER = re.compile(r"^[-+]?\d+$")
_GROUPED = re.compile(r"^[-+]?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")  # 1.234 or 1,234,567
_DECIMAL = re.compile(r"^[-+]?\d*[.,]\d+$")
_NUMERIC = re.compile(r"^[-+]?[\d.,]*\d[\d.,]*$")
_SUPPRESSED = re.compile(r"^(?:<=?|&lt;|≤|kleiner ?dan|minder ?dan)\d+$|^1[-–]4$|^1t/?m4$|^[x*]$", re.IGNORECASE)
_UNKNOWN = frozenset(
    {
        "-",
        "--",
        ".",
        "?",
        "onbekend",
        "nb",
        "n.b.",
        "n.b",
        "nvt",
        "n.v.t.",
        "na",
        "n/a",
        "#n/a",
        "geengegevens",
        "nietbekend",
    }
)


@dataclass(frozen=True, slots=True)
class Count:
    """A cell read as a count: `value` None is unknown; `problem` names what was wrong or noteworthy."""

    value: int | None
    suppressed: bool = False
    problem: str | None = None  # a code from problems.MESSAGES
    text: str = ""


def _dutch(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def _from_number(number: float, text: str) -> Count:
    if math.isnan(number):
        return Count(None)
    if not float(number).is_integer():
        return Count(None, problem="not_whole_number", text=text)
    if number < 0:
        return Count(None, problem="negative_count", text=text)
    return Count(int(number))


def read_count(cell: object, decimal_comma: bool | None = None) -> Count:
    """A cell as a whole number >= 0, unknown, suppressed ('<5'), or a problem.

    `decimal_comma` (`Sheet.decimal_comma`): None reads `1,234` as thousands and `12,0` as 12, as
    in a workbook; in a CSV file a decimal comma is an error, never a guess: True (the comma is the
    file's decimal mark) refuses any comma in a number, False (comma-separated) only allows `1,234`.
    """
    if isinstance(cell, bool):
        return Count(None, problem="not_a_number", text=str(cell))
    if isinstance(cell, int | float):
        return _from_number(cell, _dutch(cell))
    if not isinstance(cell, str):
        return Count(None, problem="not_a_number", text=str(cell))
    text = _SPACES.sub("", cell)
    if _SUPPRESSED.match(text):
        return Count(None, suppressed=True, problem="suppressed_value", text=cell)
    if text.lower() in _UNKNOWN:
        return Count(None, problem="unknown_marker", text=cell)
    in_csv = decimal_comma is not None and "," in text and _NUMERIC.match(text)
    if in_csv and (decimal_comma or not _GROUPED.match(text)):
        return Count(None, problem="decimal_comma", text=cell)
    if _INTEGER.match(text):
        return _from_number(int(text), cell)
    if _GROUPED.match(text):
        return _from_number(int(re.sub(r"[.,]", "", text)), cell)
    if _DECIMAL.match(text):
        return _from_number(float(text.replace(",", ".")), cell)
    return Count(None, problem="not_a_number", text=cell)
