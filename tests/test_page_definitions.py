"""The Indicatoren page (/indicatoren): one addressable block per indicator with every field, in the navigation."""

import dash
import pytest
from dash import html

from dashboard.figures.definitions import FIELDS
from indicators.registry import INDICATORS
from tests.dash_tree import by_id, find, text_of
from tests.dashboard_db import dashboard_on


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('definitions') / 'monitor.sqlite'}"
    with dashboard_on(url):
        from dashboard.pages import definitions

        yield definitions


def test_registered_in_the_navigation(page):
    entry = dash.page_registry["dashboard.pages.definitions"]
    assert (entry["path"], entry["name"]) == ("/indicatoren", "Indicatoren")
    assert entry["order"] is not None


def test_one_block_per_indicator_with_every_field(page):
    tree = page.layout()
    assert [h.children for h in find(tree, html.H1)] == ["Indicatoren"]
    assert [h.children for h in find(tree, html.H2)] == [i.name for i in INDICATORS]
    for indicator in INDICATORS:
        block = by_id(tree, f"definitie-{indicator.code}")
        assert block.to_plotly_json()["props"]["aria-labelledby"] == f"definitie-{indicator.code}-titel"
        assert [dt.children for dt in find(block, html.Dt)] == list(FIELDS)
        assert all(text_of(dd).strip() for dd in find(block, html.Dd))
        assert indicator.building_block in text_of(block) and indicator.why in text_of(block)


def test_the_contents_link_to_every_block(page):
    tree = page.layout()
    (contents,) = find(tree, html.Nav)
    assert contents.to_plotly_json()["props"]["aria-label"] == "Indicatoren op deze pagina"
    links = [(a.children, a.href) for a in find(contents, html.A)]
    assert links == [(i.name, f"#definitie-{i.code}") for i in INDICATORS]


def test_lists_are_lists(page):
    block = by_id(page.layout(), "definitie-huisverbod_km")
    caveats = find(block, html.Ul)[-1]
    assert [li.children for li in caveats.children] == list(INDICATORS[0].caveats)
