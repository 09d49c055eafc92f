"""Storing uploads: every attempt is recorded, values are superseded but never deleted.

A file is stored in one write transaction (`db.engine.write_transaction`): comparing it with the
current values and writing the differences is one consistent step; the partial unique index on the
current values (`db.tables`) is the backstop that refuses a second current value anyway. Reading
the values back is `db.values`; the upload list with its decoded problems is here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func, insert, select
from sqlalchemy import update as sa_update

from db.audit import record_upload
from db.engine import write_transaction
from db.tables import UTC, observations, uploads
from db.values import UPLOAD_TYPES, read_frame
from ingest.elements import ELEMENT_CODES
from ingest.problems import Problem, Severity
from ingest.records import Record

_CHUNK = 500  # bound parameters per IN (...) list, well below every backend's limit
_SUCCESSOR = observations.alias("successor")
# Built once: building a statement per file costs more than running it on SQLite.
_INSERT_UPLOAD = insert(uploads).returning(uploads.c.id)
_INSERT_OBSERVATIONS = insert(observations)
_EARLIER_STORED = select(func.min(uploads.c.id)).where(
    uploads.c.status == "stored", uploads.c.sha256 == bindparam("sha256")
)
_CURRENT = select(
    observations.c.municipality, observations.c.year, observations.c.quarter, observations.c.element,
    observations.c.id, observations.c.value, observations.c.suppressed,
).where(
    observations.c.superseded_by.is_(None), observations.c.year == bindparam("year"),
    observations.c.quarter == bindparam("quarter"), observations.c.municipality.in_(bindparam("names", expanding=True)),
)  # fmt: skip


@dataclass(frozen=True)
class StoreResult:
    upload_id: int
    status: str  # "stored" | "duplicate" | "rejected"
    added: int
    replaced: int
    unchanged: int
    duplicate_of: int | None


class StoreConflict(RuntimeError):
    """A current value changed under a running upload; nothing of the upload was stored."""


# --- storing ----------------------------------------------------------------------------------


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _problems_json(problems: Sequence[Problem]) -> str:
    return json.dumps(
        [
            {"sheet": p.sheet, "cell": p.cell, "code": p.code, "severity": str(p.severity),
             "message": p.message}
            for p in problems
        ],
        ensure_ascii=False,
    )  # fmt: skip


def _observation_rows(records: Sequence[Record]) -> list[dict]:
    """The records as rows; raises AssertionError when the pipeline's guarantees do not hold."""
    rows, seen = [], set()
    for r in records:
        key = (r.municipality, r.period.year, r.period.quarter, r.element)
        if key in seen:
            raise AssertionError(f"two records for {r.municipality} {r.period} {r.element}")
        seen.add(key)
        if r.element not in ELEMENT_CODES:
            raise AssertionError(f"unknown element {r.element!r}")
        if r.value is not None and (isinstance(r.value, bool) or not isinstance(r.value, int)
                                    or r.value < 0):  # fmt: skip
            raise AssertionError(f"not a count: {r.value!r} ({r.sheet}!{r.cell})")
        if r.suppressed and r.value is not None:
            raise AssertionError(f"a suppressed value must be None, not {r.value!r}")
        rows.append({
            "municipality": r.municipality, "year": r.period.year, "quarter": r.period.quarter,
            "element": r.element, "value": r.value, "suppressed": bool(r.suppressed),
            "sheet": r.sheet or "", "cell": r.cell or "",
        })  # fmt: skip
    return rows


def _insert_upload(conn: Connection, **values) -> int:
    return conn.execute(_INSERT_UPLOAD, values).scalar_one()


def _current_for(conn: Connection, rows: list[dict]) -> dict[tuple, tuple[int, int | None, bool]]:
    """The current (id, value, suppressed) of the rows' keys: one query per quarter in the file."""
    by_period: dict[tuple[int, int], set[str]] = {}
    for row in rows:
        by_period.setdefault((row["year"], row["quarter"]), set()).add(row["municipality"])
    current = {}
    for (year, quarter), municipalities in by_period.items():
        names = sorted(municipalities)
        for start in range(0, len(names), _CHUNK):
            chunk = {"year": year, "quarter": quarter, "names": names[start : start + _CHUNK]}
            for m, y, q, e, id_, value, suppressed in conn.execute(_CURRENT, chunk):
                current[(m, y, q, e)] = (id_, value, bool(suppressed))
    return current


def _release(conn: Connection, old_ids: list[int], at: dt.datetime) -> None:
    """Mark the replaced rows superseded, for now by themselves (see `_link_superseded`).

    The partial unique index allows one current row per key at every moment, so an old row must
    stop being current before its successor is inserted, whose id is not known yet.
    """
    o = observations.c
    for start in range(0, len(old_ids), _CHUNK):
        chunk = old_ids[start : start + _CHUNK]
        result = conn.execute(
            sa_update(observations)
            .where(o.id.in_(chunk), o.superseded_by.is_(None))
            .values(superseded_at=at, superseded_by=o.id)
        )
        if result.rowcount != len(chunk):
            raise StoreConflict("a current value was superseded by another upload meanwhile")


