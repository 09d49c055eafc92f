"""The yardstick of the page benchmark: a minimal Dash app that draws given figures, one page per set.

    BENCH_MINIMAL_PAGES=pages.json gunicorn bench.minimal_pages:server

The file maps a page name to a JSON list of plotly figure dicts (captured from the dashboard's page).
`/<name>` shows that page as the dashboard does: a router callback puts the page's graphs (empty) into
`_pages_content`, then one callback per graph rebuilds its figure with `go.Figure(...)` and returns it,
so each chart costs a round trip, a validation and a serialisation of exactly its size, and nothing else
(no data, no session, no gate). Any other path shows an empty page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import plotly.graph_objects as go
from dash import MATCH, Dash, Input, Output, dcc, html

PAGES_ENV = "BENCH_MINIMAL_PAGES"


def load_pages(environ=os.environ) -> dict[str, tuple[str, ...]]:
    path = environ.get(PAGES_ENV)
    pages = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
    return {name: tuple(json.dumps(spec) for spec in specs) for name, specs in pages.items()}  # text: immutable


PAGES = load_pages()

app = Dash(__name__, title="Minimal pages", suppress_callback_exceptions=True)
app.layout = html.Div([dcc.Location(id="url"), html.Main(id="_pages_content")])


@app.callback(Output("_pages_content", "children"), Input("url", "pathname"))
def page(pathname: str | None) -> list:
    name = (pathname or "/").strip("/")
    specs = PAGES.get(name, ())
    graphs = [dcc.Graph(id={"type": "minimal-graph", "page": name, "index": i}) for i in range(len(specs))]
    return [html.H1(f"Minimal {name or 'page'}"), *graphs]


@app.callback(
    Output({"type": "minimal-graph", "page": MATCH, "index": MATCH}, "figure"),
    Input({"type": "minimal-graph", "page": MATCH, "index": MATCH}, "id"),
)
def figure(graph_id: dict) -> go.Figure:
    # skip_invalid: what the browser added to a captured layout (computed ranges) is no input of plotly.py
    return go.Figure(json.loads(PAGES[graph_id["page"]][graph_id["index"]]), skip_invalid=True)


server = app.server
