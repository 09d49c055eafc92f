"""Serve a WSGI app under gunicorn in a subprocess on a free local port, for benchmarks and browser tests.

    with gunicorn("dashboard.wsgi:server", env={"MONITOR_DB_URL": url}, workers=2, log=path) as base_url:
        ...  # base_url is "http://127.0.0.1:PORT"; the server answered GET / with 200

The server binds 127.0.0.1 only. It is stopped (SIGTERM to gunicorn's master, then SIGKILL to its
process group) when the block ends, also on errors.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0  # seconds; a worker imports dash, pandas and plotly
STOP_TIMEOUT = 15.0


class ServerError(RuntimeError):
    """The server did not start; the message holds the end of its log."""


# What the dashboard needs to start under gunicorn for a benchmark: plain HTTP on 127.0.0.1, and the
# sign-in limiter counting per worker (no Redis needed; the benchmarks sign in once per client).
DASHBOARD_ENV = {"MONITOR_COOKIE_SECURE": "0", "MONITOR_RATELIMIT_STORAGE": "memory://"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    """Poll `url` until it answers 200; raise ServerError when the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited with {process.returncode}:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
                last = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"status {exc.code}"
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise ServerError(f"{url} did not answer within {timeout:.0f} s ({last}):\n{_log_tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """Gracefully stop gunicorn's master (it stops its workers); kill its process group if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group of the server started here, nothing else
        process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def gunicorn(
    app: str,
    *,
    env: Mapping[str, str] | None = None,
    workers: int = 2,
    log: Path,
    ready_path: str = "/",
    extra_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """Run `gunicorn app` with `workers` sync workers on a free port of 127.0.0.1; yields the base URL."""
    environment = {**os.environ, **(env or {})}
    environment.setdefault("PYTHONUNBUFFERED", "1")
    last_error: ServerError | None = None
    for _ in range(3):  # another process may take the free port between choosing and binding it
        port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning", *extra_args, app,
        ]  # fmt: skip
        with log.open("ab") as handle:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base_url + ready_path, process, log)
        except ServerError as exc:
            stop(process)
            last_error = exc
            if "Address already in use" in str(exc):
                continue
            raise
        try:
            yield base_url
        finally:
            stop(process)
        return
    raise last_error or ServerError("gunicorn did not start")
