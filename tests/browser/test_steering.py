"""Targets and interpretations in the browser: the beheerder sets a target and writes an
interpretation on the region page with the keyboard, sees both, and axe finds nothing in that state."""

from __future__ import annotations

import pytest

from bench.sample_db import SUBSET_REGIONS
from tests.browser.conftest import axe_report, axe_violations, open_page, settle

pytestmark = pytest.mark.browser

REGION = SUBSET_REGIONS[0]
MEANING = "Browsertest: de inzet bij kindermishandeling <groeit> langzaam."


def test_set_a_target_and_write_an_interpretation_and_see_both(page):
    open_page(page, f"/regio?code={REGION}")
    form = page.locator("#regio-sturen-formulier")
    form.wait_for(state="visible")

    value = page.get_by_label("Streefwaarde (Voor een percentage", exact=False)
    value.fill("47,5")
    page.locator("#regio-streef-opslaan").focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="streefwaarde voor Inzet huisverbod").wait_for()
    settle(page)
    target = page.locator("#regio-trend-huisverbod_km-streef")
    target.filter(has_text="Streefwaarde 47,5%").wait_for()
    assert "In " in target.inner_text()  # the latest quarter's judgement in words

    page.get_by_label("Wat betekenen de cijfers?", exact=False).fill(MEANING)
    page.get_by_label("Door wie").fill("Team Oost")
    page.locator("#regio-duiding-opslaan").focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="is opgeslagen").last.wait_for()
    settle(page)
    page.locator("#regio-duidingen").filter(has_text=MEANING).wait_for()  # shown as text, the <…> escaped

    violations = axe_violations(page)
    assert not violations, axe_report(f"/regio?code={REGION} after saving a target and an interpretation", violations)
