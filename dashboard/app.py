"""The Dash application shell; the pages arrive with the dashboard issue."""

from __future__ import annotations

import dash
from dash import html

TITLE = "Monitor plegeraanpak"


def create_app() -> dash.Dash:
    """A Dash app with a Dutch page shell."""
    app = dash.Dash(__name__, title=TITLE)
    app.index_string = app.index_string.replace("<html>", '<html lang="nl">')
    app.layout = html.Main(
        [
            html.H1(TITLE),
            html.P("Procesindicatoren van de plegeraanpak per regio. De pagina's met grafieken volgen."),
        ]
    )
    return app


def main() -> None:
    create_app().run(host="127.0.0.1", port=8050, debug=False)
