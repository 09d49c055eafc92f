"""Landelijk overzicht: every region against the nation for the latest complete quarter."""

import dash
from dash import html

PAGE = "overzicht"
dash.register_page(
    __name__, path="/", name="Landelijk overzicht", title="Landelijk overzicht – Monitor plegeraanpak", order=0
)

layout = html.Div([html.H1("Landelijk overzicht"), html.P("Deze pagina wordt gebouwd.")])
