"""Every callback is wired to components that exist.

The app sets `suppress_callback_exceptions=True` so that Dash builds no validation layout (built for
the first visitor and sent to every later one, it would leak their figures). Dash then no longer
checks the wiring itself; this test does: every id a callback reads or writes is in the shell or
in a page's layout (as the beheerder sees it, with every control), or is made by another callback.
"""

from __future__ import annotations

import json

import dash
import pytest
from dash._callback import GLOBAL_CALLBACK_MAP

from db.engine import connect
from ingest.pipeline import load_file
from tests.dash_tree import walk
from tests.dashboard_db import dashboard_on
from tests.workbooks import write_workbook


def _ids(tree) -> set[str]:
    found = set()
    for component in walk(tree):
        component_id = getattr(component, "id", None)
        if isinstance(component_id, str):
            found.add(component_id)
    return found


def _wired(app: dash.Dash) -> set[str]:
    ids = set()
    for key, spec in {**GLOBAL_CALLBACK_MAP, **app.callback_map}.items():
        outputs = key[2:-2].split("...") if key.startswith("..") else [key]
        ids |= {o.rsplit(".", 1)[0] for o in outputs if "." in o}
        for item in spec["inputs"] + spec["state"]:
            ids.add(item["id"])
    return {i for i in ids if not i.startswith("{") and not i.startswith("_pages")}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The ids of the shell and of every page's layout, and of what callbacks put in them (compare's charts)."""
    folder = tmp_path_factory.mktemp("wiring")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    rows = [["Gemeente", "Kwartaal", "Plegertrajecten afgesloten", "waarvan voortijdig uitgevallen"],
            ["Amsterdam", "2025 K1", 1000, 100], ["Almere", "2025 K1", 800, 320]]  # fmt: skip
    assert load_file(engine, write_workbook(folder / "f.xlsx", {"Blad1": rows}))[1].status == "stored"
    engine.dispose()
    with dashboard_on(url):
        app = dash.get_app()
        ids = _ids(app.layout())
        for page in dash.page_registry.values():
            layout = page.get("layout")  # (pages imported by other tests under a second name have none)
            ids |= _ids(layout() if callable(layout) else layout)
        from dashboard.pages import compare

        ids |= _ids(compare.charts("plegerhulp_uitval", "2025Q1", compare.fig.ALL_REGIONS))
        yield app, ids


def test_every_callback_id_is_in_a_layout(rendered):
    app, ids = rendered
    missing = sorted(_wired(app) - ids)
    assert not missing, f"callbacks wired to ids no layout has: {json.dumps(missing)}"


def test_the_check_finds_a_wrong_id(rendered):
    app, ids = rendered
    assert "bestaat-niet" not in ids
    assert _wired(app) - (ids - {sorted(_wired(app))[0]})  # a missing id is reported
