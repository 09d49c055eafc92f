"""The yardstick of the callback benchmark: a tiny Dash app whose one callback only builds and returns
figures, without reading data or preparing anything.

    BENCH_MINIMAL_FIGURES=figures.json gunicorn bench.minimal_app:server

The figures (a JSON list of plotly figure dicts; by default one figure of three 30-point lines) are
read once at import and never change; the callback rebuilds them with `go.Figure(...)` on each call,
so it validates and serialises exactly as much as a page callback returning figures of that size.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

FIGURES_ENV = "BENCH_MINIMAL_FIGURES"
CHOICE = "minimal-choice"


def graph_id(index: int) -> str:
    return f"minimal-graph-{index}"


def default_figures(traces: int = 3, points: int = 30) -> list[dict]:
    periods = [f"{2018 + i // 4} K{i % 4 + 1}" for i in range(points)]
    data = [
        go.Scatter(x=periods, y=[0.1 + 0.01 * ((i * 7 + t) % 13) for i in range(points)], name=f"lijn {t + 1}")
        for t in range(traces)
    ]
    return [go.Figure(data=data, layout={"separators": ",."}).to_plotly_json()]


def load_figures(environ=os.environ) -> tuple[dict, ...]:
    path = environ.get(FIGURES_ENV)
    specs = json.loads(Path(path).read_text(encoding="utf-8")) if path else default_figures()
    return tuple(json.dumps(spec) for spec in specs)  # text: nothing a callback could change


FIGURES = load_figures()

app = Dash(__name__, title="Minimal callback")
app.layout = html.Div(
    [
        dcc.Input(id=CHOICE, value="a", type="text"),
        *[dcc.Graph(id=graph_id(i)) for i in range(len(FIGURES))],
    ]
)


@app.callback(*[Output(graph_id(i), "figure") for i in range(len(FIGURES))], Input(CHOICE, "value"))
def figures(_choice):
    built = [go.Figure(json.loads(spec)) for spec in FIGURES]
    return built if len(built) > 1 else built[0]


server = app.server
