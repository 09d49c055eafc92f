"""The normalised result of a file: one `Record` per municipality, quarter and data element."""

from __future__ import annotations

from dataclasses import dataclass

from reference.periods import Period


@dataclass(frozen=True, slots=True)
class Record:
    """One value as it will be stored; `value` None means unknown (`suppressed`: the source hid 1..4)."""

    municipality: str  # CBS code, GM0363
    period: Period
    element: str  # code from elements.ELEMENTS
    value: int | None
    suppressed: bool
    sheet: str
    cell: str

    @property
    def key(self) -> tuple[str, Period, str]:
        return (self.municipality, self.period, self.element)
