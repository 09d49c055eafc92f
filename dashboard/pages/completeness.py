"""Volledigheid: per region, which municipality delivered what for each quarter, on time or late."""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import data
from dashboard.components import chart, delivery_legend, delivery_matrix, download_buttons, send_table
from dashboard.figures import completeness as fig
from dashboard.format import number
from dashboard.theme import SOURCE
from indicators.completeness import (
    DEADLINE_DAYS_AFTER_QUARTER,
    ELEMENT_COUNT,
    deadline,
    delivery_table,
    national_totals,
    quarter_totals,
    shown_periods,
)
from reference.periods import Period, last_ended

PAGE = "volledigheid"
dash.register_page(
    __name__, path="/volledigheid", name="Volledigheid", title="Volledigheid – Monitor plegeraanpak", order=3
)

REGION, FIRST, LAST = f"{PAGE}-regio", f"{PAGE}-van", f"{PAGE}-tot"
CONTENT = f"{PAGE}-inhoud"
MATRIX, TOTALS, GRAPH = f"{PAGE}-matrix", f"{PAGE}-totalen", f"{PAGE}-grafiek"


def _today() -> dt.date:
    return dt.date.today()


def _selection(region: str | None, first: int | None, last: int | None) -> tuple[str, list[Period]]:
    """The region and quarters asked for, made valid: a known region, years in range, in order."""
    regions = data.reference().regions
    region = region if region in regions else next(iter(regions))
    return region, fig.selected_periods(shown_periods(data.engine(), _today()), first, last)


def _tables(region: str, periods: list[Period]):
    deliveries = delivery_table(data.engine(), periods, region=region, reference=data.reference(), today=_today())
    return deliveries, quarter_totals(deliveries, periods)


def _content(region: str, periods: list[Period]) -> list:
    """Everything below the controls, for one region and range of quarters."""
    region_name = data.reference().regions[region].name
    span = f"{periods[0].label} – {periods[-1].label}"
    deliveries, totals = _tables(region, periods)
    cells = fig.matrix_cells(deliveries, periods)
    series = fig.prepare(totals, national_totals(data.engine(), periods, today=_today()))
    last = totals.iloc[-1]
    note = (
        f"{SOURCE} Volledigheid {periods[-1].label}: {number(last.delivered)} van {number(last.expected)} "
        f"gemeenten leverden aan, {number(last.complete)} volledig ({ELEMENT_COUNT} van {ELEMENT_COUNT} gegevens)."
    )
    return [
        html.Section(
            [
                html.H2(f"Aanleveringen per gemeente en kwartaal: {region_name}", id=f"{MATRIX}-titel"),
                html.P(
                    "Per gemeente en kwartaal: of er iets is aangeleverd en of de eerste aanlevering op tijd was. "
                    "Onderaan de totalen per kwartaal.",
                    className="subtitle",
                ),
                delivery_legend(),
                html.Div(
                    delivery_matrix(cells, totals, periods, caption=f"Aanleveringen {region_name}, {span}"),
                    className="table-scroll delivery-scroll",
                    tabIndex="0",
                    role="region",
                    **{"aria-labelledby": f"{MATRIX}-titel"},
                ),
                html.P(SOURCE, className="note"),
                html.Div(
                    [html.Span("Matrix:", className="download-label"), download_buttons(MATRIX)],
                    className="download-row",
                ),
                html.Div(
                    [html.Span("Totalen per kwartaal:", className="download-label"), download_buttons(TOTALS)],
                    className="download-row",
                ),
            ],
            className="chart-card",
            **{"aria-labelledby": f"{MATRIX}-titel"},
        ),
        chart(
            GRAPH,
            f"Volledigheid per kwartaal: {region_name} en Nederland",
            f"Aandeel van de {ELEMENT_COUNT} gegevens per gemeente dat nu is aangeleverd, "
            "van alle gemeenten die in het kwartaal bestonden.",
            fig.make_figure(series, region_name),
            fig.chart_table(series, region_name),
            note,
        ),
    ]


def _control(label: str, component) -> html.Div:
    return html.Div([html.Label(label, htmlFor=component.id), component], className="control")


