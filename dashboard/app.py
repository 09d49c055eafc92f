"""The Dash application shell: header, navigation built from the page registry, the page, a footer.

`create_app` puts the security gate (`dashboard.security`) in front of every route; the layout is
built per request for the signed-in user (their name, role, and the links their role may use).
"""

from __future__ import annotations

from pathlib import Path

import dash
from dash import html

from accounts.scope import ROLE_DESCRIPTIONS, Scope
from dashboard import data, security
from dashboard.access import scope_or_none

TITLE = "Monitor plegeraanpak"
PAGES = Path(__file__).resolve().parent / "pages"
ADMIN_PAGES = {"/auditlog": "Auditlog"}  # beheerder only: not in the page registry's navigation
UPLOAD_PATH = "/aanleveren"


def _navigation(scope: Scope | None) -> html.Nav:
    pages = [p for p in sorted(dash.page_registry.values(), key=lambda p: p["order"] if p["order"] is not None else 99)]
    links = [
        html.Li(dash.dcc.Link(page["name"], href=page["relative_path"]))
        for page in pages
        if page.get("order") is not None
        and not (page["relative_path"] == UPLOAD_PATH and (scope is None or not scope.may_upload))
    ]
    if scope is not None and scope.is_admin:
        links += [html.Li(dash.dcc.Link(name, href=path)) for path, name in ADMIN_PAGES.items()]
    return html.Nav(html.Ul(links), **{"aria-label": "Hoofdmenu"}, className="site-nav")


def _account(scope: Scope | None) -> html.Div:
    if scope is None:
        return html.Div()
    return html.Div(
        [
            html.Span(f"Ingelogd als {scope.user} ({ROLE_DESCRIPTIONS[scope.role].split(':')[0]})"),
            html.Form(
                html.Button("Uitloggen", type="submit", className="button secondary logout"),
                method="post",
                action="/logout",
            ),
        ],
        className="site-account",
    )


def _demo_banner(settings: security.Settings) -> list:
    if not settings.demo:
        return []
    return [
        html.P(
            "Demomodus: voorbeeldgegevens en demo-accounts, niet voor echte gegevens.",
            className="demo-banner",
            role="note",
        )
    ]


def _layout(settings: security.Settings):
    def layout():
        scope = scope_or_none()
        return html.Div(
            [
                html.A("Naar de inhoud", href="#inhoud", className="skip-link"),
                *_demo_banner(settings),
                html.Header(  # the account after the navigation: Tab reaches the pages first
                    [html.P(TITLE, className="site-title"), _navigation(scope), _account(scope)],
                    className="site-header",
                ),
                html.Main(dash.page_container, id="inhoud", tabIndex="-1"),
                html.Footer(
                    html.P(
                        "Procesindicatoren van de plegeraanpak (Geweld hoort nergens thuis). Gemeenten en "
                        "regio's: CBS (CC BY 4.0). Cijfers: aanleveringen van gemeenten en ketenpartners."
                        + ("" if scope is None or scope.sees_everything() else _SUPPRESSION_NOTE)
                    ),
                    className="site-footer",
                ),
            ],
            className="page",
        )

    return layout


_SUPPRESSION_NOTE = (
    " Buiten uw eigen gebied ziet u regio's en landelijke cijfers; aantallen van 1 tot en met 4 staan er als"
    " '<5', percentages over minder dan 10 personen en wat ze zou verraden zijn afgeschermd."
)


def _plotly_early(prefix: str) -> str:
    """plotly.js fetched and run while the page's content is still on its way: Dash's graphs load it
    only once their content has arrived, and use `window.Plotly` when it is already there. Under its
    versioned address, as Dash names its own scripts (`dash.fingerprint`), so the browser keeps it for a
    year without asking again; `defer` runs it after the page's own scripts, never holding them up."""
    import plotly
    from dash.fingerprint import build_fingerprint

    relative = "package_data/plotly.min.js"
    modified = int((Path(plotly.__file__).parent / relative).stat().st_mtime)
    address = f"{prefix}_dash-component-suites/plotly/{build_fingerprint(relative, plotly.__version__, modified)}"
    return f'<script defer src="{address}"></script>'


def create_app(settings: security.Settings | None = None) -> dash.Dash:
    """The Dash app with every page of `dashboard/pages`, behind the sign-in gate."""
    settings = settings or security.Settings.from_environment()
    # suppress_callback_exceptions: without it Dash 4 builds a "validation layout" from every page's
    # layout at the first request and sends it inside every page: built for whoever came first, it
    # would show their figures to everyone after. Callbacks are checked by the tests instead.
    # Named after the package, so that Dash imports the pages as `dashboard.pages.region`, the name any
    # other import of them uses: under its own `pages.region` a page imported elsewhere too was registered twice.
    app = dash.Dash(
        "dashboard", title=TITLE, use_pages=True, pages_folder=str(PAGES), compress=True,
        suppress_callback_exceptions=True,
    )  # fmt: skip
    app.index_string = app.index_string.replace("<html>", '<html lang="nl">').replace(
        "{%css%}", "{%css%}\n" + _plotly_early(app.config.requests_pathname_prefix)
    )
    app.layout = _layout(settings)
    security.install(app.server, data.engine, settings, app.csp_hashes)
    return app


def main(demo: bool = False) -> None:
    """Serve on http://127.0.0.1:8050 with Flask's own server (debug off). In demo mode, first
    (re)create the demo accounts with fresh passwords and print them."""
    settings = security.Settings.from_environment(demo=demo)
    if settings.demo:
        from accounts.demo import demo_accounts  # only the demo creates accounts by itself

        _print_demo(demo_accounts(data.engine(), data.reference()))
    create_app(settings).run(host="127.0.0.1", port=8050, debug=False)


def _print_demo(accounts) -> None:
    lines = [
        "",
        "DEMOMODUS - voorbeeldgegevens en demo-accounts, niet voor echte gegevens.",
        "Open http://127.0.0.1:8050 en log in met een van deze accounts (nieuwe wachtwoorden bij elke start):",
    ]
    lines += [f"  {name:<22} {password:<26} {role}: {scope}" for name, role, scope, password in accounts]
    print("\n".join([*lines, ""]), flush=True)
