"""Landelijk overzicht: every region against the nation for a quarter, as a table and as a map."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboard import data, theme
from dashboard.components import chart, download_buttons, send_table
from dashboard.figures import attention
from dashboard.figures import overview as fig
from dashboard.format import period_label, shown_text
from dashboard.links import definition_href, region_href
from indicators.completeness import complete_periods
from indicators.registry import INDICATORS, Indicator, Unit
from reference.periods import Period

PAGE = "overzicht"
SOURCE = f"{theme.SOURCE} {theme.MAP_SOURCE}"
MAP_INDICATORS = tuple(ind for ind in INDICATORS if ind.unit is not Unit.COUNT)  # counts are not compared

dash.register_page(
    __name__, path="/", name="Landelijk overzicht", title="Landelijk overzicht – Monitor plegeraanpak", order=0
)


# ---- reading ------------------------------------------------------------------------------------


def _rows(period: str | None) -> pd.DataFrame:
    """The overview rows of `period`: the nation and every region, each indicator judged."""
    if not period or not Period.parse_code(period).has_ended():
        return fig.overview_table(fig.empty_frame())
    frame = pd.concat(
        [data.indicators(level="national", periods=[period]), data.indicators(level="region", periods=[period])]
    )
    return fig.overview_table(frame)


@cache
def _shapes(regions_file: Path) -> fig.RegionShapes:
    """The map shapes of the division in use (cached per division file; read-only)."""
    return fig.region_shapes(fig.load_municipality_geojson(), data.reference())


def _map_indicator(code: str | None) -> Indicator:
    return next((ind for ind in MAP_INDICATORS if ind.code == code), MAP_INDICATORS[0])


# ---- the table ----------------------------------------------------------------------------------


def _legend() -> html.Div:
    items = [
        html.Span([html.Span(style.symbol, **{"aria-hidden": "true"}), f" {style.label}"], className=style.css)
        for style in fig.STYLES.values()
    ]
    items.append(html.Span([html.Span("◐", **{"aria-hidden": "true"}), " niet alle gemeenten aangeleverd"]))
    return html.Div(items, className="legend", **{"aria-label": "Legenda"}, role="note")


def _header(indicator: Indicator) -> html.Th:
    return html.Th(
        [
            dcc.Link(indicator.name, href=definition_href(indicator.code), className="indicator-name"),
            html.Span(fig.indicator_hint(indicator), className="indicator-hint"),
        ],
        scope="col",
    )


def _cell(row, indicator: Indicator) -> html.Td:
    style = fig.STYLES[fig.Category(row.category)]
    judgement = (
        [html.Span(style.symbol, **{"aria-hidden": "true"}), f" {style.label}"]
        if row.category != fig.Category.NOT_COMPARED
        else [row.reason]
    )
    parts = [html.Span(shown_text(row.shown, fig.value_text(row.value, indicator.unit)), className="cell-value")]
    if row.reason != fig.ABSOLUTE:  # the header says that counts are not compared
        parts.append(html.Span(judgement, className="cell-judgement"))
    if row.reported < row.expected:
        parts.append(
            html.Span(
                [
                    html.Span("◐", **{"aria-hidden": "true"}),
                    f" {row.reported}/{row.expected}",
                    html.Span(" gemeenten aangeleverd", className="overview-sr-only"),
                ],
                className="cell-incomplete",
            )
        )
    css = style.css if row.level == "region" else "cell-national"
    return html.Td(parts, className=f"num overview-cell {css}")


def overview_html_table(rows: pd.DataFrame, period: str, indicators: tuple[Indicator, ...] = INDICATORS) -> html.Table:
    """The nation and the regions (linked to their page) × indicators, each cell judged against the nation."""
    by_code = {ind.code: ind for ind in indicators}
    completeness = fig.row_completeness(rows)
    head = html.Thead(
        html.Tr(
            [
                html.Th("Regio", scope="col", className="col-region"),
                html.Th("Gemeenten aangeleverd", scope="col", className="col-completeness"),
            ]
            + [_header(i) for i in indicators]
        )
    )
    body = []
    for (code, name, level), area in rows.groupby(["area_code", "area_name", "level"], sort=False):
        done = completeness.loc[code]
        label = name if level == "national" else dcc.Link(name, href=region_href(code))
        marker = [] if done["complete"] else [html.Span("◐ ", **{"aria-hidden": "true"})]
        cells = {row.indicator: _cell(row, by_code[row.indicator]) for row in area.itertuples(index=False)}
        body.append(
            html.Tr(
                [html.Th(label, scope="row"), html.Td(marker + [done["text"]], className="completeness")]
                + [cells.get(i.code, html.Td("–", className="num")) for i in indicators],
                className="national-row" if level == "national" else None,
            )
        )
    caption = f"Indicatoren per regio in {period_label(period)}, vergeleken met Nederland"
    return html.Table([html.Caption(caption), head, html.Tbody(body)], id=f"{PAGE}-tabel", className="overview-table")


def _table_note(rows: pd.DataFrame, period: str) -> str:
    national = rows.loc[rows["level"] == "national"]
    if national.empty:
        return SOURCE
    fewest, expected = int(national["reported"].min()), int(national["expected"].max())
    share = f"{fig.MIN_SHARE_REPORTED:.0%}".replace("%", " procent")
    return (
        f"{SOURCE} Volledigheid {period_label(period)}: {fewest} tot {int(national['reported'].max())} van "
        f"{expected} gemeenten, per indicator. Een regio wordt niet vergeleken als minder dan {share} van haar "
        "gemeenten heeft aangeleverd; aantallen worden niet vergeleken (zie per 100.000 inwoners)."
    )


def _no_figures(period: str | None) -> str:
    if not period:
        return "Er zijn nog geen cijfers van een afgelopen kwartaal."
    if not Period.parse_code(period).has_ended():
        return f"{period_label(period)} is nog niet afgelopen; kies een eerder kwartaal."
    return f"Er zijn geen cijfers over {period_label(period)}; kies een ander kwartaal."


def _table_section(period: str | None) -> html.Section:
    return _memoised_table_section(*data.view_key(), period)


@lru_cache(maxsize=64)  # per store version and view (`data.view_key`): the table is the same for all alike
def _memoised_table_section(*key_and_period) -> html.Section:
    period = key_and_period[-1]
    heading = f"{PAGE}-tabel-titel"
    rows = _rows(period)
    if period and not rows.empty:
        content = [
            _legend(),
            html.Div(overview_html_table(rows, period), className="table-scroll"),
            html.P(_table_note(rows, period), className="note"),
        ]
    else:
        content = [html.P(_no_figures(period), className="message")]
    return html.Section(
        [
            html.H2("Regio's vergeleken met Nederland", id=heading),
            html.P(
                "Per indicator de waarde van de regio en of die beter, gelijk of slechter is dan het landelijke "
                "cijfer, met 95%- en 99,8%-betrouwbaarheid en in de gewenste richting van de indicator. "
                "Kies een regio voor haar ontwikkeling, of een indicator voor haar definitie.",
                className="subtitle",
            ),
            *content,
            download_buttons(f"{PAGE}-tabel"),
        ],
        className="chart-card",
        **{"aria-labelledby": heading},
    )


# ---- the attention list -------------------------------------------------------------------------


def attention_points(period: str | None) -> pd.DataFrame:
    """The attention list of `period` from what the signed-in user may see (`data.indicators`)."""
    if not period or not Period.parse_code(period).has_ended():
        return attention.empty_list()
    series = data.indicators(level="region")
    targets = data.targets(sorted(data.reference().regions))
    return attention.attention_list(
        attention.worse_and_worsening(_rows(period), series, period), attention.targets_missed(series, targets, period)
    )


def _attention_section(period: str | None) -> html.Section:
    # The targets are part of the key: one cheap query, and a new target shows at once.
    targets = data.targets(sorted(data.reference().regions))
    return _memoised_attention_section(*data.view_key(), tuple(sorted(targets.items())), period)


@lru_cache(maxsize=64)
def _memoised_attention_section(*key_and_period) -> html.Section:
    period = key_and_period[-1]
    heading = f"{PAGE}-aandacht-titel"
    points = attention_points(period)
    when = period_label(period) if period else "het laatste kwartaal"
    if points.empty:
        content = html.P(
            f"Geen aandachtspunten in {when}: geen regio is bij een indicator aantoonbaar slechter dan landelijk "
            "en tegelijk aantoonbaar verslechterend, en geen streefwaarde is aantoonbaar niet gehaald.",
            className="message",
            id=f"{PAGE}-aandachtspunten",
        )
    else:
        content = html.Ul(
            [
                html.Li([dcc.Link(f"{p.area_name}: {p.indicator_name}", href=p.href), html.Span(f" – {p.detail}")])
                for p in points.itertuples(index=False)
            ],
            id=f"{PAGE}-aandachtspunten",
            className="attention-list",
        )
    return html.Section(
        [
            html.H2("Aandachtspunten", id=heading),
            html.P(
                f"Regio's en indicatoren die in {when} aantoonbaar slechter zijn dan landelijk (95%) en volgens de "
                "trendtoets verslechteren, in de gewenste richting van de indicator, en de streefwaarden die niet "
                "gehaald zijn. Kies er een voor de regio bij die indicator.",
                className="subtitle",
            ),
            content,
        ],
        className="chart-card overview-attention",
        **{"aria-labelledby": heading},
    )


# ---- the map ------------------------------------------------------------------------------------


def _map_section(period: str | None, code: str | None) -> html.Section:
    return _memoised_map_section(*data.view_key(), period, _map_indicator(code).code)


@lru_cache(maxsize=64)
def _memoised_map_section(*key_period_code) -> html.Section:
    period, code = key_period_code[-2:]
    indicator = _map_indicator(code)
    rows = _rows(period)
    regions = fig.map_rows(rows, indicator.code)
    national = rows.loc[(rows["level"] == "national") & (rows["indicator"] == indicator.code)]
    figure = fig.map_figure(regions, _shapes(data.reference().regions_file), indicator)
    when = period_label(period) if period else "geen kwartaal"
    note = SOURCE
    if not national.empty:
        row = national.iloc[0]
        note += (
            f" Landelijk {fig.value_text(row['value'], indicator.unit)}. Volledigheid {when}: "
            f"{row['reported']} van {row['expected']} gemeenten."
        )
    return chart(
        f"{PAGE}-kaart",
        f"Kaart: {indicator.name}",
        f"Regio's naar de vergelijking met het landelijke cijfer in {when} "
        f"({fig.DIRECTION_LABELS[indicator.direction]}). Kies een regio op de kaart voor haar pagina.",
        figure,
        fig.map_table(regions, indicator, period or "", display=True) if period else pd.DataFrame(),
        note,
        indicator,
    )


# ---- layout and callbacks ----------------------------------------------------------------------
# The choices are groups of toggle buttons (aria-pressed), not dcc.Dropdown or dcc.RadioItems: in Dash 4
# the dropdown has a focusable aria-hidden input and the radio items nest radios inside a listbox,
# both failed by axe-core. The choice itself is a short string in a dcc.Store.


def _choices(group: str, label: str, options: list[tuple[str, str]], selected: str | None) -> html.Div:
    """A labelled group of toggle buttons, ids `{"type": f"{PAGE}-{group}", "index": value}`."""
    label_id = f"{PAGE}-{group}-label"
    buttons = [
        html.Button(
            text,
            id=_group_id(group, value),
            n_clicks=0,
            type="button",
            className="choice",
            **{"aria-pressed": _pressed(value == selected)},
        )
        for value, text in options
    ]
    return html.Div(
        [
            html.Span(label, id=label_id, className="choice-label"),
            html.Div(buttons, role="group", className="choices", **{"aria-labelledby": label_id}),
        ],
        className="control",
    )


def _group_id(group: str, index=ALL) -> dict:
    return {"type": f"{PAGE}-{group}", "index": index}


def _pressed(flag: bool) -> str:
    return "true" if flag else "false"


def _period_choices(periods: list[str], selected: str | None) -> html.Div:
    """One toggle button per complete quarter, in a cluster per year (newest first)."""
    years: dict[str, list[str]] = {}
    for period in periods:
        years.setdefault(period.split("Q")[0], []).append(period)
    clusters = [
        html.Div(
            [html.Span(year, className="choice-year", **{"aria-hidden": "true"})]
            + [
                html.Button(
                    f"K{p.split('Q')[1]}",
                    id=_group_id("periode-keuze", p),
                    n_clicks=0,
                    type="button",
                    className="choice",
                    **{"aria-pressed": _pressed(p == selected), "aria-label": period_label(p)},
                )
                for p in sorted(quarters)
            ],
            className="choice-cluster",
        )
        for year, quarters in years.items()
    ]
    return html.Div(
        [
            html.Span("Kwartaal", id=f"{PAGE}-periode-label", className="choice-label"),
            html.Div(clusters, role="group", className="choices", **{"aria-labelledby": f"{PAGE}-periode-label"}),
        ],
        className="control",
    )


def layout(periode: str | None = None, indicator: str | None = None, **_query) -> html.Div:
    """The page for a quarter (default: the latest complete one) and a map indicator, from the query string."""
    periods = complete_periods(data.indicators(level="national"))
    period = periode if periode in periods else (periods[0] if periods else None)
    map_code = _map_indicator(indicator).code
    return html.Div(
        [
            dcc.Location(id=f"{PAGE}-location", refresh="callback-nav"),
            dcc.Store(id=f"{PAGE}-periode", data=period),
            dcc.Store(id=f"{PAGE}-indicator", data=map_code),
            html.H1("Landelijk overzicht"),
            html.P(
                "Hoe staat elke regio ervoor ten opzichte van Nederland? Blauw (▲) is beter dan landelijk, oranje "
                "(▼) slechter, grijs (●) niet aantoonbaar verschillend. Een dubbel symbool is zekerder (99,8%).",
                className="intro",
            ),
            html.Div(_period_choices(periods, period), className="controls"),
            html.Div(_attention_section(period), id=f"{PAGE}-aandacht-sectie"),
            html.Div(_table_section(period), id=f"{PAGE}-tabel-sectie"),
            html.Div(
                [
                    html.Div(
                        _choices(
                            "kaart-indicator",
                            "Indicator op de kaart",
                            [(ind.code, ind.name) for ind in MAP_INDICATORS],
                            map_code,
                        ),
                        className="controls",
                    ),
                    # The map arrives drawn with the page (one round trip less); `update_map` redraws it
                    # for another quarter or indicator. (suppress_callback_exceptions: Dash builds no
                    # validation layout from every page's layout, so a heavy layout costs only this page.)
                    html.Div(_map_section(period, map_code), id=f"{PAGE}-kaart-sectie"),
                ],
                className="overview-map",
            ),
        ],
        className="overview",
    )


def _pressed_index() -> str | None:
    """The index of the toggle button that was pressed; None when none was (buttons were drawn)."""
    pressed = dash.ctx.triggered_id
    return pressed["index"] if pressed and any(item.get("value") for item in dash.ctx.triggered) else None


@callback(
    Output(f"{PAGE}-periode", "data"),
    Input(_group_id("periode-keuze"), "n_clicks"),
    State(f"{PAGE}-periode", "data"),
    prevent_initial_call=True,
)
def press_period(_clicks: list, current: str | None) -> str:
    chosen = _pressed_index()
    return chosen if chosen and chosen != current else no_update


@callback(
    Output(f"{PAGE}-indicator", "data"),
    Input(_group_id("kaart-indicator"), "n_clicks"),
    State(f"{PAGE}-indicator", "data"),
    prevent_initial_call=True,
)
def press_indicator(_clicks: list, current: str | None) -> str:
    chosen = _pressed_index()
    return chosen if chosen and chosen != current else no_update


@callback(
    Output(_group_id("periode-keuze"), "aria-pressed"),
    Input(f"{PAGE}-periode", "data"),
    State(_group_id("periode-keuze"), "id"),
    prevent_initial_call=True,
)
def show_period(period: str | None, ids: list[dict]) -> list[str]:
    return [_pressed(i["index"] == period) for i in ids]


@callback(
    Output(_group_id("kaart-indicator"), "aria-pressed"),
    Input(f"{PAGE}-indicator", "data"),
    State(_group_id("kaart-indicator"), "id"),
    prevent_initial_call=True,
)
def show_indicator(code: str | None, ids: list[dict]) -> list[str]:
    return [_pressed(i["index"] == code) for i in ids]


@callback(Output(f"{PAGE}-tabel-sectie", "children"), Input(f"{PAGE}-periode", "data"), prevent_initial_call=True)
def update_table(period: str | None) -> html.Section:
    return _table_section(period)


@callback(Output(f"{PAGE}-aandacht-sectie", "children"), Input(f"{PAGE}-periode", "data"), prevent_initial_call=True)
def update_attention(period: str | None) -> html.Section:
    return _attention_section(period)


@callback(
    Output(f"{PAGE}-kaart-sectie", "children"),
    Input(f"{PAGE}-periode", "data"),
    Input(f"{PAGE}-indicator", "data"),
    prevent_initial_call=True,
)
def update_map(period: str | None, code: str | None) -> html.Section:
    return _map_section(period, code)


def region_from_click(click: dict | None) -> str | None:
    """The region code of a click on the map (a municipality or a region's symbol)."""
    points = (click or {}).get("points") or []
    code = points[0].get("customdata") if points else None
    if isinstance(code, list):
        code = code[0] if code else None
    return code or None


@callback(Output(f"{PAGE}-location", "href"), Input(f"{PAGE}-kaart", "clickData"), prevent_initial_call=True)
def open_region(click: dict | None) -> str:
    code = region_from_click(click)
    return region_href(code) if code else no_update


def _format() -> str | None:
    """xlsx or csv, from the button that was pressed; None when none was (a section was redrawn)."""
    triggered = dash.ctx.triggered_id or ""
    clicked = any(item.get("value") for item in dash.ctx.triggered)
    return triggered.rsplit("-", 1)[-1] if clicked and triggered.endswith(("-xlsx", "-csv")) else None


@callback(
    Output(f"{PAGE}-tabel-download", "data"),
    Input(f"{PAGE}-tabel-xlsx", "n_clicks"),
    Input(f"{PAGE}-tabel-csv", "n_clicks"),
    State(f"{PAGE}-periode", "data"),
    prevent_initial_call=True,
)
def download_overview(_xlsx: int, _csv: int, period: str | None) -> dict:
    fmt = _format()
    if not fmt or not period:
        return no_update
    return send_table(fig.download_table(_rows(period), period), f"landelijk-overzicht-{period}", fmt)


@callback(
    Output(f"{PAGE}-kaart-download", "data"),
    Input(f"{PAGE}-kaart-xlsx", "n_clicks"),
    Input(f"{PAGE}-kaart-csv", "n_clicks"),
    State(f"{PAGE}-periode", "data"),
    State(f"{PAGE}-indicator", "data"),
    prevent_initial_call=True,
)
def download_map(_xlsx: int, _csv: int, period: str | None, code: str | None) -> dict:
    fmt = _format()
    if not fmt or not period:
        return no_update
    indicator = _map_indicator(code)
    table = fig.map_table(fig.map_rows(_rows(period), indicator.code), indicator, period)
    return send_table(table, f"kaart-{indicator.code}-{period}", fmt)
