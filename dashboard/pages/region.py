"""Regio: per indicator the region's trend against the nation and its startfoto; its municipalities per quarter.

The region comes from the address (`/regio?code=VR09`); the selector on the page changes it in
place and writes it into the address. The layout arrives drawn: every chart, its text and the
municipalities are filled in by `layout` (memoised per store version and view), so opening the page
costs no callback. The callbacks serve only a change of region, quarter or indicator; each trend chart
has its own, reading only that indicator's rows of the region and the nation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qs, urlencode

import dash
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, data, municipal_notes, steering_view
from dashboard.access import current_scope
from dashboard.figures import region as figures
from dashboard.figures.narrative import describe
from dashboard.format import period_label
from dashboard.links import region_block_id
from indicators.aggregate import NATIONAL_CODE
from indicators.registry import Indicator
from reference.areas import Region
from reference.periods import Period

PAGE = steering_view.PAGE  # the ids of both start with it
dash.register_page(__name__, path="/regio", name="Regio", title="Regio – Monitor plegeraanpak", order=1)
steering_view.register()  # targets and interpretations
municipal_notes.register()  # a gemeente's notes

BREAKDOWN = f"{PAGE}-gemeenten"
INTRO = (
    "Per indicator het verloop per kwartaal in de regio, met het landelijk gemiddelde en de startfoto. "
    "De gekleurde band is het 95%-betrouwbaarheidsinterval: hoe smaller de band, hoe zekerder het cijfer. "
    "Een open rondje betekent dat niet alle gemeenten over dat kwartaal hebben aangeleverd."
)


def trend_id(indicator: Indicator) -> str:
    return f"{PAGE}-trend-{indicator.code}"


def _regions() -> dict[str, Region]:
    return dict(sorted(data.reference().regions.items()))


def _region_name(code: str) -> str:
    """The name of a region; a request for an unknown one changes nothing."""
    region = data.reference().regions.get(code)
    if region is None:
        raise PreventUpdate
    return region.name


def _control(label: str, control_id: str, control: object) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="control")


def _dropdown(control_id: str, options: list[dict], value: str | None) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=control_id,
        options=options,
        value=value,
        clearable=False,
        labels=components.DROPDOWN_LABELS,
        className="regio-keuze",
    )


# --- the trend charts ----------------------------------------------------------------------------
# The layout holds each chart's section (components.chart) drawn for the region of the address. On a
# change of region one callback draws the figure and another fills the plain-language line, the table
# and the note, so that the figure, what a steering group looks at first, comes back as fast as it can.


class TrendCallbacks(NamedTuple):
    figure: Callable
    text: Callable
    download: Callable


def _trend_rows(code: str, indicator: Indicator, codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Only the rows one chart needs: the region's of `codes`, and the nation's of the indicator."""
    rows = data.indicators(areas=[code, NATIONAL_CODE], codes=sorted({*codes, indicator.code}))  # one query
    national = rows["area_code"].to_numpy() == NATIONAL_CODE
    region = rows.loc[~national & np.isin(rows["indicator"].to_numpy(), codes)].reset_index(drop=True)
    return region, rows.loc[national & (rows["indicator"].to_numpy() == indicator.code)].reset_index(drop=True)


def _find(component: object, component_id: str) -> object | None:
    """The component with `component_id` in a tree of components."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def _trend_skeleton(indicator: Indicator) -> html.Section:
    """A chart's section before its callbacks have filled it, with ids for its line and its note."""
    chart_id = trend_id(indicator)
    empty = figures.empty_figure("Bezig met laden…")
    title, subtitle = indicator.name, figures.subtitle(indicator)
    section = components.chart(chart_id, title, subtitle, empty, pd.DataFrame(), " ", indicator)
    section.id = region_block_id(indicator.code)  # addressable: /regio?code=VR09#regio-plegerhulp_uitval
    children = list(section.children)
    at = next((i + 1 for i, c in enumerate(children) if getattr(c, "className", None) == "subtitle"), 1)
    children[at:at] = [html.P("", id=f"{chart_id}-duiding", className="regio-duiding"),
                       *steering_view.chart_parts(indicator)]  # fmt: skip
    section.children = children
    caption = next(c for c in section.children if isinstance(c, html.Figure)).children[-1]
    caption.id = f"{chart_id}-bijschrift"
    return section


