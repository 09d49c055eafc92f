"""The region page's targets and interpretations: what everyone sees (the target and its judgement
beside each chart, the interpretations per quarter) and the forms of those who may write them.

The forms are shown to the region's projectleider and the beheerder; whether a save is allowed is
decided again on the server for every request (`dashboard.steering`), whatever the browser sends.
Texts are put in components as plain strings, so React escapes them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, data, steering
from dashboard.access import current_scope
from dashboard.figures import region as figures
from dashboard.format import period_label
from db.steering import Interpretation
from indicators.aggregate import NATIONAL_CODE
from indicators.registry import Indicator
from reference.periods import Period

PAGE = "regio"
TARGET_VERSION, INTERPRETATION_VERSION = f"{PAGE}-streef-versie", f"{PAGE}-duiding-versie"
WHOLE = "geheel"  # the interpretation selector's value for the region as a whole
REGION_CHOICE = "regio"  # the beheerder's target selector: for the region (else NATIONAL_CODE)
TIMEZONE = ZoneInfo("Europe/Amsterdam")
INDICATORS = figures.TREND_INDICATORS


def chart_id(indicator: Indicator) -> str:
    return f"{PAGE}-trend-{indicator.code}"


def chart_parts(indicator: Indicator) -> list:
    """What goes under a chart's plain-language line: its target with judgement, its interpretations."""
    return [
        html.P("", id=f"{chart_id(indicator)}-streef", className="regio-streef"),
        html.Div(id=f"{chart_id(indicator)}-duidingen", className="regio-duidingen"),
    ]


def _field(label: str, control_id: str, control: object, hint: str | None = None) -> html.Div:
    # dcc inputs take no aria attributes: the hint is part of the label, so it is read with the field
    text = [label, html.Span(f" ({hint})", className="hint")] if hint else label
    return html.Div([html.Label(text, htmlFor=control_id), control], className="control")


def _dropdown(control_id: str, options: list[dict], value: str | None) -> dcc.Dropdown:
    return dcc.Dropdown(id=control_id, options=options, value=value, clearable=False,
                        labels=components.DROPDOWN_LABELS, className="regio-keuze")  # fmt: skip


def due_quarters(today: dt.date | None = None) -> list[dict]:
    """The quarters a target or an action can be due in: this quarter and the next three years."""
    first = Period.of_date(today or dt.date.today())
    return [{"label": Period.from_index(first.index + i).label, "value": str(Period.from_index(first.index + i))}
            for i in range(13)]  # fmt: skip


def _target_form(is_admin: bool) -> html.Form | html.Div:
    hint = "Voor een percentage het percentage, zoals 45 of 45,5. Laat leeg om de streefwaarde in te trekken."
    # A dropdown, not a checklist: Dash 4's checklist nests its checkbox in an unnamed listbox option (axe).
    national = [_field("Streefwaarde voor", f"{PAGE}-streef-landelijk", _dropdown(
        f"{PAGE}-streef-landelijk",
        [{"label": "deze regio", "value": REGION_CHOICE},
         {"label": "heel Nederland (landelijk)", "value": NATIONAL_CODE}],
        REGION_CHOICE,
    ))] if is_admin else []  # fmt: skip
    return html.Div(
        [
            html.H3("Streefwaarde instellen", id=f"{PAGE}-streef-kop"),
            _field(
                "Indicator van de streefwaarde",
                f"{PAGE}-streef-indicator",
                _dropdown(
                    f"{PAGE}-streef-indicator",
                    [{"label": i.name, "value": i.code} for i in INDICATORS],
                    INDICATORS[0].code,
                ),
            ),  # fmt: skip
            _field(
                "Streefwaarde",
                f"{PAGE}-streef-waarde",
                dcc.Input(id=f"{PAGE}-streef-waarde", type="text", inputMode="decimal", autoComplete="off"),
                hint,
            ),  # fmt: skip
            _field(
                "Uiterlijk gehaald in",
                f"{PAGE}-streef-kwartaal",
                _dropdown(f"{PAGE}-streef-kwartaal", due_quarters(), due_quarters()[4]["value"]),
            ),
            *national,
            html.Button("Streefwaarde opslaan", id=f"{PAGE}-streef-opslaan", className="button", n_clicks=0),
            html.P("", id=f"{PAGE}-streef-melding", role="status", className="message"),
        ],
        className="regio-formulier",
        role="group",
        **{"aria-labelledby": f"{PAGE}-streef-kop"},
    )


