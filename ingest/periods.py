"""Reading every period notation real exports use into a `Period` (reference.periods)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from reference.periods import Period
from reference.text import fold

_YEAR = r"(?P<year>(?:19|20)\d\d)"
_Q = r"(?P<q>[1-4])"
_ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}
_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mrt": 3, "maa": 3, "maart": 3, "mar": 3,
    "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7,
    "aug": 8, "augustus": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oct": 10,
    "oktober": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"

# Patterns over folded text (lower case, punctuation as spaces): `2024-Q1` reads `2024 q1`.
_PATTERNS = [
    re.compile(rf"^{_YEAR} ?[qk] ?{_Q}$"),  # 2024Q1, 2024 K1, 2024-Q1
    re.compile(rf"^[qk] ?{_Q} {_YEAR}$"),  # Q1 2024, K1-2024
    re.compile(rf"^{_Q} ?e? (?:kwartaal|kw|qtr|quarter) {_YEAR}$"),  # 1e kwartaal 2024, 1 kw 2024
    re.compile(rf"^(?:kwartaal|kw|quarter) {_Q} {_YEAR}$"),  # kwartaal 1 2024
    re.compile(rf"^{_YEAR} (?:kwartaal|kw|quarter) {_Q}$"),  # 2024 kwartaal 1
    re.compile(rf"^{_Q} ?e? (?:kwartaal|kw) {_YEAR} ?$"),
    re.compile(rf"^{_YEAR} {_Q} (?:kwartaal|kw)$"),  # 2024 1e kwartaal: CBS StatLine's own label
    re.compile(rf"^{_YEAR} ?kw ?0?{_Q}$"),  # 2024KW01: the CBS period code (Perioden)
]
_ORDINAL_FIRST = re.compile(rf"^{_YEAR} (?P<word>eerste|tweede|derde|vierde) kwartaal$")
# CBS period codes and labels of other lengths: a year (2024JJ00), a month (2024MM01), a half year.
_NOT_QUARTERS = (
    ("year", re.compile(rf"^{_YEAR} ?jj ?00$")),
    ("month", re.compile(rf"^{_YEAR} ?mm ?(?:0?[1-9]|1[0-2])$")),
    ("half", re.compile(rf"^{_YEAR} ?(?:hj ?0?[12]|h ?[12]|[12] (?:halfjaar|helft))$")),
    ("half", re.compile(rf"^(?:[12] (?:halfjaar|helft)|h ?[12]|hj ?0?[12]) {_YEAR}$")),
    ("half", re.compile(rf"^(?:eerste|tweede) (?:halfjaar|helft) {_YEAR}$")),
    ("half", re.compile(rf"^{_YEAR} (?:eerste|tweede) (?:halfjaar|helft)$")),
)
_PROVISIONAL = re.compile(r"\s*\*{1,2}\s*$")  # CBS: * voorlopig, ** nader voorlopig
_ORDINAL = re.compile(rf"^(?P<word>eerste|tweede|derde|vierde) kwartaal {_YEAR}$")
_MONTH_SPAN = re.compile(rf"^(?P<m1>{_MONTH}) (?:t m |tm |tot en met |tot |)(?P<m2>{_MONTH}) {_YEAR}$")
_ISO_DATE = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T].*)?$")
_DUTCH_DATE = re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})(?:[ T].*)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FOUR_DIGITS = re.compile(r"(?:\D*\d){4}")
_LONGEST = 40  # "januari t/m maart 2024", "2024-02-15 00:00:00"


def parse_period(value: object) -> Period | None:
    """Read a quarter from a cell: `2024Q1`, `Q1 2024`, `1e kwartaal 2024`, `jan-mrt 2024`, a date..."""
    if isinstance(value, dt.datetime):
        return Period.of_date(value.date())
    if isinstance(value, dt.date):
        return Period.of_date(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        # An Excel date serial in a period column that lost its date format.
        if 36526 <= value <= 73050 and float(value).is_integer():  # 2000-01-01 .. 2099-12-31
            return Period.of_date(_EXCEL_EPOCH + dt.timedelta(days=int(value)))
        return None
    return _parse_text(str(value).strip())


def is_provisional(value: object) -> bool:
    """A period marked as CBS marks provisional figures: `2024KW01*`, `2024 1e kwartaal**`."""
    return isinstance(value, str) and bool(_PROVISIONAL.search(value)) and parse_period(value) is not None


def other_period(value: object) -> str | None:
    """`year`, `month` or `half` when `value` is a period that is not a quarter (`2024JJ00`, `2024MM01`)."""
    if not isinstance(value, str) or len(value) > _LONGEST:
        return None
    folded = _folded(_PROVISIONAL.sub("", value.strip()))
    return next((kind for kind, pattern in _NOT_QUARTERS if pattern.match(folded)), None)


def _folded(text: str) -> str:
    folded = fold(text).replace("kwartaal", " kwartaal ").replace("  ", " ").strip()
    folded = re.sub(r"\b([1-4])e\b", r"\1", folded)  # 1e kwartaal -> 1 kwartaal
    return re.sub(r"\b([1-4]) ?(ste|de)\b", r"\1", folded)


@lru_cache(maxsize=8192)  # the same period cells and headers recur in every file of a source
def _parse_text(text: str) -> Period | None:
    text = _PROVISIONAL.sub("", text)
    if len(text) > _LONGEST or not _FOUR_DIGITS.match(text):
        return None  # every notation is short and holds a four-digit year
    for pattern in (_ISO_DATE, _DUTCH_DATE):
        if match := pattern.match(text):
            try:
                day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
            return Period.of_date(day)
    folded = _folded(text)
    for pattern in _PATTERNS:
        if match := pattern.match(folded):
            return Period(int(match["year"]), int(match["q"]))
    if match := _ORDINAL.match(folded) or _ORDINAL_FIRST.match(folded):
        return Period(int(match["year"]), _ORDINALS[match["word"]])
    if match := _MONTH_SPAN.match(folded):
        first, last = _MONTHS[match["m1"]], _MONTHS[match["m2"]]
        if first % 3 == 1 and last == first + 2:
            return Period(int(match["year"]), (first - 1) // 3 + 1)
    return None


def find_period(text: object) -> Period | None:
    """A quarter mentioned anywhere in a title, sheet name or file name: `Rapportage Q1 2024`."""
    folded = fold(text)
    words = folded.split()
    # Try every run of up to five words; titles are short, so this stays cheap.
    for size in (5, 4, 3, 2, 1):
        for start in range(len(words) - size + 1):
            if found := parse_period(" ".join(words[start : start + size])):
                return found
    return None