def _insert_observations(conn: Connection, upload_id: int, rows: list[dict]) -> None:
    """Insert the rows in one executemany."""
    if rows:
        conn.execute(_INSERT_OBSERVATIONS, [{**row, "upload_id": upload_id} for row in rows])


def _link_superseded(conn: Connection, upload_id: int, old_ids: list[int]) -> None:
    """Point each replaced row at the row of the same key that upload `upload_id` inserted."""
    if not old_ids:  # nothing replaced, as in most uploads: no statement to build
        return
    o, new = observations.c, _SUCCESSOR.c
    successor = (
        select(new.id)
        .where(new.upload_id == upload_id, new.municipality == o.municipality,
               new.year == o.year, new.quarter == o.quarter, new.element == o.element)
        .scalar_subquery()
    )  # fmt: skip
    for start in range(0, len(old_ids), _CHUNK):
        chunk = old_ids[start : start + _CHUNK]
        conn.execute(sa_update(observations).where(o.id.in_(chunk)).values(superseded_by=successor))


def store_upload(
    engine: Engine,
    *,
    file_name: str,
    sha256: str,
    records: list[Record],
    problems: list[Problem],
    source: str = "",
    uploaded_by: str = "",
    uploaded_at: dt.datetime | None = None,
) -> StoreResult:
    """Record the upload and, when it has no errors and is not a duplicate, store its values.

    All or nothing: the upload row, every value change and their audit entries (`db.audit`) are
    one transaction. A `StoreConflict` rolls it all back and records only the failed attempt.
    """
    uploaded_at = dt.datetime.now(UTC) if uploaded_at is None else uploaded_at
    if uploaded_at.tzinfo is None:
        raise ValueError("uploaded_at must be timezone-aware")
    upload = {
        "file_name": file_name, "sha256": sha256, "source": source or "",
        "uploaded_by": uploaded_by or "", "uploaded_at": uploaded_at,
        "problems": _problems_json(problems),
    }  # fmt: skip
    audit = {
        "actor": upload["uploaded_by"], "file_name": file_name, "sha256": sha256, "source": upload["source"],
        "errors": sum(p.is_error for p in problems),
    }  # fmt: skip
    if audit["errors"]:
        with write_transaction(engine) as conn:
            upload_id = _insert_upload(conn, **upload, status="rejected")
            record_upload(conn, **audit, upload_id=upload_id, status="rejected")
        return StoreResult(upload_id, "rejected", 0, 0, 0, None)
    try:
        return _store_values(engine, upload, audit, _observation_rows(records))
    except StoreConflict:
        with write_transaction(engine) as conn:
            record_upload(conn, **audit, upload_id=None, status="conflict")
        raise


def _store_values(engine: Engine, upload: dict, audit: dict, rows: list[dict]) -> StoreResult:
    """Store a file without errors: a duplicate of a stored file, or its new and changed values."""
    sha256, uploaded_at = upload["sha256"], upload["uploaded_at"]
    with write_transaction(engine) as conn:
        earlier = conn.execute(_EARLIER_STORED, {"sha256": sha256}).scalar()
        if earlier is not None:
            upload_id = _insert_upload(conn, **upload, status="duplicate", duplicate_of=earlier)
            record_upload(conn, **audit, upload_id=upload_id, status="duplicate", duplicate_of=earlier)
            return StoreResult(upload_id, "duplicate", 0, 0, 0, earlier)

        current = _current_for(conn, rows)
        new_rows: list[dict] = []
        replaced: list[int] = []  # ids of the current rows that new rows replace
        unchanged = 0
        for row in rows:
            old = current.get((row["municipality"], row["year"], row["quarter"], row["element"]))
            if old is not None and old[1:] == (row["value"], row["suppressed"]):
                unchanged += 1
                continue
            if old is not None:
                replaced.append(old[0])
            new_rows.append(row)
        added = len(new_rows) - len(replaced)

        upload_id = _insert_upload(
            conn, **upload, status="stored", added=added, replaced=len(replaced),
            unchanged=unchanged,
        )  # fmt: skip
        _release(conn, replaced, uploaded_at)
        _insert_observations(conn, upload_id, new_rows)
        _link_superseded(conn, upload_id, replaced)
        record_upload(conn, **audit, upload_id=upload_id, status="stored", added=added, replaced_ids=replaced,
                      unchanged=unchanged)  # fmt: skip
    return StoreResult(upload_id, "stored", added, len(replaced), unchanged, None)


def list_uploads(engine: Engine) -> pd.DataFrame:
    """Every upload attempt, newest first; `problems` holds the decoded list of problems."""
    query = select(uploads).order_by(uploads.c.uploaded_at.desc(), uploads.c.id.desc())
    with engine.connect() as conn:
        frame = read_frame(conn, query, UPLOAD_TYPES)
    frame["problems"] = pd.Series([json.loads(text) for text in frame["problems"]],
                                  index=frame.index, dtype="object")  # fmt: skip
    severities = [[p["severity"] for p in found] for found in frame["problems"]]
    for column, severity in (("errors", Severity.ERROR), ("warnings", Severity.WARNING)):
        counts = [found.count(severity.value) for found in severities]
        frame[column] = pd.Series(counts, index=frame.index, dtype="int64")
    return frame
