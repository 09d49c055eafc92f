"""Who is asking: the signed-in user's scope, taken from the server-side session.

`dashboard.security` resolves the session cookie before every request and puts the scope on
`flask.g`. Layouts and callbacks call `current_scope()`; nothing here reads component values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import flask

from accounts.scope import Scope

# Set only by `signed_in_as` (tests and tools calling layouts and callbacks without a request).
_outside_request: ContextVar[Scope | None] = ContextVar("monitor_scope", default=None)


class NotSignedIn(PermissionError):
    """No session: the request should never have reached a layout or callback."""


def current_scope() -> Scope:
    """The scope of the user of this request; raises `NotSignedIn` when there is none."""
    scope = flask.g.get("scope") if flask.has_request_context() else _outside_request.get()
    if not isinstance(scope, Scope):
        raise NotSignedIn("geen sessie")
    return scope


def scope_or_none() -> Scope | None:
    """The scope of this request, or None where nobody is signed in (a layout Dash builds by itself
    outside a request): for what must render without a user and then shows no data."""
    try:
        return current_scope()
    except NotSignedIn:
        return None


@contextmanager
def signed_in_as(scope: Scope | None) -> Iterator[Scope | None]:
    """For tests and tools: call layouts and callbacks as `scope` outside a request (None: nobody)."""
    token = _outside_request.set(scope)
    try:
        yield scope
    finally:
        _outside_request.reset(token)
