"""Run the dashboard's pages in a test against a database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def dashboard_on(url: str) -> Iterator[None]:
    """The pages registered and reading the database at `url` (MONITOR_DB_URL) while inside."""
    import dashboard.data
    from dashboard.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", url)
        dashboard.data.engine.cache_clear()
        create_app()
        try:
            yield
        finally:
            dashboard.data.engine().dispose()
            dashboard.data.engine.cache_clear()


@contextmanager
def clicked(button: str) -> Iterator[None]:
    """Call a callback directly as if `button` had been pressed (for `dash.ctx.triggered_id`)."""
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{button}.n_clicks", "value": 1}]))
    try:
        yield
    finally:
        context_value.reset(token)
