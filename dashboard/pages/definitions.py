"""Indicatoren: per indicator what it measures, from which data, which way is better and why, and how
its figures are computed, tested and protected. Generated from the registry
(`dashboard.figures.definitions`); every chart links to its block here (`dashboard.links`)."""

from __future__ import annotations

import dash
from dash import html

from dashboard.figures.definitions import Definition, definitions
from dashboard.links import definition_id
from dashboard.theme import DEFINITIONS_SOURCE

PAGE = "indicatoren"
dash.register_page(
    __name__, path="/indicatoren", name="Indicatoren", title="Indicatoren – Monitor plegeraanpak", order=5
)

INTRO = (
    "Wat elke indicator meet, uit welke gegevens, welke kant beter is en waarom, en hoe de cijfers worden "
    "berekend, getoetst en afgeschermd. De indicatoren zijn de voorbeelden van procesindicatoren uit de bouwstenen "
    "van de plegeraanpak; het programma vraagt elke regio er een beperkte set van te kiezen, de cijfers te duiden "
    "en daarop bij te sturen."
)


def _text(value: str | tuple[str, ...]) -> object:
    if isinstance(value, tuple):
        return html.Ul([html.Li(item) for item in value])
    return value


def definition_block(item: Definition) -> html.Section:
    """One indicator's definition as a section with a heading and a description list."""
    block_id = definition_id(item.code)
    pairs = [part for name, value in item.fields for part in (html.Dt(name), html.Dd(_text(value)))]
    return html.Section(
        [
            html.H2(item.name, id=f"{block_id}-titel"),
            html.P(f"Code: {item.code}", className="subtitle"),
            html.Dl(pairs, className="definitie-lijst"),
        ],
        id=block_id,
        className="chart-card definitie",
        tabIndex="-1",
        **{"aria-labelledby": f"{block_id}-titel"},
    )


def layout(**_query: str) -> html.Div:
    items = definitions()
    contents = html.Nav(
        html.Ul([html.Li(html.A(item.name, href=f"#{definition_id(item.code)}")) for item in items]),
        className="definitie-inhoud",
        **{"aria-label": "Indicatoren op deze pagina"},
    )
    return html.Div(
        [
            html.H1("Indicatoren"),
            html.P(INTRO, className="intro"),
            html.P(DEFINITIONS_SOURCE, className="note"),
            contents,
            *[definition_block(item) for item in items],
        ],
        className="definities",
    )