def _year(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _introduction(available: list[Period]) -> list:
    """What the page shows and the deadline rule; and which ended quarters are left out, if any."""
    first_quarter = fig.dutch_date(deadline(Period(2024, 1))).rsplit(" ", 1)[0]
    weeks = f"({DEADLINE_DAYS_AFTER_QUARTER // 7} weken) " if DEADLINE_DAYS_AFTER_QUARTER % 7 == 0 else ""
    parts = [
        html.P(
            f"Per kwartaal heeft elke gemeente {ELEMENT_COUNT} gegevens; de gemeente, Veilig Thuis en de "
            f"zorgaanbieders leveren ze samen aan. Aanleveren kan tot en met {DEADLINE_DAYS_AFTER_QUARTER} dagen "
            f"{weeks}na het einde van het kwartaal, voor het eerste kwartaal dus tot en met {first_quarter}. "
            "Of een kwartaal op tijd was, volgt uit de eerste aanlevering."
        )
    ]
    ended = last_ended(_today())
    if ended > available[-1]:
        parts.append(
            html.P(
                f"Na {available[-1].label} is nog niets aangeleverd, door geen enkele gemeente of ketenpartner; "
                f"{available[-1].next().label} tot en met {ended.label} staan daarom niet in de matrix.",
                className="message",
            )
        )
    return parts


def layout(regio: str | None = None, van: str | None = None, tot: str | None = None, **_query) -> html.Div:
    """The page for the first region over the last two years, or as asked: `?regio=VR13&van=2021&tot=2022`."""
    region, periods = _selection(regio, _year(van), _year(tot))
    regions = data.reference().regions
    available = shown_periods(data.engine(), _today())
    year_options = [{"label": str(y), "value": y} for y in sorted({p.year for p in available})]
    return html.Div(
        [
            html.H1("Volledigheid van de aanleveringen"),
            *_introduction(available),
            html.Div(
                [
                    _control(
                        "Regio",
                        dcc.Dropdown(
                            id=REGION,
                            options=[{"label": r.name, "value": code} for code, r in regions.items()],
                            value=region,
                            clearable=False,
                        ),
                    ),
                    _control(
                        "Van jaar",
                        dcc.Dropdown(id=FIRST, options=year_options, value=periods[0].year, clearable=False),
                    ),
                    _control(
                        "Tot en met jaar",
                        dcc.Dropdown(id=LAST, options=year_options, value=periods[-1].year, clearable=False),
                    ),
                ],
                className="controls",
            ),
            dcc.Loading(html.Div(_content(region, periods), id=CONTENT), type="dot"),
        ]
    )


@callback(
    Output(CONTENT, "children"),
    Input(REGION, "value"),
    Input(FIRST, "value"),
    Input(LAST, "value"),
    prevent_initial_call=True,  # the layout already shows the defaults
)
def update(region: str, first: int, last: int) -> list:
    return _content(*_selection(region, first, last))


def _format(prefix: str) -> str:
    return "xlsx" if dash.ctx.triggered_id == f"{prefix}-xlsx" else "csv"


@callback(
    Output(f"{MATRIX}-download", "data"),
    Input(f"{MATRIX}-xlsx", "n_clicks"),
    Input(f"{MATRIX}-csv", "n_clicks"),
    State(REGION, "value"),
    State(FIRST, "value"),
    State(LAST, "value"),
    prevent_initial_call=True,
)
def download_matrix(_xlsx: int, _csv: int, region: str, first: int, last: int) -> dict:
    region, periods = _selection(region, first, last)
    deliveries, _ = _tables(region, periods)
    table = fig.matrix_download(fig.matrix_cells(deliveries, periods), periods)
    return send_table(table, fig.download_name(region, periods, "matrix"), _format(MATRIX))


@callback(
    Output(f"{TOTALS}-download", "data"),
    Input(f"{TOTALS}-xlsx", "n_clicks"),
    Input(f"{TOTALS}-csv", "n_clicks"),
    State(REGION, "value"),
    State(FIRST, "value"),
    State(LAST, "value"),
    prevent_initial_call=True,
)
def download_totals(_xlsx: int, _csv: int, region: str, first: int, last: int) -> dict:
    region, periods = _selection(region, first, last)
    _, totals = _tables(region, periods)
    return send_table(fig.totals_download(totals), fig.download_name(region, periods, "totalen"), _format(TOTALS))


@callback(
    Output(f"{GRAPH}-download", "data"),
    Input(f"{GRAPH}-xlsx", "n_clicks"),
    Input(f"{GRAPH}-csv", "n_clicks"),
    State(REGION, "value"),
    State(FIRST, "value"),
    State(LAST, "value"),
    prevent_initial_call=True,
)
def download_chart(_xlsx: int, _csv: int, region: str, first: int, last: int) -> dict:
    region, periods = _selection(region, first, last)
    _, totals = _tables(region, periods)
    series = fig.prepare(totals, national_totals(data.engine(), periods, today=_today()))
    table = fig.chart_download(series, data.reference().regions[region].name)
    return send_table(table, fig.download_name(region, periods, "per_kwartaal"), _format(GRAPH))
