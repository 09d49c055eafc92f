"""The upload page's service: who may deliver for which municipality and see what, and the
uploaded files on the server: decode what the browser sent, check it (dry run) or store it.

The browser sends each file as a data URL (`data:…;base64,…`). The bytes go to a temporary file
under a generated name in the system's temporary folder (never a web-served folder, never the
client's file name), the ingest pipeline reads it, and the file is deleted at once. Nothing here
imports Dash: the page calls these functions and renders the frames of `dashboard.figures.upload`.

Every function takes the user's `Scope` from the server-side session, never from the browser. A
beheerder may deliver for every municipality; others only for `Scope.may_upload_for`, and they see
their own uploads and the values of the municipalities they see in full detail (`visible_history`;
a ketenpartner, who sees none in full detail, only the values it delivered itself).
Checking and storing take the user's `Scope` (from the server-side session, never from the
browser): a file naming a municipality outside `Scope.may_upload_for` is refused as a whole
(`outside_scope`), stored as a rejected upload, and the refusal is in the audit log.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from accounts.scope import Role, Scope
from dashboard import logs
from db.audit import Action, record
from db.engine import write_transaction
from db.values import value_history
from ingest import mappings
from ingest.columns import COLUMN_CODES
from ingest.guard import LIMITS, Limits
from ingest.pipeline import Delivery, FileResult, load_files, read_file
from ingest.problems import Problem, Severity, human_size, problem
from ingest.records import Record
from ingest.store import StoreResult
from reference.areas import Reference, load_reference
from reference.periods import Period
from reference.text import fold

log = logging.getLogger(__name__)

SOURCE = "uploadpagina"  # the source of an upload made here: `uploadpagina (gemeente)`, by role


def source_of(scope: Scope) -> str:
    """What an upload made here records as its source: `uploadpagina (gemeente)`."""
    return f"{SOURCE} ({scope.role})"


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"


def allowed_text(scope: Scope, reference: Reference) -> str:
    """The municipalities a user delivers for (and sees here), in words: `Utrecht (GM0344)`,
    `de gemeenten van regio Utrecht (VR09)`, `alle gemeenten`, `geen enkele gemeente`."""
    if scope.is_admin:
        return "alle gemeenten"
    if scope.role is Role.PROJECTLEIDER and scope.region:
        region = reference.regions.get(scope.region)
        return f"de gemeenten van regio {region.name if region else scope.region} ({scope.region})"
    if scope.role in (Role.GEMEENTE, Role.KETENPARTNER) and scope.municipalities:
        names = [f"{municipality_name(code, reference)} ({code})" for code in scope.municipalities]
        return _joined(sorted(names, key=fold))
    return "geen enkele gemeente"


def may_view_values(scope: Scope, code: str, reference: Reference) -> bool:
    """Whether the user may see the stored values of this municipality: one they deliver for or see
    in full detail."""
    return scope.may_upload_for(code, reference) or scope.full_detail_municipality(code, reference)


def outside_scope(
    records: Sequence[Record], choice: str | None, scope: Scope, reference: Reference
) -> dict[str, tuple[str | None, str | None]]:
    """The municipalities of a file (its records, and the one chosen for it) the user may not deliver
    for, each with the sheet and cell where it first appears (none for the choice)."""
    first: dict[str, tuple[str | None, str | None]] = {}
    chosen = municipality_code(choice, reference) if choice else None
    if chosen:
        first[chosen] = (None, None)
    for r in records:
        first.setdefault(r.municipality, (r.sheet, r.cell))
    return {code: place for code, place in first.items() if not scope.may_upload_for(code, reference)}


def municipality_name(code: str, reference: Reference) -> str:
    found = reference.municipalities.get(code)
    return found.name if found else code


def visible_history(engine: Engine, scope: Scope, code: str, period: Period) -> pd.DataFrame:
    """The versions of one municipality's values in one quarter the user may see (`value_history`):
    all of them for a municipality in their full detail, else (a ketenpartner) only what they
    delivered themselves; empty for a municipality outside `may_view_values`."""
    reference = load_reference()
    history = value_history(engine, municipality=code, period=period)
    if scope.is_admin or scope.full_detail_municipality(code, reference):
        return history
    if not scope.may_upload_for(code, reference):
        return history.iloc[:0]
    return history.loc[history["uploaded_by"] == scope.user].reset_index(drop=True)


def visible_uploads(uploads: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of `list_uploads` the user may see: a beheerder all, anyone else the ones they made."""
    return uploads if scope.is_admin else uploads.loc[uploads["uploaded_by"] == scope.user]


