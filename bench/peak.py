"""Run a command and print its peak resident memory as JSON: `python -m bench.peak CMD ARG...`.

Why a launcher of its own: on Linux a child's ru_maxrss starts at the high-water mark of the
memory it was forked or vforked from (the kernel carries the old address space's peak over at
exec). Measured straight from the benchmark process, which holds pandas and 342 workbooks, every
child would look as big as the benchmark. This launcher imports nothing heavy, so the command it
starts inherits at most this small interpreter's peak, which any Python command exceeds anyway.

Prints one JSON line: {"returncode": ..., "maxrss_kib": ..., "stdout": ...}; stderr passes through.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m bench.peak CMD [ARG...]", file=sys.stderr)
        return 2
    completed = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the one child run above
    report = {"returncode": completed.returncode, "maxrss_kib": usage.ru_maxrss,
              "stdout": completed.stdout}  # fmt: skip
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
