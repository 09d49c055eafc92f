"""A worker warms up before it serves: the pages drawn once for a public view, never fatal."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pandas as pd

from accounts.scope import Role, Scope
from bench.sample_db import ensure_account
from db.engine import connect
from ingest.pipeline import Delivery, load_files
from tests.dashboard_db import ADMIN, dashboard_on, signed_in
from tests.workbooks import write_workbook

HEADER = ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"]
TODAY = dt.date(2025, 11, 1)


def _store(url: str, tmp_path) -> None:
    rows = [["Utrecht", "2025 K1", 3, 1], ["Zeist", "2025 K1", 2, 1], ["Amsterdam", "2025 K1", 30, 10],
            ["Diemen", "2025 K1", 31, 12]]  # fmt: skip
    load_files(connect(url), [Delivery(write_workbook(tmp_path / "a.xlsx", {"Blad1": [HEADER, *rows]}))], today=TODAY)


def test_warm_up_fills_the_public_memo_and_leaves_every_other_view_its_own(tmp_path):
    url = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    _store(url, tmp_path)
    with dashboard_on(url, scope=None) as app:
        from dashboard import data
        from dashboard.warm import warm_up

        data._indicators.cache_clear()
        assert warm_up(app) is True
        assert data._indicators.cache_info().currsize > 0
        with signed_in(Scope(user="s", role=Role.STUURGROEP)):
            public = data.indicators(level="region", periods=["2025Q1"])
        with signed_in(ADMIN):
            full = data.indicators(level="region", periods=["2025Q1"])

    def km(frame):  # Utrecht's region: 2 of 5, a denominator below 10
        return frame.loc[(frame["area_code"] == "VR09") & (frame["indicator"] == "huisverbod_km")].iloc[0]

    assert km(public)["suppression"] == "primary" and pd.isna(km(public)["numerator"])  # hidden for the steering group
    assert pd.isna(km(full)["shown"]) and km(full)["numerator"] == 2  # the beheerder's own view


def test_warm_up_of_an_empty_database_draws_and_a_failing_page_is_not_fatal(tmp_path, monkeypatch, caplog):
    with dashboard_on(f"sqlite:///{tmp_path / 'empty.sqlite'}", scope=None) as app:
        from dashboard import warm

        assert warm.warm_up(app) is True  # no figures yet: the pages say so
        layouts = warm.page_layouts()
        monkeypatch.setattr(warm, "page_layouts", lambda: {**layouts, "/": lambda: 1 / 0})
        assert warm.warm_up(app) is False
    assert "warm-up skipped" in caplog.text and "ZeroDivisionError" in caplog.text


CHECK_SERVED = """
import json, os, dash
import dashboard.wsgi
from bench import dash_http
by_path = {}
for page in dash.page_registry.values():
    by_path.setdefault(page["path"], []).append(page["module"])
client = dashboard.wsgi.server.test_client()
signed = client.post("/login", data={"naam": "warm-test", "wachtwoord": os.environ["WARM_TEST_PASSWORD"]})
router = next(c for c in client.get("/_dash-dependencies").json if c["output"] == dash_http.ROUTER_OUTPUT)
values = {"_pages_location.pathname": "/regio", "_pages_location.search": "?code=VR09"}
body = dash_http.body(router, values, changed=list(values))
answer = client.post("/_dash-update-component", json=body)
print(json.dumps({"by_path": by_path, "signed": signed.status_code, "status": answer.status_code,
                  "selector": '"regio-code"' in answer.get_data(as_text=True)}))
"""


def test_the_served_router_still_finds_every_page_after_the_warm_up(tmp_path):
    """The regression: warming by importing `dashboard.pages.*` registered every page twice and the
    router served the copy without a layout. In a fresh process, as gunicorn's worker imports it."""
    url = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    _store(url, tmp_path)
    password = ensure_account(url, "warm-test")
    env = {
        **os.environ,
        "WARM_TEST_PASSWORD": password,
        "MONITOR_DB_URL": url,
        "MONITOR_COOKIE_SECURE": "0",
        "MONITOR_RATELIMIT_STORAGE": "memory://",
    }
    out = subprocess.run([sys.executable, "-c", CHECK_SERVED], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(len(modules) == 1 for modules in result["by_path"].values()), result["by_path"]
    assert {"/", "/regio", "/vergelijken"} <= set(result["by_path"])
    assert (result["signed"], result["status"], result["selector"]) == (303, 200, True)


IMPORTED_BESIDE = """
import json, sys, dash
from dashboard.app import create_app
create_app()
import dashboard.pages.region, dashboard.pages.upload  # as a test or a tool would, beside the app
create_app()  # and a second app in the same process, as the tests make
import dashboard.pages.compare
by_path = {}
for page in dash.page_registry.values():
    by_path.setdefault(page["path"], []).append(page["module"])
region = next(p for p in dash.page_registry.values() if p["path"] == "/regio")
print(json.dumps({"by_path": by_path, "same": sys.modules[region["module"]].layout is region["layout"]}))
"""


def test_a_page_imported_by_its_package_name_is_the_page_dash_serves(tmp_path):
    """Dash imports the pages under their package names (`dashboard.app`), so importing one beside the
    app, or making a second app, registers nothing twice and the registry holds the module that is imported."""
    env = {**os.environ, "MONITOR_DB_URL": f"sqlite:///{tmp_path / 'monitor.sqlite'}"}
    out = subprocess.run([sys.executable, "-c", IMPORTED_BESIDE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(modules == [modules[0]] for modules in result["by_path"].values()), result["by_path"]
    assert {m for modules in result["by_path"].values() for m in modules} >= {
        "dashboard.pages.region", "dashboard.pages.upload", "dashboard.pages.compare"
    }  # fmt: skip
    assert result["same"]