def _trend_section(code: str, indicator: Indicator) -> html.Section:
    """A chart's section drawn for `code`: what the callbacks would fill in, filled in already."""
    section, chart_id = _trend_skeleton(indicator), trend_id(indicator)
    _find(section, chart_id).figure = trend_figure(code, indicator.code)
    line, table, note = trend_text(code, indicator.code)
    _find(section, f"{chart_id}-duiding").children = line
    _find(section, f"{chart_id}-tabel").children = table
    _find(section, f"{chart_id}-bijschrift").children = note
    return section


def trend_figure(code: str, indicator_code: str) -> go.Figure:
    """One indicator's trend chart for a region: its line and band, the nation, the startfoto."""
    target = steering_view.target_of(code, indicator_code)  # one cheap query; part of the memo key
    return _trend_figure(*data.store_key(), code, indicator_code, figures.startfoto_year(), _view(code), target)


# per store version (a new upload is seen at once, by every worker alike), per view (a figure drawn
# for a user with full detail is never served to one without) and per target
@lru_cache(maxsize=256)
def _trend_figure(
    _url: object,
    _version: int,
    _pattern: str,
    code: str,
    indicator_code: str,
    year: int,
    _view: tuple,
    target: tuple,
) -> go.Figure:
    name = _region_name(code)
    indicator = data.indicator(indicator_code)
    region_rows, national_rows = _trend_rows(code, indicator, [indicator.code])
    trend = figures.prepare_trend(region_rows, national_rows, indicator)
    baseline = _startfoto(code, trend, indicator, year)
    return figures.make_trend_figure(trend, indicator, name, baseline, year, target[0], target[1])


def _view(code: str) -> tuple[bool, bool]:
    """What part of a region's chart the user sees in full: the region, the nation. Memo key."""
    scope, reference = current_scope(), data.reference()
    return scope.full_detail("region", code, reference), scope.full_detail("national", NATIONAL_CODE, reference)


def _startfoto(code: str, trend: pd.DataFrame, indicator: Indicator, year: int) -> float | None:
    """The startfoto from the quarters, or, when one of them is suppressed for this user, from the
    published yearly row (protected like the quarters, so it gives nothing away)."""
    if not figures.suppressed_in_year(trend, year):
        return figures.startfoto(trend, indicator, year)
    year_row = data.indicators(level="region", areas=[code], codes=[indicator.code], periods=[str(year)])
    return figures.startfoto_of_year(year_row, indicator)


def trend_text(code: str, indicator_code: str) -> tuple[str, list, str]:
    """What goes with a trend chart: the plain-language line, the table's content, and the note."""
    target = steering_view.target_of(code, indicator_code)
    return _trend_text(*data.store_key(), code, indicator_code, figures.startfoto_year(), _view(code), target)


@lru_cache(maxsize=256)  # keyed like _trend_figure: per store version, per view and per target
def _trend_text(
    _url: object,
    _version: int,
    _pattern: str,
    code: str,
    indicator_code: str,
    year: int,
    _view: tuple,
    target: tuple,
) -> tuple:
    name = _region_name(code)
    indicator = data.indicator(indicator_code)
    region_rows, national_rows = _trend_rows(code, indicator, figures.row_codes(indicator))
    trend = figures.prepare_trend(region_rows, national_rows, indicator)
    baseline = _startfoto(code, trend, indicator, year)
    table_id = f"{trend_id(indicator)}-tabel"
    table = components.data_table(
        figures.trend_table(
            trend,
            indicator,
            name,
            baseline,
            year,
            formatted=True,
            target=target[0],
        ),  # fmt: skip
        f"Cijfers bij: {indicator.name}",
        table_id,
    )
    return (
        describe(trend, national_rows, indicator.direction, indicator.unit),
        _find(table, table_id).children,
        figures.trend_note(trend, indicator, baseline, year),
    )


