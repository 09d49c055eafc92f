"""The audit log: logins, uploads, stored and superseded values, user changes. Append-only.

Write with `record` inside the transaction that makes the change, so that the change and its
entry land together or not at all. The database refuses to update or delete an entry (triggers
in `db.tables`). Read with `read_audit`, which the beheerder's page and download use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from enum import StrEnum
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from db.tables import UTC, audit_log, observations

TIMEZONE = ZoneInfo("Europe/Amsterdam")  # a date filter means a day in Dutch time
SYSTEM_ACTOR = "systeem"  # who acts when no user is known
SUPPRESSED = "afgeschermd"  # a superseded value that was delivered as suppressed
COLUMNS = ["id", "at", "actor", "action", "subject", "details"]
_CHUNK = 500
_INSERT = audit_log.insert()  # built once: every upload appends through it


class Action(StrEnum):
    LOGIN = "inloggen"
    LOGIN_FAILED = "inloggen_mislukt"
    LOCKED = "account_geblokkeerd"
    LOGOUT = "uitloggen"
    SESSION_EXPIRED = "sessie_verlopen"
    UPLOAD = "aanlevering"
    VALUES_STORED = "waarden_opgeslagen"
    VALUES_SUPERSEDED = "waarden_vervangen"
    UPLOAD_REFUSED = "aanlevering_geweigerd"
    USER_ADDED = "gebruiker_toegevoegd"
    USER_CHANGED = "gebruiker_gewijzigd"
    PASSWORD_RESET = "wachtwoord_gereset"
    ACCESS_DENIED = "toegang_geweigerd"
    TARGET_SET = "streefwaarde_gezet"
    INTERPRETATION_WRITTEN = "duiding_geschreven"
    MAPPING_CHANGED = "koppeling_gewijzigd"
    MAPPING_REMOVED = "koppeling_verwijderd"


ACTION_LABELS = {  # as the beheerder reads them
    Action.LOGIN: "Ingelogd",
    Action.LOGIN_FAILED: "Inloggen mislukt",
    Action.LOCKED: "Account geblokkeerd",
    Action.LOGOUT: "Uitgelogd",
    Action.SESSION_EXPIRED: "Sessie verlopen",
    Action.UPLOAD: "Aanlevering",
    Action.VALUES_STORED: "Waarden opgeslagen",
    Action.VALUES_SUPERSEDED: "Waarden vervangen",
    Action.UPLOAD_REFUSED: "Aanlevering geweigerd",
    Action.USER_ADDED: "Gebruiker toegevoegd",
    Action.USER_CHANGED: "Gebruiker gewijzigd",
    Action.PASSWORD_RESET: "Wachtwoord gereset",
    Action.ACCESS_DENIED: "Toegang geweigerd",
    Action.TARGET_SET: "Streefwaarde gezet",
    Action.INTERPRETATION_WRITTEN: "Duiding geschreven",
    Action.MAPPING_CHANGED: "Kolomkoppeling gewijzigd",
    Action.MAPPING_REMOVED: "Kolomkoppeling verwijderd",
}


def _entry(actor: str, action: Action | str, subject: str, details: dict | None, at: dt.datetime | None) -> dict:
    return {
        "at": at or dt.datetime.now(UTC),
        "actor": actor,
        "action": str(Action(action)),
        "subject": subject,
        "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
    }


def record(
    connection: Connection,
    *,
    actor: str,
    action: Action | str,
    subject: str = "",
    details: dict | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one entry. Never update or delete one: the database refuses it."""
    connection.execute(_INSERT, _entry(actor, action, subject, details, at))


# --- uploads (called by ingest.store.store_upload, inside its transaction) --------------------


def _shown(value: int | None, suppressed: bool) -> int | str | None:
    return SUPPRESSED if suppressed else value


