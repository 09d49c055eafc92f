"""Signing in and out in the browser, and what a steering-group member does not get to see."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ADMIN, STEERING, axe_report, axe_violations, new_page, settle, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh(browser, served):
    """A browser context without a session."""
    context = browser.new_context(base_url=served.base_url, locale="nl-NL")
    context.server_log = served.log
    try:
        yield context
    finally:
        context.close()


def test_sign_in_page_is_accessible_and_leads_to_the_page_asked_for(fresh, served):
    page = new_page(fresh)
    page.goto("/regio?code=VR13")
    assert page.url.startswith(f"{served.base_url}/login")
    violations = axe_violations(page, open_details=False)
    assert not violations, axe_report("/login", violations)
    page.get_by_label("Gebruikersnaam").fill(ADMIN)
    page.get_by_label("Wachtwoord").fill(served.passwords[ADMIN])
    page.keyboard.press("Enter")
    page.wait_for_url("**/regio?code=VR13")
    settle(page)
    assert page.get_by_text(f"Ingelogd als {ADMIN}").is_visible()


def test_a_wrong_password_is_announced_and_passes_axe(fresh):
    page = new_page(fresh)
    page.goto("/login")
    page.get_by_label("Gebruikersnaam").fill(ADMIN)
    page.get_by_label("Wachtwoord").fill("niet het goede wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    alert = page.get_by_role("alert")
    assert "Onbekende naam of onjuist wachtwoord" in alert.inner_text()
    violations = axe_violations(page, open_details=False)
    assert not violations, axe_report("/login na een fout", violations)


def test_the_steering_group_sees_regions_without_municipalities_and_cannot_upload(fresh, served):
    sign_in(fresh, served, STEERING)
    page = new_page(fresh)
    page.goto("/regio?code=VR13")
    settle(page)
    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    assert navigation.get_by_role("link", name="Aanleveren").count() == 0
    assert navigation.get_by_role("link", name="Auditlog").count() == 0
    assert page.locator("#regio-gemeenten-afgeschermd").is_visible()
    assert "Buiten uw eigen gebied" in page.locator("footer.site-footer").inner_text()
    violations = axe_violations(page)
    assert not violations, axe_report("/regio als stuurgroep", violations)
    page.goto("/auditlog")
    settle(page)
    assert "Alleen de beheerder" in page.locator("main").inner_text()


def test_logout_ends_the_session(fresh, served):
    sign_in(fresh, served, STEERING)
    page = new_page(fresh)
    page.goto("/")
    settle(page)
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/login?uitgelogd=1")
    assert page.get_by_role("status").inner_text() == "U bent uitgelogd."
    page.goto("/vergelijken")
    assert "/login" in page.url


def test_an_ended_session_sends_the_page_to_the_sign_in_page(fresh, served):
    sign_in(fresh, served, STEERING)
    page = new_page(fresh)
    page.goto("/regio?code=VR13")
    settle(page)
    fresh.clear_cookies()  # as after 30 minutes idle: the next callback gets 401
    page.locator("#regio-code").click()
    page.get_by_role("option").nth(1).click()
    page.wait_for_url("**/login?volgende=*")
    assert "regio" in page.url


def test_an_unknown_address_gets_a_dutch_page(fresh, served):
    sign_in(fresh, served, STEERING)
    page = new_page(fresh)
    page.goto("/bestaat-niet")
    settle(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"


@pytest.mark.parametrize("path", ["/", "/regio?code=VR13", "/vergelijken", "/volledigheid", "/aanleveren", "/auditlog"])
def test_no_page_breaks_the_content_security_policy(browser_context, path):
    """Chromium reports every script or style the policy blocks on the console (Dash adds an inline
    script at its first request, so the policy's hashes are taken per response)."""
    page = new_page(browser_context)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(path)
        settle(page)
    finally:
        page.close()
    assert not blocked, blocked
