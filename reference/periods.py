"""Quarters: the `Period` type, the range of quarters, and the first year the monitor knows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import total_ordering

FIRST_YEAR = 2018  # the startfoto year; nothing earlier belongs in the monitor


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A calendar quarter."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, not {self.quarter}")

    def __str__(self) -> str:  # the export notation
        return f"{self.year}Q{self.quarter}"

    def __lt__(self, other: Period) -> bool:
        return (self.year, self.quarter) < (other.year, other.quarter)

    @property
    def label(self) -> str:
        """The interface notation: `2024 K1`."""
        return f"{self.year} K{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the quarter."""
        return self.next().start

    @property
    def index(self) -> int:
        """Quarters since year 0: consecutive periods differ by one."""
        return self.year * 4 + self.quarter - 1

    def has_ended(self, today: dt.date | None = None) -> bool:
        """Whether the quarter is over on `today` (only then can its figures be complete)."""
        return self.end <= (today or dt.date.today())

    def next(self) -> Period:
        return Period(self.year + (self.quarter == 4), self.quarter % 4 + 1)

    @classmethod
    def of_date(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 4, index % 4 + 1)

    @classmethod
    def parse_code(cls, text: str) -> Period:
        """Read the export notation `2024Q1` back."""
        year, quarter = text.split("Q")
        return cls(int(year), int(quarter))


def period_range(first: Period, last: Period) -> list[Period]:
    """Every quarter from `first` to `last`, both included."""
    return [Period.from_index(i) for i in range(first.index, last.index + 1)]


def last_ended(today: dt.date | None = None) -> Period:
    """The last quarter that has ended on `today`."""
    return Period.from_index(Period.of_date(today or dt.date.today()).index - 1)
