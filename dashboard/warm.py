"""Warm a new worker before it serves: what every page's first visit would otherwise pay once.

The first request in a process lets Dash set itself up (scripts, the callback map); the first view
imports what the pages import lazily, reads the reference data and the map's shapes, builds plotly's
validators and fills the memo of the national figures (`dashboard.data`). `warm_up` does all of it at
the start of a worker: one request to `/healthz`, then the overview, the compare page and the region
page drawn once for each of the two views many users share: the public one (a steering group's, which
sees only the public table) and the whole (a beheerder's). Nothing of one view is memoised for another,
as every memo is keyed on the view; a view of one's own area (a projectleider's, a municipality's)
still fills its memo at its first visit, with the rest of the start already paid.

The layouts are taken from Dash's page registry, the ones the router serves (`dashboard.app` has Dash
import the pages under their package names, so an import of `dashboard.pages.region` finds the same
module).

Never fatal: a worker that cannot warm up (an empty or unreachable database) still starts and answers
as it would have.
"""

from __future__ import annotations

import logging

import dash

from accounts.scope import Role, Scope
from dashboard import health
from dashboard.access import signed_in_as

log = logging.getLogger(__name__)
WARMING = (Scope(user="opstart", role=Role.STUURGROEP), Scope(user="opstart", role=Role.BEHEERDER))
PATHS = ("/", "/vergelijken", "/regio")  # what people open first; each with its default choices


def page_layouts() -> dict[str, object]:
    """{path: layout function} of the pages Dash serves."""
    return {page["path"]: page["layout"] for page in dash.page_registry.values() if callable(page.get("layout"))}


def warm_up(app: dash.Dash) -> bool:
    """Set up `app` and draw the pages of `PATHS` once; True if all of it worked."""
    try:
        app.server.test_client().get(health.PATH)  # Dash's first-request set-up runs before any route
        layouts = page_layouts()
        for scope in WARMING:
            with signed_in_as(scope):
                for path in PATHS:
                    layouts[path]()
    except Exception as exc:  # the pages answer the same without it; say so once
        log.warning("warm-up skipped why=%r", f"{type(exc).__name__}: {exc}")
        return False
    return True
