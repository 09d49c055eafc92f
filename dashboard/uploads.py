"""Uploaded files on the server: decode what the browser sent, check it (dry run) or store it.

The browser sends each file as a data URL (`data:…;base64,…`). The bytes go to a temporary file
under a generated name in the system's temporary folder (never a web-served folder, never the
client's file name), the ingest pipeline reads it, and the file is deleted at once. Nothing here
imports Dash: the page calls these functions and renders the frames they return.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from dashboard.format import number
from ingest.elements import ELEMENTS, ELEMENTS_BY_CODE
from ingest.guard import LIMITS, Limits
from ingest.indicator_table import refresh
from ingest.pipeline import FileResult, load_file, read_file
from ingest.problems import Problem, human_size, problem
from ingest.reference import Reference
from ingest.store import StoreResult, store_upload
from ingest.text import fold

log = logging.getLogger(__name__)

# Who delivered. Accounts come in a later issue: it replaces these two constants by the signed-in
# user and their organisation; nothing else records an identity.
UPLOADED_BY = "dashboard"
SOURCE = "uploadpagina"

TIMEZONE = ZoneInfo("Europe/Amsterdam")
HISTORY_ROWS = 50  # uploads shown in the history
SUPPRESSED_TEXT = "<5 (afgeschermd)"
UNKNOWN_TEXT = "onbekend"
STATUS_TEXT = {"stored": "opgeslagen", "duplicate": "al eerder opgeslagen", "rejected": "geweigerd"}
_ELEMENT_ORDER = {element.code: index for index, element in enumerate(ELEMENTS)}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
_MAX_NAME = 200
UNDECODABLE_DETAIL = "het bestand is niet goed overgekomen; kies het opnieuw"


@dataclass(frozen=True)
class StoredFile:
    """What storing one file did: the pipeline's result and what the store made of it."""

    result: FileResult
    stored: StoreResult


# --- decoding ---------------------------------------------------------------------------------