def trend_download(code: str, indicator_code: str, fmt: str) -> dict:
    """The figures behind one trend chart as an Excel or CSV download."""
    name = _region_name(code)
    indicator = data.indicator(indicator_code)
    region_rows, national_rows = _trend_rows(code, indicator, figures.row_codes(indicator))
    trend = figures.prepare_trend(region_rows, national_rows, indicator)
    year = figures.startfoto_year()
    target = steering_view.target_of(code, indicator.code)[0]
    table = figures.trend_table(trend, indicator, name, _startfoto(code, trend, indicator, year), year, target=target)
    return components.send_table(table, f"{indicator.code}_{code}", fmt)


def _register_trend(indicator: Indicator) -> TrendCallbacks:
    """A chart's callbacks: draw it for the chosen region, write what goes with it, download its figures."""
    chart_id = trend_id(indicator)

    # prevent_initial_call: the layout arrives with the figure and its text drawn; a saved target redraws it
    @callback(Output(chart_id, "figure"), Input(f"{PAGE}-code", "value"), Input(steering_view.TARGET_VERSION, "data"),
              prevent_initial_call=True)  # fmt: skip
    def update_trend_figure(code: str, _targets: int | None = None) -> go.Figure:
        return trend_figure(code, indicator.code)

    @callback(
        Output(f"{chart_id}-duiding", "children"),
        Output(f"{chart_id}-tabel", "children"),
        Output(f"{chart_id}-bijschrift", "children"),
        Input(f"{PAGE}-code", "value"),
        Input(steering_view.TARGET_VERSION, "data"),
        prevent_initial_call=True,
    )
    def update_trend_text(code: str, _targets: int | None = None) -> tuple[str, list, str]:
        return trend_text(code, indicator.code)

    @callback(
        Output(f"{chart_id}-download", "data"),
        Input(f"{chart_id}-xlsx", "n_clicks"),
        Input(f"{chart_id}-csv", "n_clicks"),
        State(f"{PAGE}-code", "value"),
        prevent_initial_call=True,
    )
    def download_trend(_xlsx: int, _csv: int, code: str) -> dict:
        return trend_download(code, indicator.code, _clicked_format(chart_id))

    return TrendCallbacks(update_trend_figure, update_trend_text, download_trend)


def _clicked_format(chart_id: str) -> str:
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    return "xlsx" if ctx.triggered_id == f"{chart_id}-xlsx" else "csv"


# indicator code -> its callbacks, registered once at import
TREND_CALLBACKS = {i.code: _register_trend(i) for i in figures.TREND_INDICATORS}


# --- the municipalities of one quarter -----------------------------------------------------------


def _breakdown_data(code: str, period: str, indicator: Indicator) -> tuple[pd.DataFrame, float]:
    """The region's municipalities of one quarter and the national value of that quarter."""
    members = figures.region_members(data.reference(), code, period)
    codes = figures.row_codes(indicator)
    rows = data.indicators(level="municipality", areas=list(members), codes=codes, periods=[period])
    national = data.indicators(level="national", areas=[NATIONAL_CODE], codes=[indicator.code], periods=[period])
    national_value = float(national["value"].iloc[0]) if len(national) else float("nan")
    return figures.prepare_breakdown(rows, indicator), national_value


def _html_table(frame: pd.DataFrame, caption: str, table_id: str) -> html.Div:
    """A visible table: the first column heads its row, numbers align right."""
    text_columns = {"Gemeente", "Aangeleverd"}
    header = html.Thead(
        html.Tr([html.Th(c, scope="col", className=None if c in text_columns else "num") for c in frame.columns])
    )
    body = html.Tbody(
        [
            html.Tr(
                [html.Th(row[0], scope="row")]
                + [
                    html.Td(value, className=None if column in text_columns else "num")
                    for column, value in zip(frame.columns[1:], row[1:], strict=True)
                ]
            )
            for row in frame.itertuples(index=False)
        ]
    )
    return html.Div(html.Table([html.Caption(caption), header, body], id=table_id), className="table-scroll")


