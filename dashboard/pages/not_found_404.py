"""The page for an address the monitor does not have (Dash uses a module of this name for 404)."""

import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", title="Pagina niet gevonden – Monitor plegeraanpak", order=None)


def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1("Pagina niet gevonden"),
            html.P("Deze pagina bestaat niet (meer). Controleer het adres, of ga verder via het menu hierboven."),
            html.P(dcc.Link("Naar het landelijk overzicht", href="/")),
        ]
    )