def safe_label(name: object) -> str:
    """The client's file name as a label only: the last path part, no control characters, bounded."""
    text = _UNSAFE_NAME.sub("", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (text or "bestand.xlsx")[-_MAX_NAME:]


def decode_upload(contents: object, label: str, limits: Limits = LIMITS) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a data URL, or a Dutch problem: too large (checked before decoding) or undecodable."""
    if not isinstance(contents, str) or not contents.startswith("data:"):
        return None, [problem(label, "unreadable", detail=UNDECODABLE_DETAIL)]
    header, comma, payload = contents.partition(",")
    if not comma:  # an empty file reads as `data:`
        return b"", []
    if not header.endswith(";base64"):
        return None, [problem(label, "unreadable", detail=UNDECODABLE_DETAIL)]
    payload = payload.strip()
    size = len(payload) * 3 // 4 - payload[-2:].count("=")
    if size > limits.max_file_bytes:
        return None, [problem(label, "file_too_large", size=human_size(size), limit=human_size(limits.max_file_bytes))]
    try:
        return base64.b64decode(payload, validate=True), []
    except (binascii.Error, ValueError):
        return None, [problem(label, "unreadable", detail=UNDECODABLE_DETAIL)]


@contextmanager
def temporary_copy(data: bytes) -> Iterator[Path]:
    """`data` in a temporary .xlsx file under a generated name, removed when the block ends."""
    handle, name = tempfile.mkstemp(prefix="aanlevering-", suffix=".xlsx")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _read(path: Path, label: str, municipality: str | None, today: dt.date | None) -> FileResult:
    try:
        return read_file(path, label=label, municipality=municipality or None, today=today)
    except Exception as exc:  # a page must answer; the guard and reader fail closed, this is the last net
        log.exception("reading upload %r failed", label)
        return FileResult(label, [], [problem(label, "unreadable", detail=f"interne fout: {type(exc).__name__}")])


def check_upload(
    contents: object, name: object, municipality: str | None = None, today: dt.date | None = None
) -> FileResult:
    """Dry run of one uploaded file: what it would store, or why not. Stores nothing."""
    label = safe_label(name)
    data, problems = decode_upload(contents, label)
    if data is None:
        return FileResult(label, [], problems)
    with temporary_copy(data) as path:
        return _read(path, label, municipality, today)


def store_file(
    engine: Engine, contents: object, name: object, municipality: str | None = None, today: dt.date | None = None
) -> StoredFile:
    """Read one uploaded file again from its bytes and store it, all or nothing; the attempt is recorded."""
    label = safe_label(name)
    data, problems = decode_upload(contents, label)
    if data is None:
        stored = store_upload(engine, file_name=label, sha256="", records=[], problems=problems, source=SOURCE,
                              uploaded_by=UPLOADED_BY)  # fmt: skip
        return StoredFile(FileResult(label, [], problems), stored)
    with temporary_copy(data) as path:
        result, stored = load_file(engine, path, label=label, municipality=municipality or None, source=SOURCE,
                                   uploaded_by=UPLOADED_BY, today=today)  # fmt: skip
    return StoredFile(result, stored)


def store_files(
    engine: Engine, files: Sequence[tuple[object, object]], municipality: str | None = None
) -> list[StoredFile]:
    """Store each (contents, name) on its own, then recompute the indicator table when anything changed."""
    done = [store_file(engine, contents, name, municipality) for contents, name in files]
    if any(item.stored.status == "stored" for item in done):
        refresh(engine)
    return done


# --- what the page shows ----------------------------------------------------------------------


def _count(n: int, one: str, many: str) -> str:
    return f"{number(n)} {one if n == 1 else many}"


def check_summary(result: FileResult) -> str:
    """`gemeente_utrecht.xlsx: in orde, 52 waarden` or `…: geweigerd, 3 fouten; er wordt niets opgeslagen`."""
    warnings = f", {_count(len(result.warnings), 'waarschuwing', 'waarschuwingen')}" if result.warnings else ""
    if not result.ok:
        errors = _count(len(result.errors), "fout", "fouten")
        return f"{result.file}: geweigerd, {errors}{warnings}; er wordt niets opgeslagen"
    return f"{result.file}: in orde, {_count(len(result.records), 'waarde', 'waarden')}{warnings}"


def store_summary(item: StoredFile) -> str:
    """What storing did to one file, in one Dutch sentence."""
    result, stored = item.result, item.stored
    if stored.status == "rejected":
        return f"{result.file}: geweigerd, {_count(len(result.errors), 'fout', 'fouten')}; er is niets opgeslagen"
    if stored.status == "duplicate":
        return (
            f"{result.file}: dit bestand is al eerder opgeslagen (aanlevering {stored.duplicate_of}); "
            "er is niets nieuws opgeslagen"
        )
    return (
        f"{result.file}: opgeslagen, {_count(len(result.records), 'waarde', 'waarden')} ({number(stored.added)} nieuw, "
        f"{number(stored.replaced)} vervangen, {number(stored.unchanged)} ongewijzigd)"
    )


def value_text(value: object, suppressed: bool) -> str:
    """A stored value as the page shows it: `1.234`, `<5 (afgeschermd)` or `onbekend`."""
    if suppressed:
        return SUPPRESSED_TEXT
    if value is None or value is pd.NA:
        return UNKNOWN_TEXT
    return number(value)


def municipality_name(code: str, reference: Reference) -> str:
    found = reference.municipalities.get(code)
    return found.name if found else code


PREVIEW_COLUMNS = ["Gemeente", "Kwartaal", "Gegevenselement", "Waarde"]


def preview_frame(result: FileResult, reference: Reference) -> pd.DataFrame:
    """The values a file would store: municipality, quarter, element (template label) and value."""
    records = sorted(result.records, key=lambda r: (municipality_name(r.municipality, reference), r.municipality,
                                                    r.period, _ELEMENT_ORDER.get(r.element, 99)))  # fmt: skip
    rows = [
        (
            f"{municipality_name(r.municipality, reference)} ({r.municipality})",
            r.period.label,
            ELEMENTS_BY_CODE[r.element].label if r.element in ELEMENTS_BY_CODE else r.element,
            value_text(r.value, r.suppressed),
        )
        for r in records
    ]
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS, dtype="object")


PROBLEM_COLUMNS = ["Bestand", "Blad", "Cel", "Ernst", "Melding"]


_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _place(cell: str | None) -> tuple[int, int]:
    """(row, column) of `D7`, so problems read top to bottom; whole-file problems first."""
    match = _CELL.match(cell or "")
    if not match:
        return (0, 0)
    column = 0
    for letter in match[1]:
        column = column * 26 + ord(letter) - 64
    return (int(match[2]), column)


def problems_frame(results: Sequence[FileResult]) -> pd.DataFrame:
    """Every problem of every file: per file errors first, then warnings, each top to bottom per sheet."""
    rows = []
    for result in results:
        sheets = list(dict.fromkeys(p.sheet or "" for p in result.problems))
        ordered = sorted(result.problems, key=lambda p: (not p.is_error, sheets.index(p.sheet or ""), *_place(p.cell)))
        rows += [(p.file, p.sheet or "", p.cell or "", str(p.severity), p.message) for p in ordered]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS, dtype="object")


STORE_COLUMNS = ["Bestand", "Resultaat", "Nieuw", "Vervangen", "Ongewijzigd"]


def store_frame(done: Sequence[StoredFile]) -> pd.DataFrame:
    """Per stored file: the result and how many values were new, replaced or unchanged."""
    rows = []
    for item in done:
        stored = item.stored
        counts = (stored.added, stored.replaced, stored.unchanged) if stored.status == "stored" else (None,) * 3
        rows.append((item.result.file, STATUS_TEXT.get(stored.status, stored.status), *counts))
    frame = pd.DataFrame(rows, columns=STORE_COLUMNS)
    for column in STORE_COLUMNS[2:]:
        frame[column] = frame[column].astype("Int64")
    return frame


def dutch_datetime(moment: object) -> str:
    """A moment as a Dutch reader expects it, in Amsterdam time: `03-04-2025 14:05`."""
    if moment is None or moment is pd.NaT or (isinstance(moment, float) and moment != moment):
        return ""
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(TIMEZONE).strftime("%d-%m-%Y %H:%M")


HISTORY_COLUMNS = ["Tijdstip", "Bestand", "Bron", "Door", "Resultaat", "Nieuw", "Vervangen", "Ongewijzigd"]


def _result_text(status: str, errors: int, duplicate_of: object) -> str:
    text = STATUS_TEXT.get(status, status)
    if status == "rejected" and errors:
        return f"{text} ({_count(errors, 'fout', 'fouten')})"
    if status == "duplicate" and duplicate_of is not None and duplicate_of is not pd.NA:
        return f"{text} (aanlevering {duplicate_of})"
    return text


def history_frame(uploads: pd.DataFrame, limit: int | None = HISTORY_ROWS) -> pd.DataFrame:
    """The upload history (rows of `list_uploads`, newest first) as the page shows it."""
    rows = uploads if limit is None else uploads.head(limit)
    stored = rows["status"] == "stored"
    frame = pd.DataFrame(
        {
            "Tijdstip": [dutch_datetime(moment) for moment in rows["uploaded_at"]],
            "Bestand": rows["file_name"].astype(str).tolist(),
            "Bron": rows["source"].astype(str).tolist(),
            "Door": rows["uploaded_by"].astype(str).tolist(),
            "Resultaat": [
                _result_text(status, int(errors), duplicate_of)
                for status, errors, duplicate_of in zip(
                    rows["status"], rows["errors"], rows["duplicate_of"], strict=True
                )  # fmt: skip
            ],
        }
    )
    for column, source in (("Nieuw", "added"), ("Vervangen", "replaced"), ("Ongewijzigd", "unchanged")):
        frame[column] = pd.array(rows[source].where(stored).tolist(), dtype="Int64")
    return frame[HISTORY_COLUMNS]


VALUE_HISTORY_COLUMNS = ["Gegevenselement", "Waarde", "Status", "Aanlevering", "Tijdstip", "Vervangen op"]


def value_history_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Every version of the values of one municipality and quarter (`value_history`), per element
    oldest first; a replaced value says so in words (`Status`), not only by its look."""
    rows = history.assign(_order=history["element"].map(_ELEMENT_ORDER).fillna(99))
    rows = rows.sort_values(["_order", "uploaded_at", "observation_id"], kind="stable")
    return pd.DataFrame(
        {
            "Gegevenselement": [ELEMENTS_BY_CODE[e].label if e in ELEMENTS_BY_CODE else e for e in rows["element"]],
            "Waarde": [value_text(v, bool(s)) for v, s in zip(rows["value"], rows["suppressed"], strict=True)],
            "Status": ["huidige waarde" if current else "vervangen" for current in rows["current"]],
            "Aanlevering": [
                f"{name} (nr. {upload})" for name, upload in zip(rows["file_name"], rows["upload_id"], strict=True)
            ],  # fmt: skip
            "Tijdstip": [dutch_datetime(moment) for moment in rows["uploaded_at"]],
            "Vervangen op": [dutch_datetime(moment) for moment in rows["superseded_at"]],
        },
        columns=VALUE_HISTORY_COLUMNS,
    )


def municipality_choices(reference: Reference, today: dt.date | None = None, current_only: bool = True) -> list[str]:
    """Suggestions `Utrecht (GM0344)` by name; former municipalities (`…, opgeheven 2022`) when asked."""
    today = today or dt.date.today()
    choices = []
    for m in reference.municipalities.values():
        gone = m.end is not None and m.end <= today
        if gone and current_only:
            continue
        choices.append(f"{m.name} ({m.code}, opgeheven {m.end.year})" if gone else f"{m.name} ({m.code})")
    return sorted(choices, key=lambda text: (fold(re.sub(r"^'s[- ]", "", text)), text))


_CHOSEN_CODE = re.compile(r"\((GM\d{4})\b")
_TYPED_CODE = re.compile(r"^(?:gm)?0*(\d{1,4})$", re.IGNORECASE)


def municipality_for_file(text: object) -> str | None:
    """What the municipality field means for the pipeline: the code of a chosen suggestion, else the
    typed name or code as is (the pipeline resolves it or says in Dutch why not); None when empty."""
    typed = str(text or "").strip()
    if match := _CHOSEN_CODE.search(typed):
        return match[1]
    return typed or None


def municipality_code(text: object, reference: Reference) -> str | None:
    """The CBS code a typed or chosen municipality means, when it means exactly one."""
    typed = str(text or "").strip()
    if match := _CHOSEN_CODE.search(typed) or _TYPED_CODE.match(typed.replace(" ", "")):
        code = match[1] if match[1].startswith("GM") else f"GM{int(match[1]):04d}"
        return code if code in reference.municipalities else None
    codes = reference.codes_for_name(typed)
    return next(iter(codes)) if len(codes) == 1 else None
