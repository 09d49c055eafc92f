"""What the upload page shows of a check, a store and the remembered mappings: one block per checked
or stored file (its summary, problems and preview), the mapping step's questions, the history of
uploads and the remembered column mappings. Built from what `dashboard.intake` returns for the
signed-in user's scope; `dashboard.pages.upload` lays them out and wires them to its callbacks.
"""

from __future__ import annotations

from dash import dcc, html

from accounts.scope import Scope
from dashboard import components, data, intake
from dashboard.components import DROPDOWN_LABELS
from dashboard.figures import upload as fig
from dashboard.format import number
from ingest.pipeline import FileResult
from ingest.store import list_uploads

PAGE = "aanleveren"
COLUMN = f"{PAGE}-kolom"  # the pattern-matching type of the mapping step's dropdowns
APPLY = f"{PAGE}-apply-columns"  # and of its button (pattern-matching: it exists only with questions)
SHOWN_ROWS = 200  # rows of a preview or problem table shown on the page; downloads hold them all


def problems_table(result: FileResult, caption: str) -> html.Div:
    """One file's problems, the same problem in a column as one line; the file is named in the caption,
    so not in every row (the download has it, and every cell)."""
    frame = fig.grouped_problems_frame([result]).drop(columns="Bestand")
    rows = ["problem-error" if severity == "fout" else "problem-warning" for severity in frame["Ernst"]]
    return components.html_table(frame, caption, row_class=rows, limit=SHOWN_ROWS)


def file_block(result: FileResult, open_preview: bool) -> html.Section:
    """One checked file: its summary, its problems, and the values it would store."""
    reference = data.reference()
    parts: list = [
        html.H3(
            [html.Span("✔ " if result.ok else "✖ ", **{"aria-hidden": "true"}), fig.check_summary(result)],
            className="message" if result.ok else "message error",
        ),
    ]
    if said := fig.readings_text(result):
        parts.append(html.Ul([html.Li(text) for text in said], className="upload-readings"))
    if result.problems:
        caption = "Meldingen" if result.ok else "Wat er aan het bestand moet veranderen"
        parts.append(problems_table(result, f"{caption}: {result.file}"))
    if result.ok:
        preview = fig.preview_frame(result, reference)
        parts.append(
            html.Details(
                [
                    html.Summary(f"Bekijk de {number(len(preview))} waarden die worden opgeslagen"),
                    components.html_table(
                        preview, f"Wordt opgeslagen uit {result.file}", numeric=("Waarde",), limit=SHOWN_ROWS
                    ),
                ],
                open=open_preview,
                className="preview",
            )
        )
    return html.Section(parts, className="upload-file")


def mapping_step(columns: list[fig.OpenColumn]) -> list:
    """The mapping step: a labelled dropdown per open column (the suggestions first, then `overslaan`,
    then the rest) and the button that checks the files again with the choices."""
    if not columns:
        return []
    controls = []
    for number_, column in enumerate(columns, start=1):
        component_id = {"type": COLUMN, "header": column.key}
        dom_id = f"{PAGE}-kolom-{number_}"  # given to the dropdown's button by assets/a11y.js (a dict id is not)
        controls.append(
            html.Div(
                [
                    html.Label(f"Kolom {column.title} ({column.where})", htmlFor=dom_id),
                    dcc.Dropdown(
                        id=component_id,
                        options=[{"label": text, "value": code} for code, text in column.choices],
                        value=column.answer,
                        placeholder="Kies wat deze kolom bevat",
                        labels=DROPDOWN_LABELS,
                        clearable=True,
                    ),
                ],
                className="control mapping-control",
                **{"data-dropdown-id": dom_id},
            )
        )
    return [
        html.Section(
            [
                html.H3("Kolommen koppelen", id=f"{PAGE}-mapping-title"),
                html.P(
                    "Deze kolommen bevatten aantallen, maar we weten niet zeker wat ze betekenen. Kies per kolom wat "
                    "erin staat, of 'overslaan', en controleer de bestanden opnieuw.",
                    className="note",
                ),
                html.Div(controls, className="controls mapping"),
                html.Button(
                    "Opnieuw controleren met deze keuzes",
                    id={"type": APPLY, "index": 0},
                    className="button secondary",
                    n_clicks=0,
                ),
            ],
            id=f"{PAGE}-mapping-box",
            className="upload-mapping",
            **{"aria-labelledby": f"{PAGE}-mapping-title"},
        )
    ]


def stored_block(item: intake.StoredFile) -> html.Section:
    result, status = item.result, item.stored.status
    ok = status != "rejected"
    parts: list = [
        html.P(
            [html.Span("✔ " if ok else "✖ ", **{"aria-hidden": "true"}), fig.store_summary(item)],
            className="message" if ok else "message error",
        )
    ]
    if not ok:
        parts.append(problems_table(result, f"Wat er aan het bestand moet veranderen: {result.file}"))
    return html.Section(parts, className="upload-file")


def history_table(engine, scope: Scope) -> html.Div:
    """The last uploads the user may see: a beheerder all, anyone else their own."""
    frame = fig.history_frame(intake.visible_uploads(list_uploads(engine), scope))
    if frame.empty:
        return html.P("Er is nog niets aangeleverd." if scope.is_admin else "U heeft nog niets aangeleverd.")
    whose = "aanleveringen" if scope.is_admin else "aanleveringen van u"
    return components.html_table(
        frame,
        f"De laatste {fig.HISTORY_ROWS} {whose}, nieuwste eerst (tijden in Nederlandse tijd)",
        table_id=f"{PAGE}-history-tabel",
        numeric=("Nieuw", "Vervangen", "Ongewijzigd"),
    )


def mappings_block(engine, scope: Scope) -> list:
    """The remembered column mappings the user sees (a beheerder all, anyone else their organisation's),
    and the choice to remove one."""
    rows = intake.visible_mappings(engine, scope)
    whose = "van alle bronnen" if scope.is_admin else f"van {intake.organisation_of(scope)}"
    shown = (
        [html.P("Er zijn nog geen kolomkoppelingen onthouden.", className="note")]
        if rows.empty
        else [components.html_table(fig.mappings_frame(rows), f"Onthouden kolomkoppelingen {whose}",
                                    table_id=f"{PAGE}-mappings-tabel")]
    )  # fmt: skip
    return [
        *shown,
        html.Div(
            [
                html.Label("Koppeling om te verwijderen", htmlFor=f"{PAGE}-mapping-remove-choice"),
                dcc.Dropdown(
                    id=f"{PAGE}-mapping-remove-choice",
                    options=[{"label": label, "value": value} for value, label in fig.mapping_choices(rows)],
                    placeholder="Kies een koppeling",
                    labels=DROPDOWN_LABELS,
                ),
            ],
            className="control",
        ),
    ]


def empty_mappings() -> list:
    """The mappings block without a user: its components, no data."""
    return [dcc.Dropdown(id=f"{PAGE}-mapping-remove-choice", options=[], labels=DROPDOWN_LABELS)]
