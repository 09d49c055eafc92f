"""The real flows in the browser: upload a file and see its figure on the region page, pick a region on
the map, download the figures behind every chart as Excel and CSV, and follow a link to an indicator's
block (its definition, a region's chart of it)."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from bench.sample_db import SUBSET_REGIONS
from tests.browser.conftest import ADMIN, axe_report, axe_violations, open_page, page_paths, settle
from tests.workbooks import write_workbook

pytestmark = pytest.mark.browser

REGION = SUBSET_REGIONS[0]
PERIOD, PERIOD_LABEL = "2025Q3", "2025 K3"
COUNT_INDICATOR = "consultatie_specialistisch"
CONSULTATIONS = {  # the template's headers; a distinctive total no sample municipality reaches
    "Consultaties forensische GGZ": 4321,
    "Consultaties GGZ": 0,
    "Consultaties verslavingszorg": 0,
    "Consultaties LVB-zorg": 0,
}
PATHS = page_paths()
WITHOUT_TABLES = {"/404", "/indicatoren"}  # the page for unknown addresses; the definitions (text only)


def require_page(path: str) -> None:
    if path not in PATHS:
        pytest.fail(f"no page is registered at {path}; registered: {', '.join(PATHS)}", pytrace=False)


def dutch(x: float) -> str:
    from dashboard.format import number

    return number(x)


def region_count(db_url: str, region: str) -> int | None:
    """The region's consultation count of PERIOD as the indicator table holds it."""
    from db.engine import connect
    from indicators.table import read_indicators

    engine = connect(db_url)
    try:
        rows = read_indicators(engine, level="region", areas=[region], indicators=[COUNT_INDICATOR], periods=[PERIOD])
    finally:
        engine.dispose()
    return None if rows.empty else int(rows["numerator"].iloc[0])


def member_of(region: str):
    """A municipality of `region` that existed in PERIOD (the first by code)."""
    from reference.areas import load_reference
    from reference.periods import Period

    reference = load_reference()
    members = [m for m in reference.existing(Period.parse_code(PERIOD)) if reference.region_of(m.code).code == region]
    return sorted(members, key=lambda m: m.code)[0]


def tables_text(page) -> str:
    """The text of every table on the page, folded ones included (textContent ignores visibility)."""
    return page.evaluate("[...document.querySelectorAll('table')].map(t => t.textContent).join('\\n')")


# ---- (a) upload, store, and see the figure on the region page ---------------------------------------


def test_upload_store_and_see_the_new_figure_on_the_region_page(page, served, tmp_path):
    require_page("/aanleveren")
    require_page("/regio")
    municipality = member_of(REGION)
    before = region_count(served.db_url, REGION)
    rows = [["Gemeente", "Kwartaal", *CONSULTATIONS], [municipality.code, PERIOD_LABEL, *CONSULTATIONS.values()]]
    workbook = write_workbook(tmp_path / "aanlevering.xlsx", {"Gegevens": rows})

    open_page(page, "/aanleveren")
    page.set_input_files("#aanleveren-upload input[type=file]", str(workbook))
    check = page.locator("#aanleveren-check")
    check.get_by_text("1 in orde").wait_for()
    assert dutch(4321) in check.text_content(), "the dry run does not show the value it would store"
    settle(page)
    assert region_count(served.db_url, REGION) == before, "the dry run stored something"
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren after a dry run", violations)

    save = page.locator("#aanleveren-save")
    assert save.is_enabled()
    save.click()
    page.locator("#aanleveren-saved-tabel").wait_for()
    settle(page)
    saved = page.locator("#aanleveren-saved").text_content()
    assert "opgeslagen" in saved and "geweigerd" not in saved, saved
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren after storing", violations)

    after = region_count(served.db_url, REGION)
    assert after is not None and after != before and after >= 4321
    open_page(page, f"/regio?code={REGION}")
    text = tables_text(page)
    assert dutch(after) in text, f"the new consultation count {dutch(after)} is not in the region page's tables"
    assert municipality.name in text or municipality.code in text