def municipality_choices(
    reference: Reference,
    today: dt.date | None = None,
    current_only: bool = True,
    keep: Callable[[str], bool] | None = None,
) -> list[str]:
    """Suggestions `Utrecht (GM0344)` by name; former municipalities (`…, opgeheven 2022`) when asked;
    only the codes `keep` allows when given."""
    today = today or dt.date.today()
    choices = []
    for m in reference.municipalities.values():
        gone = m.end is not None and m.end <= today
        if (gone and current_only) or (keep is not None and not keep(m.code)):
            continue
        choices.append(f"{m.name} ({m.code}, opgeheven {m.end.year})" if gone else f"{m.name} ({m.code})")
    return sorted(choices, key=lambda text: (fold(re.sub(r"^'s[- ]", "", text)), text))


def upload_choices(scope: Scope, reference: Reference, today: dt.date | None = None) -> list[str]:
    """The current municipalities the user may deliver for (a beheerder: all)."""
    return municipality_choices(reference, today, keep=lambda code: scope.may_upload_for(code, reference))


def value_choices(scope: Scope, reference: Reference, today: dt.date | None = None) -> list[str]:
    """The municipalities, former ones too, whose stored values the user may see."""
    return municipality_choices(reference, today, False, keep=lambda code: may_view_values(scope, code, reference))


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


# --- the files ------------------------------------------------------------------------------------


OUTSIDE_SCOPE = "outside_scope"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
_MAX_NAME = 200
UNDECODABLE_DETAIL = "het bestand is niet goed overgekomen; kies het opnieuw"


@dataclass(frozen=True)
class StoredFile:
    """What storing one file did: the pipeline's result and what the store made of it."""

    result: FileResult
    stored: StoreResult


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


def valid_columns(columns: object) -> dict[str, str]:
    """The page's mapping as the pipeline takes it: only known codes (the browser sends it; trust nothing)."""
    if not isinstance(columns, Mapping):
        return {}
    return {
        str(key): str(code)
        for key, code in columns.items()
        if isinstance(key, str) and code in COLUMN_CODES and len(key) <= _MAX_NAME
    }


def organisation_of(scope: Scope, reference: Reference | None = None) -> str:
    """Whose column mappings an upload here uses and keeps: the municipality of a gemeente account, the
    region of a projectleider, otherwise the account itself (accounts have no organisation of their own)."""
    if scope.role is Role.GEMEENTE and len(scope.municipalities) == 1:
        code = next(iter(scope.municipalities))
        return f"gemeente {municipality_name(code, reference or load_reference())}"
    if scope.role is Role.PROJECTLEIDER and scope.region:
        return f"regio {scope.region}"
    return scope.user


