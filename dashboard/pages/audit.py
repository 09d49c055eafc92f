"""Auditlog: who did what when (logins, uploads, stored and superseded values, user changes).

For the beheerder only. The layout and every callback ask the server-side session first
(`dashboard.access.current_scope`) and give anyone else a message, never data. The layout holds
no entries itself: Dash also builds every page's layout once for its validation layout, which is
sent to every user; the entries come from the `show` callback, which checks the scope again.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, data
from dashboard.access import scope_or_none
from dashboard.figures import audit as fig
from dashboard.format import number
from db.audit import ACTION_LABELS, TIMEZONE, Action, count_audit, read_audit, record
from db.engine import write_transaction

PAGE = "auditlog"
dash.register_page(__name__, path="/auditlog", name="Auditlog", title="Auditlog – Monitor plegeraanpak", order=None)

ACTOR, ACTION, SINCE, UNTIL, TEXT = (f"{PAGE}-{name}" for name in ("wie", "handeling", "van", "tot", "zoek"))
RESULTS, TABLE, DOWNLOAD = f"{PAGE}-regels", f"{PAGE}-tabel", f"{PAGE}-export"
SHOWN_ROWS = 500  # the newest entries on the page; the download holds every matching one
REFUSED = "Alleen de beheerder kan het auditlog zien."


def _admin() -> bool:
    scope = scope_or_none()
    return scope is not None and scope.is_admin


# --- layout -----------------------------------------------------------------------------------


def _control(label: str, component) -> html.Div:
    return html.Div([html.Label(label, htmlFor=component.id), component], className="control")


def _text_input(component_id: str, value: str | None, placeholder: str) -> dcc.Input:
    return dcc.Input(id=component_id, type="text", value=value or "", debounce=True, placeholder=placeholder,
                     maxLength=fig.MAX_TEXT, autoComplete="off", className="text-input")  # fmt: skip


def _date_input(component_id: str, value: dt.date | None) -> dcc.Input:
    return dcc.Input(id=component_id, type="date", value=value.isoformat() if value else "", debounce=True,
                     className="date-input")  # fmt: skip


def _refused() -> html.Div:
    return html.Div([html.H1("Auditlog"), html.P(REFUSED, className="message error", role="alert")])


def _record_refusal() -> None:
    """A signed-in user who is not the beheerder asked for the audit log: that goes in it."""
    scope = scope_or_none()
    if scope is None:  # Dash building the layout by itself: nobody asked
        return
    with write_transaction(data.engine()) as conn:
        record(conn, actor=scope.user, action=Action.ACCESS_DENIED, subject="/auditlog", details={"rol": scope.role})


def layout(
    wie: str | None = None,
    handeling: str | None = None,
    van: str | None = None,
    tot: str | None = None,
    zoek: str | None = None,
    **_query,
) -> html.Div:
    """The filters (also from the address: `?wie=…&handeling=aanlevering&van=2025-01-01&tot=…&zoek=…`)
    and a place for the entries; for anyone but the beheerder only a message."""
    if not _admin():
        _record_refusal()
        return _refused()
    chosen = fig.selection(wie, handeling, van, tot, zoek)
    options = [{"label": label, "value": str(action)} for action, label in ACTION_LABELS.items()]
    return html.Div(
        [
            html.H1("Auditlog"),
            html.P(
                "Wie wat wanneer deed: inloggen, aanleveringen, opgeslagen en vervangen waarden en wijzigingen "
                "van gebruikers. Regels worden alleen toegevoegd, nooit gewijzigd of verwijderd. De nieuwste "
                "regels staan bovenaan; datums zijn in Nederlandse tijd en tellen de hele dag mee."
            ),
            html.Div(
                [
                    _control("Wie", _text_input(ACTOR, chosen["actor"], "gebruikersnaam")),
                    _control(
                        "Handeling",
                        dcc.Dropdown(
                            id=ACTION,
                            options=options,
                            value=chosen["action"] and str(chosen["action"]),
                            placeholder="Alle handelingen",
                            labels=components.DROPDOWN_LABELS,
                        ),
                    ),  # fmt: skip
                    _control("Van datum", _date_input(SINCE, chosen["since"])),
                    _control("Tot en met datum", _date_input(UNTIL, chosen["until"])),
                    _control("Zoektekst (onderwerp en details)", _text_input(TEXT, chosen["text"], "bestand, code …")),
                ],
                className="controls",
            ),
            dcc.Loading(html.Div(id=RESULTS), type="dot"),
            html.Div(
                [
                    html.Span("Alle regels van dit filter:", className="download-label"),
                    components.download_buttons(DOWNLOAD),
                ],
                className="download-row",
            ),  # fmt: skip
        ],
        className="audit-page",
    )


def _results(chosen: dict) -> list:
    engine = data.engine()
    total = count_audit(engine, **chosen)
    entries = read_audit(engine, **chosen, limit=SHOWN_ROWS)
    caption = f"Auditlog, nieuwste eerst: {fig.filter_summary(chosen)}"
    if total == 0:
        return [html.P(f"Geen regels gevonden ({fig.filter_summary(chosen)}).", className="message")]
    parts = [
        html.Div(
            components.html_table(fig.shown_frame(entries), caption, table_id=TABLE),
            className="audit-scroll",
            tabIndex="0",
            role="region",
            **{"aria-label": caption},
        )
    ]
    if total > len(entries):
        parts.append(
            html.P(
                f"De nieuwste {number(len(entries))} van {number(total)} regels staan hier; "
                "de download bevat ze allemaal.",
                className="note",
            )
        )
    else:
        parts.append(html.P(f"{number(total)} {'regel' if total == 1 else 'regels'}.", className="note"))
    return parts


FILTER_INPUTS = [Input(ACTOR, "value"), Input(ACTION, "value"), Input(SINCE, "value"), Input(UNTIL, "value"),
                 Input(TEXT, "value")]  # fmt: skip


@callback(Output(RESULTS, "children"), *FILTER_INPUTS)
def show(actor: object, action: object, since: object, until: object, text: object) -> list:
    """The newest matching entries; for anyone but the beheerder only the message."""
    if not _admin():
        return [html.P(REFUSED, className="message error", role="alert")]
    return _results(fig.selection(actor, action, since, until, text))


@callback(
    Output(f"{DOWNLOAD}-download", "data"),
    Input(f"{DOWNLOAD}-xlsx", "n_clicks"),
    Input(f"{DOWNLOAD}-csv", "n_clicks"),
    *(State(i.component_id, "value") for i in FILTER_INPUTS),
    prevent_initial_call=True,
)
def download(_xlsx: int, _csv: int, actor: object, action: object, since: object, until: object, text: object) -> dict:
    """Every matching entry as Excel or CSV (formula-safe, see `send_table`); the beheerder only."""
    if not _admin():
        raise PreventUpdate
    entries = read_audit(data.engine(), **fig.selection(actor, action, since, until, text))
    fmt = "xlsx" if dash.ctx.triggered_id == f"{DOWNLOAD}-xlsx" else "csv"
    stamp = dt.datetime.now(TIMEZONE).strftime("%Y%m%d-%H%M")
    return components.send_table(fig.download_frame(entries), f"auditlog_{stamp}", fmt)
