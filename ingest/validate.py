"""Rules across records: one value per municipality, quarter and element; parts within their totals."""

from __future__ import annotations

from collections import defaultdict

from ingest.elements import ELEMENTS_BY_CODE
from ingest.problems import Problem, problem
from ingest.records import Record
from reference.areas import Reference


def deduplicate(records: list[Record], label: str, reference: Reference) -> tuple[list[Record], list[Problem]]:
    """Keep one record per key; the same value twice is fine, two different values are an error."""
    by_key: dict[tuple, list[Record]] = defaultdict(list)
    for record in records:
        by_key[record.key].append(record)
    kept, problems = [], []
    for group in by_key.values():
        first = group[0]
        if any((r.value, r.suppressed) != (first.value, first.suppressed) for r in group[1:]):
            cells = ", ".join(f"{r.sheet}!{r.cell}" for r in group)
            problems.append(
                problem(
                    label, "conflicting_values", first.sheet, first.cell, cells=cells,
                    name=reference.municipalities[first.municipality].name, period=first.period.label,
                    label=ELEMENTS_BY_CODE[first.element].label,
                )
            )  # fmt: skip
        kept.append(first)
    return kept, problems


def check_parts(records: list[Record], label: str, reference: Reference) -> list[Problem]:
    """A part ('waarvan ...') may not exceed its total for the same municipality and quarter."""
    known = {r.key: r for r in records if r.value is not None}
    problems = []
    for record in records:
        if record.value is None or ELEMENTS_BY_CODE[record.element].part_of is None:
            continue
        whole_code = ELEMENTS_BY_CODE[record.element].part_of
        whole = known.get((record.municipality, record.period, whole_code))
        if whole is not None and record.value > whole.value:
            problems.append(
                problem(
                    label, "exceeds_total", record.sheet, record.cell,
                    part_label=ELEMENTS_BY_CODE[record.element].label, part=record.value,
                    total_label=ELEMENTS_BY_CODE[whole_code].label, total=whole.value,
                    name=reference.municipalities[record.municipality].name, period=record.period.label,
                )
            )  # fmt: skip
    return problems
