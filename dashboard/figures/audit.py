"""The audit log as the beheerder reads it (pure): the filter from the browser, entries as tables.

The page (dashboard/pages/audit.py) checks the role and calls these; they know nothing of Dash.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from dashboard.figures.upload import STATUS_TEXT, TIMEZONE, dutch_datetime
from dashboard.format import number
from db.audit import ACTION_LABELS, Action

MAX_TEXT = 200  # characters of a filter text taken from the browser
COLUMNS = ["Tijdstip", "Wie", "Handeling", "Onderwerp", "Details"]
SHOWN_CHANGES = 10  # superseded values written out per entry on the page
_DETAIL_LABELS = {  # in the order they are shown; other keys follow as they are, then the values
    "upload_id": "aanlevering", "status": "resultaat", "count": "aantal", "added": "nieuw",
    "replaced": "vervangen", "unchanged": "ongewijzigd", "errors": "fouten",
    "duplicate_of": "zelfde bestand als aanlevering", "source": "bron", "sha256": "sha256",
}  # fmt: skip
_DETAIL_ORDER = {key: rank for rank, key in enumerate(_DETAIL_LABELS)}
_STATUS_TEXT = {**STATUS_TEXT, "conflict": "niet opgeslagen (gelijktijdige wijziging)"}


# --- the filter, as sent by the browser: anything may arrive ----------------------------------


def _text(value: object) -> str | None:
    return (value.strip()[:MAX_TEXT] or None) if isinstance(value, str) else None


def _action(value: object) -> Action | None:
    return Action(value) if isinstance(value, str) and value in set(Action) else None


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def selection(actor: object, action: object, since: object, until: object, text: object) -> dict:
    """The filter as `read_audit` takes it; what is not valid is left out, dates in order."""
    first, last = _date(since), _date(until)
    if first and last and first > last:
        first, last = last, first
    return {"actor": _text(actor), "action": _action(action), "since": first, "until": last, "text": _text(text)}


# --- entries as the beheerder reads them (pure) -----------------------------------------------


def _value(value: object) -> str:
    if value is None:
        return "onbekend"
    return number(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _change(change: dict) -> str:
    return (
        f"{change.get('municipality', '')} {change.get('period', '')} {change.get('element', '')}: "
        f"{_value(change.get('old'))} → {_value(change.get('new'))}"
    )


def details_text(details: str) -> str:
    """An entry's details (JSON) in a line of Dutch; at most `SHOWN_CHANGES` superseded values."""
    try:
        found = json.loads(details)
    except (TypeError, ValueError):
        return str(details)
    if not isinstance(found, dict):
        return str(found)
    parts = []
    ordered = sorted(found.items(), key=lambda item: (item[0] == "values", _DETAIL_ORDER.get(item[0], 99)))
    for key, value in ordered:
        if key == "values" and isinstance(value, list):
            shown = "; ".join(_change(c) if isinstance(c, dict) else str(c) for c in value[:SHOWN_CHANGES])
            more = (
                f"; en nog {number(len(value) - SHOWN_CHANGES)} (zie de download)" if len(value) > SHOWN_CHANGES else ""
            )
            parts.append(f"waarden: {shown}{more}")
            continue
        if key == "status":
            value = _STATUS_TEXT.get(value, value)
        elif key == "sha256" and isinstance(value, str):
            value = value[:12]
        elif isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        parts.append(f"{_DETAIL_LABELS.get(key, key)}: {_value(value)}")
    return "; ".join(parts)


def _label(action: str) -> str:
    return ACTION_LABELS.get(action, action) if action in set(Action) else action


def shown_frame(entries: pd.DataFrame) -> pd.DataFrame:
    """Entries (rows of `read_audit`) as the page's table."""
    return pd.DataFrame(
        {
            "Tijdstip": [dutch_datetime(at) for at in entries["at"]],
            "Wie": entries["actor"].tolist(),
            "Handeling": [_label(a) for a in entries["action"]],
            "Onderwerp": entries["subject"].tolist(),
            "Details": [details_text(d) for d in entries["details"]],
        },
        columns=COLUMNS,
    )


def download_frame(entries: pd.DataFrame) -> pd.DataFrame:
    """Entries for the download: every detail kept, the exact moment in Dutch time."""
    moments = [pd.Timestamp(at).tz_convert(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S") for at in entries["at"]]
    return pd.DataFrame(
        {
            "Nummer": entries["id"].tolist(),
            "Tijdstip (Nederlandse tijd)": moments,
            "Wie": entries["actor"].tolist(),
            "Handeling": [_label(a) for a in entries["action"]],
            "Onderwerp": entries["subject"].tolist(),
            "Details (JSON)": entries["details"].tolist(),
        }
    )


def filter_summary(chosen: dict) -> str:
    parts = []
    if chosen["actor"]:
        parts.append(f"wie bevat '{chosen['actor']}'")
    if chosen["action"]:
        parts.append(ACTION_LABELS[chosen["action"]].lower())
    if chosen["since"]:
        parts.append(f"vanaf {chosen['since']:%d-%m-%Y}")
    if chosen["until"]:
        parts.append(f"tot en met {chosen['until']:%d-%m-%Y}")
    if chosen["text"]:
        parts.append(f"met '{chosen['text']}'")
    return ", ".join(parts) if parts else "alle regels"
