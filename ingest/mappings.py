"""What a source's columns mean, remembered: a mapping given or confirmed for a source (`--source
NAME`, or the uploader's organisation on the upload page) applies to its later files without
asking. Every change is in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import Engine, delete, select

from db.audit import Action, record
from db.engine import write_transaction
from db.tables import column_mappings
from ingest.columns import COLUMN_CODES


def remembered(engine: Engine, source: str) -> dict[str, str]:
    """The source's mapping: header key -> code."""
    if not source:
        return {}
    query = select(column_mappings.c.header, column_mappings.c.code).where(column_mappings.c.source == source)
    with engine.connect() as conn:
        return {header: code for header, code in conn.execute(query)}


def remember(engine: Engine, source: str, mapping: Mapping[str, str], actor: str) -> dict[str, str]:
    """Store `mapping` for `source` (one row per header, replacing an earlier meaning); the changes,
    each in the audit log, are returned."""
    if not source:
        return {}
    now = dt.datetime.now(dt.UTC)
    before = remembered(engine, source)
    changed = {h: c for h, c in mapping.items() if c in COLUMN_CODES and before.get(h) != c}
    if not changed:
        return {}
    table = column_mappings
    with write_transaction(engine) as conn:
        for header, code in changed.items():
            where = (table.c.source == source) & (table.c.header == header)
            if header in before:
                conn.execute(table.update().where(where).values(code=code, changed_by=actor, changed_at=now))
            else:
                conn.execute(table.insert().values(source=source, header=header, code=code, changed_by=actor,
                                                   changed_at=now))  # fmt: skip
            details = {"bron": source, "kolom": header, "betekenis": code, "was": before.get(header)}
            record(conn, actor=actor, action=Action.MAPPING_CHANGED, subject=source, details=details, at=now)
    return changed


def forget(engine: Engine, source: str, headers: Iterable[str], actor: str) -> int:
    """Remove the source's meaning of `headers`; each removal is in the audit log."""
    before = remembered(engine, source)
    gone = [h for h in headers if h in before]
    with write_transaction(engine) as conn:
        for header in gone:
            conn.execute(
                delete(column_mappings).where(
                    (column_mappings.c.source == source) & (column_mappings.c.header == header)
                )
            )
            details = {"bron": source, "kolom": header, "was": before[header]}
            record(conn, actor=actor, action=Action.MAPPING_REMOVED, subject=source, details=details)
    return len(gone)


def list_mappings(engine: Engine, sources: Iterable[str] | None = None) -> pd.DataFrame:
    """Every remembered mapping (of `sources` only, when given), by source and header."""
    query = select(column_mappings).order_by(column_mappings.c.source, column_mappings.c.header)
    if sources is not None:
        query = query.where(column_mappings.c.source.in_(list(sources)))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in column_mappings.columns])