def test_upload_with_a_problem_shows_where_and_stores_nothing(page, served, tmp_path):
    """A file with an error: the problems table names file, sheet and cell; nothing can be stored; the
    problems download as a table."""
    require_page("/aanleveren")
    municipality = member_of(REGION)
    before = region_count(served.db_url, REGION)
    rows = [["Gemeente", "Kwartaal", "Consultaties GGZ"], [municipality.code, PERIOD_LABEL, -3]]
    workbook = write_workbook(tmp_path / "fout.xlsx", {"Gegevens": rows})

    open_page(page, "/aanleveren")
    page.set_input_files("#aanleveren-upload input[type=file]", str(workbook))
    check = page.locator("#aanleveren-check")
    check.get_by_text("1 geweigerd").wait_for()
    settle(page)
    cells = page.evaluate(
        """[...document.querySelectorAll('#aanleveren-check table tbody tr')]
            .map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))"""
    )
    assert any(row[:2] == ["Gegevens", "C2"] and "negatief" in row[-1] for row in cells), cells
    assert "fout.xlsx" in check.text_content()
    assert page.locator("#aanleveren-save").is_disabled()
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren showing problems", violations)

    problems = _xlsx_rows(download(page, "aanleveren-problems-xlsx", tmp_path))
    assert problems[0][:3] == ["Bestand", "Blad", "Cel"], problems[0]
    assert ["fout.xlsx", "Gegevens", "C2"] in [row[:3] for row in problems[1:]], problems
    assert region_count(served.db_url, REGION) == before


# ---- (b) pick a region on the map ---------------------------------------------------------------------

_REGION_SHAPE = """(region) => {
    // A municipality of the region on the map: its trace, point and drawn path.
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        for (let curve = 0; curve < (gd.data || []).length; curve++) {
            const trace = gd.data[curve];
            if (trace.type !== 'choropleth' || !trace.customdata) continue;
            const index = Array.from(trace.customdata).findIndex(c => (Array.isArray(c) ? c[0] : c) === region);
            if (index < 0) continue;
            const location = trace.locations[index];
            const path = [...gd.querySelectorAll('path.choroplethlocation')].find(
                p => p.__data__ && p.__data__.loc === location);
            let point = null;
            if (path) {
                // A point inside the drawn shape (its box's centre may lie outside), in page coordinates.
                const box = path.getBBox(), ctm = path.getScreenCTM(), svg = path.ownerSVGElement;
                for (let i = 1; i < 12 && !point; i++) for (let j = 1; j < 12 && !point; j++) {
                    const p = svg.createSVGPoint();
                    p.x = box.x + box.width * i / 12; p.y = box.y + box.height * j / 12;
                    if (path.isPointInFill(p)) { const s = p.matrixTransform(ctm); point = {x: s.x, y: s.y}; }
                }
            }
            return {graph: gd.closest('.dash-graph').id, curve, index, location, point};
        }
    }
    return null;
}"""

_EMIT_CLICK = """([graph, curve, index]) => {
    const gd = document.getElementById(graph).querySelector('.js-plotly-plot');
    const trace = gd.data[curve];
    gd.emit('plotly_click', {points: [{curveNumber: curve, pointNumber: index, pointIndex: index,
        location: trace.locations[index], z: trace.z ? trace.z[index] : undefined, data: trace, fullData: trace}]});
}"""


