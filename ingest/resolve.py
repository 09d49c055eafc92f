"""Resolve raw values to records: which quarter, which municipality, which count."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ingest.layout import RawValue
from ingest.municipality import Resolution, is_known, resolve_municipality
from ingest.periods import is_provisional, other_period, parse_period
from ingest.problems import Problem, problem
from ingest.records import Record
from ingest.values import read_count
from reference.areas import Reference
from reference.periods import FIRST_YEAR, Period


@dataclass
class Defaults:
    """What applies when a row does not say: from the title, the sheet name, the file name or the uploader."""

    period: Period | None = None
    municipality: object | None = None
    decimal_comma: bool | None = None  # how a comma in a number reads: `Sheet.decimal_comma`


@dataclass
class Resolver:
    """Resolves the raw values of one file, collecting each problem once."""

    label: str
    reference: Reference
    today: dt.date
    problems: dict[tuple, Problem] = field(default_factory=dict)
    _municipalities: dict[tuple, Resolution] = field(default_factory=dict)

    def report(self, code: str, sheet: str | None = None, cell: str | None = None, **fields) -> None:
        self.problems.setdefault((code, sheet, cell), problem(self.label, code, sheet, cell, **fields))

    def period(self, raw: RawValue, default: Period | None) -> Period | None:
        if isinstance(raw.period, Period):
            found = raw.period
        elif raw.period is not None:
            found = parse_period(raw.period)
            if found is None and raw.year is not None:
                found = _with_year(raw.period, raw.year)
            if found is None:
                self._unreadable_period(raw)
                return None
            if is_provisional(raw.period):
                mark = "** nader voorlopig" if str(raw.period).rstrip().endswith("**") else "* voorlopig"
                self.report("provisional_period", raw.sheet, None, text=raw.period, mark=mark)
        elif default is not None:
            found = default
        else:
            self.report("missing_period", raw.sheet)
            return None
        if found.year < FIRST_YEAR:
            self.report("period_out_of_range", raw.sheet, raw.period_cell, period=found.label, first=f"{FIRST_YEAR} K1")
            return None
        if found.start > self.today:
            self.report("future_period", raw.sheet, raw.period_cell, period=found.label)
            return None
        return found

    def _unreadable_period(self, raw: RawValue) -> None:
        kind = other_period(raw.period)
        if kind is None:
            self.report("unknown_period", raw.sheet, raw.period_cell, text=raw.period)
            return
        words = {"year": "een jaar", "month": "een maand", "half": "een halfjaar"}
        found = re.search(r"(?:19|20)\d\d", str(raw.period))
        year = found[0] if found else str(self.today.year)
        self.report("not_a_quarter", raw.sheet, raw.period_cell, text=raw.period, kind=words[kind], year=year)

    def municipality(self, raw: RawValue, period: Period, default: object | None) -> str | None:
        text, cell = (raw.municipality, raw.municipality_cell)
        if text is None:
            text, cell = default, None
        if text is None:
            self.report("missing_municipality", raw.sheet)
            return None
        key = (text, period)
        if key not in self._municipalities:
            self._municipalities[key] = resolve_municipality(text, period, self.reference)
        resolution = self._municipalities[key]
        if resolution.problem:
            self.report(resolution.problem, raw.sheet if cell else None, cell, **resolution.fields)
        return resolution.code

    def record(self, raw: RawValue, defaults: Defaults) -> Record | None:
        """The record of one raw value, or None after reporting why not."""
        count = read_count(raw.value, defaults.decimal_comma)
        if count.problem:
            self.report(count.problem, raw.sheet, raw.cell, text=count.text)
        period = self.period(raw, defaults.period)
        if period is None:
            # Without a quarter the municipality cannot be checked fully; still say when it is unknown.
            if raw.municipality is not None and not is_known(raw.municipality, self.reference):
                self.report("unknown_municipality", raw.sheet, raw.municipality_cell, text=raw.municipality)
            return None
        code = self.municipality(raw, period, defaults.municipality)
        if code is None or (count.value is None and not count.suppressed):
            return None
        return Record(code, period, raw.element, count.value, count.suppressed, raw.sheet, raw.cell)


def _with_year(quarter: object, year: object) -> Period | None:
    """A quarter given apart from its year: `Jaar` 2024 with `Kwartaal` 1, `K1` or `1e kwartaal`."""
    try:
        year_number = int(float(str(year).strip()))
    except ValueError:
        return None
    if isinstance(quarter, int | float) and float(quarter).is_integer() and 1 <= quarter <= 4:
        return Period(year_number, int(quarter))
    return parse_period(f"{quarter} {year_number}") or parse_period(f"{year_number} {quarter}")