def superseded_values(connection: Connection, old_ids: Sequence[int]) -> list[dict]:
    """Each replaced observation with its successor: key, old -> new value, both ids."""
    old, new = observations.alias("old"), observations.alias("new")
    columns = [old.c.municipality, old.c.year, old.c.quarter, old.c.element, old.c.value, old.c.suppressed,
               old.c.id.label("old_id"), new.c.value.label("new_value"),
               new.c.suppressed.label("new_suppressed"), new.c.id.label("new_id")]  # fmt: skip
    changes = []
    ids = sorted(old_ids)
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(*columns).join(new, new.c.id == old.c.superseded_by).where(old.c.id.in_(ids[start : start + _CHUNK]))
        )
        for r in connection.execute(query):
            changes.append({
                "municipality": r.municipality, "period": f"{r.year}Q{r.quarter}", "element": r.element,
                "old": _shown(r.value, bool(r.suppressed)), "new": _shown(r.new_value, bool(r.new_suppressed)),
                "old_id": r.old_id, "new_id": r.new_id,
            })  # fmt: skip
    return sorted(changes, key=lambda c: (c["municipality"], c["period"], c["element"]))


def record_upload(
    connection: Connection,
    *,
    actor: str,
    file_name: str,
    upload_id: int | None,
    status: str,
    sha256: str,
    source: str,
    errors: int,
    added: int = 0,
    replaced_ids: Sequence[int] = (),
    unchanged: int = 0,
    duplicate_of: int | None = None,
) -> None:
    """The entries of one upload attempt: always UPLOAD; for stored values VALUES_STORED (a count
    that points at the upload, whose observations carry its id) and VALUES_SUPERSEDED (every
    replaced key, old -> new)."""
    actor = actor or SYSTEM_ACTOR
    details = {
        "upload_id": upload_id, "status": status, "sha256": sha256, "source": source, "errors": errors,
        "added": added, "replaced": len(replaced_ids), "unchanged": unchanged,
    }  # fmt: skip
    if duplicate_of is not None:
        details["duplicate_of"] = duplicate_of
    now = dt.datetime.now(UTC)
    entries = [_entry(actor, Action.UPLOAD, file_name, details, now)]
    stored = added + len(replaced_ids)
    if status == "stored" and stored:
        counts = {"upload_id": upload_id, "count": stored, "added": added, "replaced": len(replaced_ids)}
        entries.append(_entry(actor, Action.VALUES_STORED, file_name, counts, now))
    if status == "stored" and replaced_ids:
        changes = superseded_values(connection, replaced_ids)
        summary = {"upload_id": upload_id, "count": len(changes), "values": changes}
        entries.append(_entry(actor, Action.VALUES_SUPERSEDED, file_name, summary, now))
    connection.execute(_INSERT, entries)


# --- reading ----------------------------------------------------------------------------------


def _moment(value: dt.date | dt.datetime, *, end: bool) -> dt.datetime:
    """A bound as a UTC moment: a date is a whole day in Dutch time (`end`: the next day's start)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"moment without time zone: {value!r}; give an aware datetime or a date")
        return value
    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(), tzinfo=TIMEZONE).astimezone(UTC)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query, actor, action, since, until, text):
    a = audit_log.c
    if actor and actor.strip():
        query = query.where(func.lower(a.actor).like(_like(actor.strip()), escape="\\"))
    if action:
        query = query.where(a.action == str(Action(action)))
    if since is not None:
        query = query.where(a.at >= _moment(since, end=False))
    if until is not None:
        query = query.where(a.at < _moment(until, end=True))
    if text and text.strip():
        pattern = _like(text.strip())
        query = query.where(
            func.lower(a.subject).like(pattern, escape="\\") | func.lower(a.details).like(pattern, escape="\\")
        )
    return query


def read_audit(
    engine: Engine,
    *,
    actor: str | None = None,
    action: Action | str | None = None,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The entries matching every filter given, newest first; `details` is the JSON text.

    `actor` and `text` match case-insensitively anywhere (`text` in subject or details); `since`
    and `until` include the days they name (a date: a day in Dutch time; an aware datetime: from
    `since` up to, not including, `until`).
    """
    query = _filtered(select(*(audit_log.c[name] for name in COLUMNS)), actor, action, since, until, text)
    query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=COLUMNS)
    frame["id"] = frame["id"].astype("int64")
    frame["at"] = pd.to_datetime(frame["at"], utc=True).astype("datetime64[us, UTC]")
    for name in COLUMNS[2:]:
        frame[name] = frame[name].astype("str")
    return frame


def count_audit(
    engine: Engine,
    *,
    actor: str | None = None,
    action: Action | str | None = None,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    text: str | None = None,
) -> int:
    """How many entries `read_audit` would return without a limit."""
    query = _filtered(select(func.count()).select_from(audit_log), actor, action, since, until, text)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
