"""Page benchmark: how long until every chart of a page is drawn in Chromium, against a minimal Dash page
with the same charts, both under gunicorn (2 workers) in the same browser run.

    python -m bench.page_bench [--rounds 5] [--uploads 3] [--colds 3] [--region VR10] [--json PATH]

1. Seeds the sample data of one region, every year (`bench.sample_db.seed_subset`), and an account.
2. Serves the dashboard, signs in, and captures the figures of the region page (`/regio?code=VR10`), the
   overview (`/`, table and map) and the compare page (`/vergelijken`) as the browser drew them; then
   serves the dashboard afresh next to `bench.minimal_pages` with those figures (same count, traces
   and points; one callback per chart).
3. Times, per page, from navigation until every chart is drawn and no callback is pending (the browser
   tests' "rendered" condition, taken at the last moment it became true): cold (the page's first visit
   after a start, once after each of `--colds` starts of the dashboard; the browser's cache of the
   Dash bundles filled first on both servers), warm
   (`--rounds`, alternating with the minimal page), and after an upload (`--uploads`: one file stored
   and the indicator table refreshed through `ingest.pipeline.load_files`, then the page's first visit).
4. Walks over every page of the navigation and reads the resident memory of each dashboard worker
   from /proc (now and its peak).

Goal (issue 11): every page within 1.5 times its minimal page; under 250 MB per worker. Ratios of medians
measured side by side in one run are what mean something on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.sample_db import ensure_account, seed_subset
from bench.server import DASHBOARD_ENV, gunicorn

RATIO_GOAL = 1.5
WORKER_MB_GOAL = 250.0
WORKERS = 2
ACCOUNT = "bench-pagina"
CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 180_000  # per wait; generous for a loaded machine
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "pages.json"

# Counts the Dash callback requests in flight (until their body has arrived) and records the last moment
# the page became "drawn": content there, nothing loading, every graph plotted, no callback pending.
INIT_SCRIPT = """(() => {
    let inflight = 0;
    const original = window.fetch;
    window.fetch = function (input, init) {
        const url = typeof input === 'string' ? input : (input && input.url) || '';
        const promise = original.apply(this, arguments);
        if (url.includes('_dash-update-component')) {
            inflight++;
            promise.then(r => r.clone().arrayBuffer()).catch(() => null).finally(() => { inflight--; });
        }
        return promise;
    };
    const drawn = () => {
        const content = document.getElementById('_pages_content');
        if (!content || content.children.length === 0) return false;
        if (document.querySelector('._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"]'))
            return false;
        const graphs = document.querySelectorAll('.dash-graph').length;
        const plotted = document.querySelectorAll('.dash-graph .js-plotly-plot .main-svg').length;
        return graphs > 0 && plotted >= graphs && inflight === 0;
    };
    window.__drawn = false;
    window.__drawnAt = null;
    const tick = () => {
        const now = drawn();
        if (now && !window.__drawn) window.__drawnAt = performance.now();
        window.__drawn = now;
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})();"""

CAPTURE = """() => [...document.querySelectorAll('.dash-graph .js-plotly-plot')].map(gd => JSON.parse(JSON.stringify(
    {data: gd.data, layout: gd.layout}, (key, value) => ArrayBuffer.isView(value) ? Array.from(value) : value)))"""


def pages(region: str) -> dict[str, str]:
    """Page name -> the address benchmarked."""
    return {"region": f"/regio?code={region}", "overview": "/", "compare": "/vergelijken"}


# --- the browser -----------------------------------------------------------------------------------


def drawn_after(context, url: str) -> float:
    """Seconds from navigating to `url` in a fresh tab until the page was last drawn."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "_dash-" in r.url else None
    )
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        if errors:
            raise RuntimeError(f"{url}: {errors}")
        page.wait_for_function("() => window.__drawn === true && window.__drawnAt !== null", polling=50)
        page.wait_for_load_state("networkidle")  # an answer may have started another callback
        page.wait_for_function("() => window.__drawn === true", polling=50)
        return page.evaluate("window.__drawnAt") / 1000
    finally:
        page.close()


def new_context(browser, base_url: str, password: str | None):
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="nl-NL", reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(INIT_SCRIPT)
    if password is not None:
        response = context.request.post(
            f"{base_url}/login", form={"naam": ACCOUNT, "wachtwoord": password},
            headers={"Origin": base_url}, max_redirects=0,
        )  # fmt: skip
        if response.status != 303:
            raise RuntimeError(f"signing in failed: {response.status} {response.text()[:300]}")
    return context


