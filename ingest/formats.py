"""The accepted file formats, each with its own guard and reader, behind one call: `read_upload`.

The format is told by the file's name as the uploader gave it (`label`; an upload is saved under a
generated name): `.csv` and `.ods` have guards and readers of their own, everything else goes to
the .xlsx guard, which refuses what is not a workbook with a message naming the accepted formats.
Each guard also refuses a file that is something else under its name (a binary file named .csv,
an .xlsx named .ods). Every reader gives the same `Sheet`s, so the later steps never ask.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.csv_guard import inspect_csv
from ingest.ods_guard import inspect_ods
from ingest.problems import Problem, problem
from ingest.reader import Sheet, read_calamine, read_workbook
from ingest.reader_csv import read_csv

ACCEPTED = (".xlsx", ".csv", ".ods")  # what the upload page offers; the messages name the same


def read_upload(path: Path, label: str) -> tuple[list[Sheet], list[Problem]]:
    """Guard and read one uploaded file by the format its name says: its sheets, or why not."""
    suffix = Path(label).suffix.lower()
    if suffix == ".csv":
        found, problems = inspect_csv(Path(path), label)
        if found is None:
            return [], problems
        try:
            return [read_csv(Path(path), label, found)], []
        except (OSError, UnicodeError, csv.Error) as exc:  # the guard read it already; fail closed anyway
            return [], [problem(label, "unreadable", detail=type(exc).__name__)]
    if suffix == ".ods":
        problems = inspect_ods(Path(path), label)
        if problems:
            return [], problems
        return read_calamine(Path(path), label, by_content=True)
    return read_workbook(Path(path), label)
