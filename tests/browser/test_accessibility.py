"""WCAG 2.1 AA in the browser, on every page of `dash.page_registry`: axe-core, the language, charts
with an accessible name and a table, headings, and the keyboard path through skip link and navigation."""

from __future__ import annotations

import pytest

from bench.sample_db import SUBSET_REGIONS
from tests.browser.conftest import axe_report, axe_violations, navigation_pages, new_page, open_page, page_paths

pytestmark = pytest.mark.browser

REGION = SUBSET_REGIONS[0]
PATHS = page_paths()
# Every page, the region page for a region given in the address as the overview links to it (also at
# one indicator, as the attention list links to it), and the definitions page at one indicator.
PAGES = PATHS + [f"/regio?code={REGION}", f"/regio?code={REGION}#regio-plegerhulp_uitval"] * ("/regio" in PATHS)
PAGES += ["/indicatoren#definitie-plegerhulp_uitval"] * ("/indicatoren" in PATHS)


STRUCTURE = """() => {
    const problems = [];
    const text = el => (el ? el.textContent.trim() : '');
    const named = el => {
        if (!el) return false;
        if ((el.getAttribute('aria-label') || '').trim()) return true;
        const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
        return ids.some(id => text(document.getElementById(id)));
    };
    document.querySelectorAll('.js-plotly-plot').forEach((plot, i) => {
        const graph = plot.closest('.dash-graph') || plot;
        const where = graph.id ? '#' + graph.id : `.js-plotly-plot[${i}]`;
        const figure = plot.closest('figure');
        const ok = named(plot) || named(graph) ||
            (figure && (named(figure) || text(figure.querySelector(':scope > figcaption'))));
        if (!ok) problems.push(`${where}: no accessible name (a <figure> with aria-labelledby, or aria-label)`);
        const card = plot.closest('section, .chart-card');
        if (!card || !card.querySelector('table')) problems.push(`${where}: no data table beside the chart`);
    });
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
    const h1 = headings.filter(h => h.tagName === 'H1').length;
    if (h1 !== 1) problems.push(`${h1} <h1> elements instead of exactly one`);
    let level = 0;
    for (const h of headings) {
        const next = Number(h.tagName[1]);
        if (next > level + 1) {
            problems.push(`heading level skipped: <${h.tagName.toLowerCase()}> "${text(h)}" after h${level}`);
        }
        level = next;
    }
    return problems;
}"""  # problems with chart names, chart tables and headings


@pytest.fixture(scope="module", params=PAGES)
def loaded(request, browser_context):
    """Each page loaded once for the checks below (pytest runs them together per page)."""
    page = new_page(browser_context)
    open_page(page, request.param)
    page.path = request.param
    try:
        yield page
    finally:
        page.close()


def test_axe_finds_no_wcag_violations(loaded):
    page, path = loaded, loaded.path
    violations = axe_violations(page)
    assert not violations, axe_report(path, violations)


def test_language_charts_and_headings(loaded):
    page, path = loaded, loaded.path
    assert page.locator("html").get_attribute("lang") == "nl"

    problems = page.evaluate(STRUCTURE)
    assert not problems, f"on {path}:\n" + "\n".join(problems)


def test_keyboard_skip_link_then_navigation(loaded):
    page, path = loaded, loaded.path

    def focused() -> dict:
        return page.evaluate(
            """() => { const el = document.activeElement;
            return {tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href'),
                    cls: el.className, id: el.id,
                    outline: getComputedStyle(el).outlineStyle, inNav: !!el.closest('nav')}; }"""
        )

    if "#" in path:  # an address at a block: the keyboard goes on from that block, as after a jump to a fragment
        block = path.split("#", 1)[1]
        page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=block)
        # as after the browser's own jump to a fragment: the first Tab reaches the first control at or after the
        # block (inside it when it has one); only when nothing focusable follows does it wrap to the top
        follows = page.evaluate(
            """id => { const block = document.getElementById(id);
                return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]')]
                    .some(el => el.offsetParent !== null && (block.contains(el)
                        || block.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)); }""",
            block,
        )
        page.keyboard.press("Tab")
        onward = page.evaluate(
            """id => { const block = document.getElementById(id), el = document.activeElement;
                const after = block.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
                return block.contains(el) || !!after; }""",
            block,
        )
        onward = onward if follows else "skip-link" in focused()["cls"]
        assert onward, f"first Tab on {path} went back before #{block}: {focused()}"
        return
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")

    page.keyboard.press("Tab")
    first = focused()
    assert first["tag"] == "A" and "skip-link" in first["cls"], f"first Tab on {path} reached {first}"
    assert first["outline"] != "none", "the skip link shows no focus outline"
    expected = [p["name"] for p in navigation_pages()]
    reached = []
    for _ in expected:
        page.keyboard.press("Tab")
        now = focused()
        assert now["inNav"], f"Tab after {reached or 'the skip link'} on {path} left the navigation: {now}"
        assert now["outline"] != "none", f"the navigation link {now['text']!r} shows no focus outline"
        reached.append(now["text"])
    assert reached == expected

    page.keyboard.press("Shift+Tab")
    for _ in expected[:-1]:
        page.keyboard.press("Shift+Tab")
    assert "skip-link" in focused()["cls"]
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'MAIN'")
    assert focused()["id"] == "inhoud"


# Dash 4 names a dropdown's button by its value only; dashboard/assets/a11y.js puts its visible
# <label> first. Every dropdown must have a label and be named by it.
DROPDOWNS_WITHOUT_THEIR_LABEL = """() => [...document.querySelectorAll('button.dash-dropdown')].filter(button => {
    const label = button.id && document.querySelector(`label[for="${CSS.escape(button.id)}"]`);
    if (!label || !label.id) return true;
    return !(button.getAttribute('aria-labelledby') || '').split(/\\s+/).includes(label.id);
}).map(button => '#' + button.id)"""


def test_dropdowns_are_named_by_their_label(loaded):
    assert loaded.evaluate(DROPDOWNS_WITHOUT_THEIR_LABEL) == [], loaded.path