def fill_cache(context) -> None:
    """Load the Dash bundles once (a page without charts), so that a cold visit measures the server."""
    page = context.new_page()
    try:
        page.goto("/bestaat-niet-bench", wait_until="load")
        page.wait_for_load_state("networkidle")
    finally:
        page.close()


def capture(context, paths: dict[str, str]) -> dict[str, list[dict]]:
    """The figures of each page as the browser drew them."""
    figures = {}
    for name, path in paths.items():
        drawn_after(context, path)  # waits until drawn
        page = context.new_page()
        try:
            page.goto(path, wait_until="load")
            page.wait_for_load_state("networkidle")
            page.wait_for_function("() => window.__drawn === true", polling=50)
            figures[name] = page.evaluate(CAPTURE)
        finally:
            page.close()
    return figures


def navigation(context) -> list[str]:
    """Every address the navigation links to (the pages a user walks over)."""
    page = context.new_page()
    try:
        page.goto("/", wait_until="load")
        page.wait_for_selector(".site-nav a")
        return page.eval_on_selector_all(".site-nav a", "links => links.map(a => a.getAttribute('href'))")
    finally:
        page.close()


# --- the servers -----------------------------------------------------------------------------------


def workers_memory(pid_file: Path) -> list[dict]:
    """Resident memory of each worker of the gunicorn master in `pid_file`: now and peak, in MB."""
    master = int(pid_file.read_text().strip())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(status.get("PPid", "0").strip()) == master:
            found.append({"pid": int(entry.name), "rss_mb": _mb(status["VmRSS"]), "peak_mb": _mb(status["VmHWM"])})
    return sorted(found, key=lambda w: w["pid"])


def _mb(field: str) -> float:
    return round(int(field.split()[0]) / 1024, 1)


def upload(db_url: str, path: Path) -> None:
    """Store one file and refresh the indicator table, as the upload page does."""
    from db.engine import connect
    from ingest.pipeline import Delivery, load_files

    engine = connect(db_url)
    try:
        from bench.quarter import TODAY

        loaded = load_files(engine, [Delivery(path, source="bench", uploaded_by="bench")], today=TODAY)
    finally:
        engine.dispose()
    if loaded[0][2].status != "stored":
        raise RuntimeError(f"the upload of {path.name} was not stored: {loaded[0][2].status}")


# --- the run ---------------------------------------------------------------------------------------


def _warm_upload_walk(real, yardstick, paths, times, rounds, upload_files, db_url, pid_file) -> tuple[list, list]:
    """The warm visits (alternating with the minimal page), the visits after each upload, then the walk
    over every page and the workers' memory after it."""
    for number in range(rounds):
        for name, path in paths.items():
            sides = [("warm", real, path), ("minimal", yardstick, f"/{name}")]
            for side, context, address in sides if number % 2 == 0 else sides[::-1]:
                times[name][side].append(drawn_after(context, address))
    for file in upload_files:
        upload(db_url, file)
        for name, path in paths.items():
            times[name]["minimal"].append(drawn_after(yardstick, f"/{name}"))
            times[name]["upload"].append(drawn_after(real, path))
    walked = navigation(real)
    for address in walked:
        drawn_or_not = real.new_page()
        drawn_or_not.goto(address, wait_until="load")
        drawn_or_not.wait_for_load_state("networkidle")
        drawn_or_not.close()
    return walked, workers_memory(pid_file)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_benchmark(
    region: str, rounds: int, uploads: int, work: Path, seeded: Path | None = None, colds: int = 3
) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.files import write_files

    if seeded is not None:  # a copy: the uploads change it
        (work / "db").mkdir()
        shutil.copyfile(seeded, work / "db" / "monitor.sqlite")
        db_url = f"sqlite:///{work / 'db' / 'monitor.sqlite'}"
    else:
        print(f"seeding the sample data of {region} (every year) ...", file=sys.stderr)
        db_url = seed_subset(work / "db", regions=(region,), years=())
    password = ensure_account(db_url, ACCOUNT)
    upload_files = write_files(work / "uploads", limit=uploads)
    env = {"MONITOR_DB_URL": db_url, **DASHBOARD_ENV}
    paths = pages(region)
    times: dict[str, dict[str, list[float]]] = {n: {"cold": [], "warm": [], "upload": [], "minimal": []} for n in paths}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            with gunicorn("dashboard.wsgi:server", env=env, workers=WORKERS, log=work / "capture.log") as base:
                context = new_context(browser, base, password)
                figures = capture(context, paths)
                context.close()
            figures_file = work / "minimal_pages.json"
            figures_file.write_text(json.dumps(figures), encoding="utf-8")
            shapes = {n: [[len(t.get("x") or []) for t in f["data"]] for f in figs] for n, figs in figures.items()}
            pid_file = work / "dashboard.pid"
            minimal_env = {"BENCH_MINIMAL_PAGES": str(figures_file)}
            with gunicorn("bench.minimal_pages:server", env=minimal_env, workers=WORKERS, log=work / "minimal.log",
                          ready_path="/_dash-layout") as minimal:  # fmt: skip
                yardstick = new_context(browser, minimal, None)
                fill_cache(yardstick)
                for start in range(colds):  # a cold visit happens once per start: start afresh for each
                    with gunicorn("dashboard.wsgi:server", env=env, workers=WORKERS, log=work / "dashboard.log",
                                  extra_args=("--pid", str(pid_file))) as base:  # fmt: skip
                        real = new_context(browser, base, password)
                        fill_cache(real)
                        for name, path in paths.items():  # the first visit of each page after the start
                            times[name]["cold"].append(drawn_after(real, path))
                            times[name]["minimal"].append(drawn_after(yardstick, f"/{name}"))
                        if start == colds - 1:
                            walked, memory = _warm_upload_walk(real, yardstick, paths, times, rounds, upload_files,
                                                               db_url, pid_file)  # fmt: skip
                        real.close()
                yardstick.close()
        finally:
            browser.close()
    result = {"region": region, "rounds": rounds, "uploads": uploads, "colds": colds, "workers": WORKERS,
              "shapes": shapes, "walked": walked, "workers_memory": memory, "pages": {}}  # fmt: skip
    for name, sides in times.items():
        minimal_median = median(sides["minimal"])
        result["pages"][name] = {
            "address": paths[name],
            "seconds": sides,
            **{f"{side}_median": median(sides[side]) for side in sides},
            **{f"{side}_ratio": median(sides[side]) / minimal_median for side in ("cold", "warm", "upload")},
        }
    return result