def _interpretation_form(quarters: list[dict], latest: str | None) -> html.Div:
    about = [
        {"label": "De regio als geheel", "value": WHOLE},
        *({"label": i.name, "value": i.code} for i in INDICATORS),
    ]
    limit = f"Hoogstens {steering.MEANING_MAX} tekens."
    return html.Div(
        [
            html.H3("Duiding en bijsturing schrijven", id=f"{PAGE}-duiding-kop"),
            _field(
                "Kwartaal van de duiding",
                f"{PAGE}-duiding-kwartaal",
                _dropdown(f"{PAGE}-duiding-kwartaal", quarters, latest),
            ),
            _field("Duiding over", f"{PAGE}-duiding-indicator", _dropdown(f"{PAGE}-duiding-indicator", about, WHOLE)),
            _field(
                "Wat betekenen de cijfers?",
                f"{PAGE}-duiding-tekst",
                dcc.Textarea(id=f"{PAGE}-duiding-tekst", maxLength=steering.MEANING_MAX, rows=4),
                limit,
            ),  # fmt: skip
            _field(
                "Bijsturing: wat wordt eraan gedaan?",
                f"{PAGE}-duiding-actie",
                dcc.Textarea(id=f"{PAGE}-duiding-actie", maxLength=steering.ACTION_MAX, rows=3),
                f"Hoogstens {steering.ACTION_MAX} tekens.",
            ),  # fmt: skip
            _field(
                "Door wie",
                f"{PAGE}-duiding-door",
                dcc.Input(id=f"{PAGE}-duiding-door", type="text", maxLength=steering.ACTION_BY_MAX, autoComplete="off"),
            ),  # fmt: skip
            _field(
                "Klaar in kwartaal",
                f"{PAGE}-duiding-uiterlijk",
                _dropdown(f"{PAGE}-duiding-uiterlijk", due_quarters(), due_quarters()[1]["value"]),
            ),
            html.Button("Duiding opslaan", id=f"{PAGE}-duiding-opslaan", className="button", n_clicks=0),
            html.P("", id=f"{PAGE}-duiding-melding", role="status", className="message"),
        ],
        className="regio-formulier",
        role="group",
        **{"aria-labelledby": f"{PAGE}-duiding-kop"},
    )


def report_controls(quarters: list[dict], latest: str | None) -> html.Div:
    """The steering report of a quarter as PDF, for everyone who sees the region (it shows what the stuurgroep sees)."""
    return html.Div(
        [
            html.H3("Kwartaalrapportage voor de stuurgroep", id=f"{PAGE}-rapport-kop"),
            html.P(
                "Een PDF met per indicator de grafiek, de kerncijfers, de streefwaarde en de duiding, zoals de "
                "stuurgroep de cijfers ziet (kleine aantallen afgeschermd).",
                className="note",
            ),  # fmt: skip
            _field(
                "Kwartaal van de rapportage",
                f"{PAGE}-rapport-kwartaal",
                _dropdown(f"{PAGE}-rapport-kwartaal", quarters, latest),
            ),  # fmt: skip
            html.Button("Download rapportage (PDF)", id=f"{PAGE}-rapport-knop", className="button", n_clicks=0),
            dcc.Download(id=f"{PAGE}-rapport-download"),
        ],
        className="regio-rapport",
        role="group",
        **{"aria-labelledby": f"{PAGE}-rapport-kop"},
    )