def visible_mappings(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The remembered column mappings a user sees and may change: a beheerder all, anyone else their own."""
    return mappings.list_mappings(engine, None if scope.is_admin else [organisation_of(scope)])


def forget_mapping(engine: Engine, scope: Scope, source: str, header: str) -> int:
    """Remove one remembered mapping: a beheerder of any source, anyone else only of their own."""
    if not scope.may_upload or not (scope.is_admin or source == organisation_of(scope)):
        raise PermissionError(f"{scope.user} mag de koppeling van {source!r} niet wijzigen")
    return mappings.forget(engine, source, [header], actor=scope.user)


def _within_scope(
    result: FileResult, choice: str | None, scope: Scope, reference: Reference
) -> tuple[FileResult, list[str]]:
    """The file refused as a whole, with an error per municipality outside the scope, when it has any."""
    outside = outside_scope(result.records, choice, scope, reference)
    if not outside:
        return result, []
    allowed = allowed_text(scope, reference)
    refused = [
        problem(result.file, OUTSIDE_SCOPE, sheet, cell, allowed=allowed,
                municipality=f"{municipality_name(code, reference)} ({code})")
        for code, (sheet, cell) in outside.items()
    ]  # fmt: skip
    return FileResult(result.file, result.records, refused + result.problems), list(outside)


def check_upload(
    contents: object,
    name: object,
    municipality: str | None = None,
    today: dt.date | None = None,
    *,
    scope: Scope,
    columns: object = None,
    engine: Engine | None = None,
) -> FileResult:
    """Dry run of one uploaded file for `scope`: what it would store, or why not. Stores nothing.
    `columns` is what the uploader said the open columns mean (header key -> code); with `engine`,
    the remembered mapping of the uploader's organisation applies under it, and values far outside
    the stored history are warned about."""
    label = safe_label(name)
    data, problems = decode_upload(contents, label)
    if data is None:
        return FileResult(label, [], problems)
    with temporary_copy(data) as path:
        source = organisation_of(scope) if engine is not None else ""
        remembered = mappings.remembered(engine, source) if engine is not None else {}
        result = read_file(path, label=label, municipality=municipality or None, today=today,
                           columns=valid_columns(columns), remembered=remembered, source=source,
                           engine=engine)  # fmt: skip
    return _within_scope(result, municipality, scope, load_reference())[0]


def store_files(
    engine: Engine,
    files: Sequence[tuple[object, object]],
    municipality: str | None = None,
    today: dt.date | None = None,
    *,
    scope: Scope,
    columns: object = None,
) -> list[StoredFile]:
    """Read each uploaded (contents, name) again from its bytes and store it for `scope`, each on
    its own and all or nothing (`ingest.pipeline.load_files`, which then refreshes the indicators).
    Every attempt is recorded (uploaded by the user, source by role); a file naming a municipality
    outside the scope is recorded as rejected, and its refusal in the audit log."""
    if not scope.may_upload:
        raise PermissionError(f"{scope.user} ({scope.role}) mag niet aanleveren")
    reference = load_reference()
    who = {"source": source_of(scope), "uploaded_by": scope.user}
    outside: dict[str, list[str]] = {}

    def within_scope(result: FileResult) -> FileResult:
        result, outside[result.file] = _within_scope(result, municipality, scope, reference)
        return result

    with ExitStack() as stack:
        deliveries = []
        for contents, name in files:
            label = safe_label(name)
            data, problems = decode_upload(contents, label)
            path = stack.enter_context(temporary_copy(data)) if data is not None else None
            deliveries.append(Delivery(path, label=label, municipality=municipality or None, refused=tuple(problems)
                                       if data is None else (), columns=valid_columns(columns),
                                       mapping_source=organisation_of(scope, reference), **who))  # fmt: skip
        loaded = load_files(engine, deliveries, today=today, check=within_scope)
    for _, result, stored in loaded:
        _log_rejection(stored, result.problems, scope)
        if refused := outside.get(result.file):
            details = {"upload_id": stored.upload_id, "reden": "buiten bereik", "gemeenten": refused}
            with write_transaction(engine) as conn:
                record(conn, actor=scope.user, action=Action.UPLOAD_REFUSED, subject=result.file, details=details)
    return [StoredFile(result, stored) for _, result, stored in loaded]


def store_file(
    engine: Engine,
    contents: object,
    name: object,
    municipality: str | None = None,
    today: dt.date | None = None,
    *,
    scope: Scope,
    columns: object = None,
) -> StoredFile:
    """`store_files` for one file."""
    return store_files(engine, [(contents, name)], municipality, today, scope=scope, columns=columns)[0]


def _log_rejection(stored: StoreResult, problems: Sequence[Problem], scope: Scope) -> None:
    """One line on standard error for a rejected upload: its id and the problem codes, never a value."""
    if stored.status != "rejected":
        return
    codes = sorted({p.code for p in problems if p.severity is Severity.ERROR})
    logs.refusal("upload", f"bestand geweigerd: {', '.join(codes)}", who=scope.user, what=f"upload {stored.upload_id}")


def refuse_upload(engine: Engine, scope: Scope, names: Sequence[object]) -> None:
    """Record in the audit log that a user without the right to deliver tried to store files."""
    labels = [safe_label(name) for name in names]
    details = {"reden": "geen recht om aan te leveren", "rol": str(scope.role), "bestanden": labels}
    logs.refusal("upload", details["reden"], who=scope.user)
    with write_transaction(engine) as conn:
        record(conn, actor=scope.user, action=Action.UPLOAD_REFUSED, subject=", ".join(labels)[:500],
               details=details)  # fmt: skip
