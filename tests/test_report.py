"""dashboard.report: the steering report's text read back with a PDF text extractor (pypdf), its tags,
and that it shows only what the steering group sees (no suppressed number)."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from dashboard.figures.region import TREND_INDICATORS
from dashboard.report import __main__ as cli
from db.steering import Interpretation, Target, set_target, write_interpretation
from ingest.pipeline import load_file
from tests.workbooks import write_workbook

HEADER = ["Gemeente", "Kwartaal", "Plegertrajecten afgesloten", "waarvan voortijdig uitgevallen",
          "Plegers in beeld", "Plegers gestart met hulpverlening"]  # fmt: skip
ROWS = [
    ["Groningen", "2025 K1", 7, 2, 400, 180],  # VR01: 2 of 7 dropouts, a denominator under 10: suppressed
    ["Amsterdam", "2025 K1", 1000, 100, 900, 500],
    ["Zwolle", "2025 K1", 500, 50, 300, 120],
    ["Groningen", "2024 K4", 30, 9, 380, 170],
]
MEANING = "De uitval is laag; <b>let op</b> de kleine aantallen."


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    from db.engine import connect

    folder = tmp_path_factory.mktemp("rapport")
    url = f"sqlite:///{folder / 'monitor.sqlite'}"
    engine = connect(url)
    assert load_file(engine, write_workbook(folder / "cijfers.xlsx", {"Blad1": [HEADER, *ROWS]}))[1].status == "stored"
    set_target(engine, Target("region", "VR01", "plegerhulp_bereik", 0.4, "2026Q4"), actor="pl-groningen")
    write_interpretation(engine, Interpretation("region", "VR01", "2025Q1", "", MEANING, "Casusoverleg met VT",
                                                "Team Noord", "2025Q3"), actor="pl-groningen")  # fmt: skip
    write_interpretation(engine, Interpretation("region", "VR01", "2025Q1", "plegerhulp_bereik", "Bereik stabiel"),
                         actor="pl-groningen")  # fmt: skip
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def report(database, tmp_path_factory):
    url, _ = database
    out = tmp_path_factory.mktemp("uit") / "rapport.pdf"
    assert cli.main(["--region", "VR01", "--period", "2025Q1", "--db", url, "--out", str(out)]) == 0
    return pypdf.PdfReader(io.BytesIO(out.read_bytes()))


def text_of(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_report_says_region_quarter_every_indicator_target_interpretation_and_definitions(report):
    text = text_of(report)
    for expected in ("Stuurinformatie Groningen, 2025 K1", "Gemaakt op", "Volledigheid aanleveringen",
                     "Aandachtspunten", "Bijlage: definities", "Streefwaarde 40,0% uiterlijk 2026 K4",
                     "Casusoverleg met VT", "Door: Team Noord", "Klaar in 2025 K3", "Bereik stabiel",
                     "Geschreven door pl-groningen", MEANING):  # fmt: skip
        assert expected in text, expected
    for indicator in TREND_INDICATORS:
        assert text.count(indicator.name) >= 2, indicator.name  # its page and its definition
    assert re.search(r"Oordeel streefwaarde (✔ gehaald|✘ niet gehaald|\? nog niet te zeggen)", text)
    assert "45,0%" in text  # 180 of 400: Dutch notation


def test_the_report_shows_no_suppressed_number(report, database):
    text = text_of(report)
    assert "28,6%" not in text  # 2 of 7 dropouts in VR01
    assert "afgeschermd" in text


def test_the_pdf_is_tagged_dutch_and_titled(report):
    root = report.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert report.metadata.title == "Stuurinformatie Groningen, 2025 K1"


def test_the_charts_are_vector_images(database):
    from dashboard.report.content import gather
    from dashboard.report.pdf import render_html

    _, engine = database
    html = render_html(gather(engine, "VR01", "2025Q1"))
    assert html.count('src="data:image/svg+xml,') == len(TREND_INDICATORS)
    assert "<b>let op</b>" not in html and "&lt;b&gt;let op&lt;/b&gt;" in html  # escaped


def test_the_command_line_refuses_an_unknown_region_and_a_wrong_period(database, tmp_path, capsys):
    url, _ = database
    assert cli.main(["--region", "VR99", "--period", "2025Q1", "--db", url, "--out", str(tmp_path / "x.pdf")]) == 1
    assert "bestaat niet" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()
    with pytest.raises(SystemExit) as usage:
        cli.main(["--region", "VR01", "--period", "K1", "--db", url, "--out", str(tmp_path / "x.pdf")])
    assert usage.value.code == 2
