"""Callback benchmark: the region page's main callback under gunicorn, against a minimal callback that
returns figures of the same size, both served side by side in one run.

    python -m bench.callback_bench [--requests 200] [--clients 8] [--workers 4] [--db URL]
                                   [--region CODE] [--callback OUTPUT] [--json PATH]

1. Serves the dashboard (`gunicorn dashboard.wsgi:server`) on a copy of data/monitor.sqlite with its
   demo accounts disabled (or on --db; without either, a subset of the sample data seeded into a
   temporary database).
2. Renders the region page's layout through the pages router, as the browser gets it, and reads the
   page's callbacks from /_dash-dependencies. Every callback that fires when the region is chosen
   is called once; the main one is the one returning the most plot points (or --callback).
3. Writes that callback's figures to a file and serves `bench.minimal_app` with them: its callback
   rebuilds figures of exactly that size (same traces and points) and does nothing else.
4. Measures, on fresh connections to 127.0.0.1, the exact request body the browser sends when the
   region is changed: N sequential requests to each server (alternating blocks of 10), then N
   requests from C concurrent clients to each. p50/p95 in milliseconds.

Goals (issue 3): p95 under 50 ms sequential, and within 2 times the minimal callback. Results also go
to bench/results/callbacks.json. Only ratios measured in one run on one machine mean much.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import dash_http
from bench.sample_db import ensure_account
from bench.server import DASHBOARD_ENV, gunicorn

P95_GOAL_MS = 50.0
RATIO_GOAL = 2.0
DEFAULT_REQUESTS = 200
DEFAULT_CLIENTS = 8
DEFAULT_WORKERS = 4
BLOCK = 10  # sequential requests per side before switching to the other server
PAGE = "/regio"
REGION_SELECTOR = "regio-code.value"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "monitor.sqlite"
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "callbacks.json"
NOTE = (
    "Latency from sending the request to the last byte of the answer, on a fresh connection to 127.0.0.1, "
    "as the browser's request when the region is chosen. Both servers run gunicorn with the same number "
    "of sync workers on the same machine in the same run; the ratio is what the page's own work costs "
    "over building and sending figures of the same size."
)


@dataclass(frozen=True)
class Target:
    """One callback on one server: the request body and where to send it."""

    name: str
    base_url: str
    body: bytes


# --- measuring -------------------------------------------------------------------------------------


def sequential(targets: Sequence[Target], requests: int, block: int = BLOCK) -> dict[str, list[float]]:
    """`requests` timed requests to each target, one at a time, alternating blocks of `block`."""
    seconds: dict[str, list[float]] = {t.name: [] for t in targets}
    while any(len(seconds[t.name]) < requests for t in targets):
        for target in targets:
            for _ in range(min(block, requests - len(seconds[target.name]))):
                seconds[target.name].append(dash_http.post_callback(target.base_url, target.body).seconds)
    return seconds


def concurrent(target: Target, requests: int, clients: int) -> tuple[list[float], float]:
    """`requests` timed requests to `target` from `clients` threads at once; also the wall time."""
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    seconds: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(count: int) -> None:
        start.wait()
        try:
            for _ in range(count):
                took = dash_http.post_callback(target.base_url, target.body).seconds
                with lock:
                    seconds.append(took)
        except BaseException as exc:  # reported below; a client never hangs the run
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(share,), daemon=True) for share in shares]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=dash_http.TIMEOUT * max(shares) + 10)
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"{target.name}: clients still busy after {wall:.0f} s")
    return seconds, wall


def warm_up(target: Target, workers: int, clients: int) -> None:
    """Enough concurrent requests that every worker has imported, connected and answered before timing."""
    concurrent(target, requests=max(4 * workers, 2 * clients), clients=clients)


def summary(seconds: Sequence[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "count": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(cuts[94], 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "min_ms": round(ms[0], 2),
        "max_ms": round(ms[-1], 2),
    }


def _ratio(region: dict, minimal: dict, key: str) -> float:
    return round(region[key] / minimal[key], 2) if minimal[key] else float("inf")


def compare(region: dict, minimal: dict) -> dict:
    return {"region": region, "minimal": minimal,
            "ratio_p50": _ratio(region, minimal, "p50_ms"), "ratio_p95": _ratio(region, minimal, "p95_ms")}  # fmt: skip


# --- choosing the callback ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    callback: dict
    body: dict
    seconds: float
    bytes: int
    figures: list[dict]

    @property
    def output(self) -> str:
        return self.callback["output"]

    @property
    def points(self) -> int:
        return sum(sum(trace) for trace in dash_http.shape(self.figures))


def page_callbacks(base_url: str, region: str | None) -> tuple[str, list[Probe]]:
    """The region shown and, for every callback that answers a change of the region, one probe."""
    callbacks = dash_http.dependencies(base_url)
    search = f"?code={region}" if region else ""
    layout = dash_http.page_layout(base_url, callbacks, PAGE, search)
    values = dash_http.prop_values(layout, PAGE, search)
    if REGION_SELECTOR not in values:
        raise RuntimeError(f"the page at {PAGE} has no region selector {REGION_SELECTOR}")
    region = values[REGION_SELECTOR]
    shown = {key.rsplit(".", 1)[0] for key in values}
    probes = []
    for callback in callbacks:
        inputs = [f"{i['id']}.{i['property']}" for i in callback["inputs"]]
        outputs = dash_http.outputs_of(callback["output"])
        if REGION_SELECTOR not in inputs or callback.get("clientside_function") or callback.get("no_output"):
            continue
        if not all(o["id"] in shown for o in outputs) or any(o["id"] == "regio-code" for o in outputs):
            continue  # not on this page, or the selector's own synchronisation with the address
        payload = dash_http.body(callback, values, changed=[REGION_SELECTOR])
        answer = dash_http.post_callback(base_url, dash_http.encode(payload))
        found = dash_http.figures(answer.json())
        if found:
            probes.append(Probe(callback, payload, answer.seconds, len(answer.body), found))
    if not probes:
        raise RuntimeError(f"no callback of {PAGE} answers a change of {REGION_SELECTOR} with a figure")
    return region, probes


def main_probe(probes: Sequence[Probe], wanted: str | None) -> Probe:
    if wanted:
        matching = [p for p in probes if wanted in p.output]
        if not matching:
            raise SystemExit(f"no callback output contains {wanted!r}; there are: {[p.output for p in probes]}")
        return matching[0]
    return max(probes, key=lambda p: (p.points, -probes.index(p)))


# --- the run -----------------------------------------------------------------------------------------


def production_copy(source: Path, target: Path) -> str:
    """A copy of `make run`'s database (SQLite's online backup) with its demo accounts disabled, as
    dashboard.wsgi asks; the demo's own database is left as it is. Returns its URL."""
    from accounts.demo import disable_demo_accounts
    from db.engine import connect

    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()
    url = f"sqlite:///{target}"
    engine = connect(url)
    try:
        disable_demo_accounts(engine, actor="bench")
    finally:
        engine.dispose()
    return url


