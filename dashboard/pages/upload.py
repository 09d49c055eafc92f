"""Aanleveren: check Excel files at once (dry run), store them, and see what was delivered before.

The file contents stay in the browser (the Upload's own `contents`) between the check and
*Opslaan*; storing reads them again on the server and runs the whole pipeline once more, so
nothing the browser says about the check is trusted. After storing, the contents are cleared.

Who asks comes from the server-side session (`dashboard.access.current_scope`), in the layout and
in every callback, never from a component value: a user without the right to deliver (stuurgroep)
sees no upload control and gets nothing from any callback, however it is called; the others
deliver, see uploads and values only within their scope (`dashboard.intake`).
"""

from __future__ import annotations

import datetime as dt
import io

import dash
import flask
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from accounts.scope import Role, Scope
from dashboard import components, data, intake
from dashboard.access import current_scope, scope_or_none
from dashboard.components import download_buttons, send_table
from dashboard.figures import upload as fig
from dashboard.format import number
from dashboard.security import DEFAULT_MAX_REQUEST_MB
from dashboard.upload_view import (
    APPLY,
    COLUMN,
    PAGE,
    empty_mappings,
    file_block,
    history_table,
    mapping_step,
    mappings_block,
    stored_block,
)
from ingest.cli import DEFAULT_TEMPLATE
from ingest.formats import ACCEPTED
from ingest.guard import LIMITS
from ingest.periods import parse_period
from ingest.problems import human_size
from ingest.store import list_uploads
from reference.periods import FIRST_YEAR, Period, period_range

dash.register_page(__name__, path="/aanleveren", name="Aanleveren", title="Aanleveren – Monitor plegeraanpak", order=4)

UPLOAD_LABEL = "Sleep uw Excel-bestanden hierheen of klik om te kiezen"
ACCEPT = ",".join(ACCEPTED)  # the file dialog offers these: .xlsx, .csv, .ods
MUNICIPALITY_LABEL = "Gemeente (alleen voor bestanden zonder gemeentekolom)"


def _period_choices(today: dt.date) -> list[str]:
    return [p.label for p in reversed(period_range(Period(FIRST_YEAR, 1), Period.of_date(today)))]


def _files(contents: object, names: object) -> list[tuple[object, object]]:
    """The Upload's contents and file names as pairs, whether one file or many came."""
    if not contents:
        return []
    if isinstance(contents, str):
        return [(contents, names)]
    names = names if isinstance(names, list | tuple) else [names] * len(contents)
    return list(zip(contents, list(names) + [None] * (len(contents) - len(names)), strict=False))


# --- layout -----------------------------------------------------------------------------------


def _text_choice(component_id: str, choices: list[str], placeholder: str) -> list:
    """A text field with suggestions (a native datalist): keyboard and screen-reader friendly, and
    typing a name or code works too. Its value is sent on Enter or when leaving the field."""
    list_id = f"{component_id}-keuzes"
    return [
        dcc.Input(
            id=component_id,
            type="text",
            list=list_id,
            debounce=True,
            placeholder=placeholder,
            autoComplete="off",
            className="text-input",
        ),  # fmt: skip
        html.Datalist([html.Option(value=choice) for choice in choices], id=list_id),
    ]


def _text_control(label: str, component_id: str, choices: list[str], placeholder: str) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=component_id), *_text_choice(component_id, choices, placeholder)],
        className="control",
    )


def _request_limit_bytes() -> int:
    """What one send may weigh (`dashboard.security`; beyond it the server answers 413)."""
    settings = flask.current_app.extensions.get("monitor_security") if flask.has_app_context() else None
    return getattr(settings, "max_request_bytes", DEFAULT_MAX_REQUEST_MB * 1024 * 1024)


