"""Read an uploaded workbook (guard + calamine) in a child process with memory, CPU and time limits.

Defence in depth behind `ingest.guard`: whatever a crafted file does to the reader (an abort in
calamine, a grid it tries to allocate whole, a loop), only the child dies. The calling process (a
gunicorn worker, `make run`, the command line) gets a Dutch refusal (`unsafe_file`), one line in
the log, and reads the next file with a new child.

One child per calling process is reused for file after file (starting Python and calamine costs
far more than a read); it is replaced only when it died or was killed. Its address space is
limited with RLIMIT_AS, its CPU time per file with RLIMIT_CPU (raised per file from what it used
so far), and the parent waits at most `ChildLimits.timeout_seconds` before killing it. The child
is a plain `python -m ingest.isolation` over a socket pair, not a multiprocessing child: that would
import the parent's main module again (the whole Dash app under `make run`).
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import pickle
import resource
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

from ingest.problems import Problem, problem
from ingest.reader import Sheet

log = logging.getLogger(__name__)

MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024  # the child's address space (a workbook at the guard's limits: see README)
CPU_LIMIT_SECONDS = 20  # CPU time for one file
TIMEOUT_SECONDS = 25.0  # wall-clock time for one file, waiting included: below gunicorn's 30 s worker timeout

# Tests only: make the child fail in this way, or let calamine read the file unguarded.
Fault = Literal["abort", "memory", "cpu", "hang", "unguarded"]
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ChildLimits:
    """What one read in the child may use."""

    memory_bytes: int = MEMORY_LIMIT_BYTES
    cpu_seconds: int = CPU_LIMIT_SECONDS
    timeout_seconds: float = TIMEOUT_SECONDS


CHILD_LIMITS = ChildLimits()


class _Child:
    """One reading child process and the parent's end of its socket."""

    def __init__(self, limits: ChildLimits) -> None:
        parent_end, child_end = socket.socketpair()
        command = [sys.executable, "-m", "ingest.isolation", str(child_end.fileno()), str(limits.memory_bytes),
                   str(limits.cpu_seconds)]  # fmt: skip
        try:
            self.process = subprocess.Popen(
                command,
                pass_fds=(child_end.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a Rust panic's message says how much it tried to allocate
                cwd=_PROJECT_ROOT,
            )
        finally:
            child_end.close()
        self.connection = Connection(parent_end.detach())
        self.limits = limits
        self.owner = os.getpid()
        self.pending: deque[Request] = deque()  # sent, not yet answered, in the order the child answers

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> str:
        """Kill the child (if it still runs) and reap it; how it ended, for the log."""
        if self.alive():
            self.process.kill()
        returncode = self.process.wait()
        self.connection.close()
        if returncode >= 0:
            return f"exit code {returncode}"
        try:
            return f"ended by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"ended by signal {-returncode}"


Request = tuple[str, str, Fault | None]  # (resolved path, label, fault)
_AHEAD = 2  # requests the child may have waiting: the file being read and the next one

_child: _Child | None = None
_lock = threading.Lock()


def _current_child(limits: ChildLimits) -> _Child:
    global _child
    if _child is not None and _child.owner != os.getpid():
        _child = None  # inherited through a fork: the child belongs to the parent process
    if _child is not None and (not _child.alive() or _child.limits != limits):
        _child.stop()
        _child = None
    if _child is None:
        _child = _Child(limits)
    return _child


def read_workbook_isolated(
    path: Path, label: str, limits: ChildLimits = CHILD_LIMITS, *, fault: Fault | None = None
) -> tuple[list[Sheet], list[Problem]]:
    """`ingest.formats.read_upload` (guard and reader of the file's format) in the child; a crash, abort or
    limit becomes an `unsafe_file` refusal."""
    global _child
    request = (str(Path(path).resolve()), label, fault)
    with _lock:
        child = _current_child(limits)
        try:
            if request not in child.pending:
                child.connection.send(request)
                child.pending.append(request)
            reason = "wall-clock limit reached"
            while child.connection.poll(limits.timeout_seconds):
                status, sheets, problems = child.connection.recv()
                if child.pending.popleft() != request:
                    continue  # the answer for a file read ahead and then not asked for
                if status == "ok":
                    return sheets, problems
                reason = status
                break
        except (EOFError, OSError, pickle.UnpicklingError):
            reason = "no answer"
        ended = child.stop()
        _child = None
    log.warning("refused upload %r: reading it in a child process failed (%s, %s)", label, reason, ended)
    return [], [problem(label, "unsafe_file")]


def read_ahead(path: Path, label: str, limits: ChildLimits = CHILD_LIMITS) -> None:
    """Ask the child to read `path` soon, so that it reads while this process checks and stores the
    file before; `read_workbook_isolated` of the same path and label then takes the answer."""
    global _child
    request = (str(Path(path).resolve()), label, None)
    with _lock:
        child = _current_child(limits)
        if request in child.pending or len(child.pending) >= _AHEAD:
            return
        try:
            child.connection.send(request)
            child.pending.append(request)
        except OSError:  # the read itself starts a new child and says why
            child.stop()
            _child = None


def stop_child() -> None:
    """End this process's reading child, if it has one (it also ends when this process does)."""
    global _child
    with _lock:
        if _child is not None and _child.owner == os.getpid():
            _child.stop()
        _child = None


atexit.register(stop_child)


# --- the child ---------------------------------------------------------------------------------


def _limit_cpu(seconds: int) -> None:
    """Allow `seconds` more CPU time from now: RLIMIT_CPU counts the whole life of the process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _make_fault(fault: Fault, memory_bytes: int) -> None:
    if fault == "abort":
        os.abort()
    if fault == "memory":
        bytearray(memory_bytes)  # more than the address space left: MemoryError
    if fault == "cpu":
        while True:
            pass
    if fault == "hang":
        threading.Event().wait()


def _serve(fd: int, memory_bytes: int, cpu_seconds: int) -> None:
    """Read files until the parent closes the socket: (path, label, fault) -> (status, sheets, problems)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from ingest.formats import read_upload
    from ingest.reader import read_calamine

    connection = Connection(fd)
    while True:
        try:
            path, label, fault = connection.recv()
        except EOFError:
            return
        _limit_cpu(cpu_seconds)
        try:
            if fault == "unguarded":
                sheets, problems = read_calamine(Path(path), label)
            else:
                if fault is not None:
                    _make_fault(fault, memory_bytes)
                sheets, problems = read_upload(Path(path), label)
        except MemoryError:
            connection.send(("memory limit reached", None, None))
            return  # a fresh child for the next file
        connection.send(("ok", sheets, problems))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
