"""Vergelijken: regions (or the municipalities of one region) against the nation for one quarter.

A funnel plot with the PHE Fingertips control limits and a ranked chart with 95% intervals. The
page opens with the latest complete quarter; `?indicator=…&periode=2025Q2&vergelijk=VR09` picks
other choices (so other pages can link here).
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, data
from dashboard.access import current_scope
from dashboard.figures import compare as fig
from dashboard.format import period_label
from indicators.registry import INDICATORS, INDICATORS_BY_CODE, shown_indicator
from reference.periods import Period

PAGE = "vergelijken"
dash.register_page(
    __name__, path="/vergelijken", name="Vergelijken", title="Vergelijken – Monitor plegeraanpak", order=2
)

INDICATOR_ID, PERIOD_ID, COMPARE_ID = f"{PAGE}-indicator", f"{PAGE}-periode", f"{PAGE}-vergelijk"
CHARTS_ID = f"{PAGE}-grafieken"
FUNNEL_ID, RANKED_ID = f"{PAGE}-trechter", f"{PAGE}-rangorde"
DEFAULT_INDICATOR = INDICATORS[0].code


def _periods() -> list[str]:
    """Quarters with national figures, latest first."""
    national = data.indicators(level="national")
    return sorted(national.loc[national["reported"] > 0, "period"].unique(), reverse=True)


def _regions() -> list[tuple[str, str]]:
    """The regions whose municipalities the user may compare: those they see in full detail."""
    scope, reference = current_scope(), data.reference()
    regions = (r for r in reference.regions.values() if scope.full_detail("region", r.code, reference))
    return sorted(((r.code, r.name) for r in regions), key=lambda r: r[1])


def _choice(value: str | None, allowed: list[str], default: str | None) -> str | None:
    return value if value in allowed else default


def _offered(indicator_code: object, period: object, compare_with: object) -> bool:
    """Whether the choices are ones the page offers this user: an indicator, a quarter with national
    figures, all regions or a region whose municipalities the user sees in full detail. A crafted
    request for anything else (another region's municipalities, a year, an unknown code) gets nothing."""
    return (
        indicator_code in INDICATORS_BY_CODE
        and period in _periods()
        and compare_with in [fig.ALL_REGIONS, *(code for code, _ in _regions())]
    )


def _control(label: str, control_id: str, options: list[dict], value: str | None) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=control_id),
            dcc.Dropdown(
                id=control_id, options=options, value=value, clearable=False, labels=components.DROPDOWN_LABELS
            ),
        ],
        className="control",
    )


def layout(indicator: str | None = None, periode: str | None = None, vergelijk: str | None = None, **_) -> html.Div:
    periods = _periods()
    regions = _regions()
    indicator = _choice(indicator, list(INDICATORS_BY_CODE), DEFAULT_INDICATOR)
    period = _choice(periode, periods, data.latest_complete_quarter() or (periods[0] if periods else None))
    compare_with = _choice(vergelijk, [fig.ALL_REGIONS] + [code for code, _ in regions], fig.ALL_REGIONS)
    controls = html.Div(
        [
            _control("Indicator", INDICATOR_ID, [{"label": i.name, "value": i.code} for i in INDICATORS], indicator),
            _control("Kwartaal", PERIOD_ID, [{"label": period_label(p), "value": p} for p in periods], period),
            _control(
                "Vergelijk",
                COMPARE_ID,
                [{"label": "Alle regio's", "value": fig.ALL_REGIONS}]
                + [{"label": f"Gemeenten van regio {name}", "value": code} for code, name in regions],
                compare_with,
            ),
        ],
        className="controls compare-controls",
    )
    return html.Div(
        [
            html.H1("Vergelijken"),
            html.P(
                "Hoe verhouden de regio's, of de gemeenten van één regio, zich tot het landelijke cijfer? "
                "Kleine aantallen schommelen meer; de trechter en de intervallen laten zien welke verschillen "
                "waarschijnlijk geen toeval zijn.",
                className="intro",
            ),
            controls,
            dcc.Loading(html.Div(charts(indicator, period, compare_with), id=CHARTS_ID), type="default"),
        ]
    )


def _read(indicator_code: str, period: str, compare_with: str):
    """The shown indicator, the areas' rows, the national row and the row of the compared whole."""
    shown = shown_indicator(data.indicator(indicator_code))
    national_rows = data.indicators(level="national", codes=[shown.code], periods=[period])
    national = national_rows.iloc[0].to_dict() if len(national_rows) else {}
    if compare_with == fig.ALL_REGIONS:
        rows = data.indicators(level="region", codes=[shown.code], periods=[period])
        return shown, rows, national, national, None
    reference = data.reference()
    quarter = Period.parse_code(period)
    members = [m.code for m in reference.members(compare_with, quarter)]
    rows = data.indicators(level="municipality", areas=members, codes=[shown.code], periods=[period])
    whole = data.indicators(level="region", areas=[compare_with], codes=[shown.code], periods=[period])
    region = reference.regions.get(compare_with)
    return shown, rows, national, whole.iloc[0].to_dict() if len(whole) else {}, region.name if region else None