def section(quarters: list[dict], latest: str | None) -> html.Section:
    """The region's interpretations per quarter, and the forms for those who may write them."""
    scope = current_scope()
    forms = []
    if scope.is_admin or scope.role == "projectleider":
        forms = [_target_form(scope.is_admin), _interpretation_form(quarters, latest)]
    return html.Section(
        [
            dcc.Store(id=TARGET_VERSION, data=0),
            dcc.Store(id=INTERPRETATION_VERSION, data=0),
            html.H2("Duiding en bijsturing", id=f"{PAGE}-sturen-kop"),
            html.P("Wat de regio over de cijfers zegt en wat zij eraan doet, per kwartaal.", className="subtitle"),
            html.Div(id=f"{PAGE}-duidingen"),
            report_controls(quarters, latest),
            html.P("", id=f"{PAGE}-sturen-uitleg", className="note"),
            html.Div(forms, id=f"{PAGE}-sturen-formulier", hidden=True),
        ],
        className="regio-sturen chart-card",
        **{"aria-labelledby": f"{PAGE}-sturen-kop"},
    )


def _written(item: Interpretation) -> str:
    when = item.written_at.astimezone(TIMEZONE).strftime("%d-%m-%Y %H:%M") if item.written_at else ""
    return f"Geschreven door {item.written_by} op {when}."


def interpretation_card(item: Interpretation, heading_level: str = "H3") -> html.Article:
    """One interpretation as plain text (escaped by React), with its quarter, subject, author and time."""
    about = data.indicator(item.indicator).name if item.indicator else "de regio als geheel"
    heading = getattr(html, heading_level)(f"{period_label(item.period)}: {about}")
    parts = [heading]
    if item.meaning:
        parts.append(html.P([html.Strong("Duiding: "), item.meaning], className="regio-duiding-tekst"))
    if item.action:
        who = f" Door: {item.action_by}." if item.action_by else ""
        due = f" Klaar in {period_label(item.action_due)}." if item.action_due else ""
        parts.append(html.P([html.Strong("Bijsturing: "), item.action, who + due], className="regio-duiding-tekst"))
    parts.append(html.P(_written(item), className="note"))
    return html.Article(parts, className="regio-duiding-item")


def target_sentence(indicator: Indicator, found, trend=None) -> str:
    """`Streefwaarde 60,0% uiterlijk 2026 K4. In 2025 K3: ✔ gehaald.` or that there is none."""
    from indicators.targets import latest_judgement

    if found is None:
        return "Geen streefwaarde vastgelegd."
    judged = latest_judgement(trend, found.value, indicator.direction)
    words = f"{figures.target_label(indicator, found.value, found.due_period)}."
    if judged is None:
        return f"{words} Nog niet te beoordelen: geen cijfer met interval."
    return f"{words} In {period_label(judged[0])}: {figures.judgement_text(judged[1])}."


def trend_frame(code: str, indicator_code: str):
    """One indicator's quarters for region `code` as the user may see them (figures.prepare_trend)."""
    indicator = data.indicator(indicator_code)
    rows = data.indicators(areas=[code, NATIONAL_CODE], codes=[indicator.code])
    region = rows.loc[rows["area_code"] != NATIONAL_CODE]
    return figures.prepare_trend(region, rows.loc[rows["area_code"] == NATIONAL_CODE], indicator)


def target_of(code: str, indicator_code: str) -> tuple[float | None, str | None]:
    """The current target of a region for an indicator: (value, due quarter), or (None, None)."""
    found = data.targets([code]).get((code, indicator_code))
    return (found.value, found.due_period) if found else (None, None)


def outputs() -> list:
    per_chart = [Output(f"{chart_id(i)}-{part}", "children") for i in INDICATORS for part in ("streef", "duidingen")]
    return [Output(f"{PAGE}-duidingen", "children"), Output(f"{PAGE}-sturen-formulier", "hidden"),
            Output(f"{PAGE}-sturen-uitleg", "children"), *per_chart]  # fmt: skip


