"""What the upload page shows: the dry run's preview and problems, what storing did, the upload
history and a value's history, as frames with Dutch headers and Dutch text. Pure; no Dash."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.format import number
from dashboard.intake import StoredFile, municipality_name
from db.audit import TIMEZONE
from ingest.columns import ROLE_CODES, SKIP, How, header_key
from ingest.columns import label as column_label
from ingest.elements import ELEMENTS, ELEMENTS_BY_CODE
from ingest.pipeline import FileResult
from ingest.problem_groups import group_problems
from reference.areas import Reference

HISTORY_ROWS = 50  # uploads shown in the history
DELIVERED_AS_LESS_THAN_5 = "<5 (afgeschermd)"  # a value a file gave as "<5"
UNKNOWN_TEXT = "onbekend"
STATUS_TEXT = {"stored": "opgeslagen", "duplicate": "al eerder opgeslagen", "rejected": "geweigerd"}
_ELEMENT_ORDER = {element.code: index for index, element in enumerate(ELEMENTS)}


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
        return DELIVERED_AS_LESS_THAN_5
    if value is None or value is pd.NA:
        return UNKNOWN_TEXT
    return number(value)


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


def grouped_problems_frame(results: Sequence[FileResult]) -> pd.DataFrame:
    """As `problems_frame`, with the same problem in a column (or row) as one line: `Cel` then reads
    `kolom B, rij 5–340 (336 cellen)`. For the page; the download keeps every cell."""
    rows = []
    for result in results:
        sheets = list(dict.fromkeys(p.sheet or "" for p in result.problems))
        groups = group_problems(result.problems)
        first = [g.problems[0] for g in groups]
        order = sorted(range(len(groups)), key=lambda i: (not first[i].is_error, sheets.index(first[i].sheet or ""),
                                                          *_place(first[i].cell)))  # fmt: skip
        rows += [(groups[i].file, groups[i].sheet or "", groups[i].place, str(groups[i].severity), groups[i].message)
                 for i in order]  # fmt: skip
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


# --- the mapping step: columns the uploader says the meaning of --------------------------------


@dataclass(frozen=True)
class OpenColumn:
    """A column to map on the page: its key, its title (`'Wachttijd'`, `D (zonder kop)`), where it is,
    the choices best first, the answer so far."""

    key: str
    title: str
    where: str
    choices: tuple[tuple[str, str], ...]  # (code, Dutch label)
    answer: str | None


def column_choices(suggestions: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The suggestions first, then `overslaan`, then every other element and the structural roles."""
    rest = [e.code for e in ELEMENTS if e.code not in suggestions] + [
        code for code in ROLE_CODES if code not in suggestions
    ]
    codes = [*suggestions, SKIP, *rest]
    return tuple((code, f"{column_label(code)} (voorstel)" if code in suggestions else column_label(code))
                 for code in codes)  # fmt: skip


def open_columns(results: Sequence[FileResult], given: dict[str, str]) -> list[OpenColumn]:
    """Every column of the checked files the uploader is asked about or has answered, once per header."""
    found: dict[str, OpenColumn] = {}
    for result in results:
        for question in result.questions:
            key = header_key(question.name)
            if key not in found:
                where = f"{result.file}, {question.sheet}!{question.cell}"
                found[key] = OpenColumn(key, question.title, where, column_choices(question.suggestions), None)
        for reading in result.readings:
            read = reading.reading
            key = header_key(read.name)
            answered = read.how is How.GIVEN and key in given
            if (answered or read.how is How.REMEMBERED) and key not in found:
                where = f"{result.file}, {reading.sheet}!{reading.cell}"
                answer = given.get(key) or (SKIP if read.meaning == "ignore" else read.meaning)
                found[key] = OpenColumn(key, read.title, where, column_choices(()), answer)
    return list(found.values())


def mappings_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The remembered column mappings (`ingest.mappings.list_mappings`) as the page shows them."""
    frame = pd.DataFrame(
        {
            "Bron": rows["source"],
            "Kolom": rows["header"],
            "Betekenis": [column_label(code) for code in rows["code"]],
            "Gewijzigd door": rows["changed_by"],
            "Gewijzigd op": [dutch_datetime(at) for at in rows["changed_at"]],
        }
    )
    return frame.reset_index(drop=True)


def mapping_choices(rows: pd.DataFrame) -> list[tuple[str, str]]:
    """(value, label) for choosing one remembered mapping: the value joins source and header with a tab."""
    return [
        (f"{source}\t{header}", f"{source}: {header} = {column_label(code)}")
        for source, header, code in zip(rows["source"], rows["header"], rows["code"], strict=True)
    ]


def readings_text(result: FileResult) -> list[str]:
    """How the columns of a file were read, where it was not by a listed header."""
    return [reading.text for reading in result.readings if reading.reading.how is not How.HEADER]
