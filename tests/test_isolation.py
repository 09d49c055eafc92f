"""ingest.isolation: a file is read in a child process; whatever happens there, the caller gets a refusal and lives on.

The crafted workbooks make calamine abort the process that reads them, so they are read here only
through the child; the memory checks run in a fresh probe process, whose only child is the reader.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest import isolation
from ingest.cli import EXIT_REJECTED, main
from ingest.isolation import ChildLimits, read_workbook_isolated
from ingest.pipeline import read_file
from tests import crafted

MB = 1024 * 1024
PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFUSAL = "Dit bestand kon niet veilig worden gelezen."

# Read one file through the child, end the child, report the codes and both processes' peak memory.
PROBE = """
import json, resource, sys
from pathlib import Path
from ingest.isolation import ChildLimits, read_workbook_isolated, stop_child
path, fault, memory, cpu, timeout = sys.argv[1:]
limits = ChildLimits(int(memory), int(cpu), float(timeout))
sheets, problems = read_workbook_isolated(Path(path), "upload.xlsx", limits, fault=fault or None)
stop_child()
print(json.dumps({
    "codes": [p.code for p in problems],
    "messages": [p.message for p in problems],
    "child_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    # this process's own peak: ru_maxrss would also hold the peak of pytest, from which it was started
    "parent_kib": int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]),
}))
"""

DEFAULT = isolation.CHILD_LIMITS
Build = Callable[[Path], Path]
# (name, build, fault, limits, code, how the child ended as the log line says; "" for no log line)
PROBE_CASES: list[tuple[str, Build, str, ChildLimits, str, str]] = [
    # the crafted workbooks, guarded as every upload is: the guard's own refusal
    ("padded relationship", crafted.padded_relationship, "", DEFAULT, "sheet_too_large", ""),
    ("'..' member", crafted.dotdot_member, "", DEFAULT, "sheet_too_large", ""),
    ("sheet outside xl/worksheets/", crafted.sheet_outside_worksheets, "", DEFAULT, "sheet_too_large", ""),
    ("50 sparse sheets", crafted.sparse_sheets, "", DEFAULT, "workbook_too_large", ""),
    (
        "1,000,001 shared strings",
        lambda path: crafted.shared_strings(path, 1_000_001),
        "",
        DEFAULT,
        "too_many_strings",
        "",
    ),
    ("100,001 cell formats", lambda path: crafted.styles(path, 100_001), "", DEFAULT, "too_many_styles", ""),
    # what the guard would let through: calamine aborts, or fills the memory, in the child only
    ("padded relationship, unguarded", crafted.padded_relationship, "unguarded", DEFAULT, "unsafe_file", "SIGABRT"),
    ("'..' member, unguarded", crafted.dotdot_member, "unguarded", DEFAULT, "unsafe_file", "SIGABRT"),
    (
        "50 sparse sheets, unguarded",
        crafted.sparse_sheets,
        "unguarded",
        ChildLimits(memory_bytes=150 * MB, timeout_seconds=5),
        "unsafe_file",
        "",  # the memory or the wall-clock limit, whichever comes first
    ),
    # a child killed on purpose: an abort, its memory, its CPU time, the wall clock
    ("abort", crafted.build_xlsx, "abort", DEFAULT, "unsafe_file", "SIGABRT"),
    ("memory limit", crafted.build_xlsx, "memory", DEFAULT, "unsafe_file", "memory limit reached"),
    ("CPU limit", crafted.build_xlsx, "cpu", ChildLimits(cpu_seconds=1, timeout_seconds=120), "unsafe_file", "SIGXCPU"),
    ("wall-clock limit", crafted.build_xlsx, "hang", ChildLimits(timeout_seconds=1), "unsafe_file", "wall-clock limit"),
]


@pytest.mark.parametrize(
    ("build", "fault", "limits", "code", "ended"),
    [case[1:] for case in PROBE_CASES],
    ids=[case[0] for case in PROBE_CASES],
)
def test_crafted_file_or_dying_child_ends_in_a_refusal_in_bounded_memory(
    tmp_path: Path, build: Build, fault: str, limits: ChildLimits, code: str, ended: str
) -> None:
    path = build(tmp_path / "upload.xlsx")
    command = [sys.executable, "-c", PROBE, str(path), fault, str(limits.memory_bytes), str(limits.cpu_seconds),
               str(limits.timeout_seconds)]  # fmt: skip
    probe = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert probe.returncode == 0, probe.stderr  # the reading process lives on
    report = json.loads(probe.stdout)
    assert report["codes"] == [code]
    if code == "unsafe_file":
        assert report["messages"][0].startswith(REFUSAL)
        # logging's last resort writes the one warning line to stderr
        [line] = [line for line in probe.stderr.splitlines() if "upload.xlsx" in line]
        assert "reading it in a child process failed" in line and ended in line
    else:
        assert probe.stderr == ""
    assert report["child_kib"] < 200 * 1024
    assert report["parent_kib"] < 200 * 1024


def child_pid() -> int | None:
    return None if isolation._child is None else isolation._child.process.pid


def test_refusal_is_dutch_logged_in_one_line_and_the_next_file_reads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sound = crafted.build_xlsx(tmp_path / "goed.xlsx")
    with caplog.at_level(logging.WARNING, logger="ingest.isolation"):
        sheets, problems = read_workbook_isolated(sound, "kapot.xlsx", fault="abort")
    assert sheets == []
    assert [(p.file, p.code, p.is_error) for p in problems] == [("kapot.xlsx", "unsafe_file", True)]
    assert problems[0].message.startswith(REFUSAL)
    [record] = caplog.records
    assert "kapot.xlsx" in record.getMessage() and "SIGABRT" in record.getMessage()
    assert "\n" not in record.getMessage()
    sheets, problems = read_workbook_isolated(sound, "goed.xlsx")  # a new child
    assert problems == [] and [sheet.name for sheet in sheets] == ["Cijfers"]


def test_one_child_reads_file_after_file_and_is_replaced_when_killed(tmp_path: Path) -> None:
    sound = crafted.build_xlsx(tmp_path / "goed.xlsx")
    read_workbook_isolated(sound, "a.xlsx")
    first = child_pid()
    read_workbook_isolated(sound, "b.xlsx")
    assert child_pid() == first
    assert first is not None
    os.kill(first, signal.SIGKILL)  # the child this test's process started
    isolation._child.process.wait()
    sheets, problems = read_workbook_isolated(sound, "c.xlsx")
    assert problems == [] and len(sheets) == 1
    assert child_pid() not in (None, first)


def test_a_file_read_ahead_is_answered_by_the_same_child_and_one_not_asked_for_is_dropped(tmp_path: Path) -> None:
    sound = crafted.build_xlsx(tmp_path / "goed.xlsx")
    guarded = crafted.padded_relationship(tmp_path / "blad.xlsx")
    isolation.read_ahead(sound, "a.xlsx")
    isolation.read_ahead(guarded, "b.xlsx")
    isolation.read_ahead(sound, "c.xlsx")  # at most two waiting: not sent
    assert [label for _, label, _ in isolation._child.pending] == ["a.xlsx", "b.xlsx"]
    first = child_pid()
    sheets, problems = read_workbook_isolated(sound, "a.xlsx")
    assert problems == [] and [sheet.name for sheet in sheets] == ["Cijfers"]
    # b.xlsx was asked ahead but c.xlsx is read: b's answer (a refusal) is dropped, not given to c
    sheets, problems = read_workbook_isolated(sound, "c.xlsx")
    assert problems == [] and [sheet.name for sheet in sheets] == ["Cijfers"]
    assert child_pid() == first and not isolation._child.pending


def test_a_file_read_ahead_by_a_child_that_died_is_read_by_a_new_one(tmp_path: Path) -> None:
    """The file did not kill the child (it was killed while the file waited): it is read, not refused."""
    sound = crafted.build_xlsx(tmp_path / "goed.xlsx")
    read_workbook_isolated(sound, "a.xlsx")
    isolation.read_ahead(sound, "b.xlsx")
    first = child_pid()
    os.kill(first, signal.SIGKILL)
    isolation._child.process.wait()
    sheets, problems = read_workbook_isolated(sound, "b.xlsx")
    assert problems == [] and len(sheets) == 1
    assert child_pid() not in (None, first)


def test_loading_files_reads_each_ahead_and_stores_each_as_its_own(engine, tmp_path: Path) -> None:
    from ingest.pipeline import Delivery, load_files
    from tests.workbooks import write_workbook

    header = ["Gemeente", "Kwartaal", "THV"]
    paths = [write_workbook(tmp_path / f"{town}.xlsx", {"Blad1": [header, [town, "2024 K1", 10 + i]]})
             for i, town in enumerate(["Utrecht", "Zeist", "Houten"])]  # fmt: skip
    paths.insert(1, crafted.dotdot_member(tmp_path / "punten.xlsx"))
    loaded = load_files(engine, [Delivery(p) for p in paths])
    assert [(d.path.name, s.status) for d, _, s in loaded] == [
        ("Utrecht.xlsx", "stored"), ("punten.xlsx", "rejected"), ("Zeist.xlsx", "stored"), ("Houten.xlsx", "stored")
    ]  # fmt: skip
    assert [r.records[0].value for _, r, _ in loaded if r.records] == [10, 11, 12]
    assert not isolation._child.pending


def test_read_file_reads_in_the_child(tmp_path: Path) -> None:
    isolation.stop_child()
    result = read_file(crafted.padded_relationship(tmp_path / "blad.xlsx"))
    assert [p.code for p in result.problems] == ["sheet_too_large"]
    assert child_pid() is not None  # the guard ran in the child read_file started


def test_command_line_refuses_and_goes_on_with_the_next_file(tmp_path: Path) -> None:
    crafted_path = crafted.dotdot_member(tmp_path / "punten.xlsx")
    sparse = crafted.sparse_sheets(tmp_path / "leeg.xlsx")
    out = io.StringIO()
    assert main(["check", str(crafted_path), str(sparse)], out=out) == EXIT_REJECTED
    text = out.getvalue()
    assert "punten.xlsx: geweigerd" in text and "[sheet_too_large]" in text
    assert "leeg.xlsx: geweigerd" in text and "[workbook_too_large]" in text


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (crafted.padded_relationship, "sheet_too_large"),
        (crafted.dotdot_member, "sheet_too_large"),
        (crafted.sparse_sheets, "workbook_too_large"),
    ],
)
def test_upload_page_dry_run_refuses_crafted_workbooks(tmp_path: Path, build: Build, code: str) -> None:
    from dashboard import intake
    from tests.dashboard_db import ADMIN

    data = build(tmp_path / "upload.xlsx").read_bytes()
    contents = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
    result = intake.check_upload(contents + base64.b64encode(data).decode(), "upload.xlsx", scope=ADMIN)
    assert [p.code for p in result.problems] == [code]
