"""A worker warms up before it serves: the pages drawn once for a public view, never fatal."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from accounts.scope import Role, Scope
from db.engine import connect
from ingest.pipeline import Delivery, load_files
from tests.dashboard_db import ADMIN, dashboard_on, signed_in
from tests.workbooks import write_workbook

HEADER = ["Gemeente", "Kwartaal", "THV", "THV kindermishandeling"]
TODAY = dt.date(2025, 11, 1)


def test_warm_up_fills_the_public_memo_and_leaves_every_other_view_its_own(tmp_path):
    url = f"sqlite:///{tmp_path / 'monitor.sqlite'}"
    rows = [["Utrecht", "2025 K1", 3, 1], ["Zeist", "2025 K1", 2, 1], ["Amsterdam", "2025 K1", 30, 10],
            ["Diemen", "2025 K1", 31, 12]]  # fmt: skip
    load_files(connect(url), [Delivery(write_workbook(tmp_path / "a.xlsx", {"Blad1": [HEADER, *rows]}))], today=TODAY)
    with dashboard_on(url, scope=None):
        from dashboard import data
        from dashboard.warm import warm_up

        data._indicators.cache_clear()
        assert warm_up() is True
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
    with dashboard_on(f"sqlite:///{tmp_path / 'empty.sqlite'}", scope=None):
        from dashboard.pages import overview
        from dashboard.warm import warm_up

        assert warm_up() is True  # no figures yet: the pages say so
        monkeypatch.setattr(overview, "layout", lambda: 1 / 0)
        assert warm_up() is False
    assert "warm-up skipped" in caplog.text and "ZeroDivisionError" in caplog.text