def test_clicking_a_region_on_the_map_opens_its_page(page):
    require_page("/")
    require_page("/regio")
    open_page(page, "/")
    shape = page.evaluate(_REGION_SHAPE, REGION)
    assert shape, f"no choropleth on the overview has a shape of {REGION} (customdata holding the region code)"
    target = f"**/regio?code={REGION}"
    clicked = False
    if shape["point"]:
        page.locator(f"#{shape['graph']}").scroll_into_view_if_needed()
        shape = page.evaluate(_REGION_SHAPE, REGION)  # positions after scrolling
        page.mouse.move(shape["point"]["x"], shape["point"]["y"])
        page.mouse.click(shape["point"]["x"], shape["point"]["y"])
        try:
            page.wait_for_url(target, timeout=5000)
            clicked = True
        except Exception:  # playwright's TimeoutError: fall back to the event plotly emits on a click
            pass
    if not clicked:
        page.evaluate(_EMIT_CLICK, [shape["graph"], shape["curve"], shape["index"]])
        page.wait_for_url(target)
    print(f"map: {'a mouse click on the shape' if clicked else 'the plotly_click event'} opened {page.url}")
    settle(page)
    assert page.locator("h1").count() == 1


# ---- (c) downloads: every chart's figures as Excel and as CSV -------------------------------------------


def _xlsx_rows(path) -> list[list]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(path) -> list[list[str]]:
    raw = open(path, "rb").read()  # noqa: SIM115
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV lacks the BOM that makes Excel read it as UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _same(excel: object, text: str) -> bool:
    """An Excel cell and a Dutch CSV cell hold the same value."""
    if excel is None:
        return text == ""
    if isinstance(excel, bool):
        return text in (str(excel), str(int(excel)))
    if isinstance(excel, int | float):
        try:
            return abs(float(text.replace(",", ".")) - float(excel)) <= 1e-9 * max(1.0, abs(float(excel)))
        except ValueError:
            return False
    return str(excel) == text


def download(page, button: str, tmp_path):
    with page.expect_download() as info:
        page.locator(f"#{button}").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


NEEDS_A_CHOICE = {"aanleveren-values"}  # answers only after a municipality and quarter are chosen


@pytest.mark.parametrize("path", [p for p in PATHS if p not in WITHOUT_TABLES])
def test_every_table_downloads_as_excel_and_csv(page, path, tmp_path):
    """Every visible pair of download buttons: an Excel file with Dutch headers and rows, and a CSV
    (semicolons, decimal commas, BOM) with the same headers and the same values."""
    open_page(page, path)
    tables = page.evaluate(
        """[...document.querySelectorAll('.downloads button[id$="-xlsx"]')]
            .filter(b => b.offsetParent !== null).map(b => b.id.slice(0, -'-xlsx'.length))"""
    )
    tables = [t for t in tables if t not in NEEDS_A_CHOICE]
    assert tables, f"{path} offers no table to download"
    for table in tables:
        excel = download(page, f"{table}-xlsx", tmp_path)
        assert excel.suffix == ".xlsx"
        rows = _xlsx_rows(excel)
        assert len(rows) >= 2, f"{table}: the Excel file has no data rows"
        header = rows[0]
        assert all(isinstance(h, str) and h.strip() for h in header), f"{table}: empty column header in {header}"
        assert not any("_" in h for h in header), f"{table}: column headers should be Dutch words: {header}"

        text = download(page, f"{table}-csv", tmp_path)
        assert text.suffix == ".csv"
        lines = _csv_rows(text)
        assert lines[0] == header, f"{table}: CSV and Excel headers differ"
        assert len(lines) == len(rows), f"{table}: CSV has {len(lines) - 1} rows, Excel {len(rows) - 1}"
        for excel_row, csv_row in zip(rows[1:], lines[1:], strict=True):
            pairs = zip(header, excel_row, csv_row, strict=True)
            assert all(_same(e, c) for _, e, c in pairs), f"{table}: {excel_row} (Excel) != {csv_row} (CSV)"
    page.failures.check()


