"""Building blocks shared by the pages: a chart with its title, subtitle, source, table and downloads."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.figures import completeness as fig
from dashboard.format import number
from reference.periods import Period

DROPDOWN_LABELS = {  # Dash 4's dropdown texts, in Dutch: dcc.Dropdown(labels=DROPDOWN_LABELS)
    "search": "Zoeken",
    "clear_search": "Zoekterm wissen",
    "clear_selection": "Keuze wissen",
    "no_options_found": "Niets gevonden",
    "select_all": "Alles kiezen",
    "deselect_all": "Niets kiezen",
    "selected_count": "{num} gekozen",
}

GRAPH_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def chart(
    chart_id: str,
    title: str,
    subtitle: str,
    figure: go.Figure,
    table: pd.DataFrame,
    note: str = "",
) -> html.Section:
    """A chart as a section: heading, what is measured, the graph (PNG from its menu), source and
    completeness, the figures as a table for screen readers and keyboard users, and downloads."""
    heading_id = f"{chart_id}-titel"
    return html.Section(
        [
            html.H2(title, id=heading_id),
            html.P(subtitle, className="subtitle"),
            html.Figure(
                [
                    dcc.Graph(id=chart_id, figure=figure, config=GRAPH_CONFIG),
                    html.Figcaption(note or subtitle, className="note"),
                ],
                **{"aria-labelledby": heading_id},
            ),
            data_table(table, caption=f"Cijfers bij: {title}", table_id=f"{chart_id}-tabel"),
            download_buttons(chart_id),
        ],
        className="chart-card",
        **{"aria-labelledby": heading_id},
    )


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


def html_table(
    frame: pd.DataFrame,
    caption: str,
    table_id: str | None = None,
    numeric: tuple[str, ...] = (),
    row_class: list[str] | None = None,
    limit: int | None = None,
) -> html.Div:
    """A frame as an accessible HTML table (caption, column headers with scope), at most `limit` rows."""
    shown = frame if limit is None else frame.head(limit)
    header = html.Thead(
        html.Tr([html.Th(c, scope="col", className="num" if c in numeric else None) for c in frame.columns])
    )
    rows = []
    for index, row in enumerate(shown.itertuples(index=False, name=None)):
        cells = [
            html.Td(_cell(value), className="num" if column in numeric else None)
            for column, value in zip(frame.columns, row, strict=True)
        ]
        rows.append(html.Tr(cells, className=row_class[index] if row_class else None))
    ids = {"id": table_id} if table_id else {}
    parts = [html.Div(html.Table([html.Caption(caption), header, html.Tbody(rows)], **ids), className="table-scroll")]
    if limit is not None and len(frame) > limit:
        parts.append(
            html.P(
                f"De eerste {number(limit)} van {number(len(frame))} regels staan hier; de download bevat ze allemaal.",
                className="note",
            )
        )
    return html.Div(parts)


def data_table(frame: pd.DataFrame, caption: str, table_id: str) -> html.Details:
    """The figures behind a chart as an HTML table, folded away under a summary."""
    return html.Details(
        [html.Summary("Tabel met de cijfers"), html_table(frame, caption, table_id)],
        className="data-table",
    )


def download_buttons(chart_id: str) -> html.Div:
    """Excel and CSV buttons; the page's callback answers them with `send_table`."""
    return html.Div(
        [
            html.Button("Download Excel", id=f"{chart_id}-xlsx", className="button secondary", n_clicks=0),
            html.Button("Download CSV", id=f"{chart_id}-csv", className="button secondary", n_clicks=0),
            dcc.Download(id=f"{chart_id}-download"),
        ],
        className="downloads",
    )


def send_table(frame: pd.DataFrame, name: str, fmt: str) -> dict:
    """A table as a download: Excel, or CSV as Dutch Excel opens it (semicolons, decimal commas)."""
    if fmt == "xlsx":
        from indicators.export import write_export

        buffer = io.BytesIO()
        write_export(frame, buffer, "xlsx")
        return dcc.send_bytes(buffer.getvalue(), f"{name}.xlsx")
    from indicators.export import neutralise_formulas

    text = neutralise_formulas(frame).to_csv(sep=";", decimal=",", index=False)
    return dcc.send_string("\ufeff" + text, f"{name}.csv")


# --- the completeness page's matrix (dashboard.figures.completeness gives its cells) ---------------


def _delivery_cell(row) -> html.Td:
    look = fig.LOOKS[row.status]
    partial = row.status in (fig.Status.ON_TIME, fig.Status.LATE) and row.elements < fig.ELEMENT_COUNT
    visible = [html.Span(look.symbol, className="delivery-symbol")]
    if partial:
        visible.append(html.Span(f"{row.elements}/{fig.ELEMENT_COUNT}", className="delivery-partial"))
    text = fig.cell_text(row.status, row.elements, row.first_delivery, row.deadline)
    return html.Td(
        [html.Span(visible, **{"aria-hidden": "true"}), html.Span(text, className="delivery-sr-only")],
        title=text,
        className=f"delivery {look.css}" + (" delivery-partial-cell" if partial else ""),
    )


def delivery_matrix(cells: pd.DataFrame, totals: pd.DataFrame, periods: Sequence[Period], caption: str) -> html.Table:
    """The matrix as an accessible table: a row per municipality, a column per quarter, the totals per
    quarter in the footer."""
    header = html.Thead(
        html.Tr([html.Th("Gemeente", scope="col")] + [html.Th(p.label, scope="col", className="num") for p in periods])
    )
    rows = []
    for (code, name), part in cells.groupby(["municipality", "name"], sort=False):
        rows.append(html.Tr([html.Th(name, scope="row", title=code)] + [_delivery_cell(r) for r in part.itertuples()]))
    by_period = {row.period: row for row in totals.itertuples()}
    footer = html.Tfoot(
        [
            html.Tr(
                [html.Th(label, scope="row")]
                + [
                    html.Td(render(by_period[str(p)]), className="num") if str(p) in by_period else html.Td("")
                    for p in periods
                ]  # fmt: skip
            )
            for label, render in fig.TOTAL_ROWS
        ]
    )
    return html.Table([html.Caption(caption), header, html.Tbody(rows), footer], className="delivery-matrix")


def delivery_legend() -> html.Ul:
    """What the symbols and colours of the matrix mean."""
    items = [
        html.Li([html.Span(look.symbol, className=f"delivery {look.css} legend-swatch"), f" {look.label}"])
        for look in fig.LOOKS.values()
    ]
    items.append(
        html.Li(
            [
                html.Span(f"7/{fig.ELEMENT_COUNT}", className="delivery legend-swatch delivery-partial"),
                f" gedeeltelijk: 7 van de {fig.ELEMENT_COUNT} gegevens aangeleverd",
            ]
        )
    )
    return html.Ul(items, className="delivery-legend", **{"aria-label": "Legenda"})
