"""The CSV guard: hostile and mislabelled files refused before parsing, in bounded memory.

Hostile input is generated as a stream or a sparse file, never as a large Python string; bounded
memory is asserted on a child process's peak RSS, and stopping early on the bytes it read.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ingest.csv_guard import CHUNK_SIZE, SAMPLE_BYTES, CsvFormat, CsvLimits, inspect_csv
from ingest.pipeline import read_file
from tests.streams import GIB, Repeating
from tests.workbooks import write_workbook


def codes(problems):
    return [p.code for p in problems]


def test_the_repeating_stream_is_what_it_claims():
    stream = Repeating(b"ab", b"xyz", 10)
    assert stream.read() == b"abxyzxyzxy"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"PK\x03\x04rest of a zip", "een ingepakt bestand"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "een oud Excel-bestand"),
        (b"%PDF-1.4\n...", "een PDF-bestand"),
        (b"Gemeente;THV\nUtrecht;\x00\x013\n", "geen tekstbestand"),
        ("Gemeente;THV\r\nUtrecht;3\r\n".encode("utf-16"), "geen tekstbestand"),
    ],
)
def test_a_binary_file_named_csv_is_refused(tmp_path, content, kind):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    found, problems = inspect_csv(path, "export.csv")
    assert (found, codes(problems)) == (None, ["not_csv"])
    assert f"Dit bestand heet .csv, maar het is {kind}" in problems[0].message
    assert ".xlsx" in problems[0].message and ".ods" in problems[0].message


def test_an_xlsx_named_csv_is_refused_through_the_pipeline(tmp_path):
    workbook = write_workbook(tmp_path / "echt.xlsx", {"Blad1": [["Gemeente", "THV"], ["Utrecht", 3]]})
    renamed = workbook.rename(tmp_path / "export.csv")
    assert zipfile.is_zipfile(renamed)
    assert codes(read_file(renamed).problems) == ["not_csv"]


def test_a_sparse_gigabyte_file_is_refused_by_its_size_unread(tmp_path):
    path = tmp_path / "groot.csv"
    with path.open("wb") as handle:
        handle.truncate(GIB)  # sparse: no gigabyte is written or read
    found, problems = inspect_csv(path, "groot.csv")
    assert (found, codes(problems)) == (None, ["file_too_large"])


@pytest.mark.parametrize(
    ("stream", "limits", "code"),
    [
        (Repeating(b"", b"a", GIB), CsvLimits(max_file_bytes=2 * GIB), "csv_field_too_long"),  # a 1 GB line
        (Repeating(b"a", b";", GIB), CsvLimits(max_file_bytes=2 * GIB), "csv_too_many_fields"),  # a billion fields
        (Repeating(b"a;b", b"\n", GIB), CsvLimits(max_file_bytes=2 * GIB), "csv_too_many_lines"),
        (Repeating(b"a;b\n", b"1;2\n", GIB), CsvLimits(max_file_bytes=2 * GIB, max_lines=10**9), "csv_too_large"),
        (Repeating(b'a;"', b"x;\n", GIB), CsvLimits(max_file_bytes=2 * GIB), "csv_field_too_long"),  # open quote
        (Repeating(b"a;b\n", b"1;2\n", GIB), CsvLimits(max_file_bytes=10**6), "file_too_large"),  # no size up front
    ],
)
def test_hostile_streams_are_refused_after_reading_little(stream, limits, code):
    found, problems = inspect_csv(stream, "vijandig.csv", limits)
    assert (found, codes(problems)) == (None, [code])
    assert stream.position <= limits.max_file_bytes + CHUNK_SIZE + SAMPLE_BYTES  # read one chunk past a limit at most


CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from tests.streams import GIB, Repeating
from ingest.csv_guard import CsvLimits, inspect_csv
streams = {{"line": Repeating(b"", b"a", GIB), "fields": Repeating(b"a", b";", GIB)}}
raised = CsvLimits(max_file_bytes=2 * GIB, max_field_bytes=3 * 10**7, max_fields=3 * 10**7)
found, problems = inspect_csv(streams[sys.argv[1]], "x.csv", raised)
print(json.dumps([p.code for p in problems]))
"""


@pytest.mark.parametrize(("which", "code"), [("line", "csv_field_too_long"), ("fields", "csv_too_many_fields")])
def test_refusing_a_gigabyte_takes_bounded_memory(which, code):
    """With limits raised so that 30 MB are read, the child process still holds about one chunk: far below 1 GB."""
    root = str(Path(__file__).resolve().parent.parent)
    # bench.peak starts the child from a small interpreter: a child forked from pytest itself would
    # report pytest's own peak (Linux carries it over), not what the guard used.
    command = [sys.executable, "-m", "bench.peak", sys.executable, "-c", CHILD.format(root=root), which]
    launcher = json.loads(subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout)
    assert json.loads(launcher["stdout"]) == [code]
    # about 17 MB for the interpreter and one chunk; holding the 30 MB read would pass 47 MB, the gigabyte 1 GB
    assert launcher["maxrss_kib"] < 40 * 1024


@pytest.mark.parametrize(
    ("content", "limits", "expected"),
    [
        # separators inside quotes are no fields
        (b'a;"b;c;d;e;f"\n1;2\n', CsvLimits(max_fields=2), []),
        (b"a;b;c\n", CsvLimits(max_fields=2), ["csv_too_many_fields"]),
        # a doubled quote is a quote inside the field; the field ends at the lone quote
        (b'a;"x""y"\n1;2\n', CsvLimits(max_field_bytes=8), []),
        # a quote inside an unquoted field is a character, as csv.reader reads it: no quoted field opens
        (b'Scherm 5" groot;b\n' + b"1;2\n" * 50, CsvLimits(max_field_bytes=20), []),
        # a quoted line break stays in the field: one line, not two
        (b'a;"1\n2\n3"\n', CsvLimits(max_lines=1), []),
        (b"a\nb\n", CsvLimits(max_lines=1), ["csv_too_many_lines"]),
        (b"a\r\nb\r\n", CsvLimits(max_lines=2), []),  # \r\n is one line break
    ],
)
def test_counting_follows_the_csv_quoting_rules(content, limits, expected):
    found, problems = inspect_csv(io.BytesIO(content), "q.csv", limits)
    assert codes(problems) == expected
    assert (found is None) == bool(expected)


def test_a_chunk_boundary_inside_a_crlf_counts_one_line(monkeypatch):
    import ingest.csv_guard as guard

    monkeypatch.setattr(guard, "SAMPLE_BYTES", 4)
    monkeypatch.setattr(guard, "CHUNK_SIZE", 4)
    found, problems = inspect_csv(io.BytesIO(b"a;b\r\nc;d\r\n"), "x.csv", CsvLimits(max_lines=3))
    assert (found, problems) == (CsvFormat("utf-8", ";"), [])


def test_refusals_name_the_line():
    _, [found] = inspect_csv(io.BytesIO(b"a;b\n1;2\n" + b"x" * 30 + b"\n"), "x.csv", CsvLimits(max_field_bytes=20))
    assert found.code == "csv_field_too_long"
    assert found.message.startswith("Regel 3 van het CSV-bestand heeft een veld van meer dan 20 bytes")