def report(result: dict) -> str:
    lines = [f"Pages drawn in Chromium, gunicorn with {result['workers']} workers each, medians (s):", ""]
    lines.append(f"{'page':<10} {'cold':>7} {'warm':>7} {'upload':>7} {'minimal':>8}   ratios cold / warm / upload")
    for name, page in result["pages"].items():
        ratios = " / ".join(f"{page[f'{s}_ratio']:.2f}" for s in ("cold", "warm", "upload"))
        worst = max(page[f"{s}_ratio"] for s in ("cold", "warm", "upload"))
        met = "met" if worst <= RATIO_GOAL else "NOT met"
        lines.append(
            f"{name:<10} {page['cold_median']:>7.2f} {page['warm_median']:>7.2f} {page['upload_median']:>7.2f} "
            f"{page['minimal_median']:>8.2f}   {ratios}  (goal <= {RATIO_GOAL}: {met})"
        )
    lines.append("")
    charts = "; ".join(f"{n}: {len(s)} charts" for n, s in result["shapes"].items())
    lines.append(f"charts: {charts}")
    memory = result["workers_memory"]
    worst = max((w["peak_mb"] for w in memory), default=float("nan"))
    lines.append(
        f"after a walk over {len(result['walked'])} pages, worker memory (MB, now/peak): "
        + ", ".join(f"{w['rss_mb']:.0f}/{w['peak_mb']:.0f}" for w in memory)
        + f"  (goal < {WORKER_MB_GOAL:.0f}: {'met' if worst < WORKER_MB_GOAL else 'NOT met'})"
    )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm visits per page and side (default 5)")
    parser.add_argument("--uploads", type=int, default=3, help="uploads, each followed by a visit (default 3)")
    parser.add_argument(
        "--colds", type=int, default=3, help="starts of the dashboard, each with a cold visit (default 3)"
    )
    parser.add_argument("--region", default="VR10", help="the region of the region page (default VR10)")
    parser.add_argument("--seeded", type=Path, help="a SQLite file seeded as this benchmark does (copied)")
    parser.add_argument("--json", type=Path, default=RESULTS_FILE, help=f"results file (default {RESULTS_FILE})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.colds < 1:
        parser.error("--colds: at least one start (the warm visits, uploads and walk follow the last)")
    with tempfile.TemporaryDirectory(prefix="page-bench-") as folder:
        result = run_benchmark(args.region, args.rounds, args.uploads, Path(folder), args.seeded, args.colds)
    result |= {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": platform.node(),
               "cpus": os.cpu_count()}  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
