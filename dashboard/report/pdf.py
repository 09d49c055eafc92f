"""The steering report as a tagged PDF (PDF/UA-1, language nl, title set) from an HTML template.

WeasyPrint lays out HTML and CSS for print and writes the structure tree from the HTML (headings,
tables, lists, images with their alt text): no browser, installable from PyPI with Debian's Pango.
Jinja2 (which Dash's Flask brings) escapes every text it puts in the template.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from pathlib import Path

import jinja2
from markupsafe import Markup
from sqlalchemy import Engine

from dashboard.figures import region as figures
from dashboard.format import period_label
from dashboard.report.chart import trend_svg
from dashboard.report.content import Report, gather
from db.steering import Interpretation

TEMPLATE = Path(__file__).with_name("template.html")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")  # fmt: skip
_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def dutch_date(day: dt.date) -> str:
    """`2 december 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _duiding(item: Interpretation) -> Markup:
    """One interpretation as escaped HTML."""
    parts = []
    if item.meaning:
        parts.append(Markup("<p><strong>Duiding:</strong> {}</p>").format(item.meaning))
    if item.action:
        who = f" Door: {item.action_by}." if item.action_by else ""
        due = f" Klaar in {period_label(item.action_due)}." if item.action_due else ""
        parts.append(Markup("<p><strong>Bijsturing:</strong> {}{}</p>").format(item.action, who + due))
    when = item.written_at.strftime("%d-%m-%Y") if item.written_at else ""
    parts.append(Markup('<p class="note">Geschreven door {} op {}.</p>').format(item.written_by, when))
    return Markup('<div class="duiding">{}</div>').format(Markup("").join(parts))


def render_html(report: Report) -> str:
    """The report as HTML, every chart an SVG data URL with its alt text."""
    parts = []
    for part in report.parts:
        svg = trend_svg(part.trend, part.indicator, report.region_name, part.startfoto_value, part.target_value)
        with_target = " en de streefwaarde" if part.target_value is not None else ""
        alt = (f"Grafiek: {part.indicator.name} in {report.region_name} per kwartaal tot en met "
               f"{period_label(report.period)}, met het 95%-interval, Nederland, de startfoto{with_target}. "
               "De kerncijfers staan in de tabel eronder.")  # fmt: skip
        parts.append({**vars(part), "svg": "data:image/svg+xml," + urllib.parse.quote(svg), "alt": alt})
    template = _ENVIRONMENT.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(report=report, parts=parts, quarter=period_label(report.period),
                           made_on=dutch_date(report.made_on), startfoto_year=figures.startfoto_year(),
                           duiding=_duiding)  # fmt: skip


def write_report(engine: Engine, region_code: str, period: str, today: dt.date | None = None) -> bytes:
    """The region's steering report for `period` as PDF bytes (PDF/UA-1, tagged)."""
    import weasyprint

    html = render_html(gather(engine, region_code, period, today))
    return weasyprint.HTML(string=html, base_url=str(TEMPLATE.parent)).write_pdf(pdf_variant="pdf/ua-1",
                                                                                  pdf_tags=True)  # fmt: skip
