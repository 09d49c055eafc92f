"""A gemeente's short notes on its own municipality's figures, beside the region page's municipalities.

Everyone who sees a municipality in full (the gemeente itself, the region's projectleider, the
beheerder) reads its notes of the chosen quarter (`data.interpretations` filters on the scope);
only the gemeente itself and the beheerder may write one (`Scope.may_note`, checked again on the
server by `dashboard.steering.save_note` for every save, whatever the browser sends). Notes are
put in components as plain strings, so React escapes them.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import data, steering
from dashboard.access import current_scope
from dashboard.format import period_label
from reference.periods import Period

PAGE = "regio"
BLOCK, FORM, MUNICIPALITY, TEXT, SAVE, STATUS, VERSION = (
    f"{PAGE}-notities", f"{PAGE}-notitie-formulier", f"{PAGE}-notitie-gemeente", f"{PAGE}-notitie-tekst",
    f"{PAGE}-notitie-opslaan", f"{PAGE}-notitie-melding", f"{PAGE}-notitie-versie",
)  # fmt: skip


def _members(code: str, period: str | None) -> list[tuple[str, str]]:
    """The municipalities of the region in the quarter, (code, name), by name."""
    reference = data.reference()
    if code not in reference.regions or not isinstance(period, str):
        return []
    try:
        quarter = Period.parse_code(period)
    except ValueError:  # not a quarter: anything may arrive from the browser
        return []
    return sorted(((m.code, m.name) for m in reference.members(code, quarter)), key=lambda m: m[1])


def writable(code: str, period: str | None) -> list[tuple[str, str]]:
    """The municipalities of the region the signed-in user may write a note for."""
    scope, reference = current_scope(), data.reference()
    return [(c, name) for c, name in _members(code, period) if scope.may_note(c, reference)]


def notes(code: str, period: str | None) -> list:
    """The notes of the quarter on the municipalities the user sees in full, or a line saying there are none."""
    members = dict(_members(code, period))
    if not members:
        return [html.P("Kies een regio en een kwartaal.", className="note")]
    found = [n for n in data.interpretations("municipality", list(members)) if n.period == period]
    if not found:
        return [html.P(f"Er zijn geen notities van gemeenten over {period_label(period)}.", className="note")]
    return [
        html.Article(
            [
                html.H4(f"{members[n.area_code]}, {period_label(n.period)}"),
                html.P(n.meaning, className="regio-duiding-tekst"),
                html.P(f"Geschreven door {n.written_by}.", className="note"),
            ],
            className="regio-duiding-item",
        )
        for n in found
    ]


def section(code: str, period: str | None) -> html.Section:
    """The notes block: what the user may read, and a form for those who may write."""
    own = writable(code, period)
    form = html.Div(
        [
            html.Div(
                [
                    html.Label("Gemeente", htmlFor=MUNICIPALITY),
                    dcc.Dropdown(
                        id=MUNICIPALITY,
                        options=[{"label": n, "value": c} for c, n in own],
                        value=own[0][0] if own else None,
                        clearable=False,
                    ),  # fmt: skip
                ],
                className="control",
            ),
            html.Div(
                [
                    html.Label(
                        [
                            "Notitie bij de cijfers van het gekozen kwartaal ",
                            html.Span(f"(ten hoogste {steering.NOTE_MAX} tekens)", className="hint"),
                        ],
                        htmlFor=TEXT,
                    ),  # fmt: skip
                    dcc.Textarea(id=TEXT, maxLength=steering.NOTE_MAX, className="regio-tekst"),
                ],
                className="control",
            ),
            html.Button("Notitie opslaan", id=SAVE, type="button", className="button"),
            html.Div(id=STATUS, role="status"),
        ],
        id=FORM,
        hidden=not own,
    )
    return html.Section(
        [
            html.H3("Notities van gemeenten", id=f"{BLOCK}-kop"),
            html.Div(notes(code, period), id=f"{BLOCK}-lijst"),
            form,
            dcc.Store(id=VERSION, data=0),
        ],  # fmt: skip
        id=BLOCK,
        className="regio-notities",
        **{"aria-labelledby": f"{BLOCK}-kop"},
    )


def update_notes(code: str, period: str | None, _version: int | None) -> tuple:
    own = writable(code, period)
    return notes(code, period), not own, [{"label": n, "value": c} for c, n in own]


def save_note(clicks: int | None, municipality: object, period: object, text: object, version: int | None) -> tuple:
    if not clicks:
        raise PreventUpdate
    answer = steering.save_note(str(municipality or ""), period if isinstance(period, str) else None,
                                text if isinstance(text, str) else None)  # fmt: skip
    return answer.message, (version or 0) + 1 if answer.ok else version


def register() -> None:
    """Register this module's callbacks on the app being built: called by the page module, which Dash
    runs again for every app (a module imported once would register them for the first app only)."""
    callback(
        Output(f"{BLOCK}-lijst", "children"),
        Output(FORM, "hidden"),
        Output(MUNICIPALITY, "options"),
        Input(f"{PAGE}-code", "value"),
        Input(f"{PAGE}-kwartaal", "value"),
        Input(VERSION, "data"),
        prevent_initial_call=True,  # the layout arrives with them
    )(update_notes)
    callback(
        Output(STATUS, "children"),
        Output(VERSION, "data"),
        Input(SAVE, "n_clicks"),
        State(MUNICIPALITY, "value"),
        State(f"{PAGE}-kwartaal", "value"),
        State(TEXT, "value"),
        State(VERSION, "data"),
        prevent_initial_call=True,
    )(save_note)