OUTSIDE_SCOPE_TEXT = (
    "De cijfers per gemeente ziet u alleen voor de gemeenten waarvoor uw account alle cijfers mag zien. "
    "Hierboven staat de regio als geheel, met kleine aantallen afgeschermd."
)


def breakdown_section(code: str, period: str, indicator_code: str) -> list:
    """The municipalities of the region in one quarter: a bar chart with intervals and a table."""
    name = _region_name(code)
    scope, reference = current_scope(), data.reference()
    # What data.indicators gives this user depends only on their areas of full detail: the memo key.
    areas, whole_region = scope.full_detail_areas(reference), scope.full_detail("region", code, reference)
    return list(_breakdown_section(*data.store_key(), code, name, period, indicator_code, areas, whole_region))


@lru_cache(maxsize=256)  # per store version and per view, like the trend charts
def _breakdown_section(
    _url: object,
    _version: int,
    _pattern: str,
    code: str,
    name: str,
    period: str,
    indicator_code: str,
    _areas: object,
    whole_region: bool,
) -> tuple:
    indicator = data.indicator(indicator_code)
    breakdown, national_value = _breakdown_data(code, period, indicator)
    label = period_label(period)
    if breakdown.empty:  # data.indicators gives municipalities only to who may see them in full
        return (html.P(OUTSIDE_SCOPE_TEXT, className="message", id=f"{PAGE}-gemeenten-afgeschermd"),)
    # A user who sees only some municipalities (a gemeente) gets no region line pooled from them.
    region_value = figures.pooled_value(breakdown, indicator) if whole_region else float("nan")
    figure = figures.make_breakdown_figure(breakdown, indicator, name, region_value, national_value)
    shown = figures.breakdown_table(breakdown, indicator, formatted=True)
    title = f"{indicator.name} per gemeente, {label}"
    chart = components.chart(
        BREAKDOWN,
        title,
        figures.subtitle(indicator, f"per gemeente in {label}"),
        figure,
        shown,
        figures.breakdown_note(breakdown, period),
        indicator,
    )
    return (chart, _html_table(shown, f"Gemeenten van {name}: {indicator.name}, {label}", f"{PAGE}-gemeententabel"))


def breakdown_download(code: str, period: str, indicator_code: str, fmt: str) -> dict:
    """The figures behind the municipality breakdown as an Excel or CSV download."""
    _region_name(code)
    indicator = data.indicator(indicator_code)
    breakdown, _ = _breakdown_data(code, period, indicator)
    table = figures.breakdown_table(breakdown, indicator)
    return components.send_table(table, f"{indicator.code}_{code}_{period}", fmt)


@callback(
    Output(f"{BREAKDOWN}-vak", "children"),
    Input(f"{PAGE}-code", "value"),
    Input(f"{PAGE}-kwartaal", "value"),
    Input(f"{PAGE}-indicator", "value"),
    prevent_initial_call=True,  # the layout arrives with the latest quarter drawn
)
def update_breakdown(code: str, period: str | None, indicator_code: str) -> list:
    if not period:
        return [html.P("Er zijn nog geen cijfers.", className="message")]
    return breakdown_section(code, period, indicator_code)


@callback(
    Output(f"{BREAKDOWN}-download", "data"),
    Input(f"{BREAKDOWN}-xlsx", "n_clicks"),
    Input(f"{BREAKDOWN}-csv", "n_clicks"),
    State(f"{PAGE}-code", "value"),
    State(f"{PAGE}-kwartaal", "value"),
    State(f"{PAGE}-indicator", "value"),
    prevent_initial_call=True,
)
def download_breakdown(_xlsx: int, _csv: int, code: str, period: str, indicator_code: str) -> dict:
    return breakdown_download(code, period, indicator_code, _clicked_format(BREAKDOWN))


# --- the region ----------------------------------------------------------------------------------


