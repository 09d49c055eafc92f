"""Resolve a municipality as a file writes it (code in any form, name, alias) to its CBS code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reference.areas import Reference
from reference.periods import Period
from reference.text import fold

_CODE = re.compile(r"^(?:gm|g)?0*(\d{1,4})$")  # GM0363, 0363, 363, and G0363 as some registers write it
# Words around a name that do not change it: `Gemeente Utrecht`, CBS's `Utrecht (gemeente)`,
# `gem. Utrecht`, `Nuenen c.a.` (cum annexis: "with what belongs to it").
_FILLER = re.compile(r"^(?:gemeente|gem) |(?: gemeente| gem| c a)$")


@dataclass(frozen=True)
class Resolution:
    """A CBS code, or the problem code and message fields explaining why there is none."""

    code: str | None
    problem: str | None = None
    fields: dict = field(default_factory=dict)


def _candidates(raw: object, reference: Reference) -> frozenset[str]:
    if isinstance(raw, bool):
        return frozenset()
    if isinstance(raw, int | float):
        return frozenset({f"GM{int(raw):04d}"}) if float(raw).is_integer() and raw > 0 else frozenset()
    folded = fold(raw)
    if match := _CODE.match(folded.replace(" ", "")):
        return frozenset({f"GM{int(match[1]):04d}"})
    if codes := reference.names.get(folded):
        return codes
    return reference.names.get(_FILLER.sub("", folded), frozenset())


def is_known(raw: object, reference: Reference) -> bool:
    """Whether `raw` names some municipality of any period: for rows whose quarter is unusable."""
    return any(code in reference.municipalities for code in _candidates(raw, reference))


def resolve_municipality(raw: object, period: Period, reference: Reference) -> Resolution:
    """The municipality `raw` means in `period`: `GM0363`, `0363`, `363`, `Den Bosch`, `Bergen (NH.)`..."""
    codes = [c for c in _candidates(raw, reference) if c in reference.municipalities]
    if not codes:
        return Resolution(None, "unknown_municipality", {"text": raw})
    if len(codes) > 1:
        existing = [c for c in codes if reference.municipalities[c].exists_in(period)]
        if len(existing) != 1:
            options = ", ".join(f"{reference.municipalities[c].name} ({c})" for c in sorted(codes))
            return Resolution(None, "ambiguous_municipality", {"text": raw, "options": options})
        codes = existing
    municipality = reference.municipalities[codes[0]]
    if not municipality.exists_in(period):
        return Resolution(None, "municipality_not_in_period", _not_in_period(municipality.code, period, reference))
    return Resolution(municipality.code)


def _not_in_period(code: str, period: Period, reference: Reference) -> dict:
    municipality = reference.municipalities[code]
    hint = ""
    if code in reference.successors and municipality.end and municipality.end <= period.start:
        successor = reference.municipalities[reference.current_code(code)]
        hint = f" (opgegaan in {successor.name} ({successor.code}) per {municipality.end:%d-%m-%Y})"
    elif municipality.start >= period.end:
        hint = f" (bestaat sinds {municipality.start:%d-%m-%Y})"
    return {"name": municipality.name, "gm_code": code, "period": period.label, "hint": hint}