@contextlib.contextmanager
def database(db: str | None, work: Path) -> Iterator[str]:
    if db:
        yield db
    elif DEFAULT_DB.is_file():
        yield production_copy(DEFAULT_DB, work / "monitor.sqlite")
    else:
        from bench.sample_db import seed_subset

        print("data/monitor.sqlite is missing: seeding a subset of the sample data …", flush=True)
        yield seed_subset(work / "db")


BENCH_ACCOUNT = "bench-beheerder"
# Plain http on 127.0.0.1; one client signs in once, so the sign-in throttle may count per worker.


def run_benchmark(
    requests: int = DEFAULT_REQUESTS,
    clients: int = DEFAULT_CLIENTS,
    workers: int = DEFAULT_WORKERS,
    db: str | None = None,
    region: str | None = None,
    callback: str | None = None,
    echo: Callable[[str], None] = print,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="callback_bench_") as folder:
        work = Path(folder)
        with (
            database(db, work) as db_url,
            gunicorn("dashboard.wsgi:server", env={"MONITOR_DB_URL": db_url, **DASHBOARD_ENV},
                     workers=workers, log=work / "dashboard.log") as dashboard,
        ):  # fmt: skip
            password = ensure_account(db_url, BENCH_ACCOUNT)
            echo(f"dashboard under gunicorn ({workers} workers) at {dashboard}")
            # Every request passes the sign-in gate (a session look-up), as a user's would.
            dash_http.sign_in(dashboard, BENCH_ACCOUNT, password)
            region, probes = page_callbacks(dashboard, region)
            probe = main_probe(probes, callback)
            figures_file = work / "figures.json"
            figures_file.write_text(json.dumps(probe.figures), encoding="utf-8")
            with gunicorn("bench.minimal_app:server", env={"BENCH_MINIMAL_FIGURES": str(figures_file)},
                          workers=workers, log=work / "minimal.log") as minimal:  # fmt: skip
                echo(f"minimal app under gunicorn ({workers} workers) at {minimal}")
                minimal_callback = dash_http.dependencies(minimal)[0]
                minimal_body = dash_http.body(
                    minimal_callback, {"minimal-choice.value": "b"}, changed=["minimal-choice.value"]
                )
                targets = [
                    Target("region", dashboard, dash_http.encode(probe.body)),
                    Target("minimal", minimal, dash_http.encode(minimal_body)),
                ]
                minimal_answer = dash_http.post_callback(minimal, targets[1].body)
                minimal_shape = dash_http.shape(dash_http.figures(minimal_answer.json()))
                if minimal_shape != dash_http.shape(probe.figures):
                    raise RuntimeError(f"the minimal figures differ in size: {minimal_shape}")
                for target in targets:
                    warm_up(target, workers, clients)
                echo(f"{requests} sequential requests to each …")
                seq = sequential(targets, requests)
                echo(f"{requests} requests from {clients} concurrent clients to each …")
                conc, walls = {}, {}
                for target in targets:
                    conc[target.name], walls[target.name] = concurrent(target, requests, clients)
                others = {}
                for other in probes:
                    if other is not probe:
                        body, count = dash_http.encode(other.body), max(5, requests // 10)
                        times = [dash_http.post_callback(dashboard, body).seconds for _ in range(count)]
                        others[other.output] = summary(times)
    seq_result = compare(summary(seq["region"]), summary(seq["minimal"]))
    conc_result = compare(summary(conc["region"]), summary(conc["minimal"]))
    for name in ("region", "minimal"):
        conc_result[name]["throughput_per_s"] = round(requests / walls[name], 1)
    figure_shape = dash_http.shape(probe.figures)
    return {
        "page": f"{PAGE}?code={region}",
        "callback": probe.output,
        "request": probe.body,
        "database": _shown_url(db_url),
        "workers": workers,
        "requests": requests,
        "clients": clients,
        "figures": len(figure_shape),
        "traces": sum(len(f) for f in figure_shape),
        "points": sum(sum(f) for f in figure_shape),
        "points_per_trace": figure_shape,
        "response_bytes": {"region": probe.bytes, "minimal": len(minimal_answer.body)},
        "sequential": seq_result,
        "concurrent": conc_result,
        "goals": {
            "p95_sequential_ms": P95_GOAL_MS,
            "p95_sequential_met": seq_result["region"]["p95_ms"] < P95_GOAL_MS,
            "ratio": RATIO_GOAL,
            "ratio_sequential_met": seq_result["ratio_p95"] <= RATIO_GOAL,
            "ratio_concurrent_met": conc_result["ratio_p95"] <= RATIO_GOAL,
        },
        "other_callbacks_sequential": others,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "note": NOTE,
    }


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(result: dict) -> str:
    seq, conc, goals = result["sequential"], result["concurrent"], result["goals"]
    lines = [
        f"Callback latency under gunicorn ({result['workers']} sync workers per server), {result['page']}",
        f"  main callback: {result['callback']}",
        f"  figures: {result['figures']}, traces: {result['traces']}, points: {result['points']}; answer "
        f"{result['response_bytes']['region']:,} bytes (minimal callback: {result['response_bytes']['minimal']:,})",
        "",
        f"  {'':34}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}",
    ]
    blocks = (
        (f"sequential ({result['requests']} requests)", seq),
        (f"concurrent ({result['clients']} clients, {result['requests']} requests)", conc),
    )
    for title, block in blocks:
        lines.append(f"  {title}")
        for name in ("region", "minimal"):
            row = block[name]
            extra = f"   {row['throughput_per_s']} req/s" if "throughput_per_s" in row else ""
            label = "region page callback" if name == "region" else "minimal callback"
            lines.append(f"    {label:32}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}{row['mean_ms']:>10.1f}{extra}")
        lines.append(f"    {'RATIO region / minimal':32}{block['ratio_p50']:>10.2f}{block['ratio_p95']:>10.2f}")
    if result["other_callbacks_sequential"]:
        lines.append("  other callbacks answering a change of region (sequential):")
        for output, row in result["other_callbacks_sequential"].items():
            lines.append(f"    {output[:60]:60} p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms")
    lines += [
        "",
        f"GOAL p95 sequential < {goals['p95_sequential_ms']:.0f} ms: {_met(goals['p95_sequential_met'])} "
        f"({seq['region']['p95_ms']:.1f} ms)",
        f"GOAL within {goals['ratio']:.0f}x the minimal callback (p95): "
        f"sequential {_met(goals['ratio_sequential_met'])} ({seq['ratio_p95']:.2f}x), "
        f"concurrent {_met(goals['ratio_concurrent_met'])} ({conc['ratio_p95']:.2f}x)",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.callback_bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers per server")
    parser.add_argument("--db", help="SQLAlchemy URL (default: data/monitor.sqlite, else a seeded subset)")
    parser.add_argument("--region", help="region code (default: the page's own default region)")
    parser.add_argument("--callback", help="measure the callback whose output contains this text")
    parser.add_argument("--json", type=Path, default=RESULTS_FILE, help="where to write results")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.requests < 1 or args.clients < 1 or args.workers < 1:
        raise SystemExit("--requests, --clients and --workers must be at least 1")
    result = run_benchmark(args.requests, args.clients, args.workers, args.db, args.region, args.callback)
    print(report(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
