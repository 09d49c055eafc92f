"""Targets (streefwaarden) and interpretations (duiding en bijsturing): stored with every version kept.

A new version of a key (a region's target for an indicator; an area's interpretation of a quarter,
of one indicator or of the quarter as a whole) marks the current row superseded and points it at
its successor, in the same transaction as its audit entry; nothing is updated otherwise or deleted.
Who may write is decided above this layer (`accounts.scope`, checked by `dashboard.steering`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Table, select

from db.audit import Action, record
from db.engine import write_transaction
from db.tables import UTC, interpretations, targets


@dataclass(frozen=True)
class Target:
    """One version of a target: value in the indicator's unit (a fraction for a proportion); None: withdrawn."""

    level: str
    area_code: str
    indicator: str
    value: float | None
    due_period: str | None
    set_by: str = ""
    set_at: dt.datetime | None = None


@dataclass(frozen=True)
class Interpretation:
    """One version of an interpretation: what the figures mean and what is done about them, by whom, by when."""

    level: str
    area_code: str
    period: str
    indicator: str  # "" for the quarter as a whole
    meaning: str
    action: str = ""
    action_by: str = ""
    action_due: str = ""
    written_by: str = ""
    written_at: dt.datetime | None = None


def _insert_version(conn, table: Table, key: dict, values: dict, now: dt.datetime) -> tuple[int, int | None]:
    """Insert a new version of `key`: the old current row is first set aside, then pointed at the new one."""
    where = [table.c[name] == value for name, value in key.items()]
    old = conn.execute(select(table.c.id).where(*where, table.c.superseded_by.is_(None))).scalar_one_or_none()
    if old is not None:  # the partial unique index allows one current row: mark the old one first
        conn.execute(table.update().where(table.c.id == old).values(superseded_by=old, superseded_at=now))
    new_id = conn.execute(table.insert().values(**key, **values)).inserted_primary_key[0]
    if old is not None:
        conn.execute(table.update().where(table.c.id == old).values(superseded_by=new_id))
    return new_id, old


def set_target(engine: Engine, target: Target, *, actor: str) -> int:
    """Store a new version of a target (value None withdraws it); the audit entry in the same transaction."""
    now = dt.datetime.now(UTC)
    key = {"level": target.level, "area_code": target.area_code, "indicator": target.indicator}
    with write_transaction(engine) as conn:
        new_id, old = _insert_version(
            conn, targets, key, {"value": target.value, "due_period": target.due_period, "set_by": actor,
                                 "set_at": now}, now,
        )  # fmt: skip
        previous = None
        if old is not None:
            row = conn.execute(select(targets.c.value, targets.c.due_period).where(targets.c.id == old)).one()
            previous = {"value": row.value, "due_period": row.due_period}
        details = {**key, "value": target.value, "due_period": target.due_period, "id": new_id, "previous": previous}
        record(conn, actor=actor, action=Action.TARGET_SET, subject=f"{target.area_code} {target.indicator}",
               details=details, at=now)  # fmt: skip
    return new_id


def write_interpretation(engine: Engine, item: Interpretation, *, actor: str) -> int:
    """Store a new version of an interpretation; the audit entry (with the full text) in the same transaction."""
    now = dt.datetime.now(UTC)
    key = {"level": item.level, "area_code": item.area_code, "period": item.period, "indicator": item.indicator}
    values = {"meaning": item.meaning, "action": item.action, "action_by": item.action_by,
              "action_due": item.action_due}  # fmt: skip
    with write_transaction(engine) as conn:
        new_id, old = _insert_version(conn, interpretations, key, {**values, "written_by": actor, "written_at": now},
                                      now)  # fmt: skip
        subject = f"{item.area_code} {item.period}" + (f" {item.indicator}" if item.indicator else "")
        record(conn, actor=actor, action=Action.INTERPRETATION_WRITTEN, subject=subject,
               details={**key, **values, "id": new_id, "replaces": old}, at=now)  # fmt: skip
    return new_id


def _target(row) -> Target:
    return Target(row.level, row.area_code, row.indicator, row.value, row.due_period, row.set_by, row.set_at)


def current_targets(engine: Engine, areas: list[str] | None = None) -> dict[tuple[str, str], Target]:
    """The current, not withdrawn target per (area code, indicator), of `areas` or of every area."""
    query = select(targets).where(targets.c.superseded_by.is_(None), targets.c.value.is_not(None))
    if areas is not None:
        query = query.where(targets.c.area_code.in_(areas))
    with engine.connect() as conn:
        return {(r.area_code, r.indicator): _target(r) for r in conn.execute(query)}


def target_history(engine: Engine, area_code: str, indicator: str) -> list[Target]:
    """Every version of one target, oldest first (withdrawals included)."""
    query = select(targets).where(targets.c.area_code == area_code, targets.c.indicator == indicator)
    with engine.connect() as conn:
        return [_target(r) for r in conn.execute(query.order_by(targets.c.id))]


def _interpretation(row) -> Interpretation:
    return Interpretation(row.level, row.area_code, row.period, row.indicator, row.meaning, row.action,
                          row.action_by, row.action_due, row.written_by, row.written_at)  # fmt: skip


def current_interpretations(engine: Engine, level: str, areas: list[str]) -> list[Interpretation]:
    """The current interpretations of `areas` at `level`, newest quarter first, the quarter as a whole first."""
    query = select(interpretations).where(
        interpretations.c.superseded_by.is_(None), interpretations.c.level == level,
        interpretations.c.area_code.in_(areas),
    )  # fmt: skip
    with engine.connect() as conn:
        found = [_interpretation(r) for r in conn.execute(query)]
    found.sort(key=lambda i: (i.area_code, i.indicator))
    return sorted(found, key=lambda i: i.period, reverse=True)  # stable: within a quarter as sorted above


def interpretation_history(engine: Engine, level: str, area_code: str, period: str, indicator: str = "") -> list:
    """Every version of one interpretation, oldest first."""
    c = interpretations.c
    query = select(interpretations).where(c.level == level, c.area_code == area_code, c.period == period,
                                          c.indicator == indicator)  # fmt: skip
    with engine.connect() as conn:
        return [_interpretation(r) for r in conn.execute(query.order_by(c.id))]


def frame(items: list) -> pd.DataFrame:
    """Targets or interpretations as a frame (for tables and downloads)."""
    return pd.DataFrame([vars(i) for i in items])