def limits_text() -> str:
    """The per-file limit and what all files of one send may weigh together, in Dutch."""
    # The browser sends files base64-encoded (a third larger) with some overhead.
    together = max(_request_limit_bytes() * 3 // 4 - 100_000, 0) // 1_000_000
    return (
        f"Excel-werkmap (.xlsx), CSV-bestand (.csv, gescheiden door ; , of tab) of OpenDocument-rekenblad (.ods), "
        f"maximaal {human_size(LIMITS.max_file_bytes)} per bestand; een groter bestand neemt "
        f"de browser niet aan. U kunt meer bestanden tegelijk kiezen, samen hoogstens {together} MB per keer."
    )


def _not_for_you(scope: Scope) -> html.Div:
    return html.Div(
        [
            html.H1("Aanleveren"),
            html.P(
                f"U bent ingelogd als {scope.user} ({scope.role}). Met dit account kunt u geen cijfers aanleveren en "
                "geen aanleveringen inzien. Moet u wel cijfers aanleveren, vraag dan de beheerder om uw account aan "
                "te passen.",
                className="message upload-refused",
                role="status",
            ),
        ],
        className="upload-page",
    )


def layout(**_query) -> html.Div:
    scope = scope_or_none()
    if scope is not None and not scope.may_upload:
        return _not_for_you(scope)
    return _uploader_layout(scope)


def _uploader_layout(scope: Scope | None) -> html.Div:
    """The page for a user who may deliver. Without a scope (a layout built before the gate knows the
    user, such as Dash's validation layout, which every browser gets) it has every component and no
    data: no choices, no history, no names."""
    today = dt.date.today()
    reference = data.reference()
    upload_choices = intake.upload_choices(scope, reference, today) if scope else []
    value_choices = intake.value_choices(scope, reference, today) if scope else []
    history = history_table(data.engine(), scope) if scope else []
    delivers_for = (
        [html.P(f"U levert aan voor: {intake.allowed_text(scope, reference)}.", className="intro upload-scope")]
        if scope
        else []
    )
    return html.Div(
        [
            html.H1("Aanleveren"),
            html.P(
                "Lever de kwartaalcijfers aan als Excel-, CSV- of OpenDocument-bestand. U ziet meteen wat er "
                "opgeslagen zou worden, of wat er "
                "aan een bestand moet veranderen. Pas als u op Opslaan drukt, worden de cijfers opgeslagen.",
                className="intro",
            ),
            *delivers_for,
            html.Section(
                [
                    html.H2("Het sjabloon"),
                    html.P(
                        "Gebruik bij voorkeur het officiële sjabloon: een toelichting, één rij per kwartaal en "
                        "controles in elke cel. Een export uit uw eigen systeem mag ook."
                    ),
                    html.Button(
                        "Download het sjabloon (Excel)",
                        id=f"{PAGE}-template-button",
                        className="button secondary",
                        n_clicks=0,
                    ),  # fmt: skip
                    dcc.Download(id=f"{PAGE}-template-download"),
                ],
                className="upload-card",
            ),
            html.Section(
                [
                    html.H2("Bestanden aanleveren"),
                    html.Div(
                        _text_control(
                            MUNICIPALITY_LABEL,
                            f"{PAGE}-municipality",
                            upload_choices,
                            "Typ of kies, bijvoorbeeld Utrecht (GM0344)",
                        ),
                        className="controls",
                    ),
                    # The label wraps the Upload, so its hidden file input is named by the label's text;
                    # the label's own click opens the file dialog (disable_click avoids a second one).
                    html.Label(
                        dcc.Upload(
                            id=f"{PAGE}-upload",
                            multiple=True,
                            disable_click=True,
                            max_size=LIMITS.max_file_bytes,  # the browser drops larger files unsent
                            accept=ACCEPT,
                            className="upload-zone",
                            className_active="upload-zone active",
                            children=html.Div(
                                [
                                    html.Span(UPLOAD_LABEL, className="upload-title"),
                                    html.Span("Bestanden kiezen", className="button upload-button"),
                                    html.Span(limits_text(), className="upload-hint"),
                                ],
                                className="upload-inner",
                            ),
                        ),
                        className="upload-label",
                    ),
                    dcc.Loading(html.Div(id=f"{PAGE}-check", **{"aria-live": "polite"}), type="dot"),
                    dcc.Store(id=f"{PAGE}-columns", data={}),
                    html.Div(
                        [
                            html.P("Download de meldingen van alle bestanden:", className="note"),
                            download_buttons(f"{PAGE}-problems"),
                        ],
                        id=f"{PAGE}-problems-box",
                        hidden=True,
                    ),
                    html.Div(
                        [
                            html.Button("Opslaan", id=f"{PAGE}-save", className="button", n_clicks=0, disabled=True),
                            html.P(
                                "Alleen bestanden die in orde zijn worden opgeslagen, elk bestand helemaal of "
                                "helemaal niet. Een latere aanlevering vervangt eerdere cijfers; die blijven in de "
                                "geschiedenis bewaard.",
                                className="note",
                            ),
                        ],
                        className="save-row",
                    ),
                    dcc.Loading(html.Div(id=f"{PAGE}-saved", **{"aria-live": "polite"}), type="dot"),
                    dcc.Store(id=f"{PAGE}-stored-signal"),
                ],
                className="upload-card",
            ),
            html.Section(
                [
                    html.H2("Eerdere aanleveringen"),
                    html.P(
                        "Elke poging wordt bewaard, ook geweigerde bestanden."
                        + ("" if scope is None or scope.is_admin else " U ziet hier alleen uw eigen aanleveringen."),
                        className="subtitle",
                    ),
                    html.Div(history, id=f"{PAGE}-history"),
                    download_buttons(f"{PAGE}-history"),
                ],
                className="upload-card",
            ),
            html.Section(
                [
                    html.H2("Kolomkoppelingen"),
                    html.P(
                        "Wat u bij 'Kolommen koppelen' kiest, wordt bij het opslaan onthouden voor "
                        + (f"{intake.organisation_of(scope)}" if scope else "uw organisatie")
                        + ": volgende bestanden met dezelfde kolom worden zo gelezen, zonder het opnieuw te vragen. "
                        "Kies opnieuw in 'Kolommen koppelen' om een koppeling te wijzigen.",
                        className="subtitle",
                    ),
                    html.Div(
                        mappings_block(data.engine(), scope) if scope else empty_mappings(), id=f"{PAGE}-mappings"
                    ),
                    html.Button(
                        "Koppeling verwijderen", id=f"{PAGE}-mapping-remove", className="button secondary", n_clicks=0
                    ),  # fmt: skip
                    html.P(id=f"{PAGE}-mapping-removed", className="note", **{"aria-live": "polite"}),
                ],
                className="upload-card",
            ),
            html.Section(
                [
                    html.H2("Geschiedenis van de cijfers"),
                    html.P(
                        "Alle versies van de cijfers van één gemeente in één kwartaal: de huidige waarde en de "
                        "waarden die een latere aanlevering heeft vervangen.",
                        className="subtitle",
                    ),
                    html.Div(
                        [
                            _text_control(
                                "Gemeente", f"{PAGE}-values-municipality", value_choices, "Typ of kies een gemeente"
                            ),
                            _text_control(
                                "Kwartaal", f"{PAGE}-values-period", _period_choices(today), "Bijvoorbeeld 2025 K3"
                            ),
                        ],  # fmt: skip
                        className="controls",
                    ),
                    html.Div(id=f"{PAGE}-values", **{"aria-live": "polite"}),
                    download_buttons(f"{PAGE}-values"),
                ],
                className="upload-card",
            ),
        ],
        className="upload-page",
    )


# --- callbacks --------------------------------------------------------------------------------


def _uploader() -> Scope:
    """The signed-in user when they may deliver; otherwise the callback answers nothing at all."""
    scope = current_scope()
    if not scope.may_upload:
        raise PreventUpdate
    return scope


@callback(
    Output(f"{PAGE}-template-download", "data"),
    Input(f"{PAGE}-template-button", "n_clicks"),
    prevent_initial_call=True,
)
def download_template(_clicks: int) -> dict:
    from ingest.template import write_template

    _uploader()
    buffer = io.BytesIO()
    write_template(buffer)
    return dcc.send_bytes(buffer.getvalue(), DEFAULT_TEMPLATE)


@callback(
    Output(f"{PAGE}-columns", "data"),
    Input({"type": APPLY, "index": ALL}, "n_clicks"),
    State({"type": COLUMN, "header": ALL}, "value"),
    State({"type": COLUMN, "header": ALL}, "id"),
    State(f"{PAGE}-columns", "data"),
    prevent_initial_call=True,
)
def apply_columns(clicks, answers, ids, given):
    """The uploader's answers in the mapping step, added to those given before; an emptied choice is withdrawn."""
    _uploader()
    if not any(clicks or []):
        raise PreventUpdate  # the button was only rendered
    given = dict(given or {})
    for answer, component_id in zip(answers, ids, strict=False):
        key = component_id.get("header") if isinstance(component_id, dict) else None
        if not isinstance(key, str):
            continue
        if answer:
            given[key] = answer
        else:
            given.pop(key, None)
    return given


@callback(
    Output(f"{PAGE}-check", "children"),
    Output(f"{PAGE}-save", "disabled"),
    Output(f"{PAGE}-problems-box", "hidden"),
    Output(f"{PAGE}-saved", "children", allow_duplicate=True),
    Input(f"{PAGE}-upload", "contents"),
    Input(f"{PAGE}-municipality", "value"),
    State(f"{PAGE}-upload", "filename"),
    Input(f"{PAGE}-columns", "data"),
    prevent_initial_call=True,
)
def check_files(contents, municipality, names, given=None):
    """Dry run of every uploaded file for the signed-in user, with the columns mapped so far; nothing is stored."""
    scope = _uploader()
    files = _files(contents, names)
    if not files:
        return [], True, True, no_update
    municipality = intake.municipality_for_file(municipality)
    engine = data.engine()
    results = [intake.check_upload(c, n, municipality, scope=scope, columns=given, engine=engine) for c, n in files]
    open_columns = fig.open_columns(results, intake.valid_columns(given))
    valid = sum(result.ok for result in results)
    overview = (
        f"{number(len(results))} {'bestand' if len(results) == 1 else 'bestanden'} gecontroleerd: "
        f"{number(valid)} in orde, {number(len(results) - valid)} geweigerd. "
        + ("Druk op Opslaan om de bestanden die in orde zijn op te slaan." if valid
           else "Er is niets om op te slaan; pas de bestanden aan en lever ze opnieuw aan.")
    )  # fmt: skip
    if any(p.code == "missing_municipality" for result in results for p in result.problems):
        overview += " Noemt een bestand geen gemeente, vul die dan hierboven in."
    if any(result.questions for result in results):
        overview += " Niet elke kolom is herkend: kies bij 'Kolommen koppelen' wat erin staat."
    overview += (
        f" Ontbreekt een bestand? Een bestand groter dan {human_size(LIMITS.max_file_bytes)} neemt de browser niet aan."
    )
    blocks = [file_block(result, open_preview=len(results) == 1) for result in results]
    has_problems = any(result.problems for result in results)
    check = [html.P(overview, className="upload-overview"), *mapping_step(open_columns), *blocks]
    return check, valid == 0, not has_problems, []


@callback(
    Output(f"{PAGE}-saved", "children"),
    Output(f"{PAGE}-upload", "contents"),
    Output(f"{PAGE}-save", "disabled", allow_duplicate=True),
    Output(f"{PAGE}-history", "children"),
    Output(f"{PAGE}-stored-signal", "data"),
    Output(f"{PAGE}-values-municipality", "value"),
    Output(f"{PAGE}-values-period", "value"),
    Output(f"{PAGE}-columns", "data", allow_duplicate=True),
    Input(f"{PAGE}-save", "n_clicks"),
    State(f"{PAGE}-upload", "contents"),
    State(f"{PAGE}-upload", "filename"),
    State(f"{PAGE}-municipality", "value"),
    State(f"{PAGE}-columns", "data"),
    prevent_initial_call=True,
)
def save_files(_clicks, contents, names, municipality, given=None):
    """Read every file again from its contents and store the valid ones; then clear the contents, and the
    mapping step's answers once a file is stored (they are remembered now: the next file says so)."""
    files = _files(contents, names)
    scope = current_scope()
    if files and not scope.may_upload:  # only a crafted call gets here: record it, answer nothing
        intake.refuse_upload(data.engine(), scope, [name for _, name in files])
        raise PreventUpdate
    if not files or not scope.may_upload:
        raise PreventUpdate
    engine = data.engine()
    done = intake.store_files(engine, files, intake.municipality_for_file(municipality), scope=scope, columns=given)
    stored = [item for item in done if item.stored.status == "stored"]
    first = next((item.result.records[0] for item in stored if item.result.records), None)
    result = [
        html.H3("Resultaat van het opslaan"),
        *[stored_block(item) for item in done],
        components.html_table(
            fig.store_frame(done),
            "Opgeslagen per bestand",
            table_id=f"{PAGE}-saved-tabel",
            numeric=("Nieuw", "Vervangen", "Ongewijzigd"),
        ),  # fmt: skip
    ]
    if stored:
        result.append(html.P("De grafieken tonen de nieuwe cijfers.", className="note"))
    return (
        result,
        None,
        True,
        history_table(engine, scope),
        max(item.stored.upload_id for item in done),
        _choice(first.municipality) if first else no_update,
        first.period.label if first else no_update,
        {} if stored else no_update,
    )


@callback(
    Output(f"{PAGE}-mappings", "children"),
    Output(f"{PAGE}-mapping-removed", "children"),
    Input(f"{PAGE}-mapping-remove", "n_clicks"),
    State(f"{PAGE}-mapping-remove-choice", "value"),
    Input(f"{PAGE}-stored-signal", "data"),
    prevent_initial_call=True,
)
def remove_mapping(_clicks, choice, _stored=None):
    """Remove the chosen remembered mapping (a beheerder any, anyone else their own); show the mappings again,
    also after storing (which may have remembered an answer)."""
    scope = _uploader()
    engine = data.engine()
    said = ""
    if ctx.triggered_id == f"{PAGE}-mapping-remove":
        source, tab, header = str(choice or "").partition("\t")
        if not tab:
            said = "Kies eerst een koppeling om te verwijderen."
        else:
            try:
                removed = intake.forget_mapping(engine, scope, source, header)
            except PermissionError:
                said = f"U mag de koppelingen van {source} niet wijzigen."
            else:
                said = f"De koppeling van kolom '{header}' voor {source} is verwijderd." if removed else ""
    return mappings_block(engine, scope), said


@callback(
    Output(f"{PAGE}-problems-download", "data"),
    Input(f"{PAGE}-problems-xlsx", "n_clicks"),
    Input(f"{PAGE}-problems-csv", "n_clicks"),
    State(f"{PAGE}-upload", "contents"),
    State(f"{PAGE}-upload", "filename"),
    State(f"{PAGE}-municipality", "value"),
    State(f"{PAGE}-columns", "data"),
    prevent_initial_call=True,
)
def download_problems(_xlsx, _csv, contents, names, municipality, given=None):
    """The problems of the uploaded files, found again from their contents."""
    scope = _uploader()
    files = _files(contents, names)
    if not files:
        raise PreventUpdate
    municipality = intake.municipality_for_file(municipality)
    engine = data.engine()
    results = [intake.check_upload(c, n, municipality, scope=scope, columns=given, engine=engine) for c, n in files]
    frame = fig.problems_frame(results)
    return send_table(frame, "meldingen_aanlevering", _format())


@callback(
    Output(f"{PAGE}-history-download", "data"),
    Input(f"{PAGE}-history-xlsx", "n_clicks"),
    Input(f"{PAGE}-history-csv", "n_clicks"),
    prevent_initial_call=True,
)
def download_history(_xlsx, _csv):
    """Every upload attempt the user may see, not only the last ones shown."""
    scope = _uploader()
    frame = fig.history_frame(intake.visible_uploads(list_uploads(data.engine()), scope), limit=None)
    return send_table(frame, "aanleveringen", _format())


def _format() -> str:
    return "csv" if str(ctx.triggered_id).endswith("-csv") else "xlsx"


def _choice(code: str) -> str:
    """A municipality as its suggestion reads: `Utrecht (GM0344)`."""
    return f"{intake.municipality_name(code, data.reference())} ({code})"


def _selection(municipality_text: object, period_text: object) -> tuple[str | None, Period | None]:
    return intake.municipality_code(municipality_text, data.reference()), parse_period(period_text or None)


def _refusal(scope: Scope, code: str) -> html.P:
    reference = data.reference()
    return html.P(
        f"U mag de cijfers van {intake.municipality_name(code, reference)} ({code}) niet inzien. U ziet hier de "
        f"cijfers van: {intake.allowed_text(scope, reference)}. Kies een gemeente uit de lijst.",
        className="message error",
    )


@callback(
    Output(f"{PAGE}-values", "children"),
    Input(f"{PAGE}-values-municipality", "value"),
    Input(f"{PAGE}-values-period", "value"),
    Input(f"{PAGE}-stored-signal", "data"),
)
def show_values(municipality_text, period_text, _signal):
    """Every version of one municipality's values in one quarter, replaced ones marked; only for a
    municipality the user delivers for or sees in full detail."""
    scope = _uploader()
    if not municipality_text or not period_text:
        return html.P("Kies een gemeente en een kwartaal.", className="note")
    code, period = _selection(municipality_text, period_text)
    if code is None:
        return html.P(f"'{municipality_text}' is geen bekende gemeente. Kies een gemeente uit de lijst.",
                      className="message error")  # fmt: skip
    if not intake.may_view_values(scope, code, data.reference()):
        return _refusal(scope, code)
    if period is None:
        return html.P(f"'{period_text}' is geen kwartaal. Schrijf het als 2025 K3.", className="message error")
    frame = fig.value_history_frame(intake.visible_history(data.engine(), scope, code, period))
    name = intake.municipality_name(code, data.reference())
    if frame.empty:
        if scope.role is Role.KETENPARTNER:  # it sees only what it delivered itself
            return html.P(
                f"U heeft voor {name} ({code}) over {period.label} geen cijfers aangeleverd.", className="note"
            )
        return html.P(f"Voor {name} ({code}) zijn over {period.label} geen cijfers opgeslagen.", className="note")
    replaced = int((frame["Status"] == "vervangen").sum())
    return html.Div(
        [
            html.P(f"{number(len(frame))} versies, waarvan {number(replaced)} vervangen.", className="note"),
            components.html_table(
                frame,
                f"Cijfers van {name} ({code}) over {period.label}, alle versies",
                table_id=f"{PAGE}-values-tabel",
                numeric=("Waarde",),
                row_class=["superseded" if s == "vervangen" else "current" for s in frame["Status"]],
            ),
        ]
    )


@callback(
    Output(f"{PAGE}-values-download", "data"),
    Input(f"{PAGE}-values-xlsx", "n_clicks"),
    Input(f"{PAGE}-values-csv", "n_clicks"),
    State(f"{PAGE}-values-municipality", "value"),
    State(f"{PAGE}-values-period", "value"),
    prevent_initial_call=True,
)
def download_values(_xlsx, _csv, municipality_text, period_text):
    scope = _uploader()
    code, period = _selection(municipality_text, period_text)
    if code is None or period is None or not intake.may_view_values(scope, code, data.reference()):
        raise PreventUpdate
    frame = fig.value_history_frame(intake.visible_history(data.engine(), scope, code, period))
    return send_table(frame, f"geschiedenis_{code}_{period}", _format())


# After each selection, empty the file input: choosing the same (corrected) file again is then a
# change the browser reports. The contents already read stay in the Upload's `contents`.
clientside_callback(
    """function (contents) {
        document.querySelectorAll('#aanleveren-upload input[type=file]').forEach(function (el) { el.value = ''; });
    }""",
    Input(f"{PAGE}-upload", "contents"),
    prevent_initial_call=True,
)
