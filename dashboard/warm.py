"""Warm a new worker before it serves: what every page's first visit would otherwise pay once.

The first view in a process imports what the pages import lazily, reads the reference data and the
map's shapes, and fills the memo of the national figures (`dashboard.data`). `warm_up` does it at the
start of a worker, by drawing the overview, the compare page and one region page for a public view (a
steering group's, which sees only the public table: nothing of one user's view is memoised for
another, as every memo is keyed on the view). Never fatal: a worker that cannot warm up (an empty or
unreachable database) still starts and answers as it would have.
"""

from __future__ import annotations

import logging

from accounts.scope import Role, Scope
from dashboard import data
from dashboard.access import signed_in_as

log = logging.getLogger(__name__)
WARMING = Scope(user="opstart", role=Role.STUURGROEP)


def warm_up() -> bool:
    """Draw the overview, the compare page and the first region's page once; True if all were drawn."""
    from dashboard.pages import compare, overview, region

    try:
        with signed_in_as(WARMING):
            overview.layout()
            compare.layout()
            region.layout(code=min(data.reference().regions))
    except Exception as exc:  # the pages answer the same without it; say so once
        log.warning("warm-up skipped why=%r", f"{type(exc).__name__}: {exc}")
        return False
    return True