def steering_view(code: str) -> list:
    """Every output of `update_steering` for region `code`, as the signed-in user may see it."""
    if code not in data.reference().regions:
        raise PreventUpdate
    scope = current_scope()
    items = data.interpretations("region", [code])
    whole = [interpretation_card(i) for i in items if not i.indicator] or [
        html.P("Er is nog geen duiding geschreven voor de regio als geheel.", className="note")
    ]
    may = scope.may_steer("region", code)
    explanation = "" if may else "Streefwaarden en duidingen worden vastgelegd door de projectleider van de regio."
    per_chart, targets = [], data.targets([code])  # one query; a trend is read only where there is a target
    for indicator in INDICATORS:
        found = targets.get((code, indicator.code))
        trend = trend_frame(code, indicator.code) if found is not None else None
        per_chart.append(target_sentence(indicator, found, trend))
        per_chart.append([interpretation_card(i, "H3") for i in items if i.indicator == indicator.code])
    return [whole, not may, explanation, *per_chart]


def update_steering(code: str, _targets: int | None, _interpretations: int | None) -> list:
    return steering_view(code)


def save_target(clicks, code, indicator, value, due, national, version) -> tuple:
    if not clicks:
        raise PreventUpdate
    area = (
        NATIONAL_CODE
        if national == NATIONAL_CODE or (isinstance(national, list) and NATIONAL_CODE in national)
        else code
    )
    answer = steering.save_target(str(area or ""), indicator, value, due)
    return answer.message, (version or 0) + 1 if answer.ok else version


def save_interpretation(clicks, code, period, about, meaning, action, action_by, due, version) -> tuple:
    if not clicks:
        raise PreventUpdate
    indicator = "" if about in (None, WHOLE) else about
    answer = steering.save_interpretation(str(code or ""), period, indicator, meaning, action, action_by, due)
    return answer.message, (version or 0) + 1 if answer.ok else version


def report_download(code: str, period: str | None) -> dict:
    """The region's steering report of `period` as a PDF download."""
    from dashboard.report.pdf import write_report

    current_scope()  # only for a signed-in user (the gate already made sure)
    if code not in data.reference().regions or not period:
        raise PreventUpdate
    return dcc.send_bytes(write_report(data.engine(), code, period), f"stuurrapportage_{code}_{period}.pdf")


def download_report(clicks: int | None, code: str, period: str | None) -> dict:
    if not clicks:
        raise PreventUpdate
    return report_download(code, period)


def register() -> None:
    """Register this module's callbacks on the app being built: called by the page module, which Dash
    runs again for every app (a module imported once would register them for the first app only)."""
    callback(
        *outputs(),
        Input(f"{PAGE}-code", "value"),
        Input(TARGET_VERSION, "data"),
        Input(INTERPRETATION_VERSION, "data"),
        prevent_initial_call=True,  # the region page's layout arrives with `steering_view` filled in
    )(update_steering)
    callback(
        Output(f"{PAGE}-streef-melding", "children"),
        Output(TARGET_VERSION, "data"),
        Input(f"{PAGE}-streef-opslaan", "n_clicks"),
        State(f"{PAGE}-code", "value"),
        State(f"{PAGE}-streef-indicator", "value"),
        State(f"{PAGE}-streef-waarde", "value"),
        State(f"{PAGE}-streef-kwartaal", "value"),
        State(f"{PAGE}-streef-landelijk", "value"),
        State(TARGET_VERSION, "data"),
        prevent_initial_call=True,
    )(save_target)
    callback(
        Output(f"{PAGE}-duiding-melding", "children"),
        Output(INTERPRETATION_VERSION, "data"),
        Input(f"{PAGE}-duiding-opslaan", "n_clicks"),
        State(f"{PAGE}-code", "value"),
        State(f"{PAGE}-duiding-kwartaal", "value"),
        State(f"{PAGE}-duiding-indicator", "value"),
        State(f"{PAGE}-duiding-tekst", "value"),
        State(f"{PAGE}-duiding-actie", "value"),
        State(f"{PAGE}-duiding-door", "value"),
        State(f"{PAGE}-duiding-uiterlijk", "value"),
        State(INTERPRETATION_VERSION, "data"),
        prevent_initial_call=True,
    )(save_interpretation)
    callback(
        Output(f"{PAGE}-rapport-download", "data"),
        Input(f"{PAGE}-rapport-knop", "n_clicks"),
        State(f"{PAGE}-code", "value"),
        State(f"{PAGE}-rapport-kwartaal", "value"),
        prevent_initial_call=True,
    )(download_report)
