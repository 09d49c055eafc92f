"""The Dash application shell: header, navigation built from the page registry, the page, a footer."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import html

TITLE = "Monitor plegeraanpak"
PAGES = Path(__file__).resolve().parent / "pages"


def _navigation() -> html.Nav:
    links = [
        html.Li(dash.dcc.Link(page["name"], href=page["relative_path"]))
        for page in sorted(dash.page_registry.values(), key=lambda p: p["order"])
        if page.get("order") is not None
    ]
    return html.Nav(html.Ul(links), **{"aria-label": "Hoofdmenu"}, className="site-nav")


def create_app() -> dash.Dash:
    """The Dash app with every page of `dashboard/pages`."""
    # compress: Dash 4 sends every page's initial layout with every page (its validation layout),
    # some 500 kB of JSON that gzip shrinks about tenfold.
    app = dash.Dash(__name__, title=TITLE, use_pages=True, pages_folder=str(PAGES), compress=True)
    app.index_string = app.index_string.replace("<html>", '<html lang="nl">')
    app.layout = html.Div(
        [
            html.A("Naar de inhoud", href="#inhoud", className="skip-link"),
            html.Header(
                [html.P(TITLE, className="site-title"), _navigation()],
                className="site-header",
            ),
            html.Main(dash.page_container, id="inhoud", tabIndex="-1"),
            html.Footer(
                html.P(
                    "Procesindicatoren van de plegeraanpak (Geweld hoort nergens thuis). Gemeenten en regio's: "
                    "CBS (CC BY 4.0). Cijfers: aanleveringen van gemeenten en ketenpartners."
                ),
                className="site-footer",
            ),
        ],
        className="page",
    )
    return app


def main() -> None:
    create_app().run(host="127.0.0.1", port=8050, debug=False)
