"""Plausibility warnings: a count far outside the municipality's own history for that element.

DHIS2's outlier analysis (`../shared/METHODS.md`): the modified z-score 0.6745 · |x − median| / MAD
over the municipality's last `HISTORY_QUARTERS` quarters before the one checked, where MAD is the
median absolute deviation from the median. A value is flagged when the score is above
`THRESHOLD` and it differs from the median by at least `MIN_DIFFERENCE`, so that small counts
(2 after 0, 0, 1, 0) raise no noise; a MAD of 0 (a history that never varies) never flags, as in
DHIS2; fewer than `MIN_HISTORY` known quarters say too little. Always a warning, never an error:
the uploader is asked "Klopt het?", the file is stored as it is.

The history is what the database holds now (`db.values.recent_values`), with the file's own values
put over it (a file delivering several quarters is its own history, and it supersedes what is
stored for the same key). Unknown and suppressed values are no history.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

from ingest.problems import Problem, problem
from ingest.records import Record
from reference.periods import Period

HISTORY_QUARTERS = 8
THRESHOLD = 3.5
MIN_DIFFERENCE = 10
MIN_HISTORY = 4
CONSISTENCY = 0.6745  # the 0.75 quantile of the standard normal: MAD / 0.6745 estimates sd

History = Mapping[tuple[str, str], Mapping[Period, int]]  # (municipality, element) -> quarter -> value


def modified_z_score(value: float, history: Sequence[float]) -> float:
    """0.6745 · |value − median| / MAD of `history`; 0 when MAD is 0 (never an outlier)."""
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    return 0.0 if mad == 0 else CONSISTENCY * abs(value - median) / mad


def is_outlier(value: float, history: Sequence[float]) -> bool:
    """Far outside `history`: score above `THRESHOLD` and at least `MIN_DIFFERENCE` from its median."""
    if len(history) < MIN_HISTORY:
        return False
    return abs(value - statistics.median(history)) >= MIN_DIFFERENCE and modified_z_score(value, history) > THRESHOLD


def window(period: Period) -> tuple[Period, Period]:
    """The first and last quarter of the history of `period`: the `HISTORY_QUARTERS` before it."""
    return Period.from_index(period.index - HISTORY_QUARTERS), Period.from_index(period.index - 1)


def history_span(records: Iterable[Record]) -> tuple[Period, Period] | None:
    """The quarters any record's history may reach; None without records."""
    periods = [r.period for r in records]
    if not periods:
        return None
    return window(min(periods))[0], window(max(periods))[1]


def outlier_warnings(records: Sequence[Record], stored: History, label: str) -> list[Problem]:
    """A warning for every known value far outside its own history (stored values, the file's over them)."""
    history: dict[tuple[str, str], dict[Period, int]] = {key: dict(values) for key, values in stored.items()}
    for r in records:
        values = history.setdefault((r.municipality, r.element), {})
        if r.value is None:
            values.pop(r.period, None)  # an unknown now supersedes what was stored
        else:
            values[r.period] = r.value
    warnings = []
    for r in records:
        if r.value is None:
            continue
        first, last = window(r.period)
        past = [
            v for p, v in history.get((r.municipality, r.element), {}).items() if first.index <= p.index <= last.index
        ]
        if is_outlier(r.value, past):
            typical = _dutch(statistics.median(past))
            warnings.append(problem(label, "outlier", r.sheet, r.cell, typical=typical, value=_dutch(r.value)))
    return warnings


def _dutch(number: float) -> str:
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", ".")
    return f"{number:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