def _figures(indicator_code: str, period: str, compare_with: str) -> dict:
    """Everything both charts need, from the indicator table and the pure functions."""
    shown, rows, national, whole, region_name = _read(indicator_code, period, compare_with)
    prepared = fig.prepare(rows, national, shown)
    return {
        "chosen": data.indicator(indicator_code),
        "shown": shown,
        "prepared": prepared,
        "national": national,
        "scope": fig.scope_words(compare_with, region_name),
        "reported": whole.get("reported"),
        "expected": whole.get("expected"),
    }


def charts(indicator_code: str | None, period: str | None, compare_with: str | None) -> list:
    """The two chart sections for the chosen indicator, quarter and comparison."""
    if not (indicator_code and period and compare_with):
        return [html.P("Er zijn nog geen cijfers om te vergelijken.", className="message")]
    f = _figures(indicator_code, period, compare_with)
    prepared, national, shown = f["prepared"], f["national"], f["shown"]
    missing = fig.missing_areas(prepared)
    limits = fig.limits_for(prepared, national, shown)
    return [
        components.chart(
            FUNNEL_ID,
            "Trechter: verschilt een gebied meer dan toeval verklaart?",
            fig.funnel_subtitle(f["chosen"], shown, period, f["scope"]),
            fig.make_funnel(prepared, limits, national, shown),
            fig.display_table(fig.funnel_table(prepared, shown)),
            fig.completeness_note(period, f["reported"], f["expected"], missing, method=True),
            INDICATORS_BY_CODE[indicator_code],
        ),
        components.chart(
            RANKED_ID,
            "Rangorde met betrouwbaarheidsintervallen",
            fig.ranked_subtitle(f["chosen"], shown, period, f["scope"]),
            fig.make_ranked(prepared, national, shown),
            fig.display_table(fig.ranked_table(prepared, national, shown)),
            fig.completeness_note(period, f["reported"], f["expected"], missing, method=False),
            INDICATORS_BY_CODE[indicator_code],
        ),
    ]


@callback(
    Output(CHARTS_ID, "children"),
    Input(INDICATOR_ID, "value"),
    Input(PERIOD_ID, "value"),
    Input(COMPARE_ID, "value"),
    prevent_initial_call=True,
)
def update_charts(indicator_code: str, period: str, compare_with: str) -> list:
    if not _offered(indicator_code, period, compare_with):
        raise PreventUpdate
    return charts(indicator_code, period, compare_with)


def download_table(chart: str, fmt: str, indicator_code: str, period: str, compare_with: str) -> dict:
    """The figures behind one chart (`trechter` or `rangorde`) as an Excel or CSV download."""
    f = _figures(indicator_code, period, compare_with)
    if chart == "trechter":
        table = fig.funnel_table(f["prepared"], f["shown"])
    else:
        table = fig.ranked_table(f["prepared"], f["national"], f["shown"])
    name = f"vergelijken_{chart}_{f['shown'].code}_{period}_{compare_with}"
    return components.send_table(fig.for_download(table), name, fmt)


def _download(chart: str, xlsx_clicks: int, csv_clicks: int, *choices: str) -> dict:
    if not (xlsx_clicks or csv_clicks) or not isinstance(ctx.triggered_id, str) or not _offered(*choices):
        raise PreventUpdate
    return download_table(chart, "xlsx" if ctx.triggered_id.endswith("-xlsx") else "csv", *choices)


_CHOICES = (State(INDICATOR_ID, "value"), State(PERIOD_ID, "value"), State(COMPARE_ID, "value"))


@callback(
    Output(f"{FUNNEL_ID}-download", "data"),
    Input(f"{FUNNEL_ID}-xlsx", "n_clicks"),
    Input(f"{FUNNEL_ID}-csv", "n_clicks"),
    *_CHOICES,
    prevent_initial_call=True,
)
def download_funnel(xlsx_clicks: int, csv_clicks: int, indicator_code: str, period: str, compare_with: str) -> dict:
    return _download("trechter", xlsx_clicks, csv_clicks, indicator_code, period, compare_with)


@callback(
    Output(f"{RANKED_ID}-download", "data"),
    Input(f"{RANKED_ID}-xlsx", "n_clicks"),
    Input(f"{RANKED_ID}-csv", "n_clicks"),
    *_CHOICES,
    prevent_initial_call=True,
)
def download_ranked(xlsx_clicks: int, csv_clicks: int, indicator_code: str, period: str, compare_with: str) -> dict:
    return _download("rangorde", xlsx_clicks, csv_clicks, indicator_code, period, compare_with)