def test_overview_download_holds_the_region_value(page, served, tmp_path):
    """The overview table as Excel: the region's value of an indicator as the indicator table has it."""
    from db.engine import connect
    from indicators.registry import INDICATORS_BY_CODE
    from indicators.table import read_indicators
    from reference.periods import Period

    require_page("/")
    open_page(page, "/")
    rows = _xlsx_rows(download(page, "overzicht-tabel-xlsx", tmp_path))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    indicator = INDICATORS_BY_CODE["huisverbod_km"]
    mine = [r for r in records if r["Regiocode"] == REGION and r["Indicator"] == indicator.name]
    assert len(mine) == 1, f"expected one row of {REGION}, {indicator.name}"
    year, quarter = mine[0]["Periode"].split(" K")
    period = str(Period(int(year), int(quarter)))
    engine = connect(served.db_url)
    try:
        stored = read_indicators(engine, level="region", areas=[REGION], indicators=[indicator.code], periods=[period])
    finally:
        engine.dispose()
    assert mine[0]["Waarde"] == pytest.approx(100 * stored["value"].iloc[0], abs=1e-4)  # rounded to 4 decimals
    assert mine[0]["Gemeenten aangeleverd"] == stored["reported"].iloc[0]


# ---- the callback benchmark sends what the browser sends ------------------------------------------------


def test_callback_bench_requests_match_the_browser(page, served):
    """`bench.callback_bench` builds its requests from the served app; Chromium must send the same."""
    from bench import callback_bench, dash_http
    from reference.areas import load_reference

    require_page("/regio")
    dash_http.sign_in(served.base_url, ADMIN, served.passwords[ADMIN])
    other = SUBSET_REGIONS[1]
    _, probes = callback_bench.page_callbacks(served.base_url, other)
    expected = {probe.output: probe.body for probe in probes}
    assert any("regio-trend" in output for output in expected), sorted(expected)

    open_page(page, f"/regio?code={REGION}")
    sent: dict[str, dict] = {}

    def record(request):
        if request.url.endswith("/_dash-update-component") or "/_dash-update-component?" in request.url:
            body = json.loads(request.post_data)
            sent[body["output"]] = body

    page.on("request", record)
    page.locator("#regio-code").click()
    page.get_by_role("option", name=load_reference().regions[other].name, exact=True).click()
    settle(page)
    for output, body in expected.items():
        assert output in sent, f"the browser did not call {output} when the region changed"
        assert sent[output] == body, f"{output}: the benchmark sends {body}, the browser {sent[output]}"


def test_opening_the_region_page_calls_no_callback_but_the_router(page):
    """The page arrives drawn (figures, texts, targets, interpretations, municipalities): the browser asks
    the server for the page's content once and nothing more until the user changes something."""
    from bench import dash_http

    require_page("/regio")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data)["output"]) if "/_dash-update-component" in r.url
            else None)  # fmt: skip
    open_page(page, f"/regio?code={REGION}")
    assert page.locator("#regio-duidingen").inner_text().strip()  # the interpretations, drawn by the layout
    assert sent == [dash_http.ROUTER_OUTPUT]
    # plotly.js came with the page (`dashboard.app._plotly_early`), once: the graphs did not load it again
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('plotly'))"
    )
    assert len(loaded) == 1 and ".min.js" in loaded[0], loaded


# ---- (d) addressable blocks: an indicator's definition, a region's chart of one indicator ----------------

_BLOCK_STATE = """id => { const el = document.getElementById(id);
    return el ? {focused: document.activeElement === el, top: el.getBoundingClientRect().top,
                 height: window.innerHeight} : null; }"""


def _wait_for_focus(page, element_id: str) -> dict:
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=element_id)
    return page.evaluate(_BLOCK_STATE, element_id)


def test_an_indicator_heading_opens_its_definition_in_view(page):
    require_page("/")
    require_page("/indicatoren")
    open_page(page, "/")
    page.locator('#overzicht-tabel thead a[href="/indicatoren#definitie-plegerhulp_uitval"]').click()
    page.wait_for_url("**/indicatoren#definitie-plegerhulp_uitval")
    settle(page)
    state = _wait_for_focus(page, "definitie-plegerhulp_uitval")
    assert state["focused"] and 0 <= state["top"] < state["height"] / 2, state
    assert page.locator("#definitie-plegerhulp_uitval h2").inner_text() == "Voortijdige uitval plegerhulp"