def region_code(search: str | None, regions: dict[str, Region]) -> str:
    """The region an address asks for (`?code=VR09`); the first region when it names none or an unknown one."""
    asked = parse_qs((search or "").lstrip("?")).get("code", [None])[-1]
    return asked if asked in regions else next(iter(regions))


@callback(
    Output(f"{PAGE}-url", "search"),
    Output(f"{PAGE}-code", "value"),
    Output(f"{PAGE}-titel", "children"),
    Input(f"{PAGE}-code", "value"),
    Input(f"{PAGE}-url", "search"),
    prevent_initial_call=True,
)
def sync_region(code: str, search: str | None) -> tuple:
    """Keep the selector, the address and the heading on one region: a choice writes the address
    (a history entry, no reload); going back or forward in the browser sets the selector."""
    regions = _regions()
    if ctx.triggered_id == f"{PAGE}-url":
        wanted = region_code(search, regions)
        if wanted == code:
            raise PreventUpdate
        return dash.no_update, wanted, f"Regio {regions[wanted].name}"
    if code not in regions:
        raise PreventUpdate
    return f"?{urlencode({'code': code})}", dash.no_update, f"Regio {regions[code].name}"


def _quarters() -> tuple[list[dict], str | None]:
    """The quarters with figures, newest first, and the latest complete one."""
    national = data.indicators(level="national", areas=[NATIONAL_CODE])
    periods = sorted(national.loc[national["reported"] > 0, "period"].unique(), reverse=True)
    options = [{"label": Period.parse_code(p).label, "value": p} for p in periods]
    return options, data.latest_complete_quarter() or (periods[0] if periods else None)


def layout(code: str | None = None, **_query: str) -> html.Div:
    regions = _regions()
    message = None
    if not isinstance(code, str) or code not in regions:
        if code:
            message = html.P(f"De regio '{code}' bestaat niet. Kies hieronder een regio.", className="message error")
        code = next(iter(regions))
    quarters, latest = _quarters()
    indicators = figures.TREND_INDICATORS
    page = html.Div(
        [
            # `search` given: on mounting, the address sets only what is not, so `sync_region` is not called
            dcc.Location(id=f"{PAGE}-url", refresh=False, search=f"?{urlencode({'code': code, **_query})}"),
            html.H1(f"Regio {regions[code].name}", id=f"{PAGE}-titel"),
            message,
            html.Div(
                _control(
                    "Regio",
                    f"{PAGE}-code",
                    _dropdown(f"{PAGE}-code", [{"label": r.name, "value": c} for c, r in regions.items()], code),
                ),
                className="controls",
            ),
            html.P(INTRO, className="regio-uitleg"),
            *[_trend_section(code, i) for i in indicators],
            steering_view.section(quarters, latest),
            html.Section(
                [
                    html.H2("Gemeenten in de regio", id=f"{PAGE}-gemeenten-kop"),
                    html.P(
                        "Welke gemeenten dragen bij, en welke hebben niet aangeleverd? "
                        "Kies een kwartaal en een indicator.",
                        className="subtitle",
                    ),
                    html.Div(
                        [
                            _control("Kwartaal", f"{PAGE}-kwartaal", _dropdown(f"{PAGE}-kwartaal", quarters, latest)),
                            _control(
                                "Indicator",
                                f"{PAGE}-indicator",
                                _dropdown(
                                    f"{PAGE}-indicator",
                                    [{"label": i.name, "value": i.code} for i in indicators],
                                    indicators[0].code,
                                ),
                            ),
                        ],
                        className="controls",
                    ),
                    html.Div(update_breakdown(code, latest, indicators[0].code), id=f"{BREAKDOWN}-vak"),
                    municipal_notes.section(code, latest),
                ],
                className="regio-gemeenten",
                **{"aria-labelledby": f"{PAGE}-gemeenten-kop"},
            ),
        ]
    )
    for output, value in zip(steering_view.outputs(), steering_view.steering_view(code), strict=True):
        setattr(_find(page, output.component_id), output.component_property, value)  # as its callback would
    return page
