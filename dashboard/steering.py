"""The region page's service for targets and interpretations: check the signed-in user's rights on
the server (`dashboard.access.current_scope`), check the input, store (`db.steering`), answer in Dutch.

Nothing a browser sends decides who may write: the area comes with the request, the right to write
for it comes from the session's scope. Texts are plain; the page shows them escaped (Dash does).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dashboard import data
from dashboard.access import current_scope
from db.steering import Interpretation, Target, set_target, write_interpretation
from indicators.aggregate import NATIONAL_CODE
from indicators.registry import INDICATORS_BY_CODE, Unit
from reference.periods import FIRST_YEAR, Period

MEANING_MAX = 2000  # characters of "what the figures mean"
ACTION_MAX = 1000  # characters of "what is done about it"
ACTION_BY_MAX = 200
NOTE_MAX = 500  # a gemeente's note on its own figures
REFUSED = "U mag voor dit gebied geen streefwaarden of duidingen vastleggen."
NOTE_REFUSED = "U mag alleen bij de cijfers van uw eigen gemeente een notitie zetten."


@dataclass(frozen=True)
class Answer:
    ok: bool
    message: str


def _level(area_code: str) -> str:
    return "national" if area_code == NATIONAL_CODE else "region"


def _known_area(area_code: str) -> bool:
    return area_code == NATIONAL_CODE or area_code in data.reference().regions


def parse_target(text: str | None, unit: Unit) -> float:
    """A target as typed (`45`, `45,5`, `45%`; `1.234` for a count) in the stored unit; ValueError in Dutch."""
    cleaned = (text or "").strip().removesuffix("%").strip().replace(" ", "")
    if not re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?|\d+(,\d+)?", cleaned):
        raise ValueError(f"Vul de streefwaarde in als getal, zoals 45 of 45,5, niet '{(text or '').strip()}'.")
    value = float(cleaned.replace(".", "").replace(",", "."))
    if unit is Unit.PROPORTION:
        if value > 100:
            raise ValueError("Een streefwaarde in procenten ligt tussen 0 en 100.")
        return value / 100
    return value


def parse_period(text: str | None, what: str, *, required: bool = True) -> str:
    """A quarter code from a selector (`2026Q4`); ValueError in Dutch."""
    if not text:
        if required:
            raise ValueError(f"Kies {what}.")
        return ""
    try:
        period = Period.parse_code(text)
    except (ValueError, TypeError):
        raise ValueError(f"Kies {what} uit de lijst.") from None
    if period.year < FIRST_YEAR or period.year > dt.date.today().year + 10:
        raise ValueError(f"Kies {what} uit de lijst.")
    return str(period)


def _limit(text: str | None, limit: int, what: str) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > limit:
        raise ValueError(f"{what} is {len(cleaned)} tekens lang; het mogen er hoogstens {limit} zijn. Maak het korter.")
    return cleaned


def save_target(area_code: str, indicator_code: str, value_text: str | None, due: str | None) -> Answer:
    """Set (or, with an empty value, withdraw) a region's or the nation's target, if the user may."""
    scope = current_scope()
    if not _known_area(area_code) or not scope.may_steer(_level(area_code), area_code):
        return Answer(False, REFUSED)
    indicator = INDICATORS_BY_CODE.get(indicator_code or "")
    if indicator is None:
        return Answer(False, "Kies een indicator.")
    try:
        if not (value_text or "").strip():
            value, due_period = None, None
        else:
            value = parse_target(value_text, indicator.unit)
            due_period = parse_period(due, "het kwartaal waarin de streefwaarde gehaald moet zijn")
    except ValueError as problem:
        return Answer(False, str(problem))
    set_target(data.engine(), Target(_level(area_code), area_code, indicator.code, value, due_period), actor=scope.user)
    if value is None:
        return Answer(True, f"De streefwaarde voor {indicator.name} is ingetrokken.")
    return Answer(True, f"De streefwaarde voor {indicator.name} is opgeslagen.")


def save_interpretation(
    area_code: str,
    period: str | None,
    indicator_code: str | None,
    meaning: str | None,
    action: str | None = "",
    action_by: str | None = "",
    action_due: str | None = "",
) -> Answer:
    """A new version of a region's interpretation of a quarter (one indicator or the whole), if the user may."""
    scope = current_scope()
    if not _known_area(area_code) or not scope.may_steer(_level(area_code), area_code):
        return Answer(False, REFUSED)
    indicator = indicator_code or ""
    if indicator and indicator not in INDICATORS_BY_CODE:
        return Answer(False, "Kies een indicator, of de regio als geheel.")
    try:
        item = Interpretation(
            _level(area_code), area_code, parse_period(period, "het kwartaal van de duiding"), indicator,
            _limit(meaning, MEANING_MAX, "De duiding"), _limit(action, ACTION_MAX, "De bijsturing"),
            _limit(action_by, ACTION_BY_MAX, "Het veld 'door wie'"),
            parse_period(action_due, "het kwartaal waarin de bijsturing klaar is", required=False),
        )  # fmt: skip
    except ValueError as problem:
        return Answer(False, str(problem))
    if not item.meaning and not item.action:
        return Answer(False, "Schrijf wat de cijfers betekenen of wat er wordt gedaan.")
    write_interpretation(data.engine(), item, actor=scope.user)
    return Answer(True, f"De duiding van {Period.parse_code(item.period).label} is opgeslagen.")


def save_note(municipality: str, period: str | None, note: str | None) -> Answer:
    """A gemeente's short note on its own municipality's figures of a quarter."""
    scope, reference = current_scope(), data.reference()
    if municipality not in reference.municipalities or not scope.may_note(municipality, reference):
        return Answer(False, NOTE_REFUSED)
    try:
        item = Interpretation("municipality", municipality, parse_period(period, "het kwartaal"), "",
                              _limit(note, NOTE_MAX, "De notitie"))  # fmt: skip
    except ValueError as problem:
        return Answer(False, str(problem))
    if not item.meaning:
        return Answer(False, "Schrijf een notitie.")
    write_interpretation(data.engine(), item, actor=scope.user)
    return Answer(True, "De notitie is opgeslagen.")