def test_a_region_address_with_an_indicator_opens_at_its_chart(page):
    require_page("/regio")
    open_page(page, f"/regio?code={REGION}#regio-plegerhulp_uitval")
    state = _wait_for_focus(page, "regio-plegerhulp_uitval")
    assert state["focused"] and -5 <= state["top"] < state["height"] / 2, state  # still there once drawn
    link = page.locator('#regio-plegerhulp_uitval a[href="/indicatoren#definitie-plegerhulp_uitval"]')
    assert link.count() == 1


# ---- (a2) the mapping step: a column of counts that is not recognised ------------------------------


def choose_with_keyboard(page, button: str, option: str) -> None:
    """Open the dropdown `button` (a CSS selector of one) with the keyboard, type `option` into its search
    and choose it: each key waits for what it acts on (the open list, then the filtered option)."""
    page.locator(button).focus()
    page.keyboard.press("Enter")
    page.get_by_role("option").first.wait_for()  # the list is open before anything is typed into its search
    page.keyboard.type(option)
    page.wait_for_function(  # filtered: every option left holds the text (a suggestion listed first is not)
        """text => { const left = [...document.querySelectorAll('[role=option]')];
            return left.length > 0 && left.every(o => o.textContent.toLowerCase().includes(text.toLowerCase())); }""",
        arg=option,
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).textContent.includes(text)", arg=[button, option]
    )
    page.keyboard.press("Escape")


def check_again_with_keyboard(page) -> None:
    page.get_by_role("button", name="Opnieuw controleren met deze keuzes").focus()
    page.keyboard.press("Enter")


def test_an_unrecognised_column_is_mapped_with_the_keyboard_and_stored(page, served, tmp_path):
    """Issue 9: the dry run asks about the open column; the uploader answers with the keyboard in a labelled
    dropdown (suggestions first, 'overslaan'), the file is checked again, is in order and is stored."""
    require_page("/aanleveren")
    municipality = member_of(REGION)
    rows = [["Gemeente", "Kwartaal", "Consultaties GGZ", "Wachttijd intake"], [municipality.code, PERIOD_LABEL, 2, 9]]
    workbook = write_workbook(tmp_path / "eigen_export.xlsx", {"Gegevens": rows})

    open_page(page, "/aanleveren")
    page.set_input_files("#aanleveren-upload input[type=file]", str(workbook))
    check = page.locator("#aanleveren-check")
    check.get_by_text("1 geweigerd").wait_for()
    assert "Kolom 'Wachttijd intake' is niet herkend" in check.text_content()
    box = page.locator("#aanleveren-mapping-box")
    box.wait_for(state="visible")
    settle(page)
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren asking about a column", violations)
    named = page.evaluate(
        """() => [...document.querySelectorAll('#aanleveren-mapping-box button.dash-dropdown')].map(b =>
            (b.getAttribute('aria-labelledby') || '').split(/\\s+/).map(id => document.getElementById(id))
                .filter(Boolean).map(el => el.textContent.trim()).join(' '))"""
    )
    assert len(named) == 1 and named[0].startswith("Kolom 'Wachttijd intake' (eigen_export.xlsx, Gegevens!D1)"), named

    choose_with_keyboard(page, "#aanleveren-mapping-box button.dash-dropdown", "overslaan")
    check_again_with_keyboard(page)
    check.get_by_text("1 in orde").wait_for()
    assert "Kolom 'Wachttijd intake' (Gegevens!D1) wordt overgeslagen (zoals opgegeven)." in check.text_content()
    settle(page)
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren after mapping a column", violations)

    page.locator("#aanleveren-save").click()
    page.locator("#aanleveren-saved-tabel").wait_for()
    saved = page.locator("#aanleveren-saved").text_content()
    assert "eigen_export.xlsx: opgeslagen, 1 waarde" in saved, saved


def store_checked_file(page, name: str) -> None:
    """Press Opslaan and wait until the file is stored."""
    page.locator("#aanleveren-save").click()
    page.locator("#aanleveren-saved").get_by_text(f"{name}: opgeslagen").wait_for()
    settle(page)


