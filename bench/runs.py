"""Timed runs of commands in fresh processes, side by side, hyperfine-style: wall time and peak memory."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence

from bench.server import PROJECT_ROOT


def run(command: Sequence[str]) -> tuple[float, float]:
    """Run `command` from the project root: (wall seconds, peak resident MB of the bench.peak launcher's child)."""
    import json

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.peak", *command], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - start
    report = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {"returncode": -1}
    if done.returncode != 0 or report["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return seconds, report["maxrss_kib"] / 1024


Command = Sequence[str] | Callable[[], Sequence[str]]  # a callable makes the command afresh for each run


def alternate(commands: Mapping[str, Command], rounds: int) -> dict[str, dict]:
    """Each command `rounds` times, alternating their order per round; medians of wall time and peak memory."""
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for number in range(rounds):
        for name in names if number % 2 == 0 else names[::-1]:
            command = commands[name]
            wall, peak = run(command() if callable(command) else command)
            seconds[name].append(wall)
            peaks[name].append(peak)
    return {
        name: {"seconds": seconds[name], "median_seconds": statistics.median(seconds[name]),
               "peak_mb": max(peaks[name])}
        for name in names
    }  # fmt: skip
