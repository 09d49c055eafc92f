"""The overview's attention list (aandachtspunten) on a store of eight quarters, per role: it is built
only from what the signed-in user may see, and each point links to the region page at its indicator."""

from __future__ import annotations

import datetime as dt

import pytest
from dash import dcc, html

from accounts.scope import Role, Scope
from db.engine import connect
from ingest.pipeline import load_file
from reference.areas import load_reference
from reference.periods import Period
from tests.dash_tree import by_id, find, text_of
from tests.dashboard_db import dashboard_on, signed_in
from tests.workbooks import write_workbook

HEADER = ["Gemeente", "Kwartaal", "Plegertrajecten afgesloten", "waarvan voortijdig uitgevallen"]
QUARTERS = [Period.from_index(Period.parse_code("2023Q2").index + i) for i in range(8)]  # 2023 K2 - 2025 K1
DROPOUT = {  # municipality: (closed a quarter, dropouts per quarter); half a region or more delivers
    **{name: (250, [25] * 8) for name in ("Amsterdam", "Amstelveen", "Diemen", "Aalsmeer")},  # 10%, flat
    # Flevoland: rising to 42,5%, worse than the nation and worsening
    **{name: (200, [50, 55, 60, 65, 70, 75, 80, 85]) for name in ("Almere", "Lelystad", "Dronten", "Zeewolde")},
    # Gooi en Vechtstreek: rising too, but over 8 trajectories a quarter: suppressed for outsiders
    "Blaricum": (3, [0, 0, 0, 0, 3, 3, 3, 3]),
    "Huizen": (3, [1, 1, 1, 1, 3, 3, 3, 3]),
    "Wijdemeren": (2, [0, 0, 0, 0, 1, 1, 1, 1]),
}
TODAY = dt.date(2025, 6, 1)


def region_of(name: str) -> str:
    reference = load_reference()
    code = next(c for c, m in reference.municipalities.items() if m.name == name)
    return reference.region_of(code).code


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attention")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    rows = [[name, q.label, closed, dropouts[i]] for name, (closed, dropouts) in DROPOUT.items()
            for i, q in enumerate(QUARTERS)]  # fmt: skip
    assert (
        load_file(engine, write_workbook(folder / "uitval.xlsx", {"Blad1": [HEADER, *rows]}), today=TODAY)[1].status
        == "stored"
    )
    engine.dispose()
    with dashboard_on(url):
        from dashboard.pages import overview

        yield overview


def listed(section) -> list[tuple[str, str]]:
    """The (text, href) of each point's link."""
    return [(text_of(link), link.href) for link in find(by_id(section, "overzicht-aandachtspunten"), dcc.Link)]


def test_the_beheerder_sees_every_region_that_is_worse_and_worsening(page):
    flevoland, gooi = region_of("Almere"), region_of("Huizen")
    tree = page.layout(periode="2025Q1")
    section = by_id(tree, "overzicht-aandacht-sectie")
    assert [h.children for h in find(section, html.H2)] == ["Aandachtspunten"]
    points = listed(section)
    assert ("Flevoland: Voortijdige uitval plegerhulp", f"/regio?code={flevoland}#regio-plegerhulp_uitval") in points
    assert any(href.startswith(f"/regio?code={gooi}#") for _, href in points)
    assert not any("Amsterdam" in text for text, _ in points)
    item = find(by_id(section, "overzicht-aandachtspunten"), html.Li)[0]
    assert "in de 8 kwartalen tot en met 2025 K1" in text_of(item)


def test_the_steering_group_list_holds_no_suppressed_region(page):
    gooi = region_of("Huizen")
    admin = set(listed(page.update_attention("2025Q1")))
    assert any(href.startswith(f"/regio?code={gooi}#") for _, href in admin)
    with signed_in(Scope("stuurgroep-test", Role.STUURGROEP)):
        outsider = set(listed(page.update_attention("2025Q1")))
        from dashboard import data

        seen = data.indicators(level="region", areas=[gooi], codes=["plegerhulp_uitval"])
    assert seen["shown"].notna().all()  # what the steering group sees of Gooi en Vechtstreek: nothing
    assert not any(href.startswith(f"/regio?code={gooi}#") for _, href in outsider)
    assert outsider <= admin


def test_a_projectleider_sees_the_own_region_in_full(page):
    gooi = region_of("Huizen")
    with signed_in(Scope("projectleider-test", Role.PROJECTLEIDER, region=gooi)):
        points = listed(page.update_attention("2025Q1"))
    assert any(href.startswith(f"/regio?code={gooi}#") for _, href in points)


def test_a_quarter_without_points_says_so(page):
    section = page.update_attention("2023Q2")  # one quarter: no trend can be tested
    assert text_of(by_id(section, "overzicht-aandachtspunten")).startswith("Geen aandachtspunten in 2023 K2")
    assert text_of(page.update_attention(None)).count("Geen aandachtspunten") == 1