def test_a_mapping_round_trip_answered_remembered_and_listed(page, served, tmp_path):
    """Issue 9: a file with an unrecognised column of counts and one without a header: both asked (a dropdown
    each), answered with the keyboard, checked again and stored; the source's next file with the same header
    is read by the remembered mapping without asking, and stored; the mappings are listed."""
    require_page("/aanleveren")
    municipality = member_of(REGION)
    header = ["Gemeente", "Kwartaal", "Consultaties GGZ", "Doorverwijzingen verslaving", None]
    first = write_workbook(
        tmp_path / "eigen_k3.xlsx", {"Gegevens": [header, [municipality.code, PERIOD_LABEL, 3, 2, 8]]}
    )
    later = write_workbook(tmp_path / "eigen_k2.xlsx", {"Gegevens": [header, [municipality.code, "2025 K2", 4, 1, 6]]})
    source = ADMIN  # a beheerder's organisation is the account itself (dashboard.intake.organisation_of)

    open_page(page, "/aanleveren")
    page.set_input_files("#aanleveren-upload input[type=file]", str(first))
    check = page.locator("#aanleveren-check")
    check.get_by_text("1 geweigerd").wait_for()
    said = check.text_content()
    assert (
        "Kolom 'Doorverwijzingen verslaving' is niet herkend" in said and "Kolom E (zonder kop) is niet herkend" in said
    )
    page.locator("#aanleveren-mapping-box").wait_for(state="visible")
    settle(page)
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren asking about two columns, one without a header", violations)

    choose_with_keyboard(page, "#aanleveren-kolom-1", "verslavingszorg")
    choose_with_keyboard(page, "#aanleveren-kolom-2", "overslaan")
    check_again_with_keyboard(page)
    check.get_by_text("1 in orde").wait_for()
    said = check.text_content()
    assert (
        "Kolom 'Doorverwijzingen verslaving' (Gegevens!D1) is gelezen als 'Consultaties verslavingszorg' "
        "(zoals opgegeven)." in said
    ), said
    assert "Kolom E (zonder kop) (Gegevens!E1) wordt overgeslagen (zoals opgegeven)." in said, said
    store_checked_file(page, "eigen_k3.xlsx")
    listed = page.locator("#aanleveren-mappings-tabel")
    listed.get_by_text("doorverwijzingen verslaving").wait_for()  # shown again once stored, without a reload

    page.set_input_files("#aanleveren-upload input[type=file]", str(later))
    check.get_by_text("eigen_k2.xlsx: in orde").wait_for()
    said = check.text_content()
    assert "niet herkend" not in said, said
    assert (
        "Kolom 'Doorverwijzingen verslaving' (Gegevens!D1) is gelezen als 'Consultaties verslavingszorg' "
        f"(volgens de koppeling van {source})." in said
    ), said
    assert f"Kolom E (zonder kop) (Gegevens!E1) wordt overgeslagen (volgens de koppeling van {source})." in said
    settle(page)
    violations = axe_violations(page)
    assert not violations, axe_report("/aanleveren reading columns by a remembered mapping", violations)
    store_checked_file(page, "eigen_k2.xlsx")

    page.get_by_role("heading", name="Kolomkoppelingen").wait_for()
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#aanleveren-mappings-tabel tbody tr')].map(tr =>
            [...tr.querySelectorAll('th, td')].slice(0, 3).map(td => td.textContent.trim()))"""
    )
    assert [source, "doorverwijzingen verslaving", "Consultaties verslavingszorg"] in rows, rows
    assert [source, "e", "overslaan"] in rows, rows
    from db.engine import connect
    from db.values import current_values

    engine = connect(served.db_url)
    try:
        stored = current_values(engine)
    finally:
        engine.dispose()
    mine = stored[(stored["municipality"] == municipality.code) & (stored["element"] == "consultaties_verslavingszorg")]
    values = dict(zip(mine["period"].astype(str), mine["value"], strict=True))
    assert (values["2025Q2"], values["2025Q3"]) == (1, 2)
