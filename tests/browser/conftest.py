"""Browser tests: the dashboard served for real (gunicorn, several workers) on a small seeded database,
driven by Playwright in Debian's headless Chromium.

Without Chromium or Playwright the browser tests are skipped, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 40_000  # per Playwright action or wait; generous for a loaded machine
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_WORKERS = 2
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the served dashboard in headless Chromium (Playwright)")


def _unavailable(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# ---- the served dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    base_url: str
    db_url: str
    regions: tuple[str, ...]
    log: Path
    passwords: dict[str, str] = field(default_factory=dict)  # account name -> password


# The accounts the browser tests sign in with: a beheerder sees everything; the others check what
# the roles may not see. Passwords are made fresh for every run.
ADMIN = "browser-beheerder"
STEERING = "browser-stuurgroep"


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    """The dashboard under `gunicorn --workers 2 dashboard.wsgi:server` on a seeded SQLite database."""
    from bench.sample_db import SUBSET_REGIONS, ensure_account, seed_subset
    from bench.server import ServerError, gunicorn

    folder = tmp_path_factory.mktemp("browser")
    db_url = seed_subset(folder)
    passwords = {ADMIN: ensure_account(db_url, ADMIN), STEERING: ensure_account(db_url, STEERING, "stuurgroep")}
    log = folder / "gunicorn.log"
    # plain http on 127.0.0.1; the sign-in throttle per worker (tests/test_deployment.py tries Redis)
    env = {"MONITOR_DB_URL": db_url, "MONITOR_COOKIE_SECURE": "0", "MONITOR_RATELIMIT_STORAGE": "memory://"}
    try:
        with gunicorn("dashboard.wsgi:server", env=env, workers=SERVER_WORKERS, log=log) as base_url:
            yield Served(base_url, db_url, SUBSET_REGIONS, log, passwords)
    except ServerError as exc:
        pytest.fail(f"the dashboard did not start under gunicorn: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def base_url(served) -> str:
    return served.base_url


# ---- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file() and not shutil.which(CHROMIUM):
        _unavailable(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    try:
        import axe_playwright_python  # noqa: F401
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Failures:
    """What went wrong in the page while a test ran: failed callbacks and uncaught script errors."""

    server_log: Path | None = None
    items: list[str] = field(default_factory=list)

    def check(self) -> None:
        if self.items:
            found, self.items = self.items, []
            message = "errors in the page:\n" + "\n".join(found)
            if self.server_log is not None and self.server_log.is_file():
                tail = self.server_log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
                message += f"\nend of the server log ({self.server_log}):\n" + "\n".join(tail)
            pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def browser_context(browser, served):
    """One context for the session, so that its HTTP cache keeps plotly.js and the Dash bundles."""
    context = browser.new_context(
        base_url=served.base_url, viewport=VIEWPORT, locale="nl-NL", accept_downloads=True, reduced_motion="reduce"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.server_log = served.log
    sign_in(context, served, ADMIN)
    try:
        yield context
    finally:
        context.close()


def sign_in(context, served: Served, name: str) -> None:
    """Sign the context in through the sign-in form's endpoint; its cookie is shared by the context's pages."""
    response = context.request.post(
        f"{served.base_url}/login",
        form={"naam": name, "wachtwoord": served.passwords[name]},
        headers={"Origin": served.base_url},
        max_redirects=0,
    )
    if response.status != 303:
        pytest.fail(f"signing in as {name} failed: {response.status} {response.text()[:300]}", pytrace=False)


def new_page(context):
    """A page of `context` that records failed Dash requests and uncaught script errors (see `settle`)."""
    page = context.new_page()
    failures = Failures(getattr(context, "server_log", None))

    def on_response(response):
        if response.status >= 400 and "/_dash-" in response.url:
            try:
                body = response.text()[:500]
            except Exception:  # the body may be gone already
                body = ""
            failures.items.append(f"{response.status} from {response.url}: {body}")

    page.on("response", on_response)
    page.on("pageerror", lambda error: failures.items.append(f"script error: {error}"))
    page.failures = failures
    return page


@pytest.fixture
def page(browser_context):
    """A fresh page for one test."""
    page = new_page(browser_context)
    try:
        yield page
    finally:
        page.close()


# ---- helpers for the tests ------------------------------------------------------------------------

_RENDERED = """() => {
    const content = document.getElementById('_pages_content');
    if (!content || content.children.length === 0) return false;
    if (document.querySelector('._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"]')) return false;
    const graphs = document.querySelectorAll('.dash-graph').length;
    const plotted = document.querySelectorAll('.dash-graph .js-plotly-plot .main-svg').length;
    return plotted >= graphs;
}"""


_PENDING = """() => ({
    content: (document.getElementById('_pages_content') || {children: []}).children.length,
    loading: [...document.querySelectorAll('._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"]')]
        .map(e => e.id ? '#' + e.id : '.' + e.className),
    unplotted: [...document.querySelectorAll('.dash-graph')]
        .filter(g => !g.querySelector('.js-plotly-plot .main-svg')).map(g => '#' + g.id),
})"""


def settle(page, timeout: int = TIMEOUT_MS) -> None:
    """Wait until Dash has rendered the page and run its callbacks, then fail on any page error."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        for _ in range(2):  # a callback's answer may start another one
            page.wait_for_load_state("networkidle", timeout=timeout)
            page.wait_for_function(_RENDERED, timeout=timeout, polling=100)
    except PlaywrightTimeout:
        page.failures.check()
        pytest.fail(f"{page.url} did not finish rendering in {timeout / 1000:.0f} s: {page.evaluate(_PENDING)}")
    page.failures.check()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, open_details: bool = True) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now; folded tables opened first so
    that they are checked too (contrast, headers)."""
    from axe_playwright_python.sync_playwright import Axe

    if open_details:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def axe_report(where: str, violations: list[dict]) -> str:
    """The violations as a developer needs them: rule, impact, what it means, and every offending element."""
    lines = [f"{len(violations)} axe-core violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}\n      {node['html'][:200]}\n      {summary[:400]}")
    return "\n".join(lines)


def open_page(page, path: str) -> None:
    page.goto(path)
    settle(page)


_REGISTRY_SCRIPT = """
import json, dash
from dashboard.app import create_app
create_app()
print(json.dumps([{k: p.get(k) for k in ("module", "path", "name", "order")} for p in dash.page_registry.values()]))
"""


@functools.cache
def registered_pages() -> tuple[dict, ...]:
    """Every page of `dash.page_registry` after `create_app()` (module, path, name, order), in navigation
    order. Read in a subprocess so that collecting the tests leaves this process's Dash registry alone."""
    completed = subprocess.run(
        [sys.executable, "-c", _REGISTRY_SCRIPT], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"create_app() failed:\n{completed.stderr[-3000:]}")
    pages = json.loads(completed.stdout.strip().splitlines()[-1])
    return tuple(sorted(pages, key=lambda p: (p["order"] is None, p["order"] or 0, p["path"])))


def page_paths() -> list[str]:
    """The path of every page of the app, in navigation order."""
    return [page["path"] for page in registered_pages()]


def navigation_pages() -> list[dict]:
    """The pages the navigation links to (those with an order), in their order."""
    return [page for page in registered_pages() if page["order"] is not None]
