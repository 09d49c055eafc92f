"""Run the dashboard's pages in a test against a database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dash
import pytest

from accounts.scope import Role, Scope
from dashboard.access import signed_in_as

ADMIN = Scope(user="test-beheerder", role=Role.BEHEERDER)


@contextmanager
def dashboard_on(url: str, scope: Scope | None = ADMIN) -> Iterator[dash.Dash]:
    """The pages registered and reading the database at `url` (MONITOR_DB_URL) while inside, called
    as the user of `scope` (a beheerder unless told; None: nobody signed in)."""
    import dashboard.data
    from dashboard.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", url)
        dashboard.data.engine.cache_clear()
        app = create_app()
        try:
            with signed_in(scope):
                yield app
        finally:
            dashboard.data.engine().dispose()
            dashboard.data.engine.cache_clear()


@contextmanager
def signed_in(scope: Scope | None = ADMIN) -> Iterator[None]:
    """Layouts and callbacks called inside run as the user of `scope`, as after the gate."""
    with signed_in_as(scope):
        yield


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
